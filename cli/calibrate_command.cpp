#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>

#include "cli/commands.hpp"
#include "cli/workload_inputs.hpp"
#include "common/error.hpp"
#include "common/table.hpp"
#include "common/text_file.hpp"
#include "dataflows/surrogate_params.hpp"
#include "sim/calibration.hpp"
#include "sim/job_runner.hpp"
#include "sim/simulator.hpp"

namespace nasaic::cli {
namespace {

struct CalibrateOptions {
  int samples = 600;
  int jobs = 2;
  std::uint64_t seed = 1;
  double holdout = 0.5;
  double timeout = 120;
  std::string technology;
  std::string points = "calibration_points.jsonl";
  std::string out = "calibration.json";
  std::string update;
  bool quiet = false;
};

Technology technology_of(const std::string& path) {
  return path.empty() ? builtin_technology() : load_technology(path);
}

// Simulates the points that have no result yet, `jobs` at a time, appending
// each finished point to the points file so an interrupted run resumes.
void simulate_points(std::vector<DesignPoint>& points, const CalibrateOptions& options) {
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].failure.empty() && !points[i].simulated()) pending.push_back(i);
  }
  if (pending.empty()) return;
  const auto work = std::filesystem::temp_directory_path() / ("nasaic-calibrate-" + std::to_string(::getpid()));
  std::filesystem::create_directories(work);
  std::ofstream points_file(options.points, std::ios::app);
  if (!points_file) throw InputError(options.points, 0, "", "cannot append to the points file");
  const bool progress = !options.quiet && ::isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  const std::string executable = current_executable();
  const std::size_t batch = static_cast<std::size_t>(std::max(1, options.jobs)) * 8;
  for (std::size_t first = 0; first < pending.size(); first += batch) {
    const std::size_t last = std::min(pending.size(), first + batch);
    std::vector<std::vector<std::string>> jobs;
    for (std::size_t k = first; k < last; ++k) {
      jobs.push_back(write_simulation_inputs(points[pending[k]], work.string()));
    }
    const auto outcomes = run_jobs(executable, jobs, options.jobs, options.timeout);
    for (std::size_t k = first; k < last; ++k) {
      DesignPoint& point = points[pending[k]];
      const JobOutcome& outcome = outcomes[k - first];
      if (!outcome.ok) {
        std::string reason = outcome.err.empty() ? "exit status " + std::to_string(outcome.exit_code) : outcome.err;
        while (!reason.empty() && reason.back() == '\n') reason.pop_back();
        point.failure = "simulation failed: " + reason;
      } else {
        const auto result = nlohmann::json::parse(outcome.out);
        point.cycles.assign(point.subs.size(), 0);
        point.energy_pj.assign(point.subs.size(), 0);
        for (const auto& layer : result.at("layers")) {
          const std::string network = layer.at("network");
          const std::size_t sub = std::stoul(network.substr(network.rfind("_s") + 2));
          point.cycles[sub] = layer.at("cycles").get<double>() - layer.at("stall_dependency_cycles").get<double>();
          point.energy_pj[sub] = layer.at("energy_pJ").get<double>();
        }
      }
      points_file << point_to_json(point).dump() << "\n";
    }
    points_file.flush();
    if (progress) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double fraction = static_cast<double>(last) / static_cast<double>(pending.size());
      std::fprintf(stderr, "\rsimulated %zu/%zu points  %.0f s elapsed  ETA %.0f s ", last, pending.size(), elapsed,
                   elapsed * (1 - fraction) / fraction);
    }
  }
  if (progress) std::fprintf(stderr, "\n");
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
}

struct Split {
  std::vector<DesignPoint> training, holdout;
};

