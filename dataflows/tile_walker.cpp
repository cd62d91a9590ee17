#include "dataflows/tile_walker.hpp"

namespace nasaic {

TileWalker::TileWalker(const TilePlan& plan) : plan_(plan) {
  total_ = plan.totals.tiles;
  for (int operand = 0; operand < kOperands; ++operand) innermost_[operand] = plan.innermost_loop(operand);
  class_of_mask_ = plan.class_index_by_mask();
  if (total_ > 0) pending_ = step_at(-1);
}

TileStep TileWalker::step_at(int changed) const {
  TileStep step;
  std::uint32_t mask = 0;
  for (int i = 0; i < plan_.loop_count; ++i) {
    if (plan_.loops[i].partial() && indices_[i] == plan_.loops[i].trips() - 1) mask |= 1u << i;
  }
  step.tile_class = &plan_.classes[class_of_mask_[mask]];
  // A visit of an operand's tile begins when a loop at or above its innermost
  // indexing loop changed; it is a first visit while every non-indexing loop
  // above that point is at index 0, a last visit while each is at its end.
  const auto visit = [&](int operand, bool& first, bool& last) {
    const int innermost = innermost_[operand];
    const bool begins = changed < 0 || changed <= innermost;
    first = last = begins;
    for (int i = 0; i <= innermost; ++i) {
      if (plan_.relevant[operand] >> i & 1u) continue;
      first = first && indices_[i] == 0;
      last = last && indices_[i] == plan_.loops[i].trips() - 1;
    }
    return begins;
  };
  bool first = false, last = false;
  const int in = static_cast<int>(Operand::ifmap), filter = static_cast<int>(Operand::filter),
            out = static_cast<int>(Operand::ofmap);
  const bool ifmap_visit = visit(in, first, last);
  step.load_ifmap = plan_.resident[in] ? first : ifmap_visit;
  const bool filter_visit = visit(filter, first, last);
  step.load_filter = plan_.resident[filter] ? first : filter_visit;
  step.ofmap_visit_start = visit(out, first, last);
  step.ofmap_reread = step.ofmap_visit_start && !plan_.resident[out] && !first;
  // A resident output tile is written once, after its last visit; otherwise
  // after every visit.
  step.ofmap_write_back = step.ofmap_visit_start && (plan_.resident[out] ? last : true);
  return step;
}

int TileWalker::advance() {
  for (int i = plan_.loop_count - 1; i >= 0; --i) {
    if (++indices_[i] < plan_.loops[i].trips()) return i;
    indices_[i] = 0;
  }
  return 0;
}

TileStep TileWalker::next() {
  TileStep current = pending_;
  ++index_;
  bool write_back_pending = current.ofmap_write_back;
  if (index_ < total_) {
    const int changed = advance();
    pending_ = step_at(changed);
    current.ofmap_visit_end = pending_.ofmap_visit_start;
  } else {
    current.ofmap_visit_end = true;
  }
  // The write-back flag travels with the visit: it was decided at the visit's
  // start and happens at its end.
  if (current.ofmap_visit_start) visit_write_back_ = write_back_pending;
  current.ofmap_write_back = current.ofmap_visit_end && visit_write_back_;
  return current;
}

}  // namespace nasaic
