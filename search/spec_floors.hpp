#pragma once
// Floors under the latency and energy any design of a search spec can reach,
// so that a spec no design can meet is refused before anything is trained.
//
// Sound, not tight. The PE arrays must perform every multiply of every
// network: at least the fewest any network of each task's space needs, with
// 3x3 convolutions at Winograd F(2x2, 3x3)'s 2.25x fewer multiplies when an
// NVDLA-style template may run them (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", CVPR 2016). A PE performs at most one
// multiply per cycle (every template's compute cycles x PEs >= its ops,
// tested in dataflow_templates_test), so:
//   latency >= multiplies / (PEs of the whole chip x clock) x compute_scale,
//   energy  >= multiplies x (MAC + register-file energy at the layer's bits).
// DRAM, buffers, static energy, idle PEs and dependencies only add to both.
#include <optional>
#include <vector>

#include "search/search_spec.hpp"

namespace nasaic {

struct SpecFloors {
  // nullopt when no sound floor exists: the space is too large to bound
  // (SearchSpace::least_cost), or, for latencies, the surrogate's parameters
  // give a template in the space a negative per-tile overhead.
  std::optional<double> makespan_seconds;
  std::vector<std::optional<double>> task_latency_seconds;  // per task
  std::optional<double> energy_pj;
  std::int64_t pes = 0;  // the most PEs a chip of the space has
  double clock_hz = 0;
};

SpecFloors spec_floors(const SearchSpec& spec);

}  // namespace nasaic
