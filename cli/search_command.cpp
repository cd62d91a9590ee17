// nasaic search: a multi-task network x heterogeneous-accelerator co-search
// (search/search_run.hpp). Runs in nasaic-torch (cli/app.hpp), since
// searched networks are trained or scored with LibTorch.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "cli/app.hpp"
#include "cli/gnuplot.hpp"
#include "cli/training_progress.hpp"
#include "common/error.hpp"
#include "common/text_file.hpp"
#include "search/accuracy.hpp"
#include "search/baselines.hpp"
#include "search/search_run.hpp"

namespace nasaic::cli {
namespace {

struct SearchOptions {
  std::string spec;
  std::string out;
  std::string resume;
  std::int64_t evaluations = 0;
  int threads = 1;
  std::string accuracy;
  std::string cache;
  int torch_threads = 0;
  bool quiet = false;
  bool no_simulator = false;
  std::string mode = "cosearch";
};

// One task's accuracy, behind a lock: a trainer is not shared between
// threads, and its result cache makes a repeated candidate free.
struct TaskAccuracy {
  std::unique_ptr<AccuracyEvaluator> evaluator;
  std::unique_ptr<TrainingProgress> supernet_progress;  // when a supernet trains, not --quiet
  std::mutex lock;
};

// Reward and best-so-far over evaluations, the feasible candidates and the
// Pareto front, and the best design's timeline, from the data run_search
// wrote into plots/.
void render_search_plots(const std::filesystem::path& dir, const SearchSpec& spec) {
  if (!std::filesystem::exists(dir / "evaluations.dat")) return;
  const bool accuracy = spec.objective != ObjectiveKind::minimize;
  render_gnuplot(std::filesystem::absolute(dir).string(), [&](const std::string& extension) {
    std::string text = "set output 'reward." + extension + "'\nset title 'Co-search " + spec.name +
                       ": reward per evaluation'\nset xlabel 'evaluation'\nset ylabel 'reward'\nset grid\n"
                       "set key bottom right\n"
                       "plot 'evaluations.dat' using 1:($4 == 1 ? $2 : 1/0) with points pt 7 ps 0.4 title 'within the specs', \\\n"
                       "     'evaluations.dat' using 1:($4 == 1 ? 1/0 : $2) with points pt 6 ps 0.4 title 'outside', \\\n"
                       "     'evaluations.dat' using 1:3 with steps lw 2 title 'best so far'\n";
    text += "set output 'pareto." + extension + "'\nset title 'Candidates within the specs; the Pareto front over accuracy, makespan, energy and area'\n";
    text += accuracy ? "set xlabel 'makespan (ms)'\nset ylabel 'weighted accuracy'\nset key bottom right\n"
                       "set datafile separator whitespace\n"
                       "plot 'evaluations.dat' using ($4 == 1 ? $5 : 1/0):8 with points pt 6 ps 0.5 lc rgb 'gray' title 'within the specs', \\\n"
                       "     '< tail -n +2 ../pareto.csv | tr , \" \"' using ($3*1e3):2 with points pt 7 ps 0.9 lc rgb 'red' title 'Pareto front'\n"
                     : "set xlabel 'makespan (ms)'\nset ylabel 'area (mm^2)'\nset key top right\n"
                       "plot 'evaluations.dat' using ($4 == 1 ? $5 : 1/0):7 with points pt 6 ps 0.5 lc rgb 'gray' title 'within the specs', \\\n"
                       "     '< tail -n +2 ../pareto.csv | tr , \" \"' using ($3*1e3):($5*1e-6) with points pt 7 ps 0.9 lc rgb 'red' title 'Pareto front'\n";
    text += "set output 'gantt." + extension + "'\nset title 'Best design: timeline per sub-accelerator'\n"
            "set xlabel 'time (us)'\nset ylabel 'sub-accelerator'\nset ytics 1\nset key outside bottom center horizontal\n"
            "plot ";
    for (std::size_t t = 0; t < spec.tasks.size(); ++t)
      text += std::string(t ? ", " : "") + "'timeline.dat' using (($2+$3)/2):($4 == " + std::to_string(t) +
              " ? $1 : 1/0):(($3-$2)/2):(0.35) with boxxyerror fs solid 0.6 lc " + std::to_string(t + 1) +
              " title '" + spec.tasks[t].name + "'";
    text += "\nunset ytics\nset ytics\n";
    return text;
  });
}

int run_search_command(const SearchOptions& options) {
  if (options.out.empty() == options.resume.empty())
    throw InputError("", 0, "--out", "give either --out DIR (a new search) or --resume DIR (continue one)");
  const std::string folder = options.resume.empty() ? options.out : options.resume;
  // The folder's spec.yaml is a record: its relative paths (base chip, spaces)
  // no longer resolve from there, so a resumed search names its spec again.
  if (options.spec.empty())
    throw InputError("", 0, "SPEC", "name the spec file the search was started with (its database checks it is the same)");
  const std::string& spec_path = options.spec;
  const SearchSpec spec = load_search_spec(spec_path);
  if (options.mode != "cosearch" && !spec.searches_networks()) {
    throw InputError(spec_path, 0, "--mode", "successive searches networks first: no task has a search space");
  }
  const CoSearchEvaluator probe(spec, [](std::size_t, const Architecture&) { return 0.0; });
  // Made before anything is trained: an unknown controller or key fails first.
  std::unique_ptr<Controller> controller = make_controller(*spec.controller, probe.design_space(), spec.seed);
  check_writable_folder(folder, options.resume.empty() ? "--out" : "--resume");

  std::vector<std::unique_ptr<TaskAccuracy>> accuracy(spec.tasks.size());
  TrainingOptions training;
  training.cache_dir = options.cache.empty() ? default_cache_dir() : options.cache;
  training.threads = options.torch_threads;
  if (spec.searches_networks())
    check_writable_folder(training.cache_dir, options.cache.empty() ? "NASAIC_CACHE_DIR" : "--cache");
  for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
    if (!spec.tasks[t].space) continue;
    const SearchSpace& space = *spec.tasks[t].space;
    const AccuracyMethod method = !options.accuracy.empty() ? parse_accuracy_method(options.accuracy)
                                  : spec.tasks[t].accuracy ? *spec.tasks[t].accuracy
                                                           : space.accuracy;
    accuracy[t] = std::make_unique<TaskAccuracy>();
    const Recipe& recipe =
        spec.tasks[t].recipe.empty() ? default_recipe_for(method, space) : space.recipe(spec.tasks[t].recipe);
    if (!options.quiet)
      std::cerr << "task " << spec.tasks[t].name << ": accuracy by " << accuracy_method_name(method) << " (recipe "
                << recipe.name << ")\n";
    TrainingOptions task_training = training;
    if (!options.quiet && method == AccuracyMethod::supernet) {
      // Trained once, before its first candidate is scored (or read from the cache).
      TrainingProgress& bar = *(accuracy[t]->supernet_progress = std::make_unique<TrainingProgress>(
                                    recipe.epochs, "task " + spec.tasks[t].name + ": supernet "));
      task_training.progress = [&bar](std::int64_t epoch, std::int64_t step, std::int64_t steps, double loss) {
        bar.update(epoch, step, steps, loss);
      };
    }
    accuracy[t]->evaluator = make_accuracy_evaluator(method, space, recipe, task_training);
  }
  // The search selects by validation images; the test split stays unseen.
  const AccuracyOracle oracle = [&](std::size_t task, const Architecture& architecture) {
    TaskAccuracy& entry = *accuracy[task];
    const std::lock_guard<std::mutex> guard(entry.lock);
    return entry.evaluator->evaluate(architecture).validation_metric;
  };
  CoSearchEvaluator evaluator(spec, oracle);

