#include "search/search_run.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <set>
#include <thread>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/text_file.hpp"
#include "common/units.hpp"
#include "dataflows/schedule.hpp"
#include "models/network_yaml.hpp"
#include "search/results_store.hpp"
#include "sim/calibration.hpp"
#include "sim/simulation_job.hpp"

namespace nasaic {
namespace {

namespace fs = std::filesystem;

nlohmann::json hardware_json(const ChipSpec& chip) {
  nlohmann::json subs = nlohmann::json::array();
  std::int64_t pes = 0;
  for (const SubAcceleratorSpec& sub : chip.sub_accelerators) {
    subs.push_back({{"template", sub.dataflow},
                    {"rows", sub.rows},
                    {"cols", sub.cols},
                    {"buffer_bytes", sub.ifmap.capacity_bytes},
                    {"bandwidth_share", sub.bandwidth_share},
                    {"bits", sub.bits}});
    pes += sub.pes();
  }
  return {{"sub_accelerators", subs}, {"arbitration", arbitration_name(chip.interconnect.arbitration)}, {"pes", pes}};
}

nlohmann::json architecture_json(const SearchSpec& spec, const Evaluation& evaluation) {
  nlohmann::json tasks = nlohmann::json::object();
  for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
    if (!spec.tasks[t].space) {
      tasks[spec.tasks[t].name] = spec.tasks[t].network->name();
      continue;
    }
    nlohmann::json choices = nlohmann::json::object();
    for (const auto& [decision, value] : evaluation.architectures[t].choices) choices[decision] = value;
    tasks[spec.tasks[t].name] = choices;
  }
  return tasks;
}

// Writes through a temporary file, so a reader never sees half of one.
void write_atomically(const fs::path& path, const std::string& content) {
  const fs::path temporary = path.string() + ".partial";
  write_text_file(temporary.string(), content);
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) throw InputError(path.string(), 0, "", "cannot be written: " + ec.message());
}

StoredEvaluation stored_of(const CoSearchEvaluator& evaluator, const Evaluation& evaluation, std::int64_t id,
                           std::int64_t round) {
  StoredEvaluation row;
  row.id = id;
  row.round = round;
  row.genes = evaluation.genes;
  row.outcome = evaluation.outcome();
  row.legal = evaluation.legal;
  row.makespan_seconds = evaluation.makespan_seconds;
  row.energy_pj = evaluation.energy_pj;
  row.area_um2 = evaluation.area_um2;
  row.weighted_accuracy = evaluation.weighted_accuracy;
  row.reason = evaluation.reason;
  row.architecture_json = architecture_json(evaluator.spec(), evaluation).dump();
  row.hardware_json = hardware_json(evaluation.chip).dump();
  row.row_json = evaluation_json(evaluator, evaluation, id, round);
  return row;
}

// Evaluates `genomes` on up to `threads` threads; results in input order.
std::vector<Evaluation> evaluate_batch(const CoSearchEvaluator& evaluator, const std::vector<Genome>& genomes, int threads) {
  std::vector<Evaluation> results(genomes.size());
  const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(std::max(1, threads)), genomes.size());
  if (workers <= 1) {
    for (std::size_t i = 0; i < genomes.size(); ++i) results[i] = evaluator.evaluate(genomes[i]);
    return results;
  }
  std::vector<std::exception_ptr> errors(workers);
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        for (std::size_t i = w; i < genomes.size(); i += workers) results[i] = evaluator.evaluate(genomes[i]);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (std::thread& thread : pool) thread.join();
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  return results;
}

StoredSimulation simulated_figures(const SearchSpec& spec, const Evaluation& evaluation, const SimulationJobResult& result,
                                   std::int64_t id) {
  StoredSimulation simulation;
  simulation.id = id;
  simulation.surrogate_makespan_seconds = evaluation.makespan_seconds;
  simulation.ok = result.ok;
  simulation.failure = result.failure;
  if (!result.ok) return simulation;
  const double clock = evaluation.chip.clock_hz;
  for (const SimulatedLayer& layer : result.layers)
    simulation.layers.push_back({layer.network, layer.layer, layer.sub_accelerator, layer.start_cycle, layer.end_cycle,
                                 layer.stall_dependency_cycles});
  simulation.makespan_seconds = static_cast<double>(result.makespan_cycles) / clock;
  simulation.energy_pj = result.energy_pj;
  simulation.area_um2 = result.area_um2;
  simulation.task_latency_seconds.assign(spec.tasks.size(), 0);
  for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
    const std::string& network = evaluation.workload->networks[t].name();
    for (const SimulatedLayer& layer : result.layers)
      if (layer.network == network)
        simulation.task_latency_seconds[t] =
            std::max(simulation.task_latency_seconds[t], static_cast<double>(layer.end_cycle) / clock);
  }
  const SpecVerdict verdict =
      check_specs(spec, simulation.makespan_seconds, simulation.task_latency_seconds, simulation.energy_pj, simulation.area_um2);
  simulation.meets_specs = verdict.violation == 0;
  simulation.reason = verdict.reason;
  return simulation;
}

