#include "dataflows/templates/elementwise.hpp"

#include <algorithm>

namespace nasaic {

TilePlan plan_elementwise(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub) {
  const std::int64_t inputs = std::max<std::int64_t>(2, static_cast<std::int64_t>(layer.inputs.size()));
  const std::int64_t elements = layer.output_elements();
  const std::int64_t bytes = (layer.bits + 7) / 8;
  const std::int64_t fit_in = sub.ifmap.capacity_bytes / 2 / (inputs * bytes);
  const std::int64_t fit_out = sub.ofmap.capacity_bytes / 2 / bytes;
  const std::int64_t tile = std::min({elements, fit_in, fit_out});
  if (tile < 1) {
    return TilePlan::infeasible(template_name, "buffers cannot hold one element of each of the " +
                                                   std::to_string(inputs) + " inputs");
  }
  TilePlan plan;
  plan.template_name = template_name;
  plan.add_loop('E', elements, tile);
  plan.relevant = {1u, 0u, 1u};
  plan.resident = {inputs * layer.bytes_of(elements) <= sub.ifmap.capacity_bytes, true,
                   layer.bytes_of(elements) <= sub.ofmap.capacity_bytes};
  const std::int64_t pes = sub.pes();
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
