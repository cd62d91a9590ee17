// The co-search driver and its results folder: outputs that load back,
// determinism across thread counts, resuming (after a truncated database and
// after SIGKILL at seeded random moments), and refusing another search's
// folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "models/network_yaml.hpp"
#include "search/results_store.hpp"
#include "search/search_run.hpp"
#include "support/test_support.hpp"

namespace nasaic {
namespace {

using testing::TempDir;
using testing::slurp;
using testing::source_path;

std::string spec_copy(const TempDir& dir, const std::string& name, int seed = 1, const std::string& simulator = "") {
  std::string text = slurp(source_path("configs/search/hardware-only.yaml"));
  const std::string base = "../chips/hetero-2.yaml", calibration = "../calibration/default-45nm.json";
  text.replace(text.find(base), base.size(), source_path("configs/chips/hetero-2.yaml"));
  text.replace(text.find(calibration), calibration.size(), source_path("configs/calibration/default-45nm.json"));
  text.replace(text.find("seed: 1"), 7, "seed: " + std::to_string(seed));
  if (simulator == "off") text.erase(text.find("simulator: {"));
  else if (!simulator.empty()) text.replace(text.find("simulator: {"), std::string::npos, "simulator: " + simulator + "\n");
  return dir.write(name, text);
}

SearchRunSummary run_test_search(const std::string& spec_path, const std::string& out, std::int64_t evaluations, int threads = 1,
                        bool resume = false) {
  const SearchSpec spec = load_search_spec(spec_path);
  CoSearchEvaluator evaluator(spec, nullptr);
  const ConfigNode node = ConfigNode::load_string("{name: evolution, population: 16, sample: 4, batch: 3}", "controller");
  std::unique_ptr<Controller> controller = make_evolution_controller(node, evaluator.design_space(), spec.seed);
  SearchRunOptions options;
  options.out_dir = out;
  options.evaluations = evaluations;
  options.threads = threads;
  options.resume = resume;
  options.simulator_executable = NASAIC_BINARY;
  return run_search(evaluator, *controller, options);
}

void delete_rows_from(const std::string& db_path, int first) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, ("DELETE FROM evaluations WHERE id >= " + std::to_string(first)).c_str(), nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t lines_of(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

TEST(SearchRun, WritesARowPerEvaluationAndABestDesignThatLoadsBack) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  const std::string out = (dir.path() / "out").string();
  const SearchRunSummary summary = run_test_search(spec, out, 40);
  EXPECT_EQ(summary.evaluations, 40);
  EXPECT_EQ(summary.replayed, 0);
  const std::string candidates = slurp(dir.path() / "out" / "candidates.jsonl");
  EXPECT_EQ(lines_of(candidates), 40u);
  EXPECT_EQ(candidates.rfind("{", 0), 0u);
  EXPECT_NE(candidates.find("\"id\":39,"), std::string::npos);

  const ResultsStore store(out + "/search.db", {"hardware-only", fnv1a_hex(slurp(spec)), 1});
  const std::vector<StoredEvaluation> rows = store.load();
  ASSERT_EQ(rows.size(), 40u);
  // candidates.jsonl holds the database's rows, with the simulator's figures
  // added to the rows it checked.
  const auto simulations = store.load_simulations();
  std::size_t at = 0;
  for (const StoredEvaluation& row : rows) {
    const std::size_t end = candidates.find('\n', at);
    ASSERT_NE(end, std::string::npos);
    const std::string line = candidates.substr(at, end - at);
    if (simulations.count(row.id)) {
      EXPECT_NE(line.find("\"simulated\":{"), std::string::npos) << row.id;
    } else {
      EXPECT_EQ(line, row.row_json);
    }
    at = end + 1;
  }
  ASSERT_TRUE(summary.has_best);
  for (const StoredEvaluation& row : rows)
    if (row.outcome.feasible) {
      EXPECT_LE(row.outcome.reward, summary.best_reward);
    }

  const ChipSpec chip = load_chip_spec(out + "/best/chip.yaml");
  Workload workload;
  workload.networks = {load_network_yaml(out + "/best/resnet18.yaml"), load_network_yaml(out + "/best/mobilenet_v2.yaml")};
  const Schedule schedule = load_schedule(out + "/best/schedule.yaml", workload, chip);
  const WorkloadGraph graph(workload);
  Estimator estimator(chip, load_search_spec(spec).surrogate);
  const WorkloadEstimate estimate = evaluate_schedule(graph, estimator, schedule);
  ASSERT_TRUE(estimate.feasible);
  // The files describe the best row as the simulator checked it, schedule
  // refined (no checkpoint came before, so no refit either): the surrogate
  // gives that makespan again, at most the row's.
  ASSERT_TRUE(simulations.count(summary.best_id));
  EXPECT_NEAR(estimate.makespan_cycles / chip.clock_hz, simulations.at(summary.best_id).surrogate_makespan_seconds, 1e-12);
  EXPECT_LE(estimate.makespan_cycles / chip.clock_hz, rows[static_cast<std::size_t>(summary.best_id)].makespan_seconds);
  EXPECT_NE(slurp(dir.path() / "out" / "report.md").find("## Best designs"), std::string::npos);
  // With the simulator on, the best design is always checked, and its
  // simulated timeline is what the Gantt chart draws.
  EXPECT_TRUE(store.load_simulations().count(summary.best_id));
  const std::string timeline = slurp(dir.path() / "out" / "plots" / "timeline.dat");
  EXPECT_EQ(timeline.rfind("# simulator:", 0), 0u) << timeline.substr(0, 80);
  EXPECT_EQ(lines_of(timeline), 1 + workload.networks[0].size() + workload.networks[1].size());
  EXPECT_EQ(lines_of(slurp(dir.path() / "out" / "plots" / "evaluations.dat")), 41u);
  EXPECT_NE(slurp(dir.path() / "out" / "pareto.csv").find("\n" + std::to_string(summary.best_id) + ","), std::string::npos);
}

TEST(SearchRun, SimulatesTheBestCandidatesAtEachCheckpointAndRecordsTheSurrogatesError) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml", 1, "{every: 20, top: 2, jobs: 2}");
  const std::string out = (dir.path() / "out").string();
  const SearchRunSummary summary = run_test_search(spec, out, 60);
  // Checkpoints after 21, 42 and 60 evaluations (batches of 3), two each.
  EXPECT_EQ(summary.simulated, 6);
  EXPECT_EQ(summary.simulation_failures, 0);
  EXPECT_GT(summary.makespan_error_max, 0);
  EXPECT_LT(summary.makespan_error_max, 0.02);
  const ResultsStore store(out + "/search.db", {"hardware-only", fnv1a_hex(slurp(spec)), 1});
  const auto simulations = store.load_simulations();
  ASSERT_EQ(simulations.size(), 6u);
  const std::vector<StoredEvaluation> rows = store.load();
  std::set<std::string> designs;
  int refined = 0;
  for (const auto& [id, simulation] : simulations) {
    // No two simulated chips are the same sub-accelerators in another order.
    nlohmann::json hardware = nlohmann::json::parse(rows[static_cast<std::size_t>(id)].hardware_json);
    std::vector<std::string> subs;
    for (const auto& sub : hardware["sub_accelerators"]) subs.push_back(sub.dump());
    std::sort(subs.begin(), subs.end());
    EXPECT_TRUE(designs.insert(nlohmann::json(subs).dump()).second) << "evaluation " << id << " repeats a simulated chip";
    EXPECT_TRUE(simulation.ok) << simulation.failure;
    EXPECT_TRUE(rows[static_cast<std::size_t>(id)].outcome.feasible);
    // Simulated with its schedule refined, under the parameters of the time
    // (the spec's until the first refit at checkpoint 2): never slower than
    // the default schedule the row was judged by.
    const double row_makespan = rows[static_cast<std::size_t>(id)].makespan_seconds;
    if (id < 21) {
      EXPECT_LE(simulation.surrogate_makespan_seconds, row_makespan);
      refined += simulation.surrogate_makespan_seconds < row_makespan;
    }
    EXPECT_GT(simulation.surrogate_makespan_seconds, 0.9 * row_makespan);
    EXPECT_NEAR(simulation.makespan_seconds, simulation.surrogate_makespan_seconds, 0.02 * simulation.makespan_seconds);
    EXPECT_DOUBLE_EQ(*std::max_element(simulation.task_latency_seconds.begin(), simulation.task_latency_seconds.end()),
                     simulation.makespan_seconds);
  }
  const std::string candidates = slurp(dir.path() / "out" / "candidates.jsonl");
  std::size_t simulated_lines = 0;
  for (std::size_t at = candidates.find("\"simulated\":"); at != std::string::npos; at = candidates.find("\"simulated\":", at + 1))
    ++simulated_lines;
  EXPECT_EQ(simulated_lines, 6u);
  EXPECT_NE(slurp(dir.path() / "out" / "report.md").find("## The simulator in the loop"), std::string::npos);
  EXPECT_GT(refined, 0) << "refinement improved none of the first checkpoint's candidates";