// What the simulator measured of a candidate's design, in the form the
// surrogate's fit takes: each layer's cycles without its wait for producers
// (the surrogate starts a layer only once they are done).
WorkloadObservation observation_of(const Evaluation& design, const StoredSimulation& simulation) {
  WorkloadObservation observation;
  observation.chip = design.chip;
  observation.workload = design.workload;
  observation.schedule = design.schedule;
  const Workload& workload = *design.workload;
  std::vector<int> offset;
  std::size_t layers = 0;
  for (const Network& network : workload.networks) {
    offset.push_back(static_cast<int>(layers));
    layers += network.size();
  }
  observation.layer_cycles.assign(layers, 0.0);
  std::size_t seen = 0;
  for (const StoredSimulation::Layer& layer : simulation.layers) {
    std::size_t n = 0;
    while (n < workload.networks.size() && workload.networks[n].name() != layer.network) ++n;
    NASAIC_CHECK(n < workload.networks.size(), "a simulated layer of a network the design has");
    const std::ptrdiff_t index = workload.networks[n].find(layer.layer);
    NASAIC_CHECK(index >= 0, "a simulated layer the design has");
    observation.layer_cycles[static_cast<std::size_t>(offset[n] + index)] =
        static_cast<double>(layer.end_cycle - layer.start_cycle - layer.dependency_stall_cycles);
    ++seen;
  }
  NASAIC_CHECK(seen == layers, "a simulation reports every layer of its workload");
  observation.makespan_cycles = simulation.makespan_seconds * design.chip.clock_hz;
  return observation;
}

nlohmann::json refits_json(const std::vector<SearchRefit>& refits) {
  nlohmann::json list = nlohmann::json::array();
  for (const SearchRefit& refit : refits) {
    nlohmann::json parameters = nlohmann::json::object();
    for (const auto& [name, value] : refit.parameters) parameters[name] = value;
    list.push_back({{"checkpoint", refit.checkpoint},
                    {"evaluations", refit.evaluations},
                    {"candidates", refit.candidates},
                    {"makespan_error_before", {{"mean", refit.error_before_mean}, {"max", refit.error_before_max}}},
                    {"makespan_error_after", {{"mean", refit.error_after_mean}, {"max", refit.error_after_max}}},
                    {"parameters", parameters},
                    {"seconds", refit.seconds}});
  }
  return list;
}

nlohmann::json simulation_json(const StoredSimulation& simulation) {
  if (!simulation.ok) return {{"ok", false}, {"failure", simulation.failure}};
  return {{"ok", true},
          {"makespan_s", simulation.makespan_seconds},
          {"energy_pj", simulation.energy_pj},
          {"area_um2", simulation.area_um2},
          {"task_latency_s", simulation.task_latency_seconds},
          {"meets_specs", simulation.meets_specs},
          {"reason", simulation.reason}};
}

// Equal for genomes that build the same networks and the same chip up to the
// order of its sub-accelerators: one simulation answers for all of them.
std::string design_key(const CoSearchEvaluator& evaluator, const Genome& genes) {
  const auto split = genes.begin() + static_cast<std::ptrdiff_t>(evaluator.hardware_offset());
  const DecodedChip decoded = decode_chip(evaluator.spec().hardware, Genome(split, genes.end()));
  nlohmann::json hardware = hardware_json(decoded.chip);
  std::vector<std::string> subs;
  for (const auto& sub : hardware["sub_accelerators"]) subs.push_back(sub.dump());
  std::sort(subs.begin(), subs.end());
  hardware["sub_accelerators"] = subs;
  return nlohmann::json(Genome(genes.begin(), split)).dump() + hardware.dump();
}

