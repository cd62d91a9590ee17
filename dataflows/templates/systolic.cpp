// TPU-style systolic arrays with SCALE-Sim v2's compute model (Samajdar et al.,
// "A Systematic Methodology for Characterizing Scalability of DNN
// Accelerators using SCALE-Sim", ISPASS 2020).
//
// A layer is lowered to GEMM operands: ifmap Npx × Kw (Npx = N·P·Q output
// pixels, Kw = C·R·S window), filter Kw × F (F = K filters), ofmap Npx × F.
// Each dataflow maps two of the three GEMM dimensions onto the array's rows
// and columns (S_R, S_C) and streams the third in time (T):
//
//   dataflow  S_R (rows)  S_C (cols)  T (time)  stationary in the PEs
//   os        Npx         F           Kw        outputs
//   ws        Kw          F           Npx       weights
//   is        Kw          Npx         F         inputs
//
//   for g in groups:                      # depthwise/grouped: one GEMM per group
//     for c in ceil(S_C / cols):          # column folds (outer, as SCALE-Sim)
//       for r in ceil(S_R / rows):        # row folds
//         one fold: os  T + rows + cols - 2 cycles
//                   ws, is  T + 2·rows + cols - 2 (the extra rows preload the
//                   stationary operand)
//
// Folds run back to back with full fill and drain; partial folds at the edge
// take a full fold's time. SCALE-Sim reports the index of the last cycle, so
// the layer total is folds × fold cycles − 1. Mapping efficiency is the mean
// over folds of used/total PEs; compute utilisation divides a fold's MACs by
// its cycles counted as SCALE-Sim does (ws/is count cols − 1 more cycles).
#include <cmath>

#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"
#include "dataflows/templates/layer_view.hpp"

namespace nasaic {
namespace {

class SystolicTemplate final : public DataflowTemplate {
 public:
  explicit SystolicTemplate(SystolicDataflow dataflow) : dataflow_(dataflow) {}

  std::string_view name() const override {
    switch (dataflow_) {
      case SystolicDataflow::output_stationary: return "systolic-os";
      case SystolicDataflow::weight_stationary: return "systolic-ws";
      case SystolicDataflow::input_stationary: return "systolic-is";
    }
    return "systolic";
  }

  MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return elementwise_mapping_space(layer);
    const Folds f = folds(view_of(layer));
    MappingSpace space;
    space.loop_count = 3;
    space.loops[kGroups] = MappingLoop{'G', f.groups, 1, 1};
    space.loops[kColumnFolds] = MappingLoop{'c', f.SC, sub.cols, sub.cols};
    space.loops[kRowFolds] = MappingLoop{'r', f.SR, sub.rows, sub.rows};
    // SCALE-Sim walks column folds outside row folds; the other order keeps
    // the operand indexed by rows in the buffer instead.
    space.orders = {{kGroups, kColumnFolds, kRowFolds, 0, 0}, {kGroups, kRowFolds, kColumnFolds, 0, 0}};
    return space;
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    Mapping mapping;
    mapping.tiles = {1, sub.cols, sub.rows, 0, 0};
    mapping.order = {kGroups, kColumnFolds, kRowFolds, 0, 0};
    return mapping;
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int /*spatial*/) const override {
    if (layer.type == LayerType::add) return "elements on " + std::to_string(sub.pes()) + " PEs";
    switch (dataflow_) {
      case SystolicDataflow::output_stationary: return "pixels on rows, filters on cols; window in time";
      case SystolicDataflow::weight_stationary: return "window on rows, filters on cols; pixels in time";
      case SystolicDataflow::input_stationary: return "window on rows, pixels on cols; filters in time";
    }
    return "";
  }

