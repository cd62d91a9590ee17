#pragma once
// What a dataflow template produces for one (layer, sub-accelerator): a loop
// nest over tiles (outer to inner), what each operand depends on, and the
// exact stall-free cost of each kind of tile. The surrogate sums it in closed
// form; the simulator replays it tile by tile. Both read the same plan, so
// they can only differ in what the simulator models cycle by cycle.
//
// Tiles of one plan differ only in which loops are at their last, partial
// trip, so a plan has at most 2^loops tile classes and is costed per class.
#include <algorithm>
#include <array>
#include <bit>
#include <stdexcept>
#include <cstdint>
#include <string>
#include <string_view>

#include "dataflows/chip_spec.hpp"
#include "dataflows/mapping.hpp"

namespace nasaic {

enum class Operand : int { ifmap = 0, filter = 1, ofmap = 2 };
inline constexpr int kOperands = 3;
inline constexpr int kMaxLoops = kMaxMappingLoops;
// Masks of partial loops index per-mask tables; classes are stored compactly.
// Groups (tile 1) never have a partial trip, so at most kMaxLoops − 1 loops
// do and a plan has at most 2^(kMaxLoops − 1) classes: half the storage, and
// plans are built by the thousand in a mapping search.
inline constexpr int kMaxMasks = 1 << kMaxLoops;
inline constexpr int kMaxClasses = 1 << (kMaxLoops - 1);
const char* operand_name(int operand);

struct TileLoop {
  char dim = '?';  // what the loop walks: 'G' groups, 'K', 'C', 'P', or 'c'/'r' for systolic column/row folds
  std::int64_t extent = 1;
  std::int64_t tile = 1;  // never larger than extent

  std::int64_t trips() const { return (extent + tile - 1) / tile; }
  std::int64_t last_tile() const { return extent - (trips() - 1) * tile; }
  bool partial() const { return last_tile() != tile; }
};

// Cost of one tile, stall-free.
struct TileCost {
  std::int64_t compute_cycles = 0;
  std::int64_t ops = 0;  // MACs, or pool/add operations, performed in the tile
  // Bytes of each operand's tile: what one DRAM load (or write-back) moves.
  std::array<std::int64_t, kOperands> footprint_bytes{};
  // Elements the PE array reads from / writes to each buffer.
  std::array<std::int64_t, kOperands> buffer_reads{};
  std::array<std::int64_t, kOperands> buffer_writes{};
};

struct TileClass {
  std::uint32_t last_mask = 0;  // loops at their last, partial trip
  std::int64_t count = 0;       // tiles of this class
  TileCost cost;
  // How many tiles of this class load each operand (ofmap: write it back),
  // and how many re-read ofmap partial sums written earlier.
  std::array<std::int64_t, kOperands> loads{};
  std::int64_t ofmap_rereads = 0;
};

struct PlanTotals {
  std::int64_t tiles = 0;
  std::int64_t compute_cycles = 0;   // tiles plus the plan's fixed cycles
  std::int64_t reported_cycles = 0;  // compute_cycles as the reference tool reports them
  std::int64_t ops = 0;
  std::array<std::int64_t, kOperands> dram_read_bytes{};  // ofmap: partial sums read back
  std::int64_t dram_write_bytes = 0;                      // ofmap
  std::array<std::int64_t, kOperands> buffer_reads{};
  std::array<std::int64_t, kOperands> buffer_writes{};
  std::int64_t dram_bytes() const {
    return dram_read_bytes[0] + dram_read_bytes[1] + dram_read_bytes[2] + dram_write_bytes;
  }
};

struct TilePlan {
  std::string_view template_name;
  bool feasible = true;
  std::string reason;  // why not, when infeasible
  Mapping mapping;     // the point of the template's mapping space this plan realises

  int loop_count = 0;
  std::array<TileLoop, kMaxLoops> loops{};
  // Bit i set: loop i indexes the operand, so a new index means a new tile of it.
  std::array<std::uint32_t, kOperands> relevant{};
  // The whole operand fits its buffer: each part is loaded (or written) once.
  std::array<bool, kOperands> resident{};
  // Cycles outside the tiles, once per layer: pipeline fill and drain.
  std::int64_t fixed_cycles = 0;
  // Added to the cycle count when reporting it the way the template's
  // reference tool does: SCALE-Sim reports the last cycle's index (−1).
  std::int64_t report_offset_cycles = 0;
  // Spatial utilisation figures SCALE-Sim reports, for systolic templates.
  double mapping_efficiency = 0;  // mean over folds of used PEs / PEs
  double compute_utilization = 0;

  int class_count = 0;
  std::array<TileClass, kMaxClasses> classes{};
  PlanTotals totals;

