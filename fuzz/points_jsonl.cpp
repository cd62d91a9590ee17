#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "sim/calibration.hpp"

namespace nasaic::fuzz {
namespace {
volatile std::size_t sink;
}

int points_jsonl(std::string_view input) {
  const std::string path = scratch_file("points.jsonl", input);
  return accept_or_reject([&] {
    for (const DesignPoint& point : load_points(path)) {
      // validate and calibrate --update rebuild each point's layers and
      // write the points back.
      for (const DesignPoint::Sub& sub : point.subs) sink = static_cast<std::size_t>(sub.layer.macs());
      sink = point_to_json(point).dump().size();
    }
  });
}

}  // namespace nasaic::fuzz
