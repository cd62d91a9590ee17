#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "common/json_input.hpp"
#include "cli/workload_inputs.hpp"
#include "common/error.hpp"
#include "common/table.hpp"
#include "common/text_file.hpp"
#include "dataflows/scalesim_report.hpp"
#include "dataflows/workload_cost.hpp"

namespace nasaic::cli {
namespace {

struct EstimateOptions {
  WorkloadInputs inputs;
  std::string schedule;
  bool refine = false;
  std::string calibration;
  std::string format = "text";
  std::string out;
};

Table layer_table(const WorkloadGraph& graph, Estimator& estimator, const WorkloadEstimate& estimate) {
  const ChipSpec& chip = estimator.chip();
  Table table;
  table.columns = {"network",
                   "layer",
                   "type",
                   "sub_accelerator",
                   "dataflow",
                   "start_cycle",
                   "end_cycle",
                   "cycles",
                   "compute_cycles",
                   "memory_cycles",
                   "ops",
                   "pe_util_pct",
                   "bandwidth_B_per_cycle",
                   "input_on_chip",
                   "dram_ifmap_B",
                   "dram_filter_B",
                   "dram_psum_read_B",
                   "dram_ofmap_write_B",
                   "energy_pJ",
                   "energy_mac_pJ",
                   "energy_rf_pJ",
                   "energy_sram_pJ",
                   "energy_dram_pJ",
                   "energy_interconnect_pJ",
                   "energy_static_pJ"};
  for (const auto& row : estimate.layers) {
    const std::size_t sub = static_cast<std::size_t>(row.sub);
    const Layer& layer = graph.layer(graph.id(row.ref));
    const LayerProfile& profile = estimator.profile(layer, sub);
    const double cycles = row.end - row.start;
    const EnergyBreakdown& energy = row.input_on_chip ? profile.energy_input_on_chip : profile.energy;
    table.add_row(
        {graph.workload->networks[static_cast<std::size_t>(row.ref.network)].name(),
         layer.name,
         std::string(layer_type_name(layer.type)),
         chip.sub_accelerators[sub].name,
         chip.sub_accelerators[sub].dataflow,
         row.start,
         row.end,
         cycles,
         row.timing.compute_cycles,
         row.timing.memory_cycles,
         profile.ops,
         cycles > 0 ? 100.0 * static_cast<double>(profile.ops) / (static_cast<double>(profile.pes) * cycles) : 0.0,
         std::isinf(row.bandwidth) ? -1.0 : row.bandwidth,
         std::int64_t{row.input_on_chip},
         row.input_on_chip ? std::int64_t{0} : profile.dram_read_bytes[0],
         profile.dram_read_bytes[1],
         profile.dram_read_bytes[2],
         profile.dram_write_bytes,
         row.energy_pj,
         energy.mac_pj,
         energy.register_file_pj,
         energy.sram_pj,
         energy.dram_pj,
         energy.interconnect_pj,
         static_energy_pj(chip.sub_accelerators[sub], chip.technology, row.timing.cycles)});
  }
  return table;
}

nlohmann::ordered_json summary_json(const ChipSpec& chip, const WorkloadEstimate& estimate) {
  nlohmann::ordered_json summary;
  summary["chip"] = chip.name;
  summary["makespan_cycles"] = estimate.makespan_cycles;
  summary["makespan_us"] = estimate.makespan_cycles / chip.clock_hz * 1e6;
  summary["energy_pJ"] = estimate.energy_pj;
  summary["area_um2"] = estimate.area_um2;
  nlohmann::ordered_json subs = nlohmann::ordered_json::array();
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    nlohmann::ordered_json sub;
    sub["name"] = chip.sub_accelerators[s].name;
    sub["dataflow"] = chip.sub_accelerators[s].dataflow;
    sub["busy_cycles"] = estimate.busy_cycles[s];
    sub["area_um2"] = sub_accelerator_area_um2(chip.sub_accelerators[s], chip.technology);
    subs.push_back(sub);
  }
  summary["sub_accelerators"] = subs;
  return summary;
}

// One SCALE-Sim COMPUTE_REPORT per systolic sub-accelerator, rows in run order.
void write_compute_reports(const std::string& dir, const WorkloadGraph& graph, Estimator& estimator,
                           const WorkloadEstimate& estimate) {
  const ChipSpec& chip = estimator.chip();
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    const SubAcceleratorSpec& sub = chip.sub_accelerators[s];
    if (sub.dataflow.rfind("systolic-", 0) != 0) continue;
    std::vector<ComputeReportRow> rows;
    for (const auto& row : estimate.layers) {
      if (static_cast<std::size_t>(row.sub) != s) continue;
      const LayerProfile& profile = estimator.profile(graph.layer(graph.id(row.ref)), s);
      ComputeReportRow report;
      report.layer_id = static_cast<std::int64_t>(rows.size());
      report.total_cycles =
          static_cast<std::int64_t>(std::ceil(row.end - row.start - 1e-9)) + profile.report_offset_cycles;
      report.stall_cycles =
          std::max<std::int64_t>(0, report.total_cycles - profile.compute_cycles - profile.report_offset_cycles);
      report.overall_util_pct = 100.0 * static_cast<double>(profile.ops) /
                                (static_cast<double>(report.total_cycles) * static_cast<double>(profile.pes));
      report.mapping_efficiency_pct = 100.0 * profile.mapping_efficiency;
      report.compute_util_pct = 100.0 * profile.compute_utilization;
      rows.push_back(report);
    }
    const std::string folder = chip.sub_accelerators.size() == 1 ? dir : dir + "/" + sub.name;
    write_text_file(folder + "/COMPUTE_REPORT.csv", compute_report_csv(rows));
  }
}