bool dominates(const StoredEvaluation& a, const StoredEvaluation& b) {
  const double av[] = {-a.weighted_accuracy, a.makespan_seconds, a.energy_pj, a.area_um2};
  const double bv[] = {-b.weighted_accuracy, b.makespan_seconds, b.energy_pj, b.area_um2};
  bool better = false;
  for (int k = 0; k < 4; ++k) {
    if (av[k] > bv[k]) return false;
    better = better || av[k] < bv[k];
  }
  return better;
}

std::string pareto_csv(const std::vector<StoredEvaluation>& rows) {
  std::string csv = "id,weighted_accuracy,makespan_s,energy_pj,area_um2,reward\n";
  for (const StoredEvaluation& row : rows) {
    if (!row.outcome.feasible) continue;
    bool dominated = false;
    for (const StoredEvaluation& other : rows)
      if (other.outcome.feasible && dominates(other, row)) {
        dominated = true;
        break;
      }
    if (dominated) continue;
    csv += std::to_string(row.id) + "," + shortest_number(row.weighted_accuracy) + "," +
           shortest_number(row.makespan_seconds) + "," + shortest_number(row.energy_pj) + "," +
           shortest_number(row.area_um2) + "," + shortest_number(row.outcome.reward) + "\n";
  }
  return csv;
}

void write_best(const fs::path& dir, const Evaluation& best) {
  fs::create_directories(dir);
  ChipSpec chip = best.chip;
  write_atomically(dir / "technology.yaml", technology_to_yaml(chip.technology));
  chip.technology_file = "technology.yaml";
  write_atomically(dir / "chip.yaml", chip_spec_to_yaml(chip));
  for (const Network& network : best.workload->networks)
    write_atomically(dir / (network.name() + ".yaml"), network_to_yaml(network));
  write_atomically(dir / "schedule.yaml", schedule_to_yaml(best.schedule, *best.workload, chip));
}

// Data for the plots `nasaic search` renders: reward and best-so-far over
// evaluations, and the best design's timeline (the simulator's when it ran
// it, else the surrogate's), one row per layer: sub-accelerator index,
// start and end in µs, network index, and the source.
void write_plot_data(const fs::path& dir, const std::vector<StoredEvaluation>& rows, const Evaluation& best,
                     const SurrogateParams& params, const StoredSimulation* simulation) {
  fs::create_directories(dir);
  std::string evaluations =
      "# id reward best_so_far_within_specs within_specs makespan_ms energy_uJ area_mm2 weighted_accuracy\n";
  double best_so_far = -1e300;
  for (const StoredEvaluation& row : rows) {
    if (row.outcome.feasible) best_so_far = std::max(best_so_far, row.outcome.reward);
    char line[256];
    std::snprintf(line, sizeof line, "%lld %.9g %s %d %.9g %.9g %.9g %.9g\n", static_cast<long long>(row.id),
                  row.outcome.reward, best_so_far > -1e299 ? shortest_number(best_so_far).c_str() : "NaN",
                  row.outcome.feasible ? 1 : 0, row.makespan_seconds * 1e3, row.energy_pj * 1e-6, row.area_um2 * 1e-6,
                  row.weighted_accuracy);
    evaluations += line;
  }
  write_atomically(dir / "evaluations.dat", evaluations);

  const ChipSpec& chip = best.chip;
  const Workload& workload = *best.workload;
  std::string timeline = std::string("# ") + (simulation ? "simulator" : "surrogate") +
                         ": sub_accelerator start_us end_us network layer\n";
  auto add = [&](std::size_t sub, double start, double end, std::size_t network, const std::string& layer) {
    char line[256];
    std::snprintf(line, sizeof line, "%zu %.9g %.9g %zu %s\n", sub, start / chip.clock_hz * 1e6, end / chip.clock_hz * 1e6,
                  network, layer.c_str());
    timeline += line;
  };
  if (simulation) {
    for (const StoredSimulation::Layer& layer : simulation->layers) {
      std::size_t network = 0;
      while (network < workload.networks.size() && workload.networks[network].name() != layer.network) ++network;
      add(static_cast<std::size_t>(std::max<std::ptrdiff_t>(0, chip.find(layer.sub_accelerator))),
          static_cast<double>(layer.start_cycle), static_cast<double>(layer.end_cycle), network, layer.layer);
    }
  } else {
    const WorkloadGraph graph(workload);
    Estimator estimator(chip, params);
    for (const ScheduledLayer& layer : evaluate_schedule(graph, estimator, best.schedule).layers)
      add(static_cast<std::size_t>(layer.sub), layer.start, layer.end, static_cast<std::size_t>(layer.ref.network),
          graph.layer(graph.id(layer.ref)).name);
  }
  write_atomically(dir / "timeline.dat", timeline);
}