  // Folds are the array's size and stream through the buffers: any order fits.
  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    return layer.type != LayerType::add || elementwise_fits(layer, sub, mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) {
      TilePlan plan = plan_elementwise(name(), layer, sub, mapping);
      plan.fixed_cycles += sub.systolic_layer_overhead_cycles;  // every layer pays it
      plan.totals.compute_cycles += sub.systolic_layer_overhead_cycles;
      plan.totals.reported_cycles += sub.systolic_layer_overhead_cycles;
      return plan;
    }
    const LayerView v = view_of(layer);
    const std::int64_t rows = sub.rows, cols = sub.cols;
    const Folds f = folds(v);
    const std::int64_t Npx = v.pixels(), Kw = v.window(), F = v.K;
    const std::int64_t SR = f.SR, SC = f.SC, T = f.T;
    const bool os = dataflow_ == SystolicDataflow::output_stationary;
    const std::int64_t fold_cycles = os ? T + rows + cols - 2 : T + 2 * rows + cols - 2;
    const std::int64_t counted_fold_cycles = os ? fold_cycles : fold_cycles + cols - 1;

    TilePlan plan;
    plan.template_name = name();
    plan.mapping = mapping;
    std::array<int, 3> at{};
    for (int i = 0; i < 3; ++i) {
      const int loop = mapping.order[static_cast<std::size_t>(i)];
      at[static_cast<std::size_t>(loop)] = i;
      switch (loop) {
        case kGroups: plan.add_loop('G', v.groups, 1); break;
        case kColumnFolds: plan.add_loop('c', SC, cols); break;
        case kRowFolds: plan.add_loop('r', SR, rows); break;
      }
    }
    const std::uint32_t G = 1u << at[kGroups], COL = 1u << at[kColumnFolds], ROW = 1u << at[kRowFolds];
    const int in = static_cast<int>(Operand::ifmap), fi = static_cast<int>(Operand::filter),
              out = static_cast<int>(Operand::ofmap);
    switch (dataflow_) {
      case SystolicDataflow::output_stationary: plan.relevant = {G | ROW, G | COL, G | ROW | COL}; break;
      case SystolicDataflow::weight_stationary: plan.relevant = {G | ROW, G | ROW | COL, G | COL}; break;
      case SystolicDataflow::input_stationary: plan.relevant = {G | ROW | COL, G | ROW, G | COL}; break;
    }
    const std::int64_t ifmap_group_bytes = v.bytes(v.N * v.C * v.H * v.W);
    // Bytes of an ifmap-matrix block of p pixels × w window elements: its
    // share of the group's input tensor.
    const auto ifmap_block = [&](std::int64_t p, std::int64_t w) {
      const double share = static_cast<double>(ifmap_group_bytes) * (static_cast<double>(p) / static_cast<double>(Npx)) *
                           (static_cast<double>(w) / static_cast<double>(Kw));
      return static_cast<std::int64_t>(std::ceil(share - 1e-9));
    };
    const auto filter_block = [&](std::int64_t w, std::int64_t f) { return v.has_filter ? v.bytes(w * f) : 0; };
    const auto ofmap_block = [&](std::int64_t p, std::int64_t f) { return v.bytes(p * f); };

    plan.resident[in] = ifmap_group_bytes * v.groups <= sub.ifmap.capacity_bytes;
    plan.resident[fi] = filter_block(Kw, F) * v.groups <= sub.filter.capacity_bytes;
    plan.resident[out] = ofmap_block(Npx, F) * v.groups <= sub.ofmap.capacity_bytes;
    // ws and is reduce over row folds: with row folds inside column folds the
    // output block stays in the ofmap buffer across them if half the buffer
    // holds it, else partial sums spill. With row folds outside, the block
    // changes every fold and partial sums spill unless the whole output is
    // resident (count_loads sees that from the loop order).
    if (!os && at[kRowFolds] > at[kColumnFolds]) {
      const std::int64_t held = dataflow_ == SystolicDataflow::weight_stationary ? ofmap_block(Npx, std::min(cols, SC))
                                                                                  : ofmap_block(std::min(cols, SC), F);
      if (2 * held > sub.ofmap.capacity_bytes) plan.relevant[out] |= ROW;
    }
    plan.report_offset_cycles = -1;
    plan.fixed_cycles = sub.systolic_layer_overhead_cycles;

