#include "common/config_node.hpp"
#include "dataflows/technology.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {
namespace {
volatile double sink;
}

int technology_yaml(std::string_view input) {
  return accept_or_reject([&] {
    const Technology technology = parse_technology(ConfigNode::load_string(std::string(input), "fuzz.yaml"));
    for (int bits : {4, 8, 16, 32}) {
      sink = technology.mac_energy_pj(bits);
      sink = technology.mac_area_um2(bits);
    }
    for (double kib : {1.0, 64.0, 1024.0}) sink = technology.sram_read_pj_per_64b(kib);
    sink = static_cast<double>(technology_to_yaml(technology).size());
  });
}

}  // namespace nasaic::fuzz