  SearchRunOptions run;
  run.out_dir = folder;
  run.resume = !options.resume.empty();
  run.evaluations = options.evaluations;
  run.threads = options.threads;
  run.simulate = !options.no_simulator;
  if (run.simulate && spec.simulator.enabled) {
    // The simulator runs as `nasaic simulate` jobs: the nasaic binary beside this one.
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error) throw InputError("/proc/self/exe", 0, "", "cannot locate the nasaic executable: " + error.message());
    run.simulator_executable = (self.parent_path() / "nasaic").string();
  }
  const auto start = std::chrono::steady_clock::now();
  double last = -1;
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  if (!options.quiet) {
    run.progress = [&](std::int64_t done, std::int64_t budget, double best, const std::string& round) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (done < budget && elapsed - last < 2) return;
      last = elapsed;
      const double eta = done > 0 ? elapsed * static_cast<double>(budget - done) / static_cast<double>(done) : 0;
      char line[256];
      std::snprintf(line, sizeof line, "%lld/%lld evaluations, best reward %s, %s, eta %.0f s",
                    static_cast<long long>(done), static_cast<long long>(budget),
                    best > -1e299 ? std::to_string(best).c_str() : "none yet", round.c_str(), eta);
      std::cerr << (tty ? "\r" : "") << line << (tty && done < budget ? "" : "\n") << std::flush;
    };
  }
  if (options.mode == "compare") {
    // Both designs, each in its own folder, then NASAIC's table.
    const std::filesystem::path out(folder);
    const SearchRunSummary summary = run_search(evaluator, *controller, in_subfolder(run, "cosearch"));
    render_search_plots(out / "cosearch" / "plots", spec);
    SearchRunOptions successive = run;
    successive.out_dir = (out / "successive").string();
    const SuccessiveResult baseline = run_successive(
        spec, oracle, [&](const DesignSpace& space) { return make_controller(*spec.controller, space, spec.seed); },
        successive);
    const Genome& genes = summary.has_best ? summary.best_genes : summary.closest_genes;
    if (genes.empty()) throw InputError(spec_path, 0, "hardware", "the co-search found no legal design to compare");
    // Judged by the spec's surrogate, as the successive design is: the
    // co-search's refits have moved its own.
    Evaluation best = CoSearchEvaluator(spec, oracle).evaluate(genes);
    const std::string table = comparison_markdown(spec, best, baseline);
    write_text_file((out / "report.md").string(), table);
    std::printf("%s\nreport: %s\n", table.c_str(), (out / "report.md").c_str());
    return 0;
  }
  if (options.mode == "successive") {
    const SuccessiveResult result = run_successive(
        spec, oracle,
        [&](const DesignSpace& space) { return make_controller(*spec.controller, space, spec.seed); }, run);
    write_text_file((std::filesystem::path(folder) / "successive.json").string(), result.design_json + "\n");
    const Evaluation& design = result.design;
    std::printf("successive: networks for accuracy alone (%lld evaluations), then a chip for them (%lld evaluations)\n",
                static_cast<long long>(result.networks.evaluations), static_cast<long long>(result.hardware.evaluations));
    std::printf("design: weighted accuracy %.4f, makespan %.4g ms, energy %.4g uJ, area %.4g mm2, %s\n",
                design.weighted_accuracy, design.makespan_seconds * 1e3, design.energy_pj * 1e-6, design.area_um2 * 1e-6,
                !design.legal ? ("illegal: " + design.reason).c_str()
                : design.meets_specs ? "within the specs"
                                     : ("violates: " + design.reason).c_str());
    std::printf("results: %s\n", (std::filesystem::path(folder) / "successive.json").c_str());
    return 0;
  }
  const SearchRunSummary summary = run_search(evaluator, *controller, run);
  render_search_plots(std::filesystem::path(folder) / "plots", spec);
  std::printf("%lld evaluations (%lld replayed), %lld legal, %lld within the specs\n",
              static_cast<long long>(summary.evaluations), static_cast<long long>(summary.replayed),
              static_cast<long long>(summary.legal), static_cast<long long>(summary.feasible));
  if (summary.has_best) std::printf("best: evaluation %lld, reward %.6g\n", static_cast<long long>(summary.best_id), summary.best_reward);
  if (summary.simulated > 0)
    std::printf("simulated %lld candidates: %lld verdicts overturned, makespan error mean %.2f %%, max %.2f %%\n",
                static_cast<long long>(summary.simulated), static_cast<long long>(summary.overturned),
                100 * summary.makespan_error_mean, 100 * summary.makespan_error_max);
  const std::filesystem::path out(folder);
  std::printf("report: %s\ncandidates: %s\ndatabase: %s\n", (out / "report.md").c_str(), (out / "candidates.jsonl").c_str(),
              (out / "search.db").c_str());
  if (summary.has_best) std::printf("best design: %s\nplots: %s\n", (out / "best").c_str(), (out / "plots").c_str());
  return 0;
}

}  // namespace

