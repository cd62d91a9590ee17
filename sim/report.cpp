#include "sim/report.hpp"
#include "common/json_input.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "common/text_file.hpp"
#include "dataflows/mapper.hpp"
#include "dataflows/scalesim_report.hpp"
#include "dataflows/tile_plan.hpp"

namespace nasaic {
namespace {

std::string fnv_text(std::uint64_t hash) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

}  // namespace

Table simulation_layer_table(const SimulationResult& result, const ChipSpec& chip, const Workload& workload) {
  Table table;
  table.columns = {"network",           "layer",           "sub_accelerator",      "start_cycle",
                   "end_cycle",         "cycles",          "compute_cycles",       "stall_dram_cycles",
                   "stall_contention_cycles", "stall_buffer_port_cycles", "stall_dependency_cycles", "ops",
                   "pe_util_pct",       "input_on_chip",   "dram_ifmap_B",         "dram_filter_B",
                   "dram_psum_read_B",  "dram_ofmap_write_B", "buffer_ifmap_reads", "buffer_filter_reads",
                   "buffer_ofmap_writes", "energy_pJ",     "energy_mac_pJ",        "energy_rf_pJ",
                   "energy_sram_pJ",    "energy_dram_pJ",  "energy_interconnect_pJ", "energy_static_pJ", "functional_macs",
                   "output_hash"};
  for (const auto& l : result.layers) {
    const Network& net = workload.networks[static_cast<std::size_t>(l.ref.network)];
    const double cycles = static_cast<double>(l.cycles());
    table.add_row({net.name(), net.layer(static_cast<std::size_t>(l.ref.layer)).name,
                   chip.sub_accelerators[static_cast<std::size_t>(l.sub)].name, l.start, l.end, l.cycles(),
                   l.compute_cycles, l.dram_stall_cycles, l.contention_stall_cycles, l.port_stall_cycles,
                   l.dependency_stall_cycles, l.ops,
                   cycles > 0 ? 100.0 * static_cast<double>(l.ops) / (static_cast<double>(l.pes) * cycles) : 0.0,
                   std::int64_t{l.input_on_chip}, l.activity.dram_read_bytes[0], l.activity.dram_read_bytes[1],
                   l.activity.dram_read_bytes[2], l.activity.dram_write_bytes, l.activity.buffer_reads[0],
                   l.activity.buffer_reads[1], l.activity.buffer_writes[2], l.energy.total_pj(), l.energy.mac_pj,
                   l.energy.register_file_pj, l.energy.sram_pj, l.energy.dram_pj, l.energy.interconnect_pj,
                   l.energy.static_pj, l.functional_macs, l.functional_macs < 0 ? std::string() : fnv_text(l.output_hash)});
  }
  return table;
}

std::string simulation_summary_json(const SimulationResult& result, const ChipSpec& chip) {
  nlohmann::ordered_json summary;
  summary["chip"] = chip.name;
  summary["completed"] = result.completed;
  if (!result.completed) summary["failure"] = result.failure;
  summary["makespan_cycles"] = result.makespan_cycles;
  summary["makespan_us"] = static_cast<double>(result.makespan_cycles) / chip.clock_hz * 1e6;
  summary["energy_pJ"] = result.energy_pj;
  summary["area_um2"] = result.area_um2;
  summary["wall_seconds"] = result.wall_seconds;
  summary["module_activations"] = result.activations;
  nlohmann::ordered_json subs = nlohmann::ordered_json::array();
  for (const auto& sub : result.subs) {
    subs.push_back({{"name", sub.name},
                    {"busy_cycles", sub.busy_cycles},
                    {"dram_bytes", sub.dram_bytes},
                    {"contention_cycles", sub.contention_cycles}});
  }
  summary["sub_accelerators"] = subs;
  return dump_json(summary, 2) + "\n";
}

void write_simulation_outputs(const std::string& dir, const SimulationResult& result, const ChipSpec& chip,
                              const Workload& workload) {
  write_text_file(dir + "/layers.csv", simulation_layer_table(result, chip, workload).to_csv());
  write_text_file(dir + "/summary.json", simulation_summary_json(result, chip));
  Mapper mapper(chip);
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    const SubAcceleratorSpec& sub = chip.sub_accelerators[s];
    if (sub.dataflow.rfind("systolic-", 0) != 0) continue;
    std::vector<ComputeReportRow> compute;
    std::string bandwidth =
        "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, "
        "Avg OFMAP DRAM BW,\n";
    for (const auto& l : result.layers) {
      if (static_cast<std::size_t>(l.sub) != s) continue;
      // SCALE-Sim times a layer from its first to its last cycle; waiting for
      // producers is not part of it.
      const std::int64_t busy = l.cycles() - l.dependency_stall_cycles;
      ComputeReportRow row;
      row.layer_id = static_cast<std::int64_t>(compute.size());
      row.total_cycles = busy + l.report_offset_cycles;
      row.stall_cycles = busy - l.compute_cycles;
      row.overall_util_pct = 100.0 * static_cast<double>(l.ops) /
                             (static_cast<double>(row.total_cycles) * static_cast<double>(l.pes));
      const Layer& layer = workload.networks[static_cast<std::size_t>(l.ref.network)].layer(static_cast<std::size_t>(l.ref.layer));
      const TilePlan plan = mapper.plan(layer, s);
      row.mapping_efficiency_pct = 100.0 * plan.mapping_efficiency;
      row.compute_util_pct = 100.0 * plan.compute_utilization;
      compute.push_back(row);
      // Words per cycle, one-byte words as SCALE-Sim counts them.
      const double cycles = static_cast<double>(std::max<std::int64_t>(1, row.total_cycles));
      const double bytes_per_word = static_cast<double>((layer.bits + 7) / 8);
      bandwidth += std::to_string(row.layer_id) + ", " +
                   python_float(static_cast<double>(l.activity.buffer_reads[0]) / cycles) + ", " +
                   python_float(static_cast<double>(l.activity.buffer_reads[1]) / cycles) + ", " +
                   python_float(static_cast<double>(l.activity.buffer_writes[2]) / cycles) + ", " +
                   python_float(static_cast<double>(l.activity.dram_read_bytes[0]) / bytes_per_word / cycles) + ", " +
                   python_float(static_cast<double>(l.activity.dram_read_bytes[1]) / bytes_per_word / cycles) + ", " +
                   python_float(static_cast<double>(l.activity.dram_write_bytes + l.activity.dram_read_bytes[2]) /
                                bytes_per_word / cycles) +
                   ",\n";
    }
    const std::string folder = chip.sub_accelerators.size() == 1 ? dir : dir + "/" + sub.name;
    write_text_file(folder + "/COMPUTE_REPORT.csv", compute_report_csv(compute));
    write_text_file(folder + "/BANDWIDTH_REPORT.csv", bandwidth);
  }
}

}  // namespace nasaic