std::string report_markdown(const SearchSpec& spec, const std::vector<StoredEvaluation>& rows,
                            const std::map<std::int64_t, StoredSimulation>& simulated, const SearchRunSummary& summary) {
  std::string md = "# Co-search `" + spec.name + "`\n\n";
  md += "- evaluations: " + std::to_string(summary.evaluations) + " (" + std::to_string(summary.legal) + " legal, " +
        std::to_string(summary.feasible) + " within the specs)\n";
  char times[256];
  std::snprintf(times, sizeof times, "- time in this run: legality and surrogate %.3g s, accuracy %.3g s, wall %.3g s",
                summary.surrogate_seconds, summary.accuracy_seconds, summary.wall_seconds);
  md += times + (summary.replayed > 0 ? " (" + std::to_string(summary.replayed) + " evaluations replayed from the database)" : std::string()) + "\n\n";
  if (!simulated.empty()) {
    char line[512];
    std::snprintf(line, sizeof line,
                  "## The simulator in the loop\n\n%lld candidates simulated (%lld failed); the simulator overturned %lld "
                  "of the surrogate's spec verdicts. The surrogate's makespan error on them: mean %.2f %%, max %.2f %%.\n\n",
                  static_cast<long long>(summary.simulated), static_cast<long long>(summary.simulation_failures),
                  static_cast<long long>(summary.overturned), 100 * summary.makespan_error_mean,
                  100 * summary.makespan_error_max);
    md += line;
    md += "| id | surrogate makespan (ms) | simulated (ms) | error | simulated verdict |\n|---|---|---|---|---|\n";
    for (const auto& [id, simulation] : simulated) {
      if (!simulation.ok) {
        md += "| " + std::to_string(id) + " | | | | failed: " + simulation.failure + " |\n";
        continue;
      }
      std::snprintf(line, sizeof line, "| %lld | %.4f | %.4f | %+.2f %% | %s |\n", static_cast<long long>(id),
                    simulation.surrogate_makespan_seconds * 1e3, simulation.makespan_seconds * 1e3,
                    100 * (simulation.surrogate_makespan_seconds / simulation.makespan_seconds - 1),
                    simulation.meets_specs ? "within the specs" : simulation.reason.c_str());
      md += line;
    }
    md += "\n";
  }
  if (!summary.refits.empty()) {
    md += "### Refits of the surrogate\n\nAt each checkpoint with new simulations, the surrogate's parameters are refit to "
          "every simulated candidate's per-layer cycles; the search goes on with the refit surrogate. Makespan error "
          "on the candidates fitted to, with the parameters before and after:\n\n"
          "| checkpoint | evaluations | candidates | error before (mean / max) | after (mean / max) |\n|---|---|---|---|---|\n";
    for (const SearchRefit& refit : summary.refits) {
      char line[200];
      std::snprintf(line, sizeof line, "| %lld | %lld | %lld | %.2f %% / %.2f %% | %.2f %% / %.2f %% |\n",
                    static_cast<long long>(refit.checkpoint), static_cast<long long>(refit.evaluations),
                    static_cast<long long>(refit.candidates), 100 * refit.error_before_mean,
                    100 * refit.error_before_max, 100 * refit.error_after_mean, 100 * refit.error_after_max);
      md += line;
    }
    md += "\n";
  }
  std::vector<const StoredEvaluation*> feasible;
  for (const StoredEvaluation& row : rows)
    if (row.outcome.feasible) feasible.push_back(&row);
  std::stable_sort(feasible.begin(), feasible.end(),
                   [](const StoredEvaluation* a, const StoredEvaluation* b) { return a->outcome.reward > b->outcome.reward; });
  if (feasible.empty()) return md + "No candidate met the specs.\n";
  md += "## Best designs\n\n| id | reward | weighted accuracy | makespan (ms) | energy (µJ) | area (mm²) | per task: "
        "accuracy, latency (ms) | hardware |\n";
  md += "|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(5, feasible.size()); ++i) {
    const StoredEvaluation& row = *feasible[i];
    const nlohmann::json hardware = nlohmann::json::parse(row.hardware_json);
    std::string chip;
    for (const auto& sub : hardware["sub_accelerators"])
      chip += (chip.empty() ? "" : " + ") + sub["template"].get<std::string>() + " " + std::to_string(sub["rows"].get<int>()) +
              "x" + std::to_string(sub["cols"].get<int>()) + " " + format_bytes(sub["buffer_bytes"].get<double>()) + " " +
              shortest_number(std::round(sub["bandwidth_share"].get<double>() * 1000) / 10) + " % DRAM";
    const nlohmann::json figures = nlohmann::json::parse(row.row_json);
    std::string tasks;
    for (const TaskSpec& task : spec.tasks) {
      char text[160];
      const auto accuracy = figures["accuracy"].find(task.name);
      std::snprintf(text, sizeof text, "%s%s %s, %.4g", tasks.empty() ? "" : "; ", task.name.c_str(),
                    accuracy != figures["accuracy"].end() ? shortest_number(std::round(accuracy->get<double>() * 1e4) / 1e4).c_str() : "-",
                    figures["task_latency_s"][task.name].get<double>() * 1e3);
      tasks += text;
    }
    char line[1024];
    std::snprintf(line, sizeof line, "| %lld | %.6g | %.4f | %.4g | %.4g | %.4g | %s | %s |\n", static_cast<long long>(row.id),
                  row.outcome.reward, row.weighted_accuracy, row.makespan_seconds * 1e3, row.energy_pj * 1e-6,
                  row.area_um2 * 1e-6, tasks.c_str(), chip.c_str());
    md += line;
  }
  md += "\n`best/` holds the first row's chip, networks and schedule: `nasaic simulate --hw best/chip.yaml";
  for (const TaskSpec& task : spec.tasks) md += " --model best/" + (task.space ? task.name : task.network->name()) + ".yaml";
  md += " --schedule best/schedule.yaml`.\n";
  return md;
}

}  // namespace