Split split_points(const std::vector<DesignPoint>& points, double holdout_fraction, std::uint64_t seed) {
  std::vector<const DesignPoint*> usable;
  for (const auto& point : points) {
    if (point.simulated()) usable.push_back(&point);
  }
  std::mt19937_64 random(seed ^ 0x5eed5eedull);
  std::shuffle(usable.begin(), usable.end(), random);
  const std::size_t holdout = static_cast<std::size_t>(static_cast<double>(usable.size()) * holdout_fraction);
  Split split;
  for (std::size_t i = 0; i < usable.size(); ++i) (i < holdout ? split.holdout : split.training).push_back(*usable[i]);
  const auto by_index = [](const DesignPoint& a, const DesignPoint& b) { return a.index < b.index; };
  std::sort(split.training.begin(), split.training.end(), by_index);
  std::sort(split.holdout.begin(), split.holdout.end(), by_index);
  return split;
}

// Surrogate (raw and calibrated) against simulator, per layer. `subject`
// names what was compared, for the plots' titles.
// The split a calibration recorded: its held-out indices, and the rest.
Split split_by_indices(const std::vector<DesignPoint>& points, const std::vector<int>& holdout_indices) {
  Split split;
  for (const auto& point : points) {
    if (!point.simulated()) continue;
    const bool held_out =
        std::find(holdout_indices.begin(), holdout_indices.end(), point.index) != holdout_indices.end();
    (held_out ? split.holdout : split.training).push_back(point);
  }
  return split;
}

struct Comparison {
  std::string subject;
  std::vector<double> truth_cycles, uncalibrated_cycles, calibrated_cycles;
  std::vector<double> truth_energy, uncalibrated_energy, calibrated_energy;
  std::vector<std::string> dataflow;
  Table table;

  // `what`: the cells that name the layer, matching the table's first columns.
  void add(std::vector<Cell> what, const std::string& layer_dataflow, double sim_cycles, double est_cycles,
           double cal_cycles, double sim_energy, double est_energy, double cal_energy) {
    truth_cycles.push_back(sim_cycles);
    uncalibrated_cycles.push_back(est_cycles);
    calibrated_cycles.push_back(cal_cycles);
    truth_energy.push_back(sim_energy);
    uncalibrated_energy.push_back(est_energy);
    calibrated_energy.push_back(cal_energy);
    dataflow.push_back(layer_dataflow);
    const auto error = [](double estimate, double truth) { return 100.0 * (estimate - truth) / truth; };
    for (Cell cell : std::vector<Cell>{sim_cycles, est_cycles, cal_cycles, error(est_cycles, sim_cycles),
                                       error(cal_cycles, sim_cycles), sim_energy, est_energy, cal_energy,
                                       error(cal_energy, sim_energy)}) {
      what.push_back(cell);
    }
    table.add_row(std::move(what));
  }
};

const std::vector<std::string> kFigureColumns = {"sim_cycles",    "est_cycles",    "cal_cycles",
                                                 "est_error_pct", "cal_error_pct", "sim_energy_pJ",
                                                 "est_energy_pJ", "cal_energy_pJ", "cal_energy_error_pct"};

Comparison compare(const std::vector<DesignPoint>& points, const Technology& technology,
                   const SurrogateParams& calibrated) {
  Comparison c;
  c.subject = "held-out points";
  c.table.columns = {"point", "sub", "concurrent_subs", "dataflow", "layer_type"};
  c.table.columns.insert(c.table.columns.end(), kFigureColumns.begin(), kFigureColumns.end());
  for (const auto& point : points) {
    const PointEstimate plain = estimate_point(point, technology, SurrogateParams());
    const PointEstimate fitted = estimate_point(point, technology, calibrated);
    for (std::size_t s = 0; s < point.subs.size(); ++s) {
      c.add({std::int64_t{point.index}, static_cast<std::int64_t>(s), static_cast<std::int64_t>(point.subs.size()),
             point.subs[s].dataflow, std::string(layer_type_name(point.subs[s].layer.type))},
            point.subs[s].dataflow, point.cycles[s], plain.cycles[s], fitted.cycles[s], point.energy_pj[s],
            plain.energy_pj[s], fitted.energy_pj[s]);
    }
  }
  return c;
}

