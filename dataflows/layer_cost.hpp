#pragma once
// The surrogate for one layer on one sub-accelerator, in closed form over the
// template's tile plan.
//
// A profile is everything that does not depend on the DRAM bandwidth the
// layer will get: tile groups (below) with their count, exact compute cycles
// and DRAM bytes (rounded up to whole bursts per transfer), plus energy and
// utilisation. Latency for a given bandwidth is then a sum over a few dozen
// groups at most, so a schedule can re-time a cached profile under contention.
//
// Latency model. Buffers are double-buffered: tile i's loads are issued as
// soon as tile i − 2 has left the PE array, behind any write-back issued at
// that moment, so they can hide behind tile i − 1 only. Tiles are grouped by
// class and by the outermost loop whose index changed since the tile before,
// which fixes what they load: a change of the innermost loop reloads only
// what it indexes, a change further out reloads more. An operand resident in
// its buffer loads on the first visit of each of its tiles only, so those
// groups are split again by which operands a tile loads (a mapper may put
// the loop that indexes a resident operand inside one that does not). Per
// group:
//   no transfer    compute
//   in a run       consecutive tiles that all load (two in flight) take
//                    max(max(compute, memory) + (1 − overlap)·min(compute, memory),
//                        (compute + memory + latency) / 2)
//   after a run    a tile loading more than the run before it waits
//                    compute + max(0, memory + latency − previous compute
//                                     − min(previous stall, latency))
//                  (the previous tile's stall, up to one latency, is time
//                  its own transfer held the channel)
// and the body is at least all its bytes over the bandwidth. The prologue is
// the DRAM latency and the first tile's loads; the epilogue the last tile's
// write-back and its latency, behind what the write-back before it has left
// to move (a single-tile layer is load + compute + store).
// This follows the simulator's DMA rules (sim/sub_accelerator_core.hpp): a
// per-class average would spread one large load over every tile of its class
// and miss the stall that the tile carrying it sees.
//
// Throughout, compute = compute_scale·cycles + tile_overhead and memory = bytes /
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
  // Clock tree, leakage and PE control over the layer's cycles: known only
  // once its latency is (the surrogate's estimate, the simulator's count).
  double static_pj = 0;
  double total_pj() const { return mac_pj + register_file_pj + sram_pj + dram_pj + interconnect_pj + static_pj; }
};

// Tiles of one class that begin at the same loop level (the outermost loop
// whose index changed since the tile before): they load the same operands,
// and the tiles before them are alike too. Figures are per tile.
// At most one group per class, level and load pattern (which of ifmap and
// filter a tile loads).
inline constexpr int kMaxTileGroups = kMaxClasses * kMaxLoops * 4;

struct TileGroup {
  std::int64_t count = 0;
  std::int64_t compute_cycles = 0;  // at least what the buffer ports need (tile_port_cycles)
  // DRAM bytes the tile waits for, burst-rounded: its ifmap loads, and the
  // rest (filter loads, partial sums read back, and the write-back of the
  // output tile just finished, which is queued ahead of them).
  double ifmap_bytes = 0;
  double other_bytes = 0;
  // Whether the tile before is of this group: a run of tiles that change only
  // the innermost loop. Otherwise the tile before is the last one of the
  // previous run, of group `previous_group`; its stall and compute are what
  // this tile's loads can hide behind.
  bool in_run = true;
  int previous_group = -1;
  std::int64_t previous_compute_cycles = 0;
};

struct LayerProfile {
  bool feasible = true;
  std::string reason;
  int template_index = 0;
  // Sized to what the plan has: most layers have a handful of groups, and a
  // search keeps many profiles cached. Groups in a run come first.
  std::vector<TileGroup> groups;
  // The first two tiles, whose loads are issued when the layer starts; the
  // second has no compute cycles in a one-tile layer.
  struct HeadTile {
    double ifmap_bytes = 0, other_bytes = 0;
    std::int64_t compute_cycles = 0;
    double load_bytes(bool input_on_chip) const { return other_bytes + (input_on_chip ? 0.0 : ifmap_bytes); }
  };
  std::array<HeadTile, 2> head;
  std::int64_t fixed_cycles = 0;
  std::int64_t report_offset_cycles = 0;  // see TilePlan
  double last_store_bytes = 0;
  double previous_store_bytes = 0;  // the write-back still in flight as the last tile starts, if any
  std::int64_t last_tile_compute_cycles = 0;

  std::int64_t tiles = 0;
  std::int64_t compute_cycles = 0;     // stall-free, exact: Σ tiles + fixed
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

// The profile of `plan` (a plan of `layer` on `sub`).
LayerProfile profile_plan(const Layer& layer, const TilePlan& plan, const SubAcceleratorSpec& sub,
                          const Technology& technology, std::int64_t burst_bytes, int template_index);
// The profile of the template's greedy plan.
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

// Clock-tree, leakage and PE-control energy of `sub` over `cycles` (the
// technology's `static` block). The surrogate charges its latency estimate,
// the simulator its simulated cycles, through this one function.
double static_energy_pj(const SubAcceleratorSpec& sub, const Technology& technology, double cycles);

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
