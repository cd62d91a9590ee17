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
// A stripe op lasts max(stripe length, weight load) cycles: the next
// slice's weights are shadow-loaded one int16 kernel (two int8 kernels) per
// cycle while the stripe runs, which bounds short stripes (an fc layer at
// batch 1 waits 16 cycles per atomic on nv_full, the 6.25 % the IAS gives). Depthwise and
// grouped layers run group by group with C = C/G. Each layer adds 28 cycles
// of pipeline fill/drain (CBUF read 6 + CMAC 9 + CACC 4 + delivery, from the
// RTL headers) and the 48-cycle end-of-layer flush of the CSC.
//
// NVDLA's own modes, each switched in the chip spec (NvdlaSpec, key `nvdla`;
// sources: nvdla/doc doc/hw/v1/ias/unit_description.rst, nvdla/hw
// spec/defs/*.spec):
// - Winograd F(2x2, 3x3) for 3x3 stride-1 convs ("Winograd Convolution"):
//   an atomic op takes a 4x4x(Atomic-C/16) input cube per cell and gives a
//   2x2 output block per kernel; one stripe op per block op (no R·S loop),
//   C/(Atomic-C/16) blocks per channel op. So 16 multiplies per 2x2 outputs
//   and channel instead of 36 (2.25x). Software pre-transforms weights to
//   4x4 (GgGᵀ), so weight bytes in DRAM and CBUF grow by 16/9; outputs come
//   4 lines at a time (P tiles are multiples of 4, Q rounds up to 4). Needs
//   Atomic-C a multiple of 16 (nv_small, Atomic-C 8, has WINOGRAD_DISABLE).
//   `ops` counts the multiplies the array performs, so utilisation and MAC
//   energy follow Winograd; functional mode keeps direct MACs (the same
//   sums, exactly) to check that every MAC of the layer is mapped once.
// - Image input with channel extension ("Convolution with Image Input",
//   "Channel Post-Extension") for convs of at most 4 input channels: a kernel
//   row is pre-extended into the channel dimension (C·S channels, R rows of
//   width 1) and n = 1, 2 or 4 lines are post-extended into one atomic
//   (n·C·S channels, ceil(R/n) rows). The IAS limits 2 lines to C·S ≤ 32 and
//   stride_w·C ≤ 32, 4 lines to 16 and 16, for a 64-wide atomic; we scale
//   both by Atomic-C/64. Stripes are 64 atomics and never cross a line.
// - SDP: every output element passes the single-point processor (bias,
//   ReLU) at sdp_throughput elements per cycle behind the accumulator, so a
//   tile lasts at least its final outputs / sdp_throughput cycles. An add
//   layer runs on the SDP (its element-wise ALU, second operand from memory)
//   at that rate, not on the MAC array.
// - PDP: a pool layer runs on the planar processor at pdp_throughput input
//   elements per cycle, one pass over its input, not on the MAC array.
// - Whole channel reduction: CACC adds the partial sums of all C of an
//   output before rounding them for the SDP ("Convolution Accumulator");
//   nothing brings a partial sum back from memory, so C tiles are whole and
//   a layer is split by output rows and kernel groups only.
// - Shared CBUF: the ifmap and filter buffers are one bank pool; each
//   spatial choice of a conv is one split (d data banks, the rest weights),
//   so the mapper picks the split per layer like the D_BANK register.
//   Choice `ifmap banks − 1` is the chip file's own split (the greedy one).
// Not modelled: pool and add stay separate layers, so the DRAM round trip
// that fusing them behind the convolution saves is still paid (their compute
// is on SDP/PDP); weight compression; multi-batch stripes.
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

constexpr std::int64_t kStripeAtomics = 16;
constexpr std::int64_t kPipelineCycles = 28;
constexpr std::int64_t kLayerFlushCycles = 48;
constexpr std::int64_t kImageStripeAtomics = 64;  // image input: fixed, never across a line
constexpr std::int64_t kWinogradChannelsPer16 = 16;  // Atomic-C / 16 channels per Winograd atomic

// The convolution mode NVDLA would run a layer in.
enum class ConvMode { direct, winograd, image };

ConvMode conv_mode(const LayerView& v, const SubAcceleratorSpec& sub) {
  if (!v.has_filter) return ConvMode::direct;
  if (sub.nvdla.winograd && v.R == 3 && v.S == 3 && v.stride_h == 1 && v.stride_w == 1 && v.groups == 1 &&
      sub.rows % kWinogradChannelsPer16 == 0) {
    return ConvMode::winograd;
  }
  if (sub.nvdla.channel_extension && v.groups == 1 && v.C <= 4 && v.S > 1) return ConvMode::image;
  return ConvMode::direct;
}

