// Eyeriss-style row-stationary array (Chen, Emer, Sze, "Eyeriss: A Spatial
// Architecture for Energy-Efficient Dataflow for Convolutional Neural
// Networks", ISCA 2016; JSSC 2017).
//
// A 2-D convolution is split into 1-D row primitives: a PE keeps one filter
// row and slides it over one input row, producing one row of partial sums.
// A PE set is R PEs tall (one per filter row) and e PEs wide (one per output
// row); filter rows are reused across a PE row, input rows diagonally, and
// partial sums flow up each column and add. Sets are strip-mined when R
// exceeds the array's rows, and replicated when small: rows / R sets stacked
// over input channels, cols / e side by side over filters.
//
//   for n, p-block in ceil(P / e), r-fold in ceil(R / rows):   # processing passes
//     for c-block in ceil(C / stacked sets), k-block in ceil(K / side-by-side sets):
//       parallel over sets and their R × e PEs:
//         for q in Q: for s in S: 1 MAC per cycle             # the row primitive
//       R cycles: partial sums climb the column and leave to the global buffer
//
// fc and gemm layers are 1×1 convolutions here (R = S = Q = 1), so each PE
// does one MAC per pass and the per-pass accumulation dominates, as expected
// for a row-stationary array without its convolutional reuse.
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

TileCost row_stationary_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t,
                                  int /*spatial*/) {
  const std::int64_t filter_rows = std::min(v.R, sub.rows);
  const std::int64_t r_folds = ceil_div(v.R, sub.rows);
  const std::int64_t set_width = std::min(t.P, sub.cols);
  const std::int64_t stacked = std::max<std::int64_t>(1, sub.rows / filter_rows);
  const std::int64_t side_by_side = std::max<std::int64_t>(1, sub.cols / set_width);
  const std::int64_t channel_blocks = ceil_div(t.C, stacked), filter_blocks = ceil_div(t.K, side_by_side);
  const std::int64_t passes = v.N * ceil_div(t.P, set_width) * r_folds * channel_blocks * filter_blocks;
  const std::int64_t psum_writes = v.N * t.K * t.P * v.Q * channel_blocks * r_folds;
  TileCost cost;
  cost.compute_cycles = passes * (v.Q * v.S + filter_rows);
  cost.buffer_reads = {filter_blocks * v.N * t.C * v.input_rows(t.P) * v.W,
                       v.has_filter ? v.N * ceil_div(t.P, set_width) * t.K * t.C * v.R * v.S : 0,
                       psum_writes - v.N * t.K * t.P * v.Q};
  cost.buffer_writes = {0, 0, psum_writes};
  return cost;
}

class EyerissTemplate final : public DataflowTemplate {
 public:
  std::string_view name() const override { return "eyeriss"; }

  bool execute(const Layer& layer, const SubAcceleratorSpec& sub, const TilePlan& plan,
               FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    FunctionalAccess access(layer, tensors);
    const LayerView& v = access.view();
    for_each_conv_tile(plan, [&](const ConvTileAt& at) {
      const std::int64_t filter_rows = std::min(v.R, sub.rows);
      const std::int64_t set_width = std::min(at.size.P, sub.cols);
      const std::int64_t stacked = std::max<std::int64_t>(1, sub.rows / filter_rows);
      const std::int64_t side_by_side = std::max<std::int64_t>(1, sub.cols / set_width);
      for (std::int64_t n = 0; n < v.N; ++n) {
        for (std::int64_t p0 = 0; p0 < at.size.P; p0 += set_width) {
          for (std::int64_t r0 = 0; r0 < v.R; r0 += filter_rows) {
            for (std::int64_t c0 = 0; c0 < at.size.C; c0 += stacked) {
              for (std::int64_t k0 = 0; k0 < at.size.K; k0 += side_by_side) {
                // One pass: PE sets over (channel, filter); in a set, PE
                // (i, j) runs filter row r0 + i over the input row of output
                // row p0 + j.
                for (std::int64_t c = c0; c < std::min(c0 + stacked, at.size.C); ++c) {
                  for (std::int64_t k = k0; k < std::min(k0 + side_by_side, at.size.K); ++k) {
                    for (std::int64_t i = r0; i < std::min(r0 + filter_rows, v.R); ++i) {
                      for (std::int64_t j = p0; j < std::min(p0 + set_width, at.size.P); ++j) {
                        for (std::int64_t q = 0; q < v.Q; ++q) {
                          for (std::int64_t s = 0; s < v.S; ++s) access.mac(at.g, n, at.k + k, at.c + c, at.p + j, q, i, s);
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    });
    return true;
  }

  MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& /*sub*/) const override {
    if (layer.type == LayerType::add) return elementwise_mapping_space(layer);
    return conv_mapping_space(layer, ConvGranules{}, 1);
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    return greedy_conv_mapping(layer, sub, ConvGranules{});
  }

  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    return layer.type == LayerType::add ? elementwise_fits(layer, sub, mapping) : conv_fits(layer, sub, mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub, mapping);
    return plan_conv(name(), layer, sub, mapping, row_stationary_tile_cost, 0);
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int /*spatial*/) const override {
    if (layer.type == LayerType::add) return "elements on " + std::to_string(sub.pes()) + " PEs";
    const std::int64_t filter_rows = std::min<std::int64_t>(layer.R, sub.rows);
    return "PE sets of R=" + std::to_string(filter_rows) + " filter rows x e output rows; " +
           std::to_string(std::max<std::int64_t>(1, sub.rows / filter_rows)) + " sets stacked over C";
  }
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_eyeriss_template() { return std::make_unique<EyerissTemplate>(); }

}  // namespace nasaic
