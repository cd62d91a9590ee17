#pragma once
// Walks a tile plan tile by tile, in loop order, saying for each tile what it
// loads and writes back. The simulator replays plans with it; its per-tile
// rules are the same as the closed-form counts in finalize_plan (a test checks
// that the two agree on every template).
#include <array>
#include <cstdint>

#include "dataflows/tile_plan.hpp"

namespace nasaic {

struct TileStep {
  const TileClass* tile_class = nullptr;
  bool load_ifmap = false;
  bool load_filter = false;
  bool ofmap_visit_start = false;  // the tile begins a new visit of an output tile
  bool ofmap_reread = false;       // that visit first reads back partial sums
  bool ofmap_visit_end = false;    // the visit ends after this tile
  bool ofmap_write_back = false;   // ...and then writes the output tile back
};

class TileWalker {
 public:
  explicit TileWalker(const TilePlan& plan);
  bool done() const { return index_ >= total_; }
  TileStep next();

 private:
  // Step of the tile at the current indices, given the outermost loop whose
  // index changed (−1 for the first tile).
  TileStep step_at(int changed) const;
  int advance();  // moves the indices on; returns the outermost loop that changed

  const TilePlan& plan_;
  std::array<std::int64_t, kMaxLoops> indices_{};
  std::array<int, kOperands> innermost_{};
  std::array<int, kMaxMasks> class_of_mask_{};
  std::int64_t index_ = 0, total_ = 0;
  TileStep pending_;
  bool visit_write_back_ = false;  // whether the visit under way ends in a write-back
};

}  // namespace nasaic
