#pragma once
// Elementwise layers (add) on any template: every PE adds one output element
// per cycle, so a tile of t elements with n inputs takes ceil(t / PEs)·(n − 1)
// cycles. Shared by all templates because none of the reference designs maps
// residual adds onto its MAC dataflow. The mapping space is one loop over the
// elements; the greedy tile is the largest that fits half of each buffer.
#include "dataflows/dataflow_template.hpp"

namespace nasaic {

MappingSpace elementwise_mapping_space(const Layer& layer);
Mapping greedy_elementwise_mapping(const Layer& layer, const SubAcceleratorSpec& sub);
bool elementwise_fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping);
// `lanes` elements are added per cycle; 0 means one per PE.
TilePlan plan_elementwise(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub,
                          const Mapping& mapping, std::int64_t lanes = 0);

}  // namespace nasaic
