#pragma once
// Functional execution: real int8 operands, int32 accumulation, every MAC
// performed in the template's own loop order. Comparing the result with a
// reference convolution shows that a template maps every MAC exactly once.
#include <cstdint>
#include <vector>

#include "dataflows/templates/layer_view.hpp"

namespace nasaic {

// Operand storage, row-major: input N×C×H×W (unpadded), weights K×(C/G)×R×S,
// output N×K×P×Q, as LibTorch lays them out. An fc layer is then input N×C,
// weights K×C, output N×K. A gemm (M×K)·(K×N) is stored as the IR sees it:
// input Aᵀ (K×M), weights B (K×N), output (AB)ᵀ (N×M).
struct FunctionalTensors {
  std::vector<std::int8_t> input;
  std::vector<std::int8_t> weights;
  std::vector<std::int32_t> output;
  std::int64_t macs = 0;  // performed

  // Zeroes the output and sizes it for `layer`.
  void prepare(const Layer& layer);
};

// Index arithmetic shared by the templates' functional loops, in the
// template's per-group view (g, and k and c within the group).
class FunctionalAccess {
 public:
  FunctionalAccess(const Layer& layer, FunctionalTensors& tensors);
  const LayerView& view() const { return view_; }

  // Input at padded coordinates (y, x); zero in the padding.
  std::int32_t input(std::int64_t g, std::int64_t n, std::int64_t c, std::int64_t y, std::int64_t x) const;
  std::int32_t weight(std::int64_t g, std::int64_t k, std::int64_t c, std::int64_t r, std::int64_t s) const;
  // acc[n][k][p][q] += input(p·stride + r, q·stride + s) · weight(r, s).
  void mac(std::int64_t g, std::int64_t n, std::int64_t k, std::int64_t c, std::int64_t p, std::int64_t q,
           std::int64_t r, std::int64_t s);
  // The same, with a GEMM view: pixel index = (n·P + p)·Q + q, window index
  // = (c·R + r)·S + s.
  void mac_lowered(std::int64_t g, std::int64_t pixel, std::int64_t window, std::int64_t filter);

 private:
  const Layer& layer_;
  FunctionalTensors& tensors_;
  LayerView view_;
};

}  // namespace nasaic
