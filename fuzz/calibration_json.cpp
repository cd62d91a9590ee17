#include "dataflows/surrogate_params.hpp"
#include "dataflows/technology.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "sim/calibration.hpp"

namespace nasaic::fuzz {
namespace {
volatile double sink;
}

int calibration_json(std::string_view input) {
  // The built-in table's hash, so the committed default calibration (a seed)
  // gets past the hash check to its parameters.
  static const std::string hash = builtin_technology().hash;
  const std::string path = scratch_file("calibration.json", input);
  accept_or_reject([&] {
    for (const auto& [name, value] : load_surrogate_params(path, hash).named()) sink = value;
  });
  // calibrate --update and validate --points read the same file for its
  // record too; each use rejects on its own.
  for (CalibrationUse use : {CalibrationUse::refit, CalibrationUse::validate}) {
    accept_or_reject([&] { sink = static_cast<double>(load_calibration_record(path, hash, use).holdout.size()); });
  }
  return 0;
}

}  // namespace nasaic::fuzz