void add_search_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  auto options = std::make_shared<SearchOptions>();
  CLI::App* search = app.add_subcommand("search", "Co-search the networks of every task and a heterogeneous chip");
  search->add_option("spec", options->spec, "Search spec (configs/search/*-cosearch.yaml, configs/search/hardware-only.yaml)");
  search->add_option("--out", options->out, "Results folder of a new search (refused if it holds one)");
  search->add_option("--resume", options->resume,
                     "Continue the search in this results folder (after an interruption, or with more --evaluations)");
  search->add_option("--evaluations", options->evaluations, "Candidates to evaluate (default: the spec's)")
      ->check(CLI::Range(static_cast<std::int64_t>(1), static_cast<std::int64_t>(100'000'000)));
  search->add_option("--threads", options->threads, "Candidates evaluated at once (results do not depend on it)")
      ->check(CLI::Range(1, 256));
  search->add_option("--accuracy", options->accuracy, "train or supernet for every searched task (default: each task's, else its space's)");
  search->add_option("--cache", options->cache, "Cache folder for trained results and supernets (default: NASAIC_CACHE_DIR)");
  search->add_option("--torch-threads", options->torch_threads, "LibTorch threads (default: OMP_NUM_THREADS)")
      ->check(CLI::Range(0, 256));
  search->add_flag("--quiet", options->quiet, "No progress lines");
  search->add_flag("--no-simulator", options->no_simulator, "Leave out the spec's simulator checks");
  search->add_option("--mode", options->mode,
                     "cosearch (networks and chip together), or successive (NASAIC's baseline: the networks for "
                     "accuracy alone into DIR/networks, then a chip for them under the specs into DIR/hardware), or compare "
                     "(both, into DIR/cosearch and DIR/successive, and NASAIC's table in DIR/report.md)")
      ->check(CLI::IsMember({"cosearch", "successive", "compare"}));
  runners.emplace_back(search, [options] { return run_search_command(*options); });
}

}  // namespace nasaic::cli