// Every layer of a workload, simulated once and estimated under both
// parameter sets with the same schedule. A layer's cycles run from when it
// could start (its sub-accelerator free and its inputs ready) to its end.
Comparison compare_workload(const ChipSpec& chip, const WorkloadGraph& graph, const SimulationResult& simulated,
                            const WorkloadEstimate& plain, const WorkloadEstimate& fitted) {
  std::vector<const ScheduledLayer*> plain_of(graph.size()), fitted_of(graph.size());
  for (const auto& layer : plain.layers) plain_of[static_cast<std::size_t>(graph.id(layer.ref))] = &layer;
  for (const auto& layer : fitted.layers) fitted_of[static_cast<std::size_t>(graph.id(layer.ref))] = &layer;
  Comparison c;
  c.subject = "workload layers";
  c.table.columns = {"network", "layer", "sub_accelerator", "dataflow", "layer_type"};
  c.table.columns.insert(c.table.columns.end(), kFigureColumns.begin(), kFigureColumns.end());
  for (const LayerStats& stats : simulated.layers) {
    const int id = graph.id(stats.ref);
    const Layer& layer = graph.layer(id);
    const ScheduledLayer& est = *plain_of[static_cast<std::size_t>(id)];
    const ScheduledLayer& cal = *fitted_of[static_cast<std::size_t>(id)];
    const SubAcceleratorSpec& sub = chip.sub_accelerators[static_cast<std::size_t>(stats.sub)];
    c.add({graph.workload->networks[static_cast<std::size_t>(stats.ref.network)].name(), layer.name, sub.name,
           sub.dataflow, std::string(layer_type_name(layer.type))},
          sub.dataflow, static_cast<double>(stats.cycles() - stats.dependency_stall_cycles), est.end - est.start,
          cal.end - cal.start, stats.energy.total_pj(), est.energy_pj, cal.energy_pj);
  }
  return c;
}

nlohmann::ordered_json error_json(const Comparison& c) {
  return {{"uncalibrated",
           {{"latency", summarize_errors(c.uncalibrated_cycles, c.truth_cycles).to_json()},
            {"energy", summarize_errors(c.uncalibrated_energy, c.truth_energy).to_json()}}},
          {"calibrated",
           {{"latency", summarize_errors(c.calibrated_cycles, c.truth_cycles).to_json()},
            {"energy", summarize_errors(c.calibrated_energy, c.truth_energy).to_json()}}}};
}

std::string error_text(const nlohmann::ordered_json& errors) {
  Table table;
  table.columns = {"model",         "figure",   "points",  "MAPE %",
                   "max |error| %", "Spearman", "Kendall", "pairs ordered alike"};
  for (const char* model : {"uncalibrated", "calibrated"}) {
    for (const char* figure : {"latency", "energy"}) {
      const auto& e = errors[model][figure];
      table.add_row({std::string(model), std::string(figure), e["points"].get<std::int64_t>(),
                     e["mape_pct"].get<double>(), e["max_abs_error_pct"].get<double>(), e["spearman"].get<double>(),
                     e["kendall"].get<double>(), e["pair_agreement"].get<double>()});
    }
  }
  return table.to_text();
}

