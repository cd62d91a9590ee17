#include "dataflows/tile_plan.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace nasaic {

const char* operand_name(int operand) {
  static const char* const names[] = {"ifmap", "filter", "ofmap"};
  return names[operand];
}

void TilePlan::add_loop(char dim, std::int64_t extent, std::int64_t tile) {
  NASAIC_CHECK(loop_count < kMaxLoops, "too many tile loops");
  NASAIC_CHECK(extent > 0 && tile > 0, "tile loops need positive sizes");
  loops[loop_count++] = TileLoop{dim, extent, tile < extent ? tile : extent};
}

std::int64_t tile_port_cycles(const TileCost& cost, const SubAcceleratorSpec& sub) {
  const BufferSpec* buffers[] = {&sub.ifmap, &sub.filter, &sub.ofmap};
  const std::int64_t edge = std::max(sub.rows, sub.cols);
  std::int64_t cycles = 0;
  for (int o = 0; o < kOperands; ++o) {
    const std::int64_t read_lanes = buffers[o]->banks * buffers[o]->read_ports * edge;
    const std::int64_t write_lanes = buffers[o]->banks * buffers[o]->write_ports * edge;
    cycles = std::max({cycles, (cost.buffer_reads[o] + read_lanes - 1) / read_lanes,
                       (cost.buffer_writes[o] + write_lanes - 1) / write_lanes});
  }
  return cycles;
}

std::string describe_loops(const TilePlan& plan) {
  std::string text;
  for (int i = 0; i < plan.loop_count; ++i) {
    const TileLoop& loop = plan.loops[i];
    if (loop.extent == 1) continue;  // a loop over one index (batch 1, one group) says nothing
    if (!text.empty()) text += ' ';
    text += loop.dim;
    text += std::to_string(loop.tile) + "/" + std::to_string(loop.extent);
  }
  return text.empty() ? "-" : text;
}

std::int64_t TileAt::start_of(char dim) const {
  for (int i = 0; i < plan->loop_count; ++i) {
    if (plan->loops[i].dim == dim) return start[i];
  }
  return 0;
}

std::int64_t TileAt::size_of(char dim) const {
  for (int i = 0; i < plan->loop_count; ++i) {
    if (plan->loops[i].dim == dim) return size[i];
  }
  return 0;
}

int TilePlan::innermost_loop(int operand) const {
  int innermost = -1;
  for (int i = 0; i < loop_count; ++i) {
    if ((relevant[operand] >> i & 1u) && loops[i].trips() > 1) innermost = i;
  }
  return innermost;
}

std::array<int, kMaxMasks> TilePlan::class_index_by_mask() const {
  std::array<int, kMaxMasks> index;
  index.fill(-1);
  for (int c = 0; c < class_count; ++c) index[classes[c].last_mask] = c;
  return index;
}

TilePlan TilePlan::infeasible(std::string_view template_name, std::string reason) {
  TilePlan plan;
  plan.template_name = template_name;
  plan.feasible = false;
  plan.reason = std::move(reason);
  return plan;
}

namespace detail {

// A tile reloads an operand when the outermost loop whose index changed is at
// or above the innermost loop that indexes the operand (loops of one trip
// never change and are ignored). A resident operand is loaded only on the
// first visit of each of its tiles: when every non-indexing loop above that
// point is still at index 0. Within a class, loop i contributes its number of
// possible indices, or just index 0 when the load needs it there.
void count_loads(const TilePlan& plan, const std::array<int, kOperands>& innermost_of, TileClass& tile_class) {
  const std::uint32_t mask = tile_class.last_mask;
  std::array<std::int64_t, kMaxLoops> indices_of{};  // divisions once per class, not per operand
  for (int i = 0; i < plan.loop_count; ++i) {
    const TileLoop& loop = plan.loops[i];
    const std::int64_t trips = loop.trips();
    indices_of[i] = (mask >> i & 1u) ? 1 : (loop.extent != trips * loop.tile ? trips - 1 : trips);
  }
  const auto indices = [&](int i) { return indices_of[i]; };
  const auto at_zero = [&](int i) -> std::int64_t { return (mask >> i & 1u) ? 0 : 1; };
  for (int operand = 0; operand < kOperands; ++operand) {
    const int innermost = innermost_of[operand];
    std::int64_t every_visit = 1, first_visit = 1;
    for (int i = 0; i < plan.loop_count; ++i) {
      const bool indexes = plan.relevant[operand] >> i & 1u;
      if (i <= innermost) {
        every_visit *= indices(i);
        first_visit *= indexes ? indices(i) : at_zero(i);
      } else {
        every_visit *= at_zero(i);
        first_visit *= at_zero(i);
      }
    }
    if (operand == static_cast<int>(Operand::ofmap)) {
      // Output tiles are written back each time they leave the buffer and
      // re-read (partial sums) on every visit after the first.
      tile_class.loads[operand] = plan.resident[operand] ? first_visit : every_visit;
      tile_class.ofmap_rereads = plan.resident[operand] ? 0 : every_visit - first_visit;
    } else {
      tile_class.loads[operand] = plan.resident[operand] ? first_visit : every_visit;
    }
  }
}

void accumulate_totals(TilePlan& plan) {
  PlanTotals totals;
  totals.reported_cycles = plan.report_offset_cycles;
  totals.compute_cycles = plan.fixed_cycles;
  for (int c = 0; c < plan.class_count; ++c) {
    const TileClass& tile_class = plan.classes[c];
    const TileCost& cost = tile_class.cost;
    totals.tiles += tile_class.count;
    totals.compute_cycles += tile_class.count * cost.compute_cycles;
    totals.reported_cycles += tile_class.count * cost.compute_cycles;
    totals.ops += tile_class.count * cost.ops;
    for (int operand = 0; operand < kOperands; ++operand) {
      totals.buffer_reads[operand] += tile_class.count * cost.buffer_reads[operand];
      totals.buffer_writes[operand] += tile_class.count * cost.buffer_writes[operand];
    }
    totals.dram_read_bytes[0] += tile_class.loads[0] * cost.footprint_bytes[0];
    totals.dram_read_bytes[1] += tile_class.loads[1] * cost.footprint_bytes[1];
    totals.dram_read_bytes[2] += tile_class.ofmap_rereads * cost.footprint_bytes[2];
    totals.dram_write_bytes += tile_class.loads[2] * cost.footprint_bytes[2];
  }
  totals.reported_cycles += plan.fixed_cycles;
  plan.totals = totals;
}

}  // namespace detail
}  // namespace nasaic
