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
#include "dataflows/mapping.hpp"
#include "dataflows/tile_plan.hpp"
#include "models/layer.hpp"

namespace nasaic {

class DataflowTemplate {
 public:
  virtual ~DataflowTemplate() = default;
  virtual std::string_view name() const = 0;
  // The legal mappings of `layer` on `sub`: tile loops with their extents and
  // granules, allowed loop orders, and the number of spatial choices.
  virtual MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& sub) const = 0;
  // The fixed rule: the largest tiles that fit half of each buffer, in the
  // space's first loop order. May not fit; plan() then says why.
  virtual Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const = 0;
  // Tiles `layer` for `sub`'s PE array and buffers as `mapping` says. A
  // mapping whose tiles do not fit gives a plan with feasible = false and the
  // reason.
  virtual TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const = 0;
  // Whether `mapping`'s tiles fit the buffers: plan(...).feasible, cheaply.
  virtual bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const {
    return plan(layer, sub, mapping).feasible;
  }
  // The greedy rule's plan.
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub) const {
    return plan(layer, sub, greedy_mapping(layer, sub));
  }
  // Which dimensions spatial choice `spatial` unrolls over the array, for
  // people: e.g. "C×K on 16×16".
  virtual std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int spatial) const = 0;
  // Whether `producer`'s output can stay in `sub`'s ifmap buffer for the
  // layer that runs next on it, instead of going through DRAM. The surrogate
  // and the simulator both ask.
  virtual bool forwards_output(const Layer& producer, const SubAcceleratorSpec& sub) const {
    return producer.ofmap_bytes() <= sub.ifmap.capacity_bytes;
  }
  // Performs every MAC of a conv, dwconv, fc or gemm layer in the order of
  // `plan` (one of this template's), tile by tile; returns false for layers
  // without MACs (pool, add), which have no functional model.
  virtual bool execute(const Layer& layer, const SubAcceleratorSpec& sub, const TilePlan& plan,
                       FunctionalTensors& tensors) const = 0;
};

// Throws InputError listing the known names.
const DataflowTemplate& find_template(const std::string& name);
const std::vector<std::string>& template_names();

}  // namespace nasaic
