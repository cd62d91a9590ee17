#include "dataflows/scalesim_config.hpp"

#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {

int scalesim_config(std::string_view input) {
  return accept_or_reject([&] { derive_quantities(parse_scalesim_config(std::string(input), "fuzz.cfg").chip); });
}

}  // namespace nasaic::fuzz
