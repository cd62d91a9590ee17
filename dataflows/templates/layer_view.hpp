#pragma once
// How templates see a layer: G independent groups, each a convolution of
// C_g = C/G input channels to K_g = K/G filters over an N×P×Q output. Pool
// layers are per-channel window reductions with no filter operand. The GEMM
// lowering (SCALE-Sim's operand matrices) is Npx × Kw times Kw × F.
#include <cstdint>

#include "models/layer.hpp"

namespace nasaic {

struct LayerView {
  std::int64_t groups = 1;
  std::int64_t N = 1, C = 1, K = 1, P = 1, Q = 1, R = 1, S = 1;  // per group (C, K)
  std::int64_t H = 1, W = 1;                                    // input, padded
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t bytes_per_element = 1;  // rounded up; 4-bit operands count whole bytes per tile
  int bits = 8;
  bool has_filter = true;
  double density = 1.0, output_density = 1.0;  // non-zero fraction of input / output activations

  std::int64_t pixels() const { return N * P * Q; }   // Npx
  std::int64_t window() const { return C * R * S; }   // Kw
  std::int64_t ops_per_group() const { return pixels() * K * window(); }
  // Input rows a tile of `p` output rows needs.
  std::int64_t input_rows(std::int64_t p) const { return (p - 1) * stride_h + R; }
  std::int64_t bytes(std::int64_t elements) const { return (elements * bits + 7) / 8; }
};

inline LayerView view_of(const Layer& layer) {
  LayerView v;
  v.groups = layer.groups;
  v.N = layer.N;
  v.C = layer.C / layer.groups;
  v.K = layer.K / layer.groups;
  v.P = layer.P();
  v.Q = layer.Q();
  v.R = layer.R;
  v.S = layer.S;
  v.H = layer.H + layer.padding.top + layer.padding.bottom;
  v.W = layer.W + layer.padding.left + layer.padding.right;
  v.stride_h = layer.stride_h;
  v.stride_w = layer.stride_w;
  v.bits = layer.bits;
  v.bytes_per_element = (layer.bits + 7) / 8;
  v.has_filter = layer.has_filter();
  v.density = layer.density;
  v.output_density = layer.output_density;
  return v;
}

}  // namespace nasaic
