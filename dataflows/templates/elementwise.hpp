#pragma once
// Elementwise layers (add) on any template: every PE adds one output element
// per cycle, so a tile of t elements with n inputs takes ceil(t / PEs)·(n − 1)
// cycles. Shared by all templates because none of the reference designs maps
// residual adds onto its MAC dataflow.
#include "dataflows/dataflow_template.hpp"

namespace nasaic {

TilePlan plan_elementwise(std::string_view template_name, const Layer& layer, const SubAcceleratorSpec& sub);

}  // namespace nasaic