  // Without refinement or refits the simulated schedule is the row's.
  const std::string plain = spec_copy(dir, "plain.yaml", 1, "{every: 20, top: 2, jobs: 2, refine: off, recalibrate: off}");
  run_test_search(plain, (dir.path() / "plain").string(), 60);
  const ResultsStore plain_store((dir.path() / "plain" / "search.db").string(), {"hardware-only", fnv1a_hex(slurp(plain)), 1});
  const std::vector<StoredEvaluation> plain_rows = plain_store.load();
  for (const auto& [id, simulation] : plain_store.load_simulations())
    EXPECT_DOUBLE_EQ(simulation.surrogate_makespan_seconds, plain_rows[static_cast<std::size_t>(id)].makespan_seconds);

  // Resumed from a cut database, simulations already stored are reused and
  // the candidates are the uninterrupted run's.
  const std::string cut = (dir.path() / "cut").string();
  run_test_search(spec, cut, 60);
  delete_rows_from(cut + "/search.db", 30);
  run_test_search(spec, cut, 60, 1, true);
  EXPECT_EQ(slurp(dir.path() / "cut" / "candidates.jsonl"), candidates);
}

// At every checkpoint with new simulations the surrogate is refit to the
// simulated candidates' layers, and the search goes on with it.
TEST(SearchRun, RefitsTheSurrogateToSimulatedCandidatesAndSearchesOnWithIt) {
  TempDir dir;
  const auto run = [&](const std::string& simulator, const std::string& name, SurrogateParams* final_params) {
    const SearchSpec spec = load_search_spec(spec_copy(dir, name + ".yaml", 1, simulator));
    CoSearchEvaluator evaluator(spec, nullptr);
    const ConfigNode node = ConfigNode::load_string("{name: evolution, population: 16, sample: 4, batch: 3}", "controller");
    std::unique_ptr<Controller> controller = make_evolution_controller(node, evaluator.design_space(), spec.seed);
    SearchRunOptions options;
    options.out_dir = (dir.path() / name).string();
    options.evaluations = 60;
    options.simulator_executable = NASAIC_BINARY;
    const SearchRunSummary summary = run_search(evaluator, *controller, options);
    if (final_params) *final_params = evaluator.surrogate();
    return summary;
  };
  SurrogateParams refit_params;
  const SearchRunSummary refit = run("{every: 20, top: 2, jobs: 2}", "refit", &refit_params);
  const SearchRunSummary fixed = run("{every: 20, top: 2, jobs: 2, recalibrate: off}", "fixed", nullptr);
  EXPECT_TRUE(fixed.refits.empty());
  // Checkpoints after 21, 42 and 60 evaluations: the first has nothing
  // simulated yet, the second the first's two candidates, the third four.
  ASSERT_EQ(refit.refits.size(), 2u);
  EXPECT_EQ(refit.refits[0].checkpoint, 2);
  EXPECT_EQ(refit.refits[0].candidates, 2);
  EXPECT_EQ(refit.refits[1].candidates, 4);
  const SurrogateParams spec_params = load_search_spec(spec_copy(dir, "spec.yaml")).surrogate;
  EXPECT_NE(refit_params.named(), spec_params.named());
  for (const auto& [name, value] : refit_params.named()) EXPECT_EQ(refit.refits.back().parameters.at(name), value) << name;
  for (const SearchRefit& record : refit.refits) {
    EXPECT_GT(record.error_before_max, 0);
    EXPECT_LE(record.error_after_mean, record.error_after_max);
    EXPECT_LT(record.error_after_max, 0.02);
  }
  // The rows before the first refit are the fixed surrogate's; later ones
  // were estimated by the refit one.
  const std::vector<std::string> with = split_lines(slurp(dir.path() / "refit" / "candidates.jsonl"));
  const std::vector<std::string> without = split_lines(slurp(dir.path() / "fixed" / "candidates.jsonl"));
  ASSERT_EQ(with.size(), 60u);
  ASSERT_EQ(without.size(), 60u);
  for (std::size_t i = 0; i < 42; ++i) {
    if (with[i].find("\"simulated\"") == std::string::npos) {
      EXPECT_EQ(with[i], without[i]) << "row " << i;
    }
  }
  std::size_t changed = 0;
  for (std::size_t i = 42; i < 60; ++i) changed += with[i] != without[i];
  EXPECT_GT(changed, 0u);
  const nlohmann::json summary = nlohmann::json::parse(slurp(dir.path() / "refit" / "summary.json"));
  EXPECT_EQ(summary["simulator"]["refits"].size(), 2u);
  EXPECT_NE(slurp(dir.path() / "refit" / "report.md").find("### Refits of the surrogate"), std::string::npos);
}

TEST(SearchRun, CandidatesAreByteIdenticalWhateverTheThreadCount) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  run_test_search(spec, (dir.path() / "one").string(), 30, 1);
  run_test_search(spec, (dir.path() / "three").string(), 30, 3);
  const std::string one = slurp(dir.path() / "one" / "candidates.jsonl");
  EXPECT_EQ(lines_of(one), 30u);
  EXPECT_EQ(one, slurp(dir.path() / "three" / "candidates.jsonl"));
}

