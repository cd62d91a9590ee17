#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/gnuplot.hpp"
#include "cli/silicon_command.hpp"
#include "cli/workload_inputs.hpp"
#include "common/config_node.hpp"
#include "common/error.hpp"
#include "common/json_input.hpp"
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

// The table's text too: the simulations get the very file the surrogate reads.
struct TechnologyInput {
  Technology table;
  std::string yaml;  // empty: built-in
};

TechnologyInput technology_of(const std::string& path) {
  if (path.empty()) return {builtin_technology(), ""};
  std::string yaml = read_text_file(path);
  return {parse_technology(ConfigNode::load_string(yaml, path)), std::move(yaml)};
}

// Surrogate (raw and calibrated) against simulator, per layer. `subject`
// names what was compared, for the plots' titles.
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
  render_gnuplot(dir, [&](const std::string& extension) {
    return "set output 'latency_scatter." + extension +
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
           plots + "\n";
  });
}

int run_calibrate(const CalibrateOptions& options) {
  // A million points is days of simulation; beyond it a typo would only fill memory.
  if ((options.samples < 1 || options.samples > 1'000'000) && options.update.empty()) {
    throw InputError("", 0, "--samples", "must be in [1, 1000000]");
  }
  if (options.jobs < 1 || options.jobs > 1024) throw InputError("", 0, "--jobs", "must be in [1, 1024]");
  if (!(options.holdout > 0 && options.holdout < 1)) throw InputError("", 0, "--holdout", "must be in (0, 1)");
  if (!(options.timeout > 0)) throw InputError("", 0, "--timeout", "must be positive");
  check_writable_file(options.out, "--out");
  if (options.update.empty()) check_writable_file(options.points, "--points");
  const TechnologyInput technology_input = technology_of(options.technology);
  const Technology& technology = technology_input.table;
  DesignRanges ranges;
  ranges.seed = options.seed;
  ranges.samples = options.samples;
  SurrogateParams start;
  std::vector<DesignPoint> points;  // as the calibration's points file holds them
  std::string points_file = options.points;
  nlohmann::ordered_json design = ranges.to_json(technology.hash);
  CalibrationSplit split;
  if (!options.update.empty()) {
    // The merged points go beside --out.
    points_file = std::filesystem::path(options.out).replace_extension("").string() + "-points.jsonl";
    Refit refit = prepare_refit(options.update, technology.hash, load_points(options.points), options.points,
                                options.holdout, options.seed, points_file);
    start = refit.base.params;
    design = refit.base.design;
    points = std::move(refit.points);
    split = std::move(refit.split);
  } else {
    points = draw_design(ranges, technology);
    std::error_code ec;
    if (std::filesystem::exists(options.points, ec)) {
      if (!std::filesystem::is_regular_file(options.points, ec)) {
        throw InputError(options.points, 0, "--points", "is not a regular file");
      }
      resume_points(points, load_points(options.points), options.points, ranges.id(technology.hash));
    } else {
      write_text_file(options.points, "");
    }
    PointsSimulation run;
    run.executable = current_executable();
    run.jobs = options.jobs;
    run.timeout_seconds = options.timeout;
    run.points_file = options.points;
    run.technology_yaml = technology_input.yaml;
    run.progress = !options.quiet && ::isatty(STDERR_FILENO);
    simulate_points(points, run);
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
  std::size_t holdout_samples = 0;
  for (const auto& point : split.holdout) holdout_samples += point.subs.size();
  std::size_t failed = 0;
  for (const auto& point : points) failed += !point.simulated();
  calibration["splits"] = {{"training_points", split.training.size()},
                           {"holdout_points", split.holdout.size()},
                           {"holdout_layers", holdout_samples},
                           {"failed_points", failed},
                           {"holdout_indices", holdout_json(split.holdout)}};
  calibration["errors_on_holdout"] = error_json(comparison);
  write_text_file(options.out, dump_json(calibration, 2) + "\n");
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
  check_writable_folder(options.out, "--out");
  if (!on_workload) {
    const Technology technology = technology_of(options.technology).table;
    const CalibrationRecord record =
        load_calibration_record(options.calibration, technology.hash, CalibrationUse::validate);
    const CalibrationSplit split = split_by_record(load_points(options.points), record, options.points);
    const Comparison comparison = compare(split.holdout, technology, record.params);
    const nlohmann::ordered_json errors = error_json(comparison);
    std::cout << error_text(errors);
    if (!options.out.empty()) {
      write_text_file(options.out + "/summary.json", dump_json(errors, 2) + "\n");
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
  const ScheduleChoice choice = choose_schedule(options.schedule, false, graph, fitted_estimator);
  const Schedule& schedule = choice.schedule;
  const WorkloadEstimate& calibrated = choice.estimate;
  if (!calibrated.feasible) throw InputError(options.schedule, 0, "schedule", calibrated.reason);
  sim.expected_cycles = calibrated.makespan_cycles;
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
    write_text_file(options.out + "/summary.json", dump_json(errors, 2) + "\n");
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
  validate->add_option("--calibration", validate_options->calibration,
                       "calibration file (required but with --silicon)");
  validate->add_option("--points", validate_options->points,
                       "the calibration's points file: compare on its held-out split");
  add_workload_options(validate, validate_options->inputs);
  auto silicon = std::make_shared<SiliconOptions>();
  add_silicon_options(validate, *silicon);
  validate->add_option("--schedule", validate_options->schedule,
                       "with a workload: schedule YAML; default: the calibrated surrogate's scheduler");
  validate->add_option("--technology", validate_options->technology,
                       "with --points: technology table (default: built-in)");
  validate->add_option("--out", validate_options->out, "write points.csv, summary.json and plots here");
  validate->add_flag("--quiet", validate_options->quiet, "no progress bar while simulating a workload");
  validate->footer(
      std::string(kExitStatusHelp) +
      "Either the calibration's held-out points (--points) or a workload and chip, which is simulated once; or, with "
      "--silicon, a published chip's table (configs/validation/), against which the surrogate is compared.\n"
      "Examples:\n"
      "  nasaic validate --calibration calibration.json --points points.jsonl --out out/validate\n"
      "  nasaic validate --calibration configs/calibration/default-45nm.json --hw configs/chips/hetero-3.yaml "
      "--model resnet18 --model mobilenet_v2 --out out/validate-workload\n"
      "  nasaic validate --silicon configs/validation/eyeriss-alexnet.yaml --out out/eyeriss");
  runners.emplace_back(validate, [validate_options, silicon] {
    const ValidateOptions& o = *validate_options;
    if (!silicon->file.empty()) {
      // Against a paper, not the simulator: nothing to simulate or split.
      if (!o.points.empty() || !o.inputs.hw.empty() || !o.inputs.scalesim_config.empty() ||
          !o.inputs.models.empty() || !o.inputs.topology.empty() || !o.schedule.empty() || !o.technology.empty()) {
        throw InputError("", 0, "--silicon",
                         "takes no --points, workload, --schedule or --technology: the file names its chips");
      }
      return run_silicon_validate(*silicon, o.calibration, o.out);
    }
    if (silicon->format_option->count() > 0) throw InputError("", 0, "--format", "applies to --silicon only");
    if (o.calibration.empty()) {
      throw InputError("", 0, "--calibration", "give --calibration (with --points or a workload), or --silicon FILE");
    }
    return run_validate(o);
  });
}

}  // namespace nasaic::cli
