#include "dataflows/templates/conv_tiling.hpp"

#include <algorithm>

namespace nasaic {
namespace {

std::int64_t round_down(std::int64_t value, std::int64_t granule) {
  return value >= granule ? value / granule * granule : value;
}

std::string bytes_text(std::int64_t bytes) { return std::to_string(bytes) + " B"; }

}  // namespace

void split_bank_pool(BufferSpec& first, BufferSpec& second, std::int64_t first_banks) {
  const std::int64_t banks = first.banks + second.banks;
  const std::int64_t bank_bytes = (first.capacity_bytes + second.capacity_bytes) / banks;
  first_banks = std::clamp<std::int64_t>(first_banks, 1, banks - 1);
  first.banks = first_banks;
  first.capacity_bytes = first_banks * bank_bytes;
  second.banks = banks - first_banks;
  second.capacity_bytes = (banks - first_banks) * bank_bytes;
}

MappingSpace conv_mapping_space(const Layer& layer, const ConvGranules& granules, int spatial_choices) {
  const LayerView v = view_of(layer);
  MappingSpace space;
  space.loop_count = 5;
  space.loops[kConvG] = MappingLoop{'G', v.groups, 1, 1};
  space.loops[kConvK] = MappingLoop{'K', v.K, granules.k, 0};
  space.loops[kConvP] = MappingLoop{'P', v.P, granules.p, 0};
  space.loops[kConvC] = MappingLoop{'C', v.C, granules.c, 0};
  space.loops[kConvN] = MappingLoop{'N', v.N, 1, 0};
  // G outermost, then every order of K, P and C; the greedy rule's first.
  std::array<std::int8_t, 3> inner = {kConvK, kConvP, kConvC};
  do {
    space.orders.push_back({kConvG, kConvN, inner[0], inner[1], inner[2]});
  } while (std::next_permutation(inner.begin(), inner.end()));
  if (v.N > 1) {  // at batch 1 the other place of N is the same nest
    do {
      space.orders.push_back({kConvG, inner[0], inner[1], inner[2], kConvN});
    } while (std::next_permutation(inner.begin(), inner.end()));
  }
  space.spatial_choices = spatial_choices;
  return space;
}

Mapping greedy_conv_mapping(const Layer& layer, const SubAcceleratorSpec& sub, const ConvGranules& granules) {
  const LayerView v = view_of(layer);
  const std::int64_t b = v.bytes_per_element;
  const std::int64_t half_in = sub.ifmap.capacity_bytes / 2, half_filter = sub.filter.capacity_bytes / 2,
                     half_out = sub.ofmap.capacity_bytes / 2;
  const std::int64_t rs = v.R * v.S;
  ConvTile tile{v.K, v.P, v.C};
  // Where a loop cannot fit even its smallest tile, the smallest tile is
  // kept: plan_conv then says which buffer is too small.
  if (v.has_filter && tile.K * tile.C * rs * b > half_filter) {
    tile.C = std::min(v.C, round_down(half_filter / (tile.K * rs * b), granules.c));
    if (tile.C < 1) {
      tile.C = std::min(v.C, granules.c);
      tile.K = std::max<std::int64_t>(std::min(v.K, round_down(half_filter / (tile.C * rs * b), granules.k)),
                                      std::min(v.K, granules.k));
    }
  }
  const std::int64_t row_bytes = v.N * v.W * b;  // one input row of one channel, whole batch
  if (tile.C * v.R * row_bytes > half_in) {
    tile.C = std::max<std::int64_t>(1, std::min(tile.C, round_down(half_in / (v.R * row_bytes), granules.c)));
  }
  const std::int64_t out_row_bytes = v.N * v.Q * b;  // one output row of one filter
  if (tile.K * out_row_bytes > half_out) {
    tile.K = std::max<std::int64_t>(1, std::min(tile.K, round_down(half_out / out_row_bytes, granules.k)));
  }
  const std::int64_t rows_by_input = (half_in / (tile.C * row_bytes) - v.R) / v.stride_h + 1;
  const std::int64_t rows_by_output = half_out / (tile.K * out_row_bytes);
  tile.P = std::max<std::int64_t>(1, round_down(std::min({v.P, rows_by_input, rows_by_output}), granules.p));

  Mapping mapping;
  mapping.tiles = {1, tile.K, tile.P, tile.C, v.N};
  mapping.order = {kConvG, kConvN, kConvK, kConvP, kConvC};
  return mapping;
}

namespace {

struct ConvFootprints {
  ConvTile tile;
  std::int64_t filter = 0, input = 0, output = 0;  // bytes of one tile of each operand
};

ConvFootprints footprints(const LayerView& v, const Mapping& mapping) {
  ConvFootprints f;
  f.tile = ConvTile{std::min(mapping.tiles[kConvK], v.K), std::min(mapping.tiles[kConvP], v.P),
                    std::min(mapping.tiles[kConvC], v.C), std::clamp<std::int64_t>(mapping.tiles[kConvN], 1, v.N)};
  f.filter = v.has_filter ? v.bytes(f.tile.K * f.tile.C * v.R * v.S) : 0;
  f.input = v.bytes(f.tile.N * f.tile.C * v.input_rows(f.tile.P) * v.W);
  f.output = v.bytes(f.tile.N * f.tile.K * f.tile.P * v.Q);
  return f;
}

}  // namespace

bool conv_fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) {
  const ConvFootprints f = footprints(view_of(layer), mapping);
  return 2 * f.filter <= sub.filter.capacity_bytes && 2 * f.input <= sub.ifmap.capacity_bytes &&
         2 * f.output <= sub.ofmap.capacity_bytes;
}