  void add_loop(char dim, std::int64_t extent, std::int64_t tile);
  // Loop-index sizes of the tile of class `mask`.
  std::int64_t tile_size(int loop, std::uint32_t mask) const {
    return (mask >> loop & 1u) ? loops[loop].last_tile() : loops[loop].tile;
  }
  // The innermost loop that indexes `operand` and has more than one trip: a
  // change of it or of any loop above starts a new visit of the operand's
  // tile. −1 when no such loop exists (one visit in all).
  int innermost_loop(int operand) const;
  // Index into `classes` of each partial-loop mask (−1 for masks of no class).
  std::array<int, kMaxMasks> class_index_by_mask() const;
  static TilePlan infeasible(std::string_view template_name, std::string reason);
};

// The loop nest for people, outer to inner: "K16/64 P14/56 C64/64" (tile /
// extent per loop; loops over a single index are left out, "-" when none is
// left).
std::string describe_loops(const TilePlan& plan);

// One tile of a plan: where it starts along each loop, and its sizes.
struct TileAt {
  const TilePlan* plan = nullptr;
  std::array<std::int64_t, kMaxLoops> start{};
  std::array<std::int64_t, kMaxLoops> size{};
  // Along the loop walking `dim`; a dimension the plan does not tile starts
  // at 0 and has size 0.
  std::int64_t start_of(char dim) const;
  std::int64_t size_of(char dim) const;
};

// Calls `visit(tile)` for every tile of `plan`, in loop order (outer to inner).
template <class Visit>
void for_each_tile(const TilePlan& plan, Visit&& visit) {
  TileAt at;
  at.plan = &plan;
  for (int i = 0; i < plan.loop_count; ++i) at.size[i] = plan.loops[i].tile;
  while (true) {
    visit(static_cast<const TileAt&>(at));
    int i = plan.loop_count - 1;
    for (; i >= 0; --i) {
      const TileLoop& loop = plan.loops[i];
      at.start[i] += loop.tile;
      if (at.start[i] < loop.extent) {
        at.size[i] = std::min(loop.tile, loop.extent - at.start[i]);
        break;
      }
      at.start[i] = 0;
      at.size[i] = loop.tile;
    }
    if (i < 0) return;
  }
}

// Cycles the buffers need to serve a tile's accesses: each bank has its read
// and write ports, and a port moves one array edge (max(rows, cols) elements)
// per cycle, as SCALE-Sim's SRAMs feed a whole row or column per cycle. A tile
// whose accesses need more cycles than its compute stalls on buffer ports.
std::int64_t tile_port_cycles(const TileCost& cost, const SubAcceleratorSpec& sub);

// Fills the plan's classes and totals from its loops, relevance and
// residency, costing each class with `cost(plan, mask)`.
template <class CostFunction>
void finalize_plan(TilePlan& plan, CostFunction&& cost);

// ---- implementation of the class enumeration (header: it is on the hot path)

namespace detail {
// `innermost`: plan.innermost_loop(operand) per operand, the same for every class.
void count_loads(const TilePlan& plan, const std::array<int, kOperands>& innermost, TileClass& tile_class);
void accumulate_totals(TilePlan& plan);
}  // namespace detail

template <class CostFunction>
void finalize_plan(TilePlan& plan, CostFunction&& cost) {
  std::uint32_t partial_mask = 0;
  for (int i = 0; i < plan.loop_count; ++i) {
    if (plan.loops[i].partial()) partial_mask |= 1u << i;
  }
  if (std::popcount(partial_mask) >= kMaxLoops) throw std::logic_error("a tile plan with every loop partial");
  plan.class_count = 0;
  std::array<int, kOperands> innermost;
  for (int operand = 0; operand < kOperands; ++operand) innermost[operand] = plan.innermost_loop(operand);
  // Every subset of the partial loops is one class.
  std::uint32_t mask = 0;
  while (true) {
    TileClass& tile_class = plan.classes[plan.class_count++];
    tile_class.last_mask = mask;
    tile_class.count = 1;
    for (int i = 0; i < plan.loop_count; ++i) {
      const TileLoop& loop = plan.loops[i];
      tile_class.count *= (mask >> i & 1u) ? 1 : (loop.partial() ? loop.trips() - 1 : loop.trips());
    }
    tile_class.cost = cost(static_cast<const TilePlan&>(plan), mask);
    detail::count_loads(plan, innermost, tile_class);
    if (mask == partial_mask) break;
    mask = (mask - partial_mask) & partial_mask;  // next subset of partial_mask
  }
  detail::accumulate_totals(plan);
}

}  // namespace nasaic
