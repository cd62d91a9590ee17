#include "dataflows/surrogate_params.hpp"
#include "dataflows/technology.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {
namespace {
volatile double sink;
}

int calibration_json(std::string_view input) {
  // The built-in table's hash, so the committed default calibration (a seed)
  // gets past the hash check to its parameters.
  static const std::string hash = builtin_technology().hash;
  const std::string path = scratch_file("calibration.json", input);
  return accept_or_reject([&] {
    for (const auto& [name, value] : load_surrogate_params(path, hash).named()) sink = value;
  });
}

}  // namespace nasaic::fuzz
