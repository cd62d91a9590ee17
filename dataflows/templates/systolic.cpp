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

  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub);
    const LayerView v = view_of(layer);
    const std::int64_t rows = sub.rows, cols = sub.cols;
    const std::int64_t Npx = v.pixels(), Kw = v.window(), F = v.K;
    std::int64_t SR = 0, SC = 0, T = 0;
    switch (dataflow_) {
      case SystolicDataflow::output_stationary: SR = Npx, SC = F, T = Kw; break;
      case SystolicDataflow::weight_stationary: SR = Kw, SC = F, T = Npx; break;
      case SystolicDataflow::input_stationary: SR = Kw, SC = Npx, T = F; break;
    }
    const bool os = dataflow_ == SystolicDataflow::output_stationary;
    const std::int64_t fold_cycles = os ? T + rows + cols - 2 : T + 2 * rows + cols - 2;
    const std::int64_t counted_fold_cycles = os ? fold_cycles : fold_cycles + cols - 1;

    TilePlan plan;
    plan.template_name = name();
    plan.add_loop('G', v.groups, 1);
    plan.add_loop('c', SC, cols);
    plan.add_loop('r', SR, rows);
    constexpr std::uint32_t G = 1u << 0, COL = 1u << 1, ROW = 1u << 2;
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
    // ws and is reduce over row folds: the output block stays in the ofmap
    // buffer across them if half the buffer holds it, else partial sums spill.
    if (!os) {
      const std::int64_t held = dataflow_ == SystolicDataflow::weight_stationary ? ofmap_block(Npx, std::min(cols, SC))
                                                                                  : ofmap_block(std::min(cols, SC), F);
      if (2 * held > sub.ofmap.capacity_bytes) plan.relevant[out] |= ROW;
    }
    plan.report_offset_cycles = -1;

    finalize_plan(plan, [&](const TilePlan& p, std::uint32_t mask) {
      const std::int64_t ru = p.tile_size(2, mask), cu = p.tile_size(1, mask);
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
    const double folds = static_cast<double>(plan.loops[1].trips() * plan.loops[2].trips());
    const double pes = static_cast<double>(rows * cols);
    plan.mapping_efficiency = static_cast<double>(SR) * static_cast<double>(SC) / (folds * pes);
    plan.compute_utilization = static_cast<double>(SR) * static_cast<double>(SC) * static_cast<double>(T) /
                               (folds * pes * static_cast<double>(counted_fold_cycles));
    return plan;
  }

  bool execute(const Layer& layer, const SubAcceleratorSpec& sub, FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    const TilePlan plan = this->plan(layer, sub);
    FunctionalAccess access(layer, tensors);
    const TileLoop &groups = plan.loops[0], &col_folds = plan.loops[1], &row_folds = plan.loops[2];
    const LayerView& v = access.view();
    const std::int64_t T = dataflow_ == SystolicDataflow::output_stationary   ? v.window()
                           : dataflow_ == SystolicDataflow::weight_stationary ? v.pixels()
                                                                               : v.K;
    for (std::int64_t g = 0; g < groups.extent; ++g) {
      for (std::int64_t c0 = 0; c0 < col_folds.extent; c0 += col_folds.tile) {
        const std::int64_t cols = std::min(col_folds.tile, col_folds.extent - c0);
        for (std::int64_t r0 = 0; r0 < row_folds.extent; r0 += row_folds.tile) {
          const std::int64_t rows = std::min(row_folds.tile, row_folds.extent - r0);
          // One fold: the operand on the time axis streams through the
          // array; every PE (i, j) does one MAC per step.
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
        }
      }
    }
    return true;
  }

 private:
  SystolicDataflow dataflow_;
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_systolic_template(SystolicDataflow dataflow) {
  return std::make_unique<SystolicTemplate>(dataflow);
}

}  // namespace nasaic
