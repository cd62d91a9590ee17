#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "common/json_input.hpp"
#include "cli/workload_inputs.hpp"
#include "common/error.hpp"
#include "common/text_file.hpp"
#include "dataflows/workload_cost.hpp"
#include "sim/report.hpp"

namespace nasaic::cli {
namespace {

struct SimulateOptions {
  WorkloadInputs inputs;
  std::string schedule;
  bool refine = false;
  std::string mode = "skip";
  std::string format = "text";
  std::string out;
  std::string vcd;
  std::string timeline;
  std::int64_t watchdog = 10'000'000;
  bool quiet = false;
  bool functional = false;
  std::uint64_t seed = 1;
};

// A Chrome trace-event file (opens in Perfetto): one process per
// sub-accelerator with a layer track (a slice per layer and per dependency
// wait) and a tile track (a slice per tile computed and per wait for DRAM);
// 1 µs = 1 cycle.
std::string timeline_json(const SimulationResult& result, const ChipSpec& chip, const Workload& workload) {
  nlohmann::ordered_json events = nlohmann::ordered_json::array();
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    events.push_back(
        {{"name", "process_name"},
         {"ph", "M"},
         {"pid", s},
         {"args", {{"name", chip.sub_accelerators[s].name + " (" + chip.sub_accelerators[s].dataflow + ")"}}}});
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", s}, {"tid", 0}, {"args", {{"name", "layers"}}}});
    events.push_back({{"name", "thread_name"}, {"ph", "M"}, {"pid", s}, {"tid", 1}, {"args", {{"name", "tiles"}}}});
  }
  for (const auto& l : result.layers) {
    const Network& net = workload.networks[static_cast<std::size_t>(l.ref.network)];
    const std::string name = net.name() + ":" + net.layer(static_cast<std::size_t>(l.ref.layer)).name;
    if (l.dependency_stall_cycles > 0) {
      events.push_back({{"name", "wait " + name},
                        {"cat", "dependency"},
                        {"ph", "X"},
                        {"pid", l.sub},
                        {"tid", 0},
                        {"ts", l.start},
                        {"dur", l.dependency_stall_cycles}});
    }
    events.push_back({{"name", name},
                      {"cat", "layer"},
                      {"ph", "X"},
                      {"pid", l.sub},
                      {"tid", 0},
                      {"ts", l.start + l.dependency_stall_cycles},
                      {"dur", l.cycles() - l.dependency_stall_cycles},
                      {"args",
                       {{"compute_cycles", l.compute_cycles},
                        {"stall_dram_cycles", l.dram_stall_cycles},
                        {"stall_contention_cycles", l.contention_stall_cycles},
                        {"stall_buffer_port_cycles", l.port_stall_cycles},
                        {"tiles", l.tiles}}}});
  }
  for (const auto& phase : result.phases) {
    const bool compute = phase.kind == PhaseRecord::Kind::compute;
    events.push_back({{"name", compute ? "tile " + std::to_string(phase.tile) : std::string("wait DRAM")},
                      {"cat", compute ? "compute" : "dram"},
                      {"ph", "X"},
                      {"pid", phase.sub},
                      {"tid", 1},
                      {"ts", phase.start},
                      {"dur", phase.end - phase.start}});
  }
  nlohmann::ordered_json trace;
  trace["traceEvents"] = events;
  trace["displayTimeUnit"] = "ns";
  return dump_json(trace, 1) + "\n";
}

int run_simulate(const SimulateOptions& options) {
  auto [chip, workload] = load_workload_inputs(options.inputs);
  SimulationOptions sim;
  if (options.mode == "skip") {
    sim.mode = TimeMode::skip_ahead;
  } else if (options.mode == "lockstep") {
    sim.mode = TimeMode::lockstep;
  } else {
    throw InputError("", 0, "--mode", "unknown mode '" + options.mode + "'; known: skip, lockstep");
  }
  if (options.watchdog < 1) throw InputError("", 0, "--watchdog", "must be at least 1 cycle");
  sim.watchdog_cycles = options.watchdog;
  sim.vcd_path = options.vcd;
  sim.functional = options.functional;
  sim.record_phases = !options.timeline.empty();
  sim.seed = options.seed;
  sim.progress = !options.quiet && ::isatty(STDERR_FILENO);
  const OutputFormat format = parse_output_format(options.format);
  // Before the run, so an unwritable path costs a second, not the run.
  check_writable_folder(options.out, "--out");
  check_writable_file(options.vcd, "--vcd");
  check_writable_file(options.timeline, "--timeline");

  const WorkloadGraph graph(workload);
  Estimator estimator(chip, SurrogateParams());
  const ScheduleChoice choice = choose_schedule(options.schedule, options.refine, graph, estimator);
  const Schedule& schedule = choice.schedule;
  if (choice.estimate.feasible) sim.expected_cycles = choice.estimate.makespan_cycles;
  const SimulationResult result = simulate(chip, workload, schedule, sim);

  if (!options.out.empty()) {
    write_simulation_outputs(options.out, result, chip, workload);
    write_text_file(options.out + "/schedule.yaml", schedule_to_yaml(schedule, workload, chip));
  }
  if (!options.timeline.empty()) write_text_file(options.timeline, timeline_json(result, chip, workload));
  const Table table = simulation_layer_table(result, chip, workload);
  switch (format) {
    case OutputFormat::csv:
      std::cout << table.to_csv();
      break;
    case OutputFormat::json: {
      nlohmann::ordered_json json = nlohmann::ordered_json::parse(simulation_summary_json(result, chip));
      json["layers"] = nlohmann::ordered_json::parse(table.to_json());
      std::cout << dump_json(json, 2) << "\n";
      break;
    }
    case OutputFormat::text: {
      std::cout << table.to_text() << "\n";
      char line[256];
      std::snprintf(line, sizeof line, "makespan: %lld cycles (%.3f us at %.0f MHz)\nenergy: %.6g uJ\narea: %.6g mm2\n",
                    static_cast<long long>(result.makespan_cycles),
                    static_cast<double>(result.makespan_cycles) / chip.clock_hz * 1e6, chip.clock_hz / 1e6,
                    result.energy_pj * 1e-6, result.area_um2 * 1e-6);
      std::cout << line;
      break;
    }
  }
  if (!result.completed) {
    std::cerr << "nasaic: simulation failed: " << result.failure << "\n";
    return 3;
  }
  return 0;
}

}  // namespace

