#pragma once
// The simulator's outputs: a per-layer table (text, CSV, JSON), a summary,
// and for systolic sub-accelerators SCALE-Sim v2's COMPUTE_REPORT.csv and
// BANDWIDTH_REPORT.csv.
#include <string>

#include "common/table.hpp"
#include "sim/simulator.hpp"

namespace nasaic {

Table simulation_layer_table(const SimulationResult& result, const ChipSpec& chip, const Workload& workload);
std::string simulation_summary_json(const SimulationResult& result, const ChipSpec& chip);
// Writes layers.csv, summary.json and the SCALE-Sim reports into `dir`.
void write_simulation_outputs(const std::string& dir, const SimulationResult& result, const ChipSpec& chip,
                              const Workload& workload);

}  // namespace nasaic