// Image input: the post-extension n (1, 2 or 4 lines) with the fewest
// atomics per output pixel, and those atomics.
std::pair<std::int64_t, std::int64_t> image_extension(const LayerView& v, std::int64_t atomic_c) {
  const std::int64_t pre = v.C * v.S;  // channel pre-extension: a kernel row becomes channels
  std::int64_t best_n = 1, best = ceil_div(pre, atomic_c) * v.R;
  for (const std::int64_t n : {2, 4}) {
    const std::int64_t limit = atomic_c / n;  // 32 and 16 for Atomic-C 64
    if (pre > limit || v.stride_w * v.C > limit) continue;
    const std::int64_t atomics = ceil_div(n * pre, atomic_c) * ceil_div(v.R, n);
    if (atomics < best) best = atomics, best_n = n;
  }
  return {best_n, best};
}

// Cycles to load the next slice's weights for `kernels` kernels. The CSC
// sends one int16 kernel, or two int8 kernels, per cycle: wt_cycles is
// (kernel_size + 1) / 2 for int8 in the v1 RTL (nvdla/hw nvdlav1
// vmod/nvdla/csc/NV_NVDLA_CSC_sg.v), which is why nv_full's 32 int8 kernels
// fit a 16-atomic stripe and an fc layer sees the IAS's 16-cycle load.
std::int64_t weight_load_cycles(std::int64_t kernels, int bits) {
  const std::int64_t per_kernel = std::clamp(bits, 8, 16);
  return ceil_div(kernels * per_kernel, 16);
}

// Cycles of one weight slice over `pixels` atomics for K kernels: each
// stripe lasts max(its atomics, its weight load).
std::int64_t slice_cycles(std::int64_t pixels, std::int64_t K, std::int64_t atomic_k, int bits) {
  const std::int64_t stripes = pixels < kStripeAtomics ? 1 : pixels / kStripeAtomics;
  const std::int64_t last_stripe = pixels - (stripes - 1) * kStripeAtomics;
  const auto group_cycles = [&](std::int64_t kernels) {
    const std::int64_t load = weight_load_cycles(kernels, bits);
    return (stripes - 1) * std::max(kStripeAtomics, load) + std::max(last_stripe, load);
  };
  const std::int64_t full_groups = K / atomic_k, rest = K % atomic_k;
  return full_groups * group_cycles(atomic_k) + (rest ? group_cycles(rest) : 0);
}

TileCost nvdla_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t, int /*spatial*/) {
  const std::int64_t atomic_c = sub.rows, atomic_k = sub.cols;
  const std::int64_t pixels = v.N * t.P * v.Q;
  const std::int64_t kernel_groups = ceil_div(t.K, atomic_k);
  TileCost cost;
  if (!v.has_filter) {  // pool on the PDP: one pass over the tile's input
    const std::int64_t inputs = v.N * t.C * v.input_rows(t.P) * v.W;
    cost.compute_cycles = ceil_div(inputs, sub.nvdla.pdp_throughput);
    cost.buffer_reads = {inputs, 0, 0};
    cost.buffer_writes = {0, 0, pixels * t.K};
    return cost;
  }
  switch (conv_mode(v, sub)) {
    case ConvMode::winograd: {
      const std::int64_t blocks = v.N * ceil_div(t.P, 4) * 2 * ceil_div(v.Q, 4) * 2;  // 2x2 output blocks
      const std::int64_t channel_blocks = ceil_div(t.C, atomic_c / kWinogradChannelsPer16);
      cost.compute_cycles = channel_blocks * slice_cycles(blocks, t.K, atomic_k, v.bits);
      cost.ops = blocks * 16 * t.C * t.K;
      cost.footprint_bytes = {v.bytes(v.N * t.C * v.input_rows(t.P) * v.W), v.bytes(t.K * t.C * 16),
                              v.bytes(pixels * t.K)};
      cost.buffer_reads = {blocks * 16 * t.C * kernel_groups,
                           t.K * t.C * 16 * std::max<std::int64_t>(1, blocks / kStripeAtomics), 0};
      break;
    }
    case ConvMode::image: {
      const auto [lines, atomics] = image_extension(v, atomic_c);
      // Stripes of 64 atomics within one output line, each at least as
      // long as the weight load of its kernel group.
      const std::int64_t full = v.Q / kImageStripeAtomics, rest = v.Q % kImageStripeAtomics;
      const auto line_cycles = [&](std::int64_t kernels) {
        const std::int64_t load = weight_load_cycles(kernels, v.bits);
        return full * std::max(kImageStripeAtomics, load) + (rest ? std::max(rest, load) : 0);
      };
      const std::int64_t per_line = t.K / atomic_k * line_cycles(atomic_k) +
                                    (t.K % atomic_k ? line_cycles(t.K % atomic_k) : 0);
      cost.compute_cycles = atomics * v.N * t.P * per_line;
      cost.buffer_reads = {pixels * atomics * atomic_c * kernel_groups, t.K * t.C * v.R * v.S * ceil_div(v.Q, 64), 0};
      (void)lines;
      break;
    }
    case ConvMode::direct: {
      cost.compute_cycles = ceil_div(t.C, atomic_c) * v.R * v.S * slice_cycles(pixels, t.K, atomic_k, v.bits);
      const std::int64_t stripes = pixels < kStripeAtomics ? 1 : pixels / kStripeAtomics;
      cost.buffer_reads = {pixels * t.C * v.R * v.S * kernel_groups, t.K * t.C * v.R * v.S * stripes, 0};
      break;
    }
  }
  // Final outputs leave through the SDP; a tile of part of C carries its
  // share of them (the last C tile emits them all).
  const std::int64_t sdp_cycles = ceil_div(pixels * t.K * t.C, v.C * sub.nvdla.sdp_throughput);
  cost.compute_cycles = std::max(cost.compute_cycles, sdp_cycles);
  cost.buffer_writes = {0, 0, pixels * t.K};
  return cost;
}