// Scatter (surrogate against simulator, with y = x) and a histogram of the
// calibrated latency error per template, as gnuplot scripts beside their data,
// rendered to PNG and SVG.
void write_plots(const std::string& dir, const Comparison& c) {
  write_text_file(dir + "/points.csv", c.table.to_csv());
  std::string scatter;
  for (std::size_t i = 0; i < c.truth_cycles.size(); ++i) {
    char line[128];
    std::snprintf(line, sizeof line, "%.6g %.6g %.6g\n", c.truth_cycles[i], c.uncalibrated_cycles[i],
                  c.calibrated_cycles[i]);
    scatter += line;
  }
  write_text_file(dir + "/latency_scatter.dat", scatter);
  std::map<std::string, std::vector<double>> by_template;
  for (std::size_t i = 0; i < c.dataflow.size(); ++i) {
    by_template[c.dataflow[i]].push_back(100.0 * (c.calibrated_cycles[i] - c.truth_cycles[i]) / c.truth_cycles[i]);
  }
  std::string histogram;
  int block = 0;
  std::string plots;
  for (const auto& [name, errors] : by_template) {
    std::map<int, int> bins;
    for (double e : errors) ++bins[static_cast<int>(std::floor(e))];
    histogram += "# " + name + "\n";
    for (const auto& [bin, count] : bins) {
      char line[64];
      std::snprintf(line, sizeof line, "%.1f %d\n", bin + 0.5, count);  // 1 %-wide bins, by their centre
      histogram += line;
    }
    histogram += "\n\n";
    plots += std::string(plots.empty() ? "" : ", ") + "'latency_error_histogram.dat' index " + std::to_string(block++) +
             " using 1:2 with boxes title '" + name + "'";
  }
  write_text_file(dir + "/latency_error_histogram.dat", histogram);
  std::string script = "# Restyle freely: `gnuplot plots.gp` in this folder renders PNG and SVG.\n";
  for (const auto& [device, extension] : {std::pair{"pngcairo", "png"}, std::pair{"svg", "svg"}}) {
    script += std::string("set terminal ") + device + " size 900,700\n" + "set output 'latency_scatter." + extension +
              "'\n"
              "set title 'Layer latency: surrogate against simulator (" +
              c.subject +
              ")'\n"
              "set xlabel 'simulated cycles'\nset ylabel 'surrogate cycles'\n"
              "set logscale xy\nset key top left\nset grid\n"
              "plot 'latency_scatter.dat' using 1:2 with points pt 6 ps 0.6 title 'uncalibrated', \\\n"
              "     'latency_scatter.dat' using 1:3 with points pt 7 ps 0.5 title 'calibrated', \\\n"
              "     x with lines lw 2 lc rgb 'black' title 'y = x'\n"
              "unset logscale\n"
              "set output 'latency_error_histogram." +
              extension +
              "'\n"
              "set title 'Calibrated latency error per template (" +
              c.subject +
              ")'\n"
              "set xlabel 'error %'\nset ylabel 'layers'\n"
              "set style fill transparent solid 0.5\nset boxwidth 1\nset key top right\n"
              "plot " +
              plots + "\nunset output\n";
  }
  write_text_file(dir + "/plots.gp", script);
  const std::string command = "cd '" + dir + "' && gnuplot plots.gp 2>gnuplot.log";
  if (std::system(command.c_str()) != 0) {
    throw InputError(dir + "/gnuplot.log", 0, "", "gnuplot could not render the plots");
  }
}

