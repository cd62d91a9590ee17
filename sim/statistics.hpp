#pragma once
// What the simulator measures, per layer and per sub-accelerator. Cycle
// counts satisfy, for every layer,
//   end − start = compute + port stall + DRAM stall + contention stall + dependency stall.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "dataflows/layer_cost.hpp"
#include "dataflows/schedule.hpp"
#include "noc/dram_channel.hpp"

namespace nasaic {

struct LayerStats {
  LayerRef ref;
  int sub = 0;
  bool input_on_chip = false;
  Cycle start = 0;       // the sub-accelerator was free for this layer
  Cycle end = 0;         // last write-back done
  std::int64_t compute_cycles = 0;          // PE busy computing (exact per template)
  std::int64_t port_stall_cycles = 0;       // extra cycles buffer ports needed
  std::int64_t dram_stall_cycles = 0;       // waiting for DRAM transfers (bandwidth, latency)
  std::int64_t contention_stall_cycles = 0; // of which the channel served other sub-accelerators
  std::int64_t dependency_stall_cycles = 0; // waiting for producer layers
  std::int64_t report_offset_cycles = 0;    // see TilePlan
  std::int64_t tiles = 0;
  std::int64_t ops = 0;
  std::int64_t macs = 0;
  std::int64_t pes = 0;
  ActivityCounts activity;  // buffer accesses and DRAM bytes as executed
  EnergyBreakdown energy;
  // Functional mode: MACs performed on real operands, and a hash of the
  // int32 output tensor.
  std::int64_t functional_macs = -1;
  std::uint64_t output_hash = 0;

  std::int64_t cycles() const { return end - start; }
};

// One span of a sub-accelerator's PE array, for timelines.
struct PhaseRecord {
  enum class Kind { compute, dram_wait };
  Kind kind = Kind::compute;
  int sub = 0;
  LayerRef ref;
  std::int64_t tile = 0;
  Cycle start = 0, end = 0;
};

struct SubAcceleratorStats {
  std::string name;
  std::int64_t busy_cycles = 0;  // Σ layer cycles
  std::int64_t dram_bytes = 0;
  std::int64_t contention_cycles = 0;
};

}  // namespace nasaic