std::string evaluation_json(const CoSearchEvaluator& evaluator, const Evaluation& evaluation, std::int64_t id,
                            std::int64_t round) {
  const SearchSpec& spec = evaluator.spec();
  nlohmann::json row = {{"id", id},
                        {"round", round},
                        {"genome", evaluation.genes},
                        {"architecture", architecture_json(spec, evaluation)},
                        {"hardware", hardware_json(evaluation.chip)},
                        {"legal", evaluation.legal},
                        {"meets_specs", evaluation.meets_specs},
                        {"reason", evaluation.reason},
                        {"reward", evaluation.reward}};
  if (evaluation.legal) {
    row["violation"] = evaluation.violation;
    row["makespan_s"] = evaluation.makespan_seconds;
    row["energy_pj"] = evaluation.energy_pj;
    row["area_um2"] = evaluation.area_um2;
    nlohmann::json latency = nlohmann::json::object(), accuracy = nlohmann::json::object();
    for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
      latency[spec.tasks[t].name] = evaluation.task_latency_seconds[t];
      if (evaluation.accuracy[t]) accuracy[spec.tasks[t].name] = *evaluation.accuracy[t];
    }
    row["task_latency_s"] = latency;
    row["accuracy"] = accuracy;
    row["weighted_accuracy"] = evaluation.weighted_accuracy;
  }
  return row.dump();
}

SearchRunOptions in_subfolder(const SearchRunOptions& options, const std::string& name) {
  SearchRunOptions sub = options;
  const fs::path folder = fs::path(options.out_dir) / name;
  sub.out_dir = folder.string();
  std::error_code ec;
  sub.resume = options.resume && fs::exists(folder / "search.db", ec);
  return sub;
}

