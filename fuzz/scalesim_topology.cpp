#include "models/scalesim_topology.hpp"

#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {

int scalesim_topology(std::string_view input) {
  return accept_or_reject([&] { derive_quantities(parse_scalesim_topology(std::string(input), "fuzz.csv", "fuzz")); });
}

}  // namespace nasaic::fuzz