TEST(SearchRun, AResumedRunGoesOnAsTheUninterruptedOneWould) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  run_test_search(spec, (dir.path() / "whole").string(), 45);
  const std::string whole = slurp(dir.path() / "whole" / "candidates.jsonl");
  // Cut mid-batch (the controller asks 3 at a time): 16 rows survive.
  run_test_search(spec, (dir.path() / "cut").string(), 45);
  delete_rows_from((dir.path() / "cut" / "search.db").string(), 16);
  const SearchRunSummary resumed = run_test_search(spec, (dir.path() / "cut").string(), 45, 1, true);
  EXPECT_EQ(resumed.replayed, 16);
  EXPECT_EQ(slurp(dir.path() / "cut" / "candidates.jsonl"), whole);
  // A shorter budget first, then more evaluations on resume. (Without the
  // simulator: a finished run checks its best design, which a run that went
  // on to 45 would not have done at 20.)
  const std::string plain = spec_copy(dir, "plain.yaml", 1, "off");
  run_test_search(plain, (dir.path() / "plain").string(), 45);
  run_test_search(plain, (dir.path() / "grown").string(), 20);
  run_test_search(plain, (dir.path() / "grown").string(), 45, 2, true);
  EXPECT_EQ(slurp(dir.path() / "grown" / "candidates.jsonl"), slurp(dir.path() / "plain" / "candidates.jsonl"));
}