int run_calibrate(const CalibrateOptions& options) {
  if (options.samples < 1 && options.update.empty()) throw InputError("", 0, "--samples", "must be at least 1");
  if (options.jobs < 1) throw InputError("", 0, "--jobs", "must be at least 1");
  if (!(options.holdout > 0 && options.holdout < 1)) throw InputError("", 0, "--holdout", "must be in (0, 1)");
  const Technology technology = technology_of(options.technology);
  DesignRanges ranges;
  ranges.seed = options.seed;
  ranges.samples = options.samples;
  SurrogateParams start;
  std::vector<DesignPoint> points;  // as the calibration's points file holds them
  std::string points_file = options.points;
  nlohmann::ordered_json design = ranges.to_json();
  Split split;
  if (!options.update.empty()) {
    // Incremental: the calibration's own points keep their split, the new
    // ones are split in turn, and the fit starts from its parameters. Both
    // sets go into one points file beside --out, the new points numbered
    // after the old, so that `validate` reads one file.
    start = load_surrogate_params(options.update, technology.hash);
    const auto base = nlohmann::json::parse(read_text_file(options.update));
    const std::string base_points = base.at("points_file");
    if (!std::filesystem::exists(base_points)) {
      throw InputError(options.update, 0, "points_file",
                       "'" + base_points +
                           "' is not there: a refit keeps the calibration's own points, so run it "
                           "where that file is");
    }
    points = load_points(base_points);
    split = split_by_indices(points, base.at("splits").at("holdout_indices").get<std::vector<int>>());
    int next_index = 0;
    for (const auto& point : points) next_index = std::max(next_index, point.index + 1);
    std::vector<DesignPoint> added = load_points(options.points);
    for (auto& point : added) point.index += next_index;
    const Split added_split = split_points(added, options.holdout, options.seed);
    split.training.insert(split.training.end(), added_split.training.begin(), added_split.training.end());
    split.holdout.insert(split.holdout.end(), added_split.holdout.begin(), added_split.holdout.end());
    points.insert(points.end(), added.begin(), added.end());
    points_file = std::filesystem::path(options.out).replace_extension("").string() + "-points.jsonl";
    std::string merged;
    for (const auto& point : points) merged += point_to_json(point).dump() + "\n";
    write_text_file(points_file, merged);
    design = base.at("design_of_experiments");
  } else {
    points = draw_design(ranges, technology);
    if (std::filesystem::exists(options.points)) {
      // Resume: keep what was simulated for the same points.
      for (const auto& done : load_points(options.points)) {
        if (!done.simulated() || done.index >= static_cast<int>(points.size())) continue;
        DesignPoint& point = points[static_cast<std::size_t>(done.index)];
        if (same_design(point, done)) point = done;
      }
    } else {
      write_text_file(options.points, "");
    }
    simulate_points(points, options);
    split = split_points(points, options.holdout, options.seed);
  }
  if (split.training.empty() || split.holdout.empty()) {
    throw InputError(options.points, 0, "", "the design of experiments has no feasible simulated point to fit");
  }
  const SurrogateParams fitted = fit_parameters(split.training, technology, start);
  const Comparison comparison = compare(split.holdout, technology, fitted);

  nlohmann::ordered_json calibration;
  calibration["model_version"] = kSurrogateModelVersion;
  calibration["technology"] = technology.name;
  calibration["technology_hash"] = technology.hash;
  nlohmann::ordered_json parameters;
  for (const auto& [name, value] : fitted.named()) parameters[name] = value;
  calibration["parameters"] = parameters;
  calibration["design_of_experiments"] = design;
  calibration["points_file"] = points_file;
  if (!options.update.empty()) {
    calibration["updated_from"] = options.update;
    calibration["added_points_file"] = options.points;
  }
  std::vector<int> holdout_indices;
  std::size_t holdout_samples = 0;
  for (const auto& point : split.holdout) {
    holdout_indices.push_back(point.index);
    holdout_samples += point.subs.size();
  }
  std::size_t failed = 0;
  for (const auto& point : points) failed += !point.simulated();
  calibration["splits"] = {{"training_points", split.training.size()},
                           {"holdout_points", split.holdout.size()},
                           {"holdout_layers", holdout_samples},
                           {"failed_points", failed},
                           {"holdout_indices", holdout_indices}};
  calibration["errors_on_holdout"] = error_json(comparison);
  write_text_file(options.out, calibration.dump(2) + "\n");
  std::cout << "calibration written to " << options.out << " (" << split.training.size() << " training points, "
            << split.holdout.size() << " held-out points with " << holdout_samples << " layers, " << failed
            << " failed)\n\n"
            << error_text(calibration["errors_on_holdout"]);
  return 0;
}

struct ValidateOptions {
  std::string calibration;
  std::string points;
  WorkloadInputs inputs;
  std::string schedule;
  std::string technology;
  std::string out;
  bool quiet = false;
};

// The held-out points of the calibration, as recorded in it.
Comparison compare_holdout(const ValidateOptions& options, const Technology& technology,
                           const SurrogateParams& fitted) {
  const auto record = nlohmann::json::parse(read_text_file(options.calibration));
  std::vector<DesignPoint> points = load_points(options.points);
  std::vector<DesignPoint> holdout;
  const auto indices = record.at("splits").at("holdout_indices").get<std::vector<int>>();
  for (const auto& point : points) {
    if (point.simulated() && std::find(indices.begin(), indices.end(), point.index) != indices.end()) {
      holdout.push_back(point);
    }
  }
  if (holdout.empty()) throw InputError(options.points, 0, "", "no held-out point of this calibration is in the file");
  return compare(holdout, technology, fitted);
}

