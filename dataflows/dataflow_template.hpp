#pragma once
// The plug-in point for dataflows: one small interface, one implementation
// per file, created by name. Adding a template means adding a file and one
// line in template_registry.cpp; the surrogate, simulator and search only see
// this interface.
#include <string>
#include <string_view>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "dataflows/functional.hpp"
#include "dataflows/tile_plan.hpp"
#include "models/layer.hpp"

namespace nasaic {

class DataflowTemplate {
 public:
  virtual ~DataflowTemplate() = default;
  virtual std::string_view name() const = 0;
  // Tiles `layer` for `sub`'s PE array and buffers. A layer that cannot fit
  // any tiling gives a plan with feasible = false and the reason.
  virtual TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub) const = 0;
  // Performs every MAC of a conv, dwconv, fc or gemm layer in this
  // template's order, tile by tile; returns false for layers without MACs
  // (pool, add), which have no functional model.
  virtual bool execute(const Layer& layer, const SubAcceleratorSpec& sub, FunctionalTensors& tensors) const = 0;
};

// Throws InputError listing the known names.
const DataflowTemplate& find_template(const std::string& name);
const std::vector<std::string>& template_names();

}  // namespace nasaic