TEST(SearchRun, RefusesAnotherSearchsFolderAndAnExistingOneWithoutResume) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  const std::string out = (dir.path() / "out").string();
  run_test_search(spec, out, 6);
  try {
    run_test_search(spec, out, 6);
    FAIL() << "overwrote a search";
  } catch (const InputError& error) {
    EXPECT_EQ(error.key(), "--out");
  }
  try {
    run_test_search(spec_copy(dir, "other.yaml", 2), out, 6, 1, true);
    FAIL() << "resumed another spec's search";
  } catch (const InputError& error) {
    EXPECT_EQ(error.key(), "spec_hash") << error.what();
    EXPECT_EQ(error.file(), out + "/search.db");
  }
  EXPECT_THROW(run_test_search(spec, (dir.path() / "none").string(), 6, 1, true), InputError);
  // A stored genome the controller would not ask: the folder is not this search's.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((out + "/search.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE evaluations SET genome = '[0,0,0,0,0,0,0,0,0,0,0]' WHERE id = 2", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    run_test_search(spec, out, 6, 1, true);
    FAIL() << "replayed a foreign row";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("evaluation 2 is not what this spec and seed ask"), std::string::npos)
        << error.what();
  }
  // Not a database at all.
  const std::string junk = (dir.path() / "junk").string();
  std::filesystem::create_directories(junk);
  dir.write("junk/search.db", "not sqlite");
  EXPECT_THROW(run_test_search(spec, junk, 6, 1, true), InputError);
}