// `sub` with its CBUF split as spatial choice `spatial` says: spatial + 1
// banks for data, the rest for weights. Without a shared CBUF, `sub`.
SubAcceleratorSpec with_cbuf_split(const SubAcceleratorSpec& sub, int spatial) {
  if (!sub.nvdla.shared_cbuf) return sub;
  SubAcceleratorSpec split = sub;
  split_bank_pool(split.ifmap, split.filter, spatial + 1);
  return split;
}

// A pool has no weights and one spatial choice: the chip file's split.
SubAcceleratorSpec split_for(const Layer& layer, const SubAcceleratorSpec& sub, int spatial) {
  return with_cbuf_split(sub, layer.type == LayerType::pool && sub.nvdla.shared_cbuf
                                  ? static_cast<int>(sub.ifmap.banks - 1)
                                  : spatial);
}

int cbuf_splits(const SubAcceleratorSpec& sub) {
  return sub.nvdla.shared_cbuf ? static_cast<int>(sub.ifmap.banks + sub.filter.banks - 1) : 1;
}
int chip_file_split(const SubAcceleratorSpec& sub) {
  return sub.nvdla.shared_cbuf ? static_cast<int>(sub.ifmap.banks - 1) : 0;
}

// Transformed weights take 16/9 of the filter bytes the shared tiling
// checks; the caller compares this against the split's filter half.
bool winograd_weights_fit(const Layer& layer, const SubAcceleratorSpec& split, const Mapping& mapping) {
  const LayerView v = view_of(layer);
  if (conv_mode(v, split) != ConvMode::winograd) return true;
  const std::int64_t k = std::min(mapping.tiles[kConvK], v.K), c = std::min(mapping.tiles[kConvC], v.C);
  return 2 * v.bytes(k * c * 16) <= split.filter.capacity_bytes;
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
      const std::int64_t pixels = at.size.N * at.size.P * v.Q;
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
                                     n = at.n + pixel / (v.Q * at.size.P);
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

  // NVDLA v1 writes every layer's output to memory through the SDP's write
  // DMA, and the next layer's CDMA fetches it back into the convolution
  // buffer; no path keeps it on chip (nvdla/doc, doc/hw/v1/ias/
  // unit_description.rst: SDP WDMA, CDMA). NVIDIA's performance estimator
  // charges the same round trip for every layer.
  bool forwards_output(const Layer& /*producer*/, const SubAcceleratorSpec& /*sub*/) const override { return false; }

  MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return elementwise_mapping_space(layer);
    MappingSpace space =
        conv_mapping_space(layer, granules(layer, sub), layer.type == LayerType::pool ? 1 : cbuf_splits(sub));
    if (whole_channels(layer, sub)) space.loops[kConvC].fixed_tile = space.loops[kConvC].extent;
    return space;
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    const int spatial = layer.type == LayerType::pool ? 0 : chip_file_split(sub);
    SubAcceleratorSpec split = split_for(layer, sub, spatial);
    // Transformed Winograd weights are 16/9 the size the shared rule assumes.
    if (conv_mode(view_of(layer), split) == ConvMode::winograd) split.filter.capacity_bytes = split.filter.capacity_bytes * 9 / 16;
    const ConvGranules g = granules(layer, sub);
    Mapping mapping = greedy_conv_mapping(layer, split, g);
    mapping.spatial = spatial;
    if (whole_channels(layer, sub)) {
      // All of C in every tile; shrink K, then P, to the granule until it
      // fits; if the chip file's split holds no such tile, the nearest
      // split with more weight banks, then with more data banks, that does.
      const LayerView v = view_of(layer);
      Mapping whole = mapping;
      whole.tiles[kConvC] = v.C;
      const auto shrink = [&](int loop, std::int64_t granule) {
        while (!fits(layer, sub, whole) && whole.tiles[loop] > granule) {
          whole.tiles[loop] = std::max(granule, whole.tiles[loop] / 2 / granule * granule);
        }
      };
      const int splits = cbuf_splits(sub);
      for (int step = 0; step < splits; ++step) {
        whole.spatial = step <= spatial ? spatial - step : step;
        whole.tiles[kConvK] = mapping.tiles[kConvK];
        whole.tiles[kConvP] = mapping.tiles[kConvP];
        shrink(kConvK, std::min(v.K, g.k));
        shrink(kConvP, std::min(v.P, g.p));
        if (fits(layer, sub, whole)) return whole;
      }
    }
    return mapping;
  }

  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return elementwise_fits(layer, sub, mapping);
    const SubAcceleratorSpec split = split_for(layer, sub, mapping.spatial);
    return conv_fits(layer, split, mapping) && winograd_weights_fit(layer, split, mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub, mapping, sub.nvdla.sdp_throughput);
    const SubAcceleratorSpec split = split_for(layer, sub, mapping.spatial);
    if (!winograd_weights_fit(layer, split, mapping)) {
      return TilePlan::infeasible(name(), "filter buffer (" + std::to_string(split.filter.capacity_bytes) +
                                              " B, half per tile) cannot hold the tile's Winograd-transformed 4x4 weights");
    }
    return plan_conv(name(), layer, split, mapping, nvdla_tile_cost, kPipelineCycles + kLayerFlushCycles);
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int spatial) const override {
    if (layer.type == LayerType::add) return "elements on the SDP, " + std::to_string(sub.nvdla.sdp_throughput) + "/cycle";
    if (layer.type == LayerType::pool) return "input on the PDP, " + std::to_string(sub.nvdla.pdp_throughput) + "/cycle";
    const SubAcceleratorSpec split = with_cbuf_split(sub, spatial);
    const ConvMode mode = conv_mode(view_of(layer), sub);
    return std::string(mode == ConvMode::winograd ? "Winograd 4x4x" + std::to_string(sub.rows / 16) + " on "
                       : mode == ConvMode::image  ? "image input, channel-extended C on "
                                                  : "C on ") +
           std::to_string(sub.rows) + " rows (Atomic-C), K on " + std::to_string(sub.cols) + " cols (Atomic-K)" +
           (sub.nvdla.shared_cbuf ? "; CBUF " + std::to_string(split.ifmap.banks) + " data + " +
                                        std::to_string(split.filter.banks) + " weight banks"
                                  : "");
  }

 private:
  // Whether tiles hold all input channels (whole_channel_reduction): when
  // the smallest such tile (one kernel group, one row granule) fits some
  // CBUF split. Where it fits none (nv_full's 32 Winograd kernels of 512
  // channels are 256 KiB, which the chip runs single-buffered from its
  // circular weight buffer, and nasaic's double-buffered tiles cannot),
  // C tiles stay free.
  bool whole_channels(const Layer& layer, const SubAcceleratorSpec& sub) const {
    if (!sub.nvdla.whole_channel_reduction || layer.type == LayerType::pool || layer.type == LayerType::add) return false;
    const LayerView v = view_of(layer);
    const ConvGranules g = granules(layer, sub);
    Mapping smallest;
    smallest.tiles = {1, std::min(v.K, g.k), std::min(v.P, g.p), v.C, 1};
    smallest.order = {kConvG, kConvN, kConvK, kConvP, kConvC};
    for (int spatial = 0; spatial < cbuf_splits(sub); ++spatial) {
      smallest.spatial = spatial;
      const SubAcceleratorSpec split = split_for(layer, sub, spatial);
      if (conv_fits(layer, split, smallest) && winograd_weights_fit(layer, split, smallest)) return true;
    }
    return false;
  }

  // K and C tiles are whole atomic groups, so no cell idles inside a tile;
  // Winograd outputs 4 lines at a time.
  static ConvGranules granules(const Layer& layer, const SubAcceleratorSpec& sub) {
    const std::int64_t p = conv_mode(view_of(layer), sub) == ConvMode::winograd ? 4 : 1;
    return ConvGranules{sub.cols, sub.rows, p};
  }
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_nvdla_template() { return std::make_unique<NvdlaTemplate>(); }

}  // namespace nasaic
