#include "models/network_yaml.hpp"

#include "common/config_node.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {

int network_yaml(std::string_view input) {
  return accept_or_reject(
      [&] { derive_quantities(parse_network_yaml(ConfigNode::load_string(std::string(input), "fuzz.yaml"))); });
}

}  // namespace nasaic::fuzz
