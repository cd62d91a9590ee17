#include "fuzz/fuzz_targets.hpp"

#include <array>

namespace nasaic::fuzz {

std::span<const Target> all_targets() {
  static constexpr std::array<Target, 9> kTargets = {{
      {"scalesim_topology", scalesim_topology},
      {"scalesim_config", scalesim_config},
      {"chip_yaml", chip_yaml},
      {"technology_yaml", technology_yaml},
      {"network_yaml", network_yaml},
      {"schedule_yaml", schedule_yaml},
      {"calibration_json", calibration_json},
      {"points_jsonl", points_jsonl},
      {"silicon_validation", silicon_validation},
  }};
  return kTargets;
}

}  // namespace nasaic::fuzz
