#pragma once
// Buffer-level tiling shared by the NVDLA-, ShiDianNao- and Eyeriss-style
// templates. The loop nest over tiles is, outer to inner,
//
//   for g in groups: for k in K tiles: for p in output-row tiles: for c in C tiles
//
// with Q, R, S and the batch whole inside a tile. C innermost keeps an output
// tile in the ofmap buffer while its input channels accumulate, so partial
// sums never go back to DRAM. Tile sizes are the largest that let each
// operand's tile fit half of its buffer (the other half takes the next tile:
// double buffering), in multiples of the template's granules.
#include <algorithm>
#include <cstdint>

#include "dataflows/dataflow_template.hpp"
#include "dataflows/templates/layer_view.hpp"

namespace nasaic {

struct ConvGranules {
  std::int64_t k = 1;  // K tiles are multiples of this (e.g. NVDLA's Atomic-K)
  std::int64_t c = 1;  // C tiles are multiples of this (e.g. NVDLA's Atomic-C)
  std::int64_t p = 1;  // output-row tiles are multiples of this
};

// The sizes of one tile.
struct ConvTile {
  std::int64_t K = 1, P = 1, C = 1;
};

// Per-template part of a tile's cost: compute cycles and buffer accesses.
// The shared part (ops, footprints) is filled in by plan_conv.
using ConvTileCostFn = TileCost (*)(const LayerView& view, const SubAcceleratorSpec& sub, const ConvTile& tile);

TilePlan plan_conv(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                   const ConvGranules& granules, ConvTileCostFn tile_cost, std::int64_t fixed_cycles);

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Where a tile starts along each loop, and its sizes.
struct ConvTileAt {
  std::int64_t g = 0, k = 0, p = 0, c = 0;
  ConvTile size;
};

// Calls `tile_kernel(at)` for every tile of a conv plan, in loop order.
template <class TileKernel>
void for_each_conv_tile(const TilePlan& plan, TileKernel&& tile_kernel) {
  const TileLoop &G = plan.loops[0], &K = plan.loops[1], &P = plan.loops[2], &C = plan.loops[3];
  for (std::int64_t g = 0; g < G.extent; ++g) {
    for (std::int64_t k = 0; k < K.extent; k += K.tile) {
      for (std::int64_t p = 0; p < P.extent; p += P.tile) {
        for (std::int64_t c = 0; c < C.extent; c += C.tile) {
          tile_kernel(ConvTileAt{g, k, p, c,
                                 ConvTile{std::min(K.tile, K.extent - k), std::min(P.tile, P.extent - p),
                                          std::min(C.tile, C.extent - c)}});
        }
      }
    }
  }
}

}  // namespace nasaic
