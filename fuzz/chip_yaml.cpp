#include "dataflows/chip_spec.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {

// load_chip_spec reads a path (the technology file is relative to it), so
// the input goes through a file; seeds say `technology: built-in`.
int chip_yaml(std::string_view input) {
  const std::string path = scratch_file("chip.yaml", input);
  return accept_or_reject([&] { derive_quantities(load_chip_spec(path)); });
}

}  // namespace nasaic::fuzz