    finalize_plan(plan, [&](const TilePlan& p, std::uint32_t mask) {
      const std::int64_t ru = p.tile_size(at[kRowFolds], mask), cu = p.tile_size(at[kColumnFolds], mask);
      TileCost cost;
      cost.compute_cycles = fold_cycles;
      cost.ops = ru * cu * T;
      switch (dataflow_) {
        case SystolicDataflow::output_stationary:
          cost.footprint_bytes = {ifmap_block(ru, Kw), filter_block(Kw, cu), ofmap_block(ru, cu)};
          cost.buffer_reads = {ru * T, v.has_filter ? cu * T : 0, 0};
          cost.buffer_writes = {0, 0, ru * cu};
          break;
        case SystolicDataflow::weight_stationary:
          cost.footprint_bytes = {ifmap_block(Npx, ru), filter_block(ru, cu), ofmap_block(Npx, cu)};
          cost.buffer_reads = {ru * T, v.has_filter ? ru * cu : 0, 0};
          cost.buffer_writes = {0, 0, cu * T};
          break;
        case SystolicDataflow::input_stationary:
          cost.footprint_bytes = {ifmap_block(cu, ru), filter_block(ru, F), ofmap_block(cu, F)};
          cost.buffer_reads = {ru * cu, v.has_filter ? ru * T : 0, 0};
          cost.buffer_writes = {0, 0, cu * T};
          break;
      }
      return cost;
    });
    // Every group has the same folds, so the means over folds are per group.
    const double folds = static_cast<double>(plan.loops[at[kColumnFolds]].trips() * plan.loops[at[kRowFolds]].trips());
    const double pes = static_cast<double>(rows * cols);
    plan.mapping_efficiency = static_cast<double>(SR) * static_cast<double>(SC) / (folds * pes);
    plan.compute_utilization = static_cast<double>(SR) * static_cast<double>(SC) * static_cast<double>(T) /
                               (folds * pes * static_cast<double>(counted_fold_cycles));
    return plan;
  }

  bool execute(const Layer& layer, const SubAcceleratorSpec& /*sub*/, const TilePlan& plan,
               FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    FunctionalAccess access(layer, tensors);
    const std::int64_t T = folds(access.view()).T;
    for_each_tile(plan, [&](const TileAt& fold) {
      const std::int64_t g = fold.start_of('G'), c0 = fold.start_of('c'), r0 = fold.start_of('r');
      const std::int64_t cols = fold.size_of('c'), rows = fold.size_of('r');
      // One fold: the operand on the time axis streams through the array;
      // every PE (i, j) does one MAC per step.
      for (std::int64_t t = 0; t < T; ++t) {
        for (std::int64_t i = 0; i < rows; ++i) {
          for (std::int64_t j = 0; j < cols; ++j) {
            switch (dataflow_) {
              case SystolicDataflow::output_stationary: access.mac_lowered(g, r0 + i, t, c0 + j); break;
              case SystolicDataflow::weight_stationary: access.mac_lowered(g, t, r0 + i, c0 + j); break;
              case SystolicDataflow::input_stationary: access.mac_lowered(g, c0 + j, r0 + i, t); break;
            }
          }
        }
      }
    });
    return true;
  }

 private:
  static constexpr int kGroups = 0, kColumnFolds = 1, kRowFolds = 2;
  // The GEMM dimensions on the array's rows (SR) and columns (SC), and the
  // one streamed in time (T), per group.
  struct Folds {
    std::int64_t groups = 1, SR = 1, SC = 1, T = 1;
  };
  Folds folds(const LayerView& v) const {
    switch (dataflow_) {
      case SystolicDataflow::output_stationary: return {v.groups, v.pixels(), v.K, v.window()};
      case SystolicDataflow::weight_stationary: return {v.groups, v.window(), v.K, v.pixels()};
      case SystolicDataflow::input_stationary: return {v.groups, v.window(), v.pixels(), v.K};
    }
    return {};
  }

  SystolicDataflow dataflow_;
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_systolic_template(SystolicDataflow dataflow) {
  return std::make_unique<SystolicTemplate>(dataflow);
}

}  // namespace nasaic