void add_simulate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* command = app.add_subcommand("simulate", "Run the cycle-level SystemC simulator");
  auto options = std::make_shared<SimulateOptions>();
  add_workload_options(command, options->inputs);
  command->add_option("--schedule", options->schedule, "schedule YAML; default: the surrogate's scheduler");
  add_refine_schedule_flag(command, options->refine);
  command->add_option("--mode", options->mode, "skip (skip-ahead) or lockstep; both give the same cycles")
      ->capture_default_str();
  command->add_option("--format", options->format, "text, csv or json")->capture_default_str();
  command->add_option("--out", options->out,
                      "write layers.csv, summary.json, schedule.yaml and, for systolic sub-accelerators, "
                      "SCALE-Sim's COMPUTE_REPORT.csv and BANDWIDTH_REPORT.csv here");
  command->add_option("--vcd", options->vcd, "trace PE activity, tiles and DRAM activity to a VCD file");
  command->add_option("--timeline", options->timeline, "write a Chrome trace-event JSON (opens in Perfetto)");
  command->add_option("--watchdog", options->watchdog, "stop after this many cycles without progress")
      ->capture_default_str();
  command->add_flag("--quiet", options->quiet, "no progress bar");
  command->add_flag("--functional", options->functional,
                    "also run every MAC layer on seeded random int8 operands in its template's MAC order "
                    "(int32 accumulation); reports MACs performed and an output hash per layer");
  command->add_option("--seed", options->seed, "seed of the functional operands")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->footer(std::string(kExitStatusHelp) +
      "Examples:\n"
      "  nasaic simulate --hw configs/chips/hetero-3.yaml --model resnet18 --model unet --out out/sim\n"
      "  nasaic simulate --scalesim-config scale.cfg --topology Resnet50.csv --out out/r50\n"
      "  nasaic simulate --hw configs/chips/hetero-2.yaml --model resnet20 --mode lockstep --timeline t.json");
  runners.emplace_back(command, [options] { return run_simulate(*options); });
}

}  // namespace nasaic::cli