int run_estimate(const EstimateOptions& options) {
  check_writable_folder(options.out, "--out");
  auto [chip, workload] = load_workload_inputs(options.inputs);
  const SurrogateParams params = options.calibration.empty()
                                     ? SurrogateParams()
                                     : load_surrogate_params(options.calibration, chip.technology.hash);
  Estimator estimator(chip, params);
  const WorkloadGraph graph(workload);
  auto [schedule, estimate] = choose_schedule(options.schedule, options.refine, graph, estimator);
  if (estimate.deadlocked) {
    // A valid schedule that cannot complete: the same status as a simulation
    // that deadlocks.
    std::cerr << "nasaic: error: " << one_line(options.schedule + ": " + estimate.reason) << "\n";
    return 3;
  }
  if (!estimate.feasible) throw InputError(options.schedule, 0, "schedule", estimate.reason);

  const Table table = layer_table(graph, estimator, estimate);
  const nlohmann::ordered_json summary = summary_json(chip, estimate);
  if (!options.out.empty()) {
    write_text_file(options.out + "/layers.csv", table.to_csv());
    write_text_file(options.out + "/summary.json", dump_json(summary, 2) + "\n");
    write_text_file(options.out + "/schedule.yaml", schedule_to_yaml(schedule, workload, chip));
    write_compute_reports(options.out, graph, estimator, estimate);
  }
  switch (parse_output_format(options.format)) {
    case OutputFormat::csv:
      std::cout << table.to_csv();
      break;
    case OutputFormat::json: {
      nlohmann::ordered_json json = summary;
      json["layers"] = nlohmann::ordered_json::parse(table.to_json());
      std::cout << dump_json(json, 2) << "\n";
      break;
    }
    case OutputFormat::text: {
      std::cout << table.to_text() << "\n";
      char line[256];
      std::snprintf(line, sizeof line, "makespan: %.0f cycles (%.3f us at %.0f MHz)\nenergy: %.6g uJ\narea: %.6g mm2\n",
                    estimate.makespan_cycles, estimate.makespan_cycles / chip.clock_hz * 1e6, chip.clock_hz / 1e6,
                    estimate.energy_pj * 1e-6, estimate.area_um2 * 1e-6);
      std::cout << line;
      for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
        std::snprintf(line, sizeof line, "  %-12s %-12s busy %.0f cycles (%.1f %%)\n",
                      chip.sub_accelerators[s].name.c_str(), chip.sub_accelerators[s].dataflow.c_str(),
                      estimate.busy_cycles[s],
                      estimate.makespan_cycles > 0 ? 100.0 * estimate.busy_cycles[s] / estimate.makespan_cycles : 0.0);
        std::cout << line;
      }
      break;
    }
  }
  return 0;
}

}  // namespace

void add_estimate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* estimate =
      app.add_subcommand("estimate", "Estimate latency, energy and area with the analytical surrogate");
  auto options = std::make_shared<EstimateOptions>();
  add_workload_options(estimate, options->inputs);
  estimate->add_option("--schedule", options->schedule, "schedule YAML; default: nasaic's scheduler");
  add_refine_schedule_flag(estimate, options->refine);
  estimate->add_option("--calibration", options->calibration, "surrogate parameters (JSON) from nasaic calibrate");
  estimate->add_option("--format", options->format, "text, csv or json")->capture_default_str();
  estimate->add_option("--out", options->out,
                       "write layers.csv, summary.json, schedule.yaml and, for systolic sub-accelerators, "
                       "SCALE-Sim's COMPUTE_REPORT.csv here");
  estimate->footer(std::string(kExitStatusHelp) + 
      "Examples:\n"
      "  nasaic estimate --hw configs/chips/hetero-3.yaml --model resnet18 --model unet\n"
      "  nasaic estimate --scalesim-config scale.cfg --topology Resnet18.csv --out out/r18\n"
      "  nasaic estimate --hw configs/chips/hetero-2.yaml --model mobilenet_v2 --schedule my_schedule.yaml --format "
      "json");
  runners.emplace_back(estimate, [options] { return run_estimate(*options); });
}

}  // namespace nasaic::cli