TilePlan plan_conv(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                   const Mapping& mapping, ConvTileCostFn tile_cost, std::int64_t fixed_cycles) {
  const LayerView v = view_of(layer);
  const std::int64_t rs = v.R * v.S;
  const ConvFootprints f = footprints(v, mapping);
  const ConvTile& tile = f.tile;
  const std::int64_t filter_tile = f.filter, input_tile = f.input, output_tile = f.output;
  const auto too_big = [&](const char* buffer, const BufferSpec& spec, const std::string& what, std::int64_t bytes) {
    return TilePlan::infeasible(template_name, std::string(buffer) + " buffer (" + bytes_text(spec.capacity_bytes) +
                                                   ", half per tile) cannot hold " + what + " (" + bytes_text(bytes) +
                                                   ")");
  };
  if (2 * filter_tile > sub.filter.capacity_bytes) {
    return too_big("filter", sub.filter,
                   std::to_string(tile.K) + " filters of " + std::to_string(v.R) + "x" + std::to_string(v.S) + "x" +
                       std::to_string(tile.C) + " channels",
                   filter_tile);
  }
  if (2 * input_tile > sub.ifmap.capacity_bytes) {
    return too_big("ifmap", sub.ifmap,
                   std::to_string(v.input_rows(tile.P)) + " input rows of " + std::to_string(tile.C) + " channels" +
                       (v.N > 1 ? " of " + std::to_string(tile.N) + " images" : ""),
                   input_tile);
  }
  if (2 * output_tile > sub.ofmap.capacity_bytes) {
    return too_big("ofmap", sub.ofmap,
                   std::to_string(tile.P) + " output rows of " + std::to_string(tile.K) + " channels", output_tile);
  }

  TilePlan plan;
  plan.template_name = template_name;
  plan.mapping = mapping;
  plan.fixed_cycles = fixed_cycles;
  // Position of each space loop in the plan's nest.
  std::array<int, 5> at{};
  for (int i = 0; i < 5; ++i) {
    const int loop = mapping.order[static_cast<std::size_t>(i)];
    at[static_cast<std::size_t>(loop)] = i;
    switch (loop) {
      case kConvG: plan.add_loop('G', v.groups, 1); break;
      case kConvK: plan.add_loop('K', v.K, tile.K); break;
      case kConvP: plan.add_loop('P', v.P, tile.P); break;
      case kConvC: plan.add_loop('C', v.C, tile.C); break;
      case kConvN: plan.add_loop('N', v.N, tile.N); break;
    }
  }
  const std::uint32_t G = 1u << at[kConvG], K = 1u << at[kConvK], P = 1u << at[kConvP], C = 1u << at[kConvC],
                      N = 1u << at[kConvN];
  plan.relevant = {G | N | P | C, G | K | C, G | N | K | P};
  plan.resident = {layer.ifmap_bytes() <= sub.ifmap.capacity_bytes, layer.filter_bytes() <= sub.filter.capacity_bytes,
                   layer.ofmap_bytes() <= sub.ofmap.capacity_bytes};
  bool outputs_final = plan.resident[2] || plan.loops[at[kConvC]].trips() == 1;
  if (!outputs_final) {
    outputs_final = true;
    for (int i = at[kConvC] + 1; i < plan.loop_count; ++i) outputs_final = outputs_final && plan.loops[i].trips() == 1;
  }
  finalize_plan(plan, [&](const TilePlan& p, std::uint32_t mask) {
    const ConvTile t{p.tile_size(at[kConvK], mask), p.tile_size(at[kConvP], mask), p.tile_size(at[kConvC], mask),
                     p.tile_size(at[kConvN], mask), outputs_final};
    LayerView images = v;  // the tile's images
    images.N = t.N;
    TileCost cost = tile_cost(images, sub, t, mapping.spatial);
    // A template that computes differently (NVDLA's Winograd: fewer
    // multiplies, transformed weights) or compresses DRAM traffic (Eyeriss's
    // run-length coding) sets these itself; the rest are the direct ones.
    if (cost.ops == 0) cost.ops = t.N * t.K * t.P * v.Q * t.C * rs;
    const std::array<std::int64_t, kOperands> raw = {v.bytes(t.N * t.C * v.input_rows(t.P) * v.W),
                                                     v.has_filter ? v.bytes(t.K * t.C * rs) : 0,
                                                     v.bytes(t.N * t.K * t.P * v.Q)};
    for (int o = 0; o < kOperands; ++o) {
      if (cost.footprint_bytes[o] == 0) cost.footprint_bytes[o] = raw[o];
    }
    return cost;
  });
  return plan;
}

}  // namespace nasaic
