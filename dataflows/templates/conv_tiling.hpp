#pragma once
// Buffer-level tiling shared by the NVDLA-, ShiDianNao- and Eyeriss-style
// templates. The mapping space has four tile loops,
//
//   G groups (tile 1), N images, K output channels, P output rows, C input
//   channels
//
// with Q, R and S whole inside a tile. G stays outermost; K, P and C may
// come in any order, with N outside them (images share nothing but weights)
// or, for batches, innermost (weights stay while the images pass). C innermost keeps an output tile in the ofmap
// buffer while its input channels accumulate, so partial sums never go back
// to DRAM; another order trades that for less ifmap or filter traffic. A
// mapping fits when each operand's tile fits half of its buffer (the other
// half takes the next tile: double buffering). Tiles are multiples of the
// template's granules.
//
// The greedy rule takes the largest tiles that fit, in the order G, K, P, C:
// it shrinks C, then K, to fit the filter; C to fit R input rows; K to fit an
// output row; then the most output rows that fit both.
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
  std::int64_t K = 1, P = 1, C = 1, N = 1;
  // The plan's output tiles leave as final outputs: partial sums never go to
  // DRAM (every input channel is in one tile, or only loops of one trip sit
  // inside C, or the whole ofmap is resident). Set by plan_conv from the loop
  // order, for templates that code final outputs (Eyeriss's RLC).
  bool outputs_final = false;
};

// Loop indices of the conv mapping space.
inline constexpr int kConvG = 0, kConvK = 1, kConvP = 2, kConvC = 3, kConvN = 4;

// Per-template part of a tile's cost: compute cycles and buffer accesses,
// under spatial choice `spatial`. The shared part (ops, and the footprints
// the function leaves at zero: uncompressed tiles) is filled in by plan_conv.
using ConvTileCostFn = TileCost (*)(const LayerView& view, const SubAcceleratorSpec& sub, const ConvTile& tile,
                                    int spatial);

MappingSpace conv_mapping_space(const Layer& layer, const ConvGranules& granules, int spatial_choices);
Mapping greedy_conv_mapping(const Layer& layer, const SubAcceleratorSpec& sub, const ConvGranules& granules);
// Whether the mapping's tiles fit half of each buffer (plan_conv's check).
bool conv_fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping);
TilePlan plan_conv(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                   const Mapping& mapping, ConvTileCostFn tile_cost, std::int64_t fixed_cycles);

// Two buffers built of one pool of equal banks (NVDLA's convolution buffer,
// Eyeriss's global buffer): `first` gets `first_banks` of them (clamped so
// each keeps one), `second` the rest. The bank size is the pool's average.
void split_bank_pool(BufferSpec& first, BufferSpec& second, std::int64_t first_banks);

inline std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Where a tile starts along each loop, and its sizes.
struct ConvTileAt {
  std::int64_t g = 0, k = 0, p = 0, c = 0, n = 0;
  ConvTile size;
};

// Calls `tile_kernel(at)` for every tile of a conv plan, in the plan's loop order.
template <class TileKernel>
void for_each_conv_tile(const TilePlan& plan, TileKernel&& tile_kernel) {
  for_each_tile(plan, [&](const TileAt& at) {
    tile_kernel(ConvTileAt{at.start_of('G'), at.start_of('K'), at.start_of('P'), at.start_of('C'), at.start_of('N'),
                           ConvTile{at.size_of('K'), at.size_of('P'), at.size_of('C'), at.size_of('N')}});
  });
}

}  // namespace nasaic