int run_validate(const ValidateOptions& options) {
  const bool on_workload = !options.inputs.hw.empty() || !options.inputs.scalesim_config.empty();
  if (on_workload == !options.points.empty()) {
    throw InputError("", 0, "--points",
                     "give either --points (the calibration's held-out split) or a workload "
                     "(--hw or --scalesim-config with --model)");
  }
  if (!on_workload &&
      (!options.inputs.models.empty() || !options.inputs.topology.empty() || !options.schedule.empty())) {
    throw InputError("", 0, "--model", "a workload needs --hw or --scalesim-config");
  }
  if (!on_workload) {
    const Technology technology = technology_of(options.technology);
    const SurrogateParams fitted = load_surrogate_params(options.calibration, technology.hash);
    const Comparison comparison = compare_holdout(options, technology, fitted);
    const nlohmann::ordered_json errors = error_json(comparison);
    std::cout << error_text(errors);
    if (!options.out.empty()) {
      write_text_file(options.out + "/summary.json", errors.dump(2) + "\n");
      write_plots(std::filesystem::absolute(options.out).string(), comparison);
      std::cout << "\nper-layer comparison, plots (PNG, SVG) and their gnuplot script in " << options.out << "\n";
    }
    return 0;
  }
  if (!options.technology.empty()) {
    throw InputError("", 0, "--technology", "a workload's chip names its own technology table");
  }
  auto [chip, workload] = load_workload_inputs(options.inputs);
  const SurrogateParams fitted = load_surrogate_params(options.calibration, chip.technology.hash);
  const WorkloadGraph graph(workload);
  SimulationOptions sim;
  sim.progress = !options.quiet && ::isatty(STDERR_FILENO);
  Estimator plain_estimator(chip, SurrogateParams()), fitted_estimator(chip, fitted);
  const ScheduleChoice choice = choose_schedule(options.schedule, graph, fitted_estimator);
  const Schedule& schedule = choice.schedule;
  const WorkloadEstimate& calibrated = choice.estimate;
  if (!calibrated.feasible) throw InputError(options.schedule, 0, "schedule", calibrated.reason);
  sim.expected_cycles = static_cast<Cycle>(calibrated.makespan_cycles);
  const WorkloadEstimate plain = evaluate_schedule(graph, plain_estimator, schedule);
  const SimulationResult simulated = simulate(chip, workload, schedule, sim);
  if (!simulated.completed) {
    std::cerr << "nasaic: simulation failed: " << simulated.failure << "\n";
    return 3;
  }
  const Comparison comparison = compare_workload(chip, graph, simulated, plain, calibrated);
  nlohmann::ordered_json errors = error_json(comparison);
  // The whole workload: makespan and energy.
  const auto error = [](double estimate, double truth) { return 100.0 * (estimate - truth) / truth; };
  const double makespan = static_cast<double>(simulated.makespan_cycles);
  errors["workload"] = {{"makespan_cycles",
                         {{"simulator", makespan},
                          {"uncalibrated", plain.makespan_cycles},
                          {"calibrated", calibrated.makespan_cycles},
                          {"uncalibrated_error_pct", error(plain.makespan_cycles, makespan)},
                          {"calibrated_error_pct", error(calibrated.makespan_cycles, makespan)}}},
                        {"energy_pJ",
                         {{"simulator", simulated.energy_pj},
                          {"uncalibrated", plain.energy_pj},
                          {"calibrated", calibrated.energy_pj},
                          {"uncalibrated_error_pct", error(plain.energy_pj, simulated.energy_pj)},
                          {"calibrated_error_pct", error(calibrated.energy_pj, simulated.energy_pj)}}}};
  std::cout << error_text(errors);
  char line[256];
  std::snprintf(
      line, sizeof line,
      "\nmakespan: simulator %.0f cycles, surrogate %.0f uncalibrated (%+.2f %%), %.0f calibrated (%+.2f %%)\n",
      makespan, plain.makespan_cycles, error(plain.makespan_cycles, makespan), calibrated.makespan_cycles,
      error(calibrated.makespan_cycles, makespan));
  std::cout << line;
  if (!options.out.empty()) {
    write_text_file(options.out + "/summary.json", errors.dump(2) + "\n");
    write_text_file(options.out + "/schedule.yaml", schedule_to_yaml(schedule, workload, chip));
    write_plots(std::filesystem::absolute(options.out).string(), comparison);
    std::cout << "\nper-layer comparison, schedule, plots (PNG, SVG) and their gnuplot script in " << options.out
              << "\n";
  }
  return 0;
}

}  // namespace