TEST(SearchCommand, BadInputIsOneLineAndStatusTwo) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  const std::string out = (dir.path() / "out").string();
  struct Case {
    std::string arguments, words;
  };
  const std::vector<Case> cases = {
      {"search " + spec + " --out " + out + " --mode successive", "no task has a search space"},
      {"search " + spec + " --out " + out + " --mode compare", "no task has a search space"},
      {"search " + spec, "give either --out DIR"},
      {"search --resume " + out, "name the spec file the search was started with"},
      {"search " + spec + " --resume " + out, "holds no search.db to resume"},
      {"search " + dir.write("bad.yaml", "name: x\n") + " --out " + out, "tasks"},
  };
  for (const Case& c : cases) {
    const testing::CommandResult result = testing::run_nasaic(c.arguments);
    EXPECT_EQ(result.exit_code, 2) << c.arguments << "\n" << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << c.arguments << "\n" << result.err;
    EXPECT_NE(result.err.find(c.words), std::string::npos) << c.arguments << "\n" << result.err;
  }
}

// Evaluations committed so far in a results database (0 while it does not
// exist); read while the search writes it.
int committed_rows(const std::string& db_path) {
  if (!std::filesystem::exists(db_path)) return 0;
  sqlite3* db = nullptr;
  int rows = 0;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 1000);
    sqlite3_exec(
        db, "SELECT COUNT(*) FROM evaluations",
        [](void* out, int, char** values, char**) {
          *static_cast<int*>(out) = values[0] ? std::atoi(values[0]) : 0;
          return 0;
        },
        &rows, nullptr);
  }
  sqlite3_close(db);
  return rows;
}

// The real thing: `nasaic search` killed with SIGKILL at seeded random
// points of its progress (after a random number of newly committed
// evaluations, so the kills land mid-search however fast the build is),
// resumed each time, ends with the uninterrupted run's candidates.
TEST(SearchRun, SurvivesSigkillAtRandomMoments) {
  TempDir dir;
  const std::string spec = spec_copy(dir, "spec.yaml");
  const std::string whole = (dir.path() / "whole").string();
  ASSERT_EQ(testing::run_nasaic("search " + spec + " --out " + whole + " --evaluations 400 --quiet").exit_code, 0);
  const std::string expected = slurp(dir.path() / "whole" / "candidates.jsonl");
  ASSERT_EQ(lines_of(expected), 400u);

  const std::string killed = (dir.path() / "killed").string();
  const std::string db = killed + "/search.db";
  std::mt19937_64 engine(11);
  int kills = 0;
  for (int attempt = 0; attempt < 5; ++attempt) {
    const int target = committed_rows(db) + 1 + static_cast<int>(engine() % 70);
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      const int null = open("/dev/null", O_WRONLY);
      dup2(null, STDOUT_FILENO);
      dup2(null, STDERR_FILENO);
      const std::string flag = std::filesystem::exists(db) ? "--resume" : "--out";
      execl(NASAIC_BINARY, NASAIC_BINARY, "search", spec.c_str(), flag.c_str(), killed.c_str(), "--evaluations", "400",
            "--quiet", static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    bool ended = false;
    while (!ended && committed_rows(db) < target) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      ended = waitpid(child, &status, WNOHANG) == child;
    }
    if (!ended) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      if (WIFSIGNALED(status)) ++kills;
    }
  }
  EXPECT_GE(kills, 4) << "too few runs were killed mid-search to test anything";
  const testing::CommandResult finish =
      testing::run_nasaic("search " + spec + " --resume " + killed + " --evaluations 400 --quiet");
  ASSERT_EQ(finish.exit_code, 0) << finish.err;
  EXPECT_EQ(slurp(dir.path() / "killed" / "candidates.jsonl"), expected);
  for (const char* plot : {"reward.png", "pareto.svg", "gantt.png"})
    EXPECT_TRUE(std::filesystem::is_regular_file(dir.path() / "killed" / "plots" / plot)) << plot;
}

}  // namespace
}  // namespace nasaic
