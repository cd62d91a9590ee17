#include "dataflows/templates/conv_tiling.hpp"

#include <algorithm>

namespace nasaic {
namespace {

std::int64_t round_down(std::int64_t value, std::int64_t granule) {
  return value >= granule ? value / granule * granule : value;
}

}  // namespace

TilePlan plan_conv(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                   const ConvGranules& granules, ConvTileCostFn tile_cost, std::int64_t fixed_cycles) {
  const LayerView v = view_of(layer);
  const std::int64_t b = v.bytes_per_element;
  const std::int64_t half_in = sub.ifmap.capacity_bytes / 2, half_filter = sub.filter.capacity_bytes / 2,
                     half_out = sub.ofmap.capacity_bytes / 2;
  const std::int64_t rs = v.R * v.S;
  ConvTile tile{v.K, v.P, v.C};

  if (v.has_filter && tile.K * tile.C * rs * b > half_filter) {
    tile.C = std::min(v.C, round_down(half_filter / (tile.K * rs * b), granules.c));
    if (tile.C < 1) {
      tile.C = std::min(v.C, granules.c);
      tile.K = std::min(v.K, round_down(half_filter / (tile.C * rs * b), granules.k));
      if (tile.K < 1) {
        return TilePlan::infeasible(template_name, "filter buffer (" + std::to_string(sub.filter.capacity_bytes) +
                                                       " B, half per tile) cannot hold one " + std::to_string(v.R) +
                                                       "x" + std::to_string(v.S) + " filter of " +
                                                       std::to_string(tile.C) + " channels");
      }
    }
  }
  const std::int64_t row_bytes = v.N * v.W * b;  // one input row of one channel, whole batch
  if (tile.C * v.R * row_bytes > half_in) {
    tile.C = std::min(tile.C, round_down(half_in / (v.R * row_bytes), granules.c));
    if (tile.C < 1) {
      return TilePlan::infeasible(template_name, "ifmap buffer (" + std::to_string(sub.ifmap.capacity_bytes) +
                                                     " B, half per tile) cannot hold " + std::to_string(v.R) +
                                                     " input rows of one channel (" +
                                                     std::to_string(v.R * row_bytes) + " B)");
    }
  }
  const std::int64_t out_row_bytes = v.N * v.Q * b;  // one output row of one filter
  if (tile.K * out_row_bytes > half_out) {
    tile.K = std::min(tile.K, round_down(half_out / out_row_bytes, granules.k));
    if (tile.K < 1) {
      return TilePlan::infeasible(template_name, "ofmap buffer (" + std::to_string(sub.ofmap.capacity_bytes) +
                                                     " B, half per tile) cannot hold one output row (" +
                                                     std::to_string(out_row_bytes) + " B)");
    }
  }
  const std::int64_t rows_by_input = (half_in / (tile.C * row_bytes) - v.R) / v.stride_h + 1;
  const std::int64_t rows_by_output = half_out / (tile.K * out_row_bytes);
  tile.P = std::min({v.P, rows_by_input, rows_by_output});
  tile.P = round_down(tile.P, granules.p);

  TilePlan plan;
  plan.template_name = template_name;
  plan.fixed_cycles = fixed_cycles;
  plan.add_loop('G', v.groups, 1);
  plan.add_loop('K', v.K, tile.K);
  plan.add_loop('P', v.P, tile.P);
  plan.add_loop('C', v.C, tile.C);
  constexpr std::uint32_t G = 1u << 0, K = 1u << 1, P = 1u << 2, C = 1u << 3;
  plan.relevant = {G | P | C, G | K | C, G | K | P};
  plan.resident = {layer.ifmap_bytes() <= sub.ifmap.capacity_bytes,
                   layer.filter_bytes() <= sub.filter.capacity_bytes,
                   layer.ofmap_bytes() <= sub.ofmap.capacity_bytes};
  finalize_plan(plan, [&](const TilePlan& p, std::uint32_t mask) {
    const ConvTile t{p.tile_size(1, mask), p.tile_size(2, mask), p.tile_size(3, mask)};
    TileCost cost = tile_cost(v, sub, t);
    cost.ops = v.N * t.K * t.P * v.Q * t.C * rs;
    cost.footprint_bytes = {v.bytes(v.N * t.C * v.input_rows(t.P) * v.W),
                            v.has_filter ? v.bytes(t.K * t.C * rs) : 0, v.bytes(v.N * t.K * t.P * v.Q)};
    return cost;
  });
  return plan;
}

}  // namespace nasaic