void add_calibrate_commands(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* calibrate = app.add_subcommand("calibrate", "Fit the surrogate's parameters to the simulator");
  auto options = std::make_shared<CalibrateOptions>();
  calibrate->add_option("--samples", options->samples, "design points to draw")->capture_default_str();
  calibrate->add_option("--jobs", options->jobs, "simulations run at a time")->capture_default_str();
  calibrate->add_option("--seed", options->seed, "seed of the design of experiments")->capture_default_str();
  calibrate->add_option("--holdout", options->holdout, "fraction of points held out for the error figures")
      ->capture_default_str();
  calibrate->add_option("--timeout", options->timeout, "seconds before a simulation counts as failed")
      ->capture_default_str();
  calibrate->add_option("--technology", options->technology, "technology table (default: built-in)");
  calibrate->add_option("--points", options->points, "points file (JSON lines); an existing one is resumed")
      ->capture_default_str();
  calibrate->add_option("--out", options->out, "calibration file to write")->capture_default_str();
  calibrate->add_option("--update", options->update,
                        "refit this calibration with its own points plus the simulated points of --points (e.g. a "
                        "search's checks); all of them are written to <out>-points.jsonl");
  calibrate->add_flag("--quiet", options->quiet, "no progress line");
  calibrate->footer(std::string(kExitStatusHelp) + 
      "Examples:\n"
      "  nasaic calibrate --samples 600 --jobs 2 --out calibration.json --points points.jsonl\n"
      "  nasaic calibrate --update calibration.json --points new_points.jsonl --out calibration2.json");
  runners.emplace_back(calibrate, [options] { return run_calibrate(*options); });

  CLI::App* validate = app.add_subcommand("validate", "Compare the surrogate, raw and calibrated, with the simulator");
  auto validate_options = std::make_shared<ValidateOptions>();
  validate->add_option("--calibration", validate_options->calibration, "calibration file")->required();
  validate->add_option("--points", validate_options->points,
                       "the calibration's points file: compare on its held-out split");
  add_workload_options(validate, validate_options->inputs);
  validate->add_option("--schedule", validate_options->schedule,
                       "with a workload: schedule YAML; default: the calibrated surrogate's scheduler");
  validate->add_option("--technology", validate_options->technology,
                       "with --points: technology table (default: built-in)");
  validate->add_option("--out", validate_options->out, "write points.csv, summary.json and plots here");
  validate->add_flag("--quiet", validate_options->quiet, "no progress bar while simulating a workload");
  validate->footer(std::string(kExitStatusHelp) + 
      "Either the calibration's held-out points (--points) or a workload and chip, which is simulated once.\n"
      "Examples:\n"
      "  nasaic validate --calibration calibration.json --points points.jsonl --out out/validate\n"
      "  nasaic validate --calibration configs/calibration/default-45nm.json --hw configs/chips/hetero-3.yaml "
      "--model resnet18 --model mobilenet_v2 --out out/validate-workload");
  runners.emplace_back(validate, [validate_options] { return run_validate(*validate_options); });
}

}  // namespace nasaic::cli
