// NVDLA-style weight-stationary convolution core, following the NVDLA v1
// hardware architecture and unit description (nvdla/doc, "Convolution Core",
// "Direct Convolution", "Atomic Operation"; nvdla/hw CSC sequence generator).
//
// The PE array is Atomic-C rows × Atomic-K columns: each column is a MAC cell
// holding one 1×1×Atomic-C weight slice of one kernel; one input cube of
// Atomic-C channels is broadcast to all cells each cycle and reduced by each
// cell's adder tree. So C is spatial across rows, K across columns, and R·S
// and the output pixels are temporal:
//
//   for kg in ceil(K / AK):                    # kernel group, AK kernels in flight
//     for stripe in stripes(P·Q·N):            # 16 atomics (the last takes 16..31)
//       for cb in ceil(C / AC):                # block op
//         for (r, s) in R × S:                 # stripe op: weights held in the cells
//           for pixel in stripe: 1 cycle       # atomic op: AK partial sums
//
// A stripe op lasts max(stripe length, kernels in the group) cycles: the
// next slice's weights are shadow-loaded one kernel per cycle while the
// stripe runs, which bounds short stripes (an fc layer at batch 1 reaches
// 1/AK utilisation, the 6.25 % NVDLA documents for AK = 16). Depthwise and
// grouped layers run group by group with C = C/G. Each layer adds 28 cycles
// of pipeline fill/drain (CBUF read 6 + CMAC 9 + CACC 4 + delivery, from the
// RTL headers) and the 48-cycle end-of-layer flush of the CSC.
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

constexpr std::int64_t kStripeAtomics = 16;
constexpr std::int64_t kPipelineCycles = 28;
constexpr std::int64_t kLayerFlushCycles = 48;

TileCost nvdla_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t, int /*spatial*/) {
  const std::int64_t atomic_c = sub.rows, atomic_k = sub.cols;
  const std::int64_t pixels = v.N * t.P * v.Q;
  const std::int64_t stripes = pixels < kStripeAtomics ? 1 : pixels / kStripeAtomics;
  const std::int64_t last_stripe = pixels - (stripes - 1) * kStripeAtomics;
  const auto group_cycles = [&](std::int64_t kernels) {
    return (stripes - 1) * std::max(kStripeAtomics, kernels) + std::max(last_stripe, kernels);
  };
  const std::int64_t full_groups = t.K / atomic_k, rest = t.K % atomic_k;
  const std::int64_t per_slice = full_groups * group_cycles(atomic_k) + (rest ? group_cycles(rest) : 0);
  const std::int64_t kernel_groups = ceil_div(t.K, atomic_k);
  TileCost cost;
  cost.compute_cycles = ceil_div(t.C, atomic_c) * v.R * v.S * per_slice;
  cost.buffer_reads = {pixels * t.C * v.R * v.S * kernel_groups, v.has_filter ? t.K * t.C * v.R * v.S * stripes : 0,
                       0};
  cost.buffer_writes = {0, 0, pixels * t.K};
  return cost;
}

class NvdlaTemplate final : public DataflowTemplate {
 public:
  std::string_view name() const override { return "nvdla"; }

  bool execute(const Layer& layer, const SubAcceleratorSpec& sub, const TilePlan& plan,
               FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    FunctionalAccess access(layer, tensors);
    const LayerView& v = access.view();
    const std::int64_t atomic_c = sub.rows, atomic_k = sub.cols;
    for_each_conv_tile(plan, [&](const ConvTileAt& at) {
      const std::int64_t pixels = v.N * at.size.P * v.Q;
      const std::int64_t stripes = pixels < kStripeAtomics ? 1 : pixels / kStripeAtomics;
      for (std::int64_t kg = 0; kg < at.size.K; kg += atomic_k) {
        for (std::int64_t stripe = 0; stripe < stripes; ++stripe) {
          const std::int64_t first = stripe * kStripeAtomics;
          const std::int64_t last = stripe + 1 == stripes ? pixels : first + kStripeAtomics;
          for (std::int64_t cb = 0; cb < at.size.C; cb += atomic_c) {
            for (std::int64_t r = 0; r < v.R; ++r) {
              for (std::int64_t s = 0; s < v.S; ++s) {
                for (std::int64_t pixel = first; pixel < last; ++pixel) {  // one atomic op per cycle
                  const std::int64_t q = pixel % v.Q, p = at.p + pixel / v.Q % at.size.P,
                                     n = pixel / (v.Q * at.size.P);
                  for (std::int64_t k = kg; k < std::min(kg + atomic_k, at.size.K); ++k) {    // MAC cells
                    for (std::int64_t c = cb; c < std::min(cb + atomic_c, at.size.C); ++c) {  // multipliers
                      access.mac(at.g, n, at.k + k, at.c + c, p, q, r, s);
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
    return conv_mapping_space(layer, granules(sub), 1);
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    return greedy_conv_mapping(layer, sub, granules(sub));
  }

  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    return layer.type == LayerType::add ? elementwise_fits(layer, sub, mapping) : conv_fits(layer, sub, mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub, mapping);
    return plan_conv(name(), layer, sub, mapping, nvdla_tile_cost, kPipelineCycles + kLayerFlushCycles);
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int /*spatial*/) const override {
    if (layer.type == LayerType::add) return "elements on " + std::to_string(sub.pes()) + " PEs";
    return "C on " + std::to_string(sub.rows) + " rows (Atomic-C), K on " + std::to_string(sub.cols) +
           " cols (Atomic-K)";
  }

 private:
  // K and C tiles are whole atomic groups, so no cell idles inside a tile.
  static ConvGranules granules(const SubAcceleratorSpec& sub) { return ConvGranules{sub.cols, sub.rows, 1}; }
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_nvdla_template() { return std::make_unique<NvdlaTemplate>(); }

}  // namespace nasaic
