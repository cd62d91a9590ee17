#include "models/layer.hpp"

#include "common/error.hpp"

namespace nasaic {

namespace {
constexpr LayerType kAllTypes[] = {LayerType::conv, LayerType::dwconv, LayerType::fc,
                                   LayerType::gemm, LayerType::pool,   LayerType::add};
}

const char* layer_type_name(LayerType type) {
  switch (type) {
    case LayerType::conv: return "conv";
    case LayerType::dwconv: return "dwconv";
    case LayerType::fc: return "fc";
    case LayerType::gemm: return "gemm";
    case LayerType::pool: return "pool";
    case LayerType::add: return "add";
  }
  return "?";
}

LayerType parse_layer_type(const std::string& name) {
  std::string known;
  for (LayerType type : kAllTypes) {
    if (name == layer_type_name(type)) return type;
    known += (known.empty() ? "" : ", ") + std::string(layer_type_name(type));
  }
  throw InputError("unknown layer type '" + name + "'; known: " + known);
}

std::int64_t Layer::P() const { return (H + padding.top + padding.bottom - R) / stride_h + 1; }
std::int64_t Layer::Q() const { return (W + padding.left + padding.right - S) / stride_w + 1; }

std::int64_t Layer::macs() const {
  switch (type) {
    case LayerType::conv:
    case LayerType::dwconv:
    case LayerType::fc:
    case LayerType::gemm: return N * K * P() * Q() * (C / groups) * R * S;
    case LayerType::pool:
    case LayerType::add: return 0;
  }
  return 0;
}

std::int64_t Layer::ops() const {
  switch (type) {
    case LayerType::pool: return N * K * P() * Q() * R * S;
    case LayerType::add: return N * K * P() * Q() * static_cast<std::int64_t>(inputs.size() > 1 ? inputs.size() - 1 : 1);
    default: return macs();
  }
}

std::int64_t Layer::input_elements() const {
  const std::int64_t one = N * C * H * W;
  return type == LayerType::add ? one * static_cast<std::int64_t>(inputs.size() > 1 ? inputs.size() : 2) : one;
}

std::int64_t Layer::filter_elements() const { return has_filter() ? K * (C / groups) * R * S : 0; }
std::int64_t Layer::output_elements() const { return N * K * P() * Q(); }
std::int64_t Layer::bytes_of(std::int64_t elements) const { return (elements * bits + 7) / 8; }
std::int64_t Layer::ifmap_bytes() const { return bytes_of(input_elements()); }
std::int64_t Layer::filter_bytes() const { return bytes_of(filter_elements()); }
std::int64_t Layer::ofmap_bytes() const { return bytes_of(output_elements()); }

TensorShape Layer::input_shape() const { return {C, H, W}; }

TensorShape Layer::output_shape() const {
  return {K / (pixel_shuffle * pixel_shuffle), P() * pixel_shuffle, Q() * pixel_shuffle};
}

std::string Layer::validate() const {
  struct Field {
    const char* key;
    std::int64_t value;
  };
  const Field positive[] = {{"N", N}, {"C", C}, {"H", H}, {"W", W}, {"K", K}, {"R", R}, {"S", S},
                            {"stride", stride_h}, {"stride", stride_w}, {"groups", groups},
                            {"pixel_shuffle", pixel_shuffle}};
  for (const auto& field : positive) {
    if (field.value <= 0) return std::string(field.key) + ": must be positive, got " + std::to_string(field.value);
  }
  const Field non_negative[] = {{"padding", padding.top}, {"padding", padding.bottom},
                                {"padding", padding.left}, {"padding", padding.right}};
  for (const auto& field : non_negative) {
    if (field.value < 0) return std::string(field.key) + ": must not be negative, got " + std::to_string(field.value);
  }
  if (bits != 4 && bits != 8 && bits != 16 && bits != 32) {
    return "bits: must be 4, 8, 16 or 32, got " + std::to_string(bits);
  }
  if (R > H + padding.top + padding.bottom) {
    return "R: filter height " + std::to_string(R) + " is larger than the padded input height " +
           std::to_string(H + padding.top + padding.bottom);
  }
  if (S > W + padding.left + padding.right) {
    return "S: filter width " + std::to_string(S) + " is larger than the padded input width " +
           std::to_string(W + padding.left + padding.right);
  }
  if (padding.top >= R || padding.bottom >= R + stride_h || padding.left >= S || padding.right >= S + stride_w) {
    return "padding: a window would lie entirely in the padding";
  }
  if (C % groups != 0 || K % groups != 0) return "groups: must divide C and K";
  if (K % (pixel_shuffle * pixel_shuffle) != 0) return "pixel_shuffle: its square must divide K";
  switch (type) {
    case LayerType::dwconv:
      if (groups != C) return "groups: a dwconv has groups = C";
      break;
    case LayerType::pool:
      if (K != C || groups != C) return "K: a pool keeps its channels (K = C = groups)";
      break;
    case LayerType::add:
      if (K != C || R != 1 || S != 1 || stride_h != 1 || stride_w != 1) {
        return "K: an add keeps its shape (K = C, 1×1, stride 1)";
      }
      break;
    case LayerType::fc:
    case LayerType::gemm:
      if (W != 1 || R != 1 || S != 1 || stride_h != 1 || stride_w != 1 || groups != 1) {
        return "type: fc and gemm layers have W = R = S = stride = groups = 1";
      }
      if (type == LayerType::fc && H != 1) return "H: an fc layer has H = 1 (its rows are the batch N)";
      break;
    case LayerType::conv: break;
  }
  return {};
}

}  // namespace nasaic
