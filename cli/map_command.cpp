// nasaic map: what the mapper chooses for every layer of a workload on every
// sub-accelerator of a chip, beside the greedy rule's choice.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/workload_inputs.hpp"
#include "common/error.hpp"
#include "common/json_input.hpp"
#include "common/table.hpp"
#include "dataflows/mapper.hpp"

namespace nasaic::cli {
namespace {

struct MapOptions {
  WorkloadInputs inputs;
  std::string sub;  // empty: every sub-accelerator
  std::string format = "text";
};

double utilization_pct(const Layer& layer, const MappingResult& result, std::int64_t pes) {
  const double cycles = result.score.latency_cycles;
  return cycles > 0 ? 100.0 * static_cast<double>(layer.macs() > 0 ? layer.macs() : result.profile.ops) /
                          (cycles * static_cast<double>(pes))
                    : 0.0;
}

int run_map(const MapOptions& options) {
  auto [chip, workload] = load_workload_inputs(options.inputs);
  const OutputFormat format = parse_output_format(options.format);
  std::vector<std::size_t> subs;
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    if (options.sub.empty() || chip.sub_accelerators[s].name == options.sub) subs.push_back(s);
  }
  if (subs.empty()) {
    std::string known;
    for (const auto& sub : chip.sub_accelerators) known += (known.empty() ? "" : ", ") + sub.name;
    throw InputError("", 0, "--sub", "no sub-accelerator named '" + options.sub + "'; the chip has " + known);
  }
  const Mapper mapper(chip);
  Table table;
  table.columns = {"network",       "layer",         "sub_accelerator",  "dataflow",          "loop_nest",
                   "spatial",       "latency_cycles", "energy_pJ",       "util_pct",          "dram_ifmap_B",
                   "dram_filter_B", "dram_psum_read_B", "dram_ofmap_write_B", "greedy_loop_nest", "greedy_latency_cycles",
                   "greedy_energy_pJ", "greedy_util_pct", "greedy_dram_B", "speedup",          "mappings_in_space",
                   "mappings_costed", "note"};
  struct SubTotals {
    double latency = 0, greedy_latency = 0, util = 0, greedy_util = 0;
    std::int64_t layers = 0;
  };
  std::vector<SubTotals> totals(chip.sub_accelerators.size());
  for (const Network& net : workload.networks) {
    for (std::size_t l = 0; l < net.size(); ++l) {
      const Layer& layer = net.layer(l);
      for (std::size_t s : subs) {
        const SubAcceleratorSpec& sub = chip.sub_accelerators[s];
        const MappingResult chosen = mapper.map(layer, s, chip.mapping.mode);
        const MappingResult greedy = mapper.map(layer, s, MappingMode::greedy);
        if (!chosen.plan.feasible) {
          table.add_row({net.name(), layer.name, sub.name, sub.dataflow, std::string("-"), std::string("-"), 0.0, 0.0,
                         0.0, std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::int64_t{0}, std::string("-"),
                         0.0, 0.0, 0.0, std::int64_t{0}, 0.0, chosen.space_size, chosen.costed,
                         "does not fit: " + chosen.plan.reason});
          continue;
        }
        const auto& p = chosen.profile;
        const double util = utilization_pct(layer, chosen, sub.pes());
        const bool greedy_fits = greedy.plan.feasible;
        const double greedy_util = greedy_fits ? utilization_pct(layer, greedy, sub.pes()) : 0.0;
        const double speedup = greedy_fits ? greedy.score.latency_cycles / chosen.score.latency_cycles : 0.0;
        table.add_row({net.name(), layer.name, sub.name, sub.dataflow, describe_loops(chosen.plan),
                       mapper.dataflow(s).describe_spatial(layer, sub, chosen.plan.mapping.spatial),
                       chosen.score.latency_cycles, chosen.score.energy_pj, util, p.dram_read_bytes[0],
                       p.dram_read_bytes[1], p.dram_read_bytes[2], p.dram_write_bytes,
                       greedy_fits ? describe_loops(greedy.plan) : std::string("-"),
                       greedy_fits ? greedy.score.latency_cycles : 0.0, greedy_fits ? greedy.score.energy_pj : 0.0,
                       greedy_util,
                       greedy_fits ? greedy.profile.dram_read_bytes[0] + greedy.profile.dram_read_bytes[1] +
                                         greedy.profile.dram_read_bytes[2] + greedy.profile.dram_write_bytes
                                   : std::int64_t{0},
                       speedup, chosen.space_size, chosen.costed,
                       greedy_fits ? std::string(chosen.exhaustive ? "exhaustive" : "pruned")
                                   : "greedy does not fit: " + greedy.plan.reason});
        if (greedy_fits) {
          SubTotals& t = totals[s];
          t.latency += chosen.score.latency_cycles;
          t.greedy_latency += greedy.score.latency_cycles;
          t.util += util;
          t.greedy_util += greedy_util;
          ++t.layers;
        }
      }
    }
  }
  switch (format) {
    case OutputFormat::csv: std::cout << table.to_csv(); break;
    case OutputFormat::json: {
      nlohmann::ordered_json json;
      json["mapping"] = {{"mode", mapping_mode_name(chip.mapping.mode)},
                         {"objective", mapping_objective_name(chip.mapping.objective)}};
      json["layers"] = nlohmann::ordered_json::parse(table.to_json());
      std::cout << dump_json(json, 2) << "\n";
      break;
    }
    case OutputFormat::text: {
      std::cout << table.to_text() << "\n";
      std::cout << "mapping: " << mapping_mode_name(chip.mapping.mode) << ", objective "
                << mapping_objective_name(chip.mapping.objective) << "\n";
      for (std::size_t s : subs) {
        const SubTotals& t = totals[s];
        if (t.layers == 0) continue;
        char line[256];
        std::snprintf(line, sizeof line,
                      "  %-12s %-12s sum of layer latencies %.0f cycles (greedy %.0f, %.2fx); mean utilisation "
                      "%.1f %% (greedy %.1f %%)\n",
                      chip.sub_accelerators[s].name.c_str(), chip.sub_accelerators[s].dataflow.c_str(), t.latency,
                      t.greedy_latency, t.latency > 0 ? t.greedy_latency / t.latency : 0.0,
                      t.util / static_cast<double>(t.layers), t.greedy_util / static_cast<double>(t.layers));
        std::cout << line;
      }
      break;
    }
  }
  return 0;
}

}  // namespace

void add_map_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* command = app.add_subcommand(
      "map", "Print the mapper's choice for every layer on every sub-accelerator, beside the greedy rule's");
  auto options = std::make_shared<MapOptions>();
  add_workload_options(command, options->inputs);
  command->add_option("--sub", options->sub, "only this sub-accelerator (by name)");
  command->add_option("--format", options->format, "text, csv or json")->capture_default_str();
  command->footer(kExitStatusHelp);
  runners.emplace_back(command, [options] { return run_map(*options); });
}

}  // namespace nasaic::cli
