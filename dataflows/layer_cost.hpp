#pragma once
// The surrogate for one layer on one sub-accelerator, in closed form over the
// template's tile plan.
//
// A profile is everything that does not depend on the DRAM bandwidth the
// layer will get: per tile class its count, exact compute cycles and DRAM
// bytes (rounded up to whole bursts per transfer), plus energy and
// utilisation. Latency for a given bandwidth is then a sum over at most 32
// classes, so a schedule can re-time a cached profile under contention.
//
// Latency model. Buffers are double-buffered: tile i's loads are issued as
// soon as tile i − 2 has left the PE array, so two tiles are in flight:
//   prologue  DRAM latency + the first tile's loads
//   body      per class, tiles that load something take
//               max(max(compute, memory) + (1 − overlap)·min(compute, memory),
//                   (compute + memory + latency) / 2)
//             and the others max(compute, memory), where memory is the
//             class's DRAM bytes (loads, partial sums, write-backs) per
//             loading tile over the bandwidth
//   epilogue  the last tile's write-back and its latency
// leaving the prologue's loads and the epilogue's write-back out of the
// classes (a single-tile layer is load + compute + store)
// where compute = compute_scale·cycles + tile_overhead and memory = bytes /
// (bandwidth·dram_efficiency). Energy = Σ accesses × the technology table;
// area = PEs + SRAM + an interconnect port.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/surrogate_params.hpp"

namespace nasaic {

struct EnergyBreakdown {
  double mac_pj = 0, register_file_pj = 0, sram_pj = 0, dram_pj = 0, interconnect_pj = 0;
  double total_pj() const { return mac_pj + register_file_pj + sram_pj + dram_pj + interconnect_pj; }
};

struct ProfileClass {
  std::int64_t count = 0;
  std::int64_t compute_cycles = 0;  // per tile, at least what the buffer ports need (tile_port_cycles)
  // Mean DRAM bytes per tile of this class, without the prologue and epilogue
  // transfers: ifmap loads, and the rest (filter loads, partial-sum reads,
  // ofmap write-backs).
  double ifmap_bytes_per_tile = 0;
  double other_bytes_per_tile = 0;
  // Tiles of the class that load or write back something (so wait on a DRAM
  // round trip), with and without counting ifmap loads.
  std::int64_t loading_tiles = 0;
  std::int64_t loading_tiles_without_ifmap = 0;
};

struct LayerProfile {
  bool feasible = true;
  std::string reason;
  int template_index = 0;
  int class_count = 0;
  // Sized to the plan's classes: most layers have a handful, and a search
  // keeps many profiles cached.
  std::vector<ProfileClass> classes;
  std::int64_t fixed_cycles = 0;
  std::int64_t report_offset_cycles = 0;  // see TilePlan
  double first_load_bytes = 0;  // the first tile's loads, ifmap part separately
  double first_load_ifmap_bytes = 0;
  double last_store_bytes = 0;

  std::int64_t tiles = 0;
  std::int64_t compute_cycles = 0;  // stall-free, exact: Σ tiles + fixed
  std::int64_t port_stall_cycles = 0;  // Σ tiles of what buffer ports add
  std::int64_t ops = 0;
  std::int64_t macs = 0;
  std::int64_t pes = 0;
  std::array<std::int64_t, kOperands> dram_read_bytes{};  // burst-rounded; ofmap = partial sums read back
  std::int64_t dram_write_bytes = 0;
  std::array<std::int64_t, kOperands> buffer_reads{};
  std::array<std::int64_t, kOperands> buffer_writes{};
  double mapping_efficiency = 0;
  double compute_utilization = 0;
  EnergyBreakdown energy;
  // The same when the input is already on chip (no ifmap DRAM loads or fills).
  EnergyBreakdown energy_input_on_chip;
};

LayerProfile profile_layer(const Layer& layer, const SubAcceleratorSpec& sub, const Technology& technology,
                           std::int64_t burst_bytes, const DataflowTemplate& dataflow, int template_index);

// Energy of a layer's activity on `sub`: operations, PE register and buffer
// accesses (array side), and DRAM traffic (its fills and drains also access
// the buffers). Shared by the surrogate and the simulator.
struct ActivityCounts {
  std::int64_t ops = 0;
  std::array<std::int64_t, kOperands> buffer_reads{};
  std::array<std::int64_t, kOperands> buffer_writes{};
  std::array<std::int64_t, kOperands> dram_read_bytes{};  // ofmap: partial sums read back
  std::int64_t dram_write_bytes = 0;
};
EnergyBreakdown energy_of(const ActivityCounts& counts, const SubAcceleratorSpec& sub, const Technology& technology,
                          int bits);

struct LayerTiming {
  double cycles = 0;
  double compute_cycles = 0;  // with the calibrated scale and overhead
  double memory_cycles = 0;   // DRAM transfer time at the given bandwidth
};

inline constexpr double kIdealBandwidth = std::numeric_limits<double>::infinity();

// bytes_per_cycle: what the layer's sub-accelerator gets (kIdealBandwidth:
// no DRAM time at all, SCALE-Sim's CALC mode). input_on_chip: the ifmap is
// already in the buffer (its producer ran just before on this sub).
LayerTiming layer_latency(const LayerProfile& profile, double bytes_per_cycle, double dram_latency_cycles,
                          const SurrogateParams& params, bool input_on_chip);

double sub_accelerator_area_um2(const SubAcceleratorSpec& sub, const Technology& technology);
// Sub-accelerators plus one interconnect port for the DRAM controller.
double chip_area_um2(const ChipSpec& chip);

}  // namespace nasaic