SearchRunSummary run_search(CoSearchEvaluator& evaluator, Controller& controller, const SearchRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const SearchSpec& spec = evaluator.spec();
  const fs::path out(options.out_dir);
  const fs::path db_path = out / "search.db";
  std::error_code ec;
  if (options.resume) {
    if (!fs::is_regular_file(db_path, ec))
      throw InputError(options.out_dir, 0, "--resume", "holds no search.db to resume");
  } else if (fs::exists(db_path, ec)) {
    throw InputError(options.out_dir, 0, "--out", "already holds a search; pass --resume to continue it, or choose another folder");
  }
  fs::create_directories(out, ec);
  if (ec) throw InputError(options.out_dir, 0, "--out", "cannot be created: " + ec.message());

  ResultsStore store(db_path.string(), {spec.name, fnv1a_hex(spec.text), spec.seed});
  write_atomically(out / "spec.yaml", spec.text);
  const std::vector<StoredEvaluation> stored = store.load();
  const std::int64_t budget = options.evaluations > 0 ? options.evaluations : spec.evaluations;

  SearchRunSummary summary;
  std::int64_t done = 0, round = 0;
  double best = -1e300;

  // The simulator in the loop.
  const bool simulate = options.simulate && spec.simulator.enabled;
  NASAIC_CHECK(!simulate || !options.simulator_executable.empty(), "a simulator loop without the nasaic executable");
  std::map<std::int64_t, StoredSimulation> simulated = store.load_simulations();
  std::vector<Genome> genomes;           // by id
  std::vector<Outcome> surrogate_outcomes;  // by id
  std::set<std::int64_t> chosen;
  std::set<std::string> chosen_designs;
  struct Pending {
    std::int64_t id;
    JobRunner::JobId job;
    Evaluation evaluation;
  };
  std::vector<Pending> pending;
  std::unique_ptr<SimulationRunner> runner;
  std::int64_t checkpoints = 0;
  // Refits: the designs chosen for simulation so far, in the order chosen; a
  // refit at a checkpoint uses those chosen before it (all collected by then,
  // in a resumed run too), so it is the same whatever the run's history.
  const bool recalibrate = simulate && spec.simulator.recalibrate;
  std::vector<std::pair<std::int64_t, Evaluation>> observed;
  std::size_t observations_fitted = 0;
  auto refit = [&](std::int64_t checkpoint) {
    std::vector<WorkloadObservation> observations;
    for (const auto& [id, design] : observed) {
      const auto simulation = simulated.find(id);
      if (simulation != simulated.end() && simulation->second.ok)
        observations.push_back(observation_of(design, simulation->second));
    }
    if (observations.empty() || observations.size() == observations_fitted) return;
    observations_fitted = observations.size();
    const auto refit_start = std::chrono::steady_clock::now();
    SearchRefit record;
    record.checkpoint = checkpoint;
    record.evaluations = done;
    record.candidates = static_cast<std::int64_t>(observations.size());
    const SurrogateParams before = evaluator.surrogate();
    const SurrogateParams after = fit_parameters(observations, before);
    for (const WorkloadObservation& observation : observations) {
      const double error_before = std::abs(makespan_error(observation, before));
      const double error_after = std::abs(makespan_error(observation, after));
      record.error_before_mean += error_before / static_cast<double>(observations.size());
      record.error_after_mean += error_after / static_cast<double>(observations.size());
      record.error_before_max = std::max(record.error_before_max, error_before);
      record.error_after_max = std::max(record.error_after_max, error_after);
    }
    for (const auto& [name, value] : after.named()) record.parameters[name] = value;
    evaluator.set_surrogate(after);
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - refit_start).count();
    summary.refit_seconds += record.seconds;
    summary.refits.push_back(std::move(record));
  };
  auto collect = [&] {
    const auto wait_start = std::chrono::steady_clock::now();
    for (Pending& job : pending) {
      const StoredSimulation simulation = simulated_figures(spec, job.evaluation, runner->wait(job.job), job.id);
      store.append_simulation(simulation);
      simulated[job.id] = simulation;
    }
    pending.clear();
    summary.simulation_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
  };
  auto submit_best = [&] {
    std::vector<std::int64_t> ids;
    for (std::size_t id = 0; id < surrogate_outcomes.size(); ++id)
      if (surrogate_outcomes[id].feasible && chosen.count(static_cast<std::int64_t>(id)) == 0)
        ids.push_back(static_cast<std::int64_t>(id));
    std::stable_sort(ids.begin(), ids.end(), [&](std::int64_t a, std::int64_t b) {
      return surrogate_outcomes[static_cast<std::size_t>(a)].reward > surrogate_outcomes[static_cast<std::size_t>(b)].reward;
    });
    std::size_t taken = 0;
    for (std::int64_t id : ids) {
      if (taken == static_cast<std::size_t>(spec.simulator.top)) break;
      chosen.insert(id);
      // A permutation of a chip already chosen teaches the simulator nothing new.
      if (!chosen_designs.insert(design_key(evaluator, genomes[static_cast<std::size_t>(id)])).second) continue;
      ++taken;
      const bool known = simulated.count(id) > 0;  // simulated before the run was resumed
      if (known && !recalibrate) continue;
      // The design as the surrogate now schedules it: what is simulated, and
      // what a refit compares the simulation with.
      Evaluation design = evaluator.evaluate_design(genomes[static_cast<std::size_t>(id)]);
      if (recalibrate) observed.emplace_back(id, design);
      if (known) continue;
      if (!runner)
        runner = std::make_unique<SimulationRunner>(options.simulator_executable, spec.simulator.jobs,
                                                    spec.simulator.timeout_seconds);
      SimulationJob job{design.chip, *design.workload, design.schedule, ""};
      const JobRunner::JobId handle = runner->submit(job);
      pending.push_back({id, handle, std::move(design)});
    }
  };

  while (done < budget) {
    const std::vector<Genome> asked = controller.ask();
    NASAIC_CHECK(!asked.empty(), "a controller asked for nothing");
    std::vector<Outcome> outcomes;
    std::vector<Genome> told;
    std::vector<Genome> fresh;
    for (const Genome& genes : asked) {
      if (done + static_cast<std::int64_t>(told.size() + fresh.size()) >= budget) break;
      const auto id = static_cast<std::size_t>(done) + told.size() + fresh.size();
      if (id < stored.size()) {
        if (stored[id].genes != genes)
          throw InputError(db_path.string(), 0, "evaluations",
                           "evaluation " + std::to_string(id) + " is not what this spec and seed ask: the folder holds another search");
        told.push_back(genes);
        outcomes.push_back(stored[id].outcome);
        genomes.push_back(genes);
        surrogate_outcomes.push_back(stored[id].outcome);
        ++summary.replayed;
        best = std::max(best, stored[id].outcome.feasible ? stored[id].outcome.reward : -1e300);
      } else {
        fresh.push_back(genes);
      }
    }
    std::size_t feasible_in_round = 0;
    if (!fresh.empty()) {
      const std::vector<Evaluation> evaluations = evaluate_batch(evaluator, fresh, options.threads);
      for (const Evaluation& evaluation : evaluations) {
        const auto id = done + static_cast<std::int64_t>(told.size());
        store.append(stored_of(evaluator, evaluation, id, round));
        summary.surrogate_seconds += evaluation.surrogate_seconds;
        summary.accuracy_seconds += evaluation.accuracy_seconds;
        told.push_back(evaluation.genes);
        outcomes.push_back(evaluation.outcome());
        genomes.push_back(evaluation.genes);
        surrogate_outcomes.push_back(evaluation.outcome());
        if (evaluation.outcome().feasible) {
          ++feasible_in_round;
          best = std::max(best, evaluation.reward);
        }
      }
    }
    done += static_cast<std::int64_t>(told.size());
    controller.tell(told, outcomes);
    if (options.progress) {
      char line[200];
      std::snprintf(line, sizeof line, "round %lld: %zu evaluated, %zu within the specs", static_cast<long long>(round),
                    fresh.size(), feasible_in_round);
      options.progress(done, budget, best, line);
    }
    ++round;
    if (simulate && done / spec.simulator.every > checkpoints) {
      checkpoints = done / spec.simulator.every;
      collect();
      if (recalibrate) refit(checkpoints);
      submit_best();
    }
    if (runner) runner->poll();  // starts queued jobs as slots free up
  }
  if (simulate) collect();

  // Outputs, from the database: what a resumed run and an uninterrupted one
  // both hold.
  std::vector<StoredEvaluation> rows;
  std::string lines;
  // Tallies the rows with the simulator's verdicts; the best design is the
  // best row within the specs, by the simulator's figures when it has them.
  const auto tally = [&] {
    rows = store.load();
    simulated = store.load_simulations();
    const SearchRunSummary kept = summary;
    summary = SearchRunSummary{};
    summary.replayed = kept.replayed;
    summary.surrogate_seconds = kept.surrogate_seconds;
    summary.accuracy_seconds = kept.accuracy_seconds;
    summary.simulation_seconds = kept.simulation_seconds;
    summary.refits = kept.refits;
    summary.refit_seconds = kept.refit_seconds;
    lines.clear();
    double error_sum = 0;
    for (StoredEvaluation& row : rows) {
      const auto simulation = simulated.find(row.id);
      if (simulation != simulated.end()) {
        nlohmann::json json = nlohmann::json::parse(row.row_json);
        json["simulated"] = simulation_json(simulation->second);
        row.row_json = json.dump();
        ++summary.simulated;
        if (!simulation->second.ok) {
          ++summary.simulation_failures;
        } else {
          // The surrogate's figure for what was simulated: the schedule
          // refined, under the parameters of the time.
          const double error = std::abs(simulation->second.surrogate_makespan_seconds - simulation->second.makespan_seconds) /
                               simulation->second.makespan_seconds;
          error_sum += error;
          summary.makespan_error_max = std::max(summary.makespan_error_max, error);
          if (row.outcome.feasible && !simulation->second.meets_specs) {
            ++summary.overturned;
            row.outcome.feasible = false;  // the simulator's verdict stands
          }
        }
      }
      lines += row.row_json + "\n";
      summary.legal += row.legal;
      if (row.outcome.feasible) {
        ++summary.feasible;
        if (!summary.has_best || row.outcome.reward > summary.best_reward) {
          summary.has_best = true;
          summary.best_id = row.id;
          summary.best_reward = row.outcome.reward;
          summary.best_genes = row.genes;
        }
      } else if (row.legal && (summary.closest_id < 0 ||
                               row.outcome.violation < rows[static_cast<std::size_t>(summary.closest_id)].outcome.violation)) {
        summary.closest_id = row.id;
        summary.closest_genes = row.genes;
      }
    }
    summary.evaluations = static_cast<std::int64_t>(rows.size());
    if (summary.simulated > summary.simulation_failures)
      summary.makespan_error_mean = error_sum / static_cast<double>(summary.simulated - summary.simulation_failures);
  };
  tally();
  // With the simulator on, the design handed out is one it has checked: the
  // best row is simulated if it was not, and if the simulator overturns it
  // the next one is (a bounded number of times).
  for (int check = 0; simulate && summary.has_best && check < 32 && simulated.count(summary.best_id) == 0; ++check) {
    chosen.clear();
    chosen_designs.clear();  // the best is simulated itself, even if a permutation of it was
    for (const auto& [id, simulation] : simulated) chosen.insert(id);
    for (std::size_t id = 0; id < surrogate_outcomes.size(); ++id)
      if (static_cast<std::int64_t>(id) != summary.best_id) chosen.insert(static_cast<std::int64_t>(id));
    submit_best();
    collect();
    tally();
  }
  write_atomically(out / "candidates.jsonl", lines);
  write_atomically(out / "pareto.csv", pareto_csv(rows));
  if (summary.has_best) {
    // As the simulator checked it, schedule refined, when it did.
    const Genome& best_genes = rows[static_cast<std::size_t>(summary.best_id)].genes;
    const Evaluation best_evaluation = simulate ? evaluator.evaluate_final(best_genes) : evaluator.evaluate(best_genes);
    write_best(out / "best", best_evaluation);
    const auto simulation = simulated.find(summary.best_id);
    write_plot_data(out / "plots", rows, best_evaluation, evaluator.surrogate(),
                    simulation != simulated.end() && simulation->second.ok ? &simulation->second : nullptr);
  }
  summary.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json json = {{"spec", spec.name},
                         {"evaluations", summary.evaluations},
                         {"replayed", summary.replayed},
                         {"legal", summary.legal},
                         {"feasible", summary.feasible},
                         {"simulator", {{"simulated", summary.simulated},
                                        {"failed", summary.simulation_failures},
                                        {"overturned_verdicts", summary.overturned},
                                        {"makespan_error_mean", summary.makespan_error_mean},
                                        {"makespan_error_max", summary.makespan_error_max},
                                        {"refits", refits_json(summary.refits)}}},
                         {"seconds", {{"surrogate", summary.surrogate_seconds},
                                      {"accuracy", summary.accuracy_seconds},
                                      {"simulator_wait", summary.simulation_seconds},
                                      {"refits", summary.refit_seconds},
                                      {"wall", summary.wall_seconds}}}};
  if (summary.has_best) json["best"] = nlohmann::json::parse(rows[static_cast<std::size_t>(summary.best_id)].row_json);
  write_atomically(out / "summary.json", json.dump(2) + "\n");
  write_atomically(out / "report.md", report_markdown(spec, rows, simulated, summary));
  return summary;
}

}  // namespace nasaic
