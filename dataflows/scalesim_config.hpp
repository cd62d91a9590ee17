#pragma once
// Reads a SCALE-Sim v2 .cfg so users can point nasaic at the config they have.
// Sections and keys (names are case-insensitive, ':' or '=' separate values):
//   [general]               run_name
//   [architecture_presets]  ArrayHeight, ArrayWidth, IfmapSramSzkB,
//                           FilterSramSzkB, OfmapSramSzkB, IfmapOffset,
//                           FilterOffset, OfmapOffset, Dataflow (os|ws|is),
//                           Bandwidth (words/cycle), MemoryBanks (optional, 1)
//   [run_presets]           InterfaceBandwidth (CALC|USER)
//   [network_presets]       TopologyCsvLoc (optional)
// SRAM sizes are in kB of 1024 one-byte words, as SCALE-Sim counts them. The
// result is a one-sub-accelerator chip: CALC gives ideal DRAM bandwidth
// (SCALE-Sim's stall-free mode); USER gives each of SCALE-Sim's three operand
// interfaces `Bandwidth` words per cycle, so the shared channel gets three
// times that. SCALE-Sim has no clock; cycles are reported at 1 GHz.
#include <string>

#include "dataflows/chip_spec.hpp"

namespace nasaic {

struct ScalesimConfig {
  std::string run_name;
  bool calc_bandwidth = true;  // InterfaceBandwidth: CALC
  std::string topology;        // TopologyCsvLoc, if given
  ChipSpec chip;
};

ScalesimConfig load_scalesim_config(const std::string& path);
ScalesimConfig parse_scalesim_config(const std::string& text, const std::string& label);

}  // namespace nasaic
