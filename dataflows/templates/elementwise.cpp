#include "dataflows/templates/elementwise.hpp"

#include <algorithm>

namespace nasaic {
namespace {

std::int64_t input_count(const Layer& layer) {
  return std::max<std::int64_t>(2, static_cast<std::int64_t>(layer.inputs.size()));
}

}  // namespace

MappingSpace elementwise_mapping_space(const Layer& layer) {
  MappingSpace space;
  space.loop_count = 1;
  space.loops[0] = MappingLoop{'E', layer.output_elements(), 1, 0};
  space.orders.push_back({0, 0, 0, 0, 0});
  return space;
}

Mapping greedy_elementwise_mapping(const Layer& layer, const SubAcceleratorSpec& sub) {
  const std::int64_t bytes = (layer.bits + 7) / 8;
  const std::int64_t fit_in = sub.ifmap.capacity_bytes / 2 / (input_count(layer) * bytes);
  const std::int64_t fit_out = sub.ofmap.capacity_bytes / 2 / bytes;
  Mapping mapping;
  mapping.tiles[0] = std::max<std::int64_t>(1, std::min({layer.output_elements(), fit_in, fit_out}));
  return mapping;
}

bool elementwise_fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) {
  const std::int64_t bytes = (layer.bits + 7) / 8;
  const std::int64_t tile = std::min(mapping.tiles[0], layer.output_elements());
  return tile >= 1 && 2 * input_count(layer) * tile * bytes <= sub.ifmap.capacity_bytes &&
         2 * tile * bytes <= sub.ofmap.capacity_bytes;
}

TilePlan plan_elementwise(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                          const Mapping& mapping, std::int64_t lanes) {
  const std::int64_t inputs = input_count(layer);
  const std::int64_t elements = layer.output_elements();
  const std::int64_t tile = std::min(mapping.tiles[0], elements);
  if (!elementwise_fits(layer, sub, mapping)) {
    return TilePlan::infeasible(template_name, tile <= 1 ? "buffers cannot hold one element of each of the " +
                                                               std::to_string(inputs) + " inputs"
                                                         : "buffers cannot hold tiles of " + std::to_string(tile) +
                                                               " elements of each of the " + std::to_string(inputs) +
                                                               " inputs");
  }
  TilePlan plan;
  plan.template_name = template_name;
  plan.mapping = mapping;
  plan.add_loop('E', elements, tile);
  plan.relevant = {1u, 0u, 1u};
  plan.resident = {inputs * layer.bytes_of(elements) <= sub.ifmap.capacity_bytes, true,
                   layer.bytes_of(elements) <= sub.ofmap.capacity_bytes};
  const std::int64_t pes = lanes > 0 ? lanes : sub.pes();
  finalize_plan(plan, [&](const TilePlan& p, std::uint32_t mask) {
    const std::int64_t t = p.tile_size(0, mask);
    TileCost cost;
    cost.compute_cycles = (t + pes - 1) / pes * (inputs - 1);
    cost.ops = t * (inputs - 1);
    cost.footprint_bytes = {layer.bytes_of(inputs * t), 0, layer.bytes_of(t)};
    cost.buffer_reads = {inputs * t, 0, 0};
    cost.buffer_writes = {0, 0, t};
    return cost;
  });
  return plan;
}

}  // namespace nasaic
