#pragma once
// The layer IR every part of nasaic shares. Dimension letters follow the
// convention of Eyeriss/Timeloop papers:
//   N batch, C input channels, H×W input, K output channels, R×S filter,
//   P×Q output.
// GEMM layers (M×K)·(K×N) are stored in the same fields: H = M, C = K (the
// reduction), K = N, with W = R = S = 1, so that P = M and Q = 1. An fc layer is
// a GEMM whose rows are the batch.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace nasaic {

// Limits that keep every derived count exact in 64-bit integers and in
// doubles, with room for the traffic and cycle counts computed from them: a
// dimension, the elements of one tensor, and a layer's MACs or operations.
// The largest published layers are orders of magnitude inside them.
inline constexpr std::int64_t kMaxLayerDimension = std::int64_t{1} << 24;
inline constexpr std::int64_t kMaxTensorElements = std::int64_t{1} << 44;
inline constexpr std::int64_t kMaxLayerOps = std::int64_t{1} << 50;
inline constexpr std::int64_t kMaxNetworkOps = std::int64_t{1} << 56;

enum class LayerType { conv, dwconv, fc, gemm, pool, add };

const char* layer_type_name(LayerType type);
// Throws InputError listing the known names.
LayerType parse_layer_type(const std::string& name);

struct Padding {
  std::int64_t top = 0, bottom = 0, left = 0, right = 0;
  friend bool operator==(const Padding&, const Padding&) = default;
};

// A (channels, height, width) activation tensor for one batch element.
struct TensorShape {
  std::int64_t channels = 0, height = 0, width = 0;
  friend bool operator==(const TensorShape&, const TensorShape&) = default;
  std::int64_t elements() const { return channels * height * width; }
};

struct Layer {
  std::string name;
  LayerType type = LayerType::conv;
  // Producers of this layer's input. Empty: reads the network input. Several
  // producers are concatenated along channels (larger maps center-cropped to the
  // smallest, as in U-Net), except for `add`, which sums equal shapes.
  std::vector<std::string> inputs;
  // Layers that must finish before this one starts although no tensor flows
  // between them: SCALE-Sim topologies list layers in run order without edges.
  std::vector<std::string> after;

  std::int64_t N = 1, C = 1, H = 1, W = 1, K = 1, R = 1, S = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  Padding padding;
  std::int64_t groups = 1;
  int bits = 8;
  // Depth-to-space factor applied to the output. A 2×2 stride-2 transposed
  // convolution (U-Net's up-convolution) has exactly the MACs of a 1×1 conv to
  // 4·K' channels followed by a factor-2 shuffle; this keeps the IR to the six
  // layer types while representing it exactly.
  std::int64_t pixel_shuffle = 1;
  // Fraction of non-zero activations in the layer's input and output (after
  // its activation function), in (0, 1]; 1 = dense. Only activation
  // compression reads them (e.g. Eyeriss's run-length coding; JSSC 2017
  // Table V lists 38.7-79.3 % zeros in AlexNet's ifmaps).
  double density = 1.0;
  double output_density = 1.0;

  // Every field a layer's cost depends on (not its name or its edges, only
  // how many inputs it has): what caches of profiles and mappings key on.
  static constexpr int kCostKeyFields = 20;
  std::array<std::int64_t, kCostKeyFields> cost_key() const;

  std::int64_t P() const;
  std::int64_t Q() const;
  std::int64_t gemm_M() const { return H; }
  std::int64_t gemm_N() const { return K; }
  std::int64_t gemm_K() const { return C; }

  // Multiply-accumulates; 0 for pool and add, which do no multiplications.
  std::int64_t macs() const;
  // Arithmetic operations the datapath performs: MACs, pooling window
  // comparisons/additions, or elementwise additions.
  std::int64_t ops() const;
  std::int64_t input_elements() const;   // all inputs, unpadded
  std::int64_t filter_elements() const;  // 0 for pool and add
  std::int64_t output_elements() const;
  std::int64_t ifmap_bytes() const;
  std::int64_t filter_bytes() const;
  std::int64_t ofmap_bytes() const;
  std::int64_t bytes_of(std::int64_t elements) const;

  TensorShape input_shape() const;   // per batch element, as the layer consumes it
  TensorShape output_shape() const;  // per batch element, after pixel_shuffle

  bool has_filter() const { return type == LayerType::conv || type == LayerType::dwconv ||
                                   type == LayerType::fc || type == LayerType::gemm; }

  // Returns an empty string when the layer is well-formed, else the first
  // problem found, prefixed with the offending field as a network file spells
  // it ("R: filter 7 is larger than the padded input 5"; M, N and K for a
  // gemm). Dimensions and derived counts beyond the limits above are problems,
  // so no count computed from a valid layer overflows.
  std::string validate() const;
};

}  // namespace nasaic
