#pragma once
// SCALE-Sim v2's COMPUTE_REPORT.csv, byte for byte in format, so users can
// diff nasaic's figures against a SCALE-Sim run with their own scripts.
#include <cstdint>
#include <string>
#include <vector>

namespace nasaic {

struct ComputeReportRow {
  std::int64_t layer_id = 0;
  std::int64_t total_cycles = 0;
  std::int64_t stall_cycles = 0;
  double overall_util_pct = 0;
  double mapping_efficiency_pct = 0;
  double compute_util_pct = 0;
};

inline constexpr const char* kComputeReportHeader =
    "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,";

std::string compute_report_csv(const std::vector<ComputeReportRow>& rows);

// A double as Python's repr() prints it (shortest round trip, "100.0",
// "1e-05"), which is how SCALE-Sim writes its percentages.
std::string python_float(double value);

}  // namespace nasaic
