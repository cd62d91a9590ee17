// ShiDianNao-style output-stationary pixel mesh (Du et al., "ShiDianNao:
// Shifting Vision Processing Closer to the Sensor", ISCA 2015).
//
// The rows × cols PE mesh holds a rows × cols tile of output pixels of one
// output map; each PE keeps its output's partial sum. Every cycle one weight
// is read from the synapse buffer and broadcast to all PEs; inputs enter from
// the input buffer at the tile edge and shift between neighbouring PEs
// (FIFO-H, FIFO-V), so overlapping windows are not re-read:
//
//   for n, k:                                   # image, output map
//     for tile in ceil(P / rows) × ceil(Q / cols):
//       for c in C:                             # input maps feeding k
//         for (r, s) in R × S: 1 cycle          # one broadcast weight, all PEs MAC
//       1 cycle: outputs leave through the ALU to the output buffer
//
// Edge tiles leave PEs idle. Classifier (fc, gemm) layers instead spread the
// output neurons over all PEs and broadcast one input per cycle, as the paper
// describes for its classifier layers: ceil(outputs / PEs) rounds of C cycles.
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

constexpr std::int64_t kOutputWriteCycles = 1;

TileCost mesh_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t, int /*spatial*/) {
  const std::int64_t tiles = ceil_div(t.P, sub.rows) * ceil_div(v.Q, sub.cols);
  const std::int64_t input_cols = (v.Q - 1) * v.stride_w + v.S;
  TileCost cost;
  cost.compute_cycles = v.N * t.K * tiles * (t.C * v.R * v.S + kOutputWriteCycles);
  cost.buffer_reads = {v.N * t.K * t.C * v.input_rows(t.P) * input_cols,
                       v.has_filter ? v.N * t.K * tiles * t.C * v.R * v.S : 0, 0};
  cost.buffer_writes = {0, 0, v.N * t.K * t.P * v.Q};
  return cost;
}

TileCost classifier_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t,
                              int /*spatial*/) {
  const std::int64_t outputs = v.N * t.K * t.P * v.Q;
  const std::int64_t rounds = ceil_div(outputs, sub.pes());
  TileCost cost;
  cost.compute_cycles = rounds * (t.C * v.R * v.S + kOutputWriteCycles);
  cost.buffer_reads = {rounds * t.C * v.R * v.S, outputs * t.C * v.R * v.S, 0};
  cost.buffer_writes = {0, 0, outputs};
  return cost;
}

class ShidiannaoTemplate final : public DataflowTemplate {
 public:
  std::string_view name() const override { return "shidiannao"; }

  bool execute(const Layer& layer, const SubAcceleratorSpec& sub, const TilePlan& plan,
               FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    FunctionalAccess access(layer, tensors);
    const LayerView& v = access.view();
    const bool is_classifier = classifier(layer);
    for_each_conv_tile(plan, [&](const ConvTileAt& at) {
      if (is_classifier) {
        // Output neurons spread over the PEs; one input broadcast per cycle.
        const std::int64_t outputs = at.size.N * at.size.K * at.size.P * v.Q;
        for (std::int64_t first = 0; first < outputs; first += sub.pes()) {
          for (std::int64_t c = 0; c < at.size.C; ++c) {
            for (std::int64_t pe = first; pe < std::min(first + sub.pes(), outputs); ++pe) {
              const std::int64_t q = pe % v.Q, p = pe / v.Q % at.size.P, k = pe / (v.Q * at.size.P) % at.size.K,
                                 n = at.n + pe / (v.Q * at.size.P * at.size.K);
              access.mac(at.g, n, at.k + k, at.c + c, at.p + p, q, 0, 0);
            }
          }
        }
        return;
      }
      for (std::int64_t n = at.n; n < at.n + at.size.N; ++n) {
        for (std::int64_t k = 0; k < at.size.K; ++k) {
          for (std::int64_t py = 0; py < at.size.P; py += sub.rows) {
            for (std::int64_t px = 0; px < v.Q; px += sub.cols) {
              for (std::int64_t c = 0; c < at.size.C; ++c) {
                for (std::int64_t r = 0; r < v.R; ++r) {
                  for (std::int64_t s = 0; s < v.S; ++s) {  // one broadcast weight per cycle
                    for (std::int64_t y = py; y < std::min(py + sub.rows, at.size.P); ++y) {
                      for (std::int64_t x = px; x < std::min(px + sub.cols, v.Q); ++x) {
                        access.mac(at.g, n, at.k + k, at.c + c, at.p + y, x, r, s);
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

  MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return elementwise_mapping_space(layer);
    return conv_mapping_space(layer, granules(layer, sub), 1);
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    return greedy_conv_mapping(layer, sub, granules(layer, sub));
  }

  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    return layer.type == LayerType::add ? elementwise_fits(layer, sub, mapping) : conv_fits(layer, sub, mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub, mapping);
    return plan_conv(name(), layer, sub, mapping, classifier(layer) ? classifier_tile_cost : mesh_tile_cost, 0);
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int /*spatial*/) const override {
    if (layer.type == LayerType::add) return "elements on " + std::to_string(sub.pes()) + " PEs";
    if (classifier(layer)) return "output neurons on " + std::to_string(sub.pes()) + " PEs";
    return "P on " + std::to_string(sub.rows) + " rows, Q on " + std::to_string(sub.cols) + " cols";
  }

 private:
  static bool classifier(const Layer& layer) { return layer.type == LayerType::fc || layer.type == LayerType::gemm; }
  // Mesh tiles are whole multiples of the mesh height, so only the layer's
  // last rows leave PEs idle.
  static ConvGranules granules(const Layer& layer, const SubAcceleratorSpec& sub) {
    return ConvGranules{1, 1, classifier(layer) ? 1 : sub.rows};
  }
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_shidiannao_template() { return std::make_unique<ShidiannaoTemplate>(); }

}  // namespace nasaic
