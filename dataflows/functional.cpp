#include "dataflows/functional.hpp"

namespace nasaic {

void FunctionalTensors::prepare(const Layer& layer) {
  output.assign(static_cast<std::size_t>(layer.output_elements()), 0);
  macs = 0;
}

FunctionalAccess::FunctionalAccess(const Layer& layer, FunctionalTensors& tensors)
    : layer_(layer), tensors_(tensors), view_(view_of(layer)) {}

std::int32_t FunctionalAccess::input(std::int64_t g, std::int64_t n, std::int64_t c, std::int64_t y,
                                     std::int64_t x) const {
  const std::int64_t row = y - layer_.padding.top, col = x - layer_.padding.left;
  if (row < 0 || row >= layer_.H || col < 0 || col >= layer_.W) return 0;
  const std::int64_t channel = g * view_.C + c;
  return tensors_.input[static_cast<std::size_t>(((n * layer_.C + channel) * layer_.H + row) * layer_.W + col)];
}

std::int32_t FunctionalAccess::weight(std::int64_t g, std::int64_t k, std::int64_t c, std::int64_t r,
                                      std::int64_t s) const {
  const std::int64_t filter = g * view_.K + k;
  if (layer_.type == LayerType::gemm) {
    return tensors_.weights[static_cast<std::size_t>(c * layer_.K + filter)];  // K×N row-major
  }
  return tensors_.weights[static_cast<std::size_t>(((filter * view_.C + c) * layer_.R + r) * layer_.S + s)];
}

void FunctionalAccess::mac(std::int64_t g, std::int64_t n, std::int64_t k, std::int64_t c, std::int64_t p,
                           std::int64_t q, std::int64_t r, std::int64_t s) {
  const std::int64_t filter = g * view_.K + k;
  const std::int64_t P = view_.P, Q = view_.Q;
  tensors_.output[static_cast<std::size_t>(((n * layer_.K + filter) * P + p) * Q + q)] +=
      input(g, n, c, p * view_.stride_h + r, q * view_.stride_w + s) * weight(g, k, c, r, s);
  ++tensors_.macs;
}

void FunctionalAccess::mac_lowered(std::int64_t g, std::int64_t pixel, std::int64_t window, std::int64_t filter) {
  const std::int64_t q = pixel % view_.Q, p = pixel / view_.Q % view_.P, n = pixel / (view_.Q * view_.P);
  const std::int64_t s = window % view_.S, r = window / view_.S % view_.R, c = window / (view_.S * view_.R);
  mac(g, n, filter, c, p, q, r, s);
}

}  // namespace nasaic
