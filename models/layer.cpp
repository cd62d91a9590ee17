#include "models/layer.hpp"

#include <cstring>

#include <cstdio>

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

std::array<std::int64_t, Layer::kCostKeyFields> Layer::cost_key() const {
  const auto bits_of = [](double value) {
    std::int64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  };
  return {static_cast<std::int64_t>(type),
          N,
          C,
          H,
          W,
          K,
          R,
          S,
          stride_h,
          stride_w,
          padding.top,
          padding.bottom,
          padding.left,
          padding.right,
          groups,
          bits,
          static_cast<std::int64_t>(inputs.size()),
          pixel_shuffle,
          bits_of(density),
          bits_of(output_density)};
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

namespace {

// GCC and Clang's 128-bit integer; __extension__ keeps -Wpedantic quiet.
__extension__ typedef __int128 Wide;

std::string scientific(Wide value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", static_cast<double>(value));
  return text;
}

}  // namespace

std::string Layer::validate() const {
  struct Field {
    const char* key;
    std::int64_t value;
  };
  // A gemm's fields carry M, N and K; name them as its file does.
  const bool is_gemm = type == LayerType::gemm;
  const char* const name_C = is_gemm ? "K" : "C";
  const char* const name_H = is_gemm ? "M" : "H";
  const char* const name_K = is_gemm ? "N" : "K";
  const Field positive[] = {{"N", N}, {name_C, C}, {name_H, H}, {"W", W}, {name_K, K}, {"R", R}, {"S", S},
                            {"stride", stride_h}, {"stride", stride_w}, {"groups", groups},
                            {"pixel_shuffle", pixel_shuffle}};
  for (const auto& field : positive) {
    if (field.value <= 0) return std::string(field.key) + ": must be positive, got " + std::to_string(field.value);
    if (field.value > kMaxLayerDimension) {
      return std::string(field.key) + ": " + std::to_string(field.value) + " is too large; at most " +
             std::to_string(kMaxLayerDimension);
    }
  }
  const Field non_negative[] = {{"padding", padding.top}, {"padding", padding.bottom},
                                {"padding", padding.left}, {"padding", padding.right}};
  for (const auto& field : non_negative) {
    if (field.value < 0) return std::string(field.key) + ": must not be negative, got " + std::to_string(field.value);
    if (field.value > kMaxLayerDimension) {
      return std::string(field.key) + ": " + std::to_string(field.value) + " is too large; at most " +
             std::to_string(kMaxLayerDimension);
    }
  }
  if (bits != 4 && bits != 8 && bits != 16 && bits != 32) {
    return "bits: must be 4, 8, 16 or 32, got " + std::to_string(bits);
  }
  // Written as "not inside" so that a NaN is refused too.
  if (!(density > 0 && density <= 1)) return "density: must be in (0, 1], got " + std::to_string(density);
  if (!(output_density > 0 && output_density <= 1)) {
    return "output_density: must be in (0, 1], got " + std::to_string(output_density);
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
  // Derived counts, in 128 bits so that checking them cannot overflow. The
  // key named is the largest factor, the one most likely mistyped.
  const Wide p = P(), q = Q();
  const Wide inputs_count = type == LayerType::add ? static_cast<Wide>(inputs.size() > 1 ? inputs.size() : 2) : 1;
  const Wide input = Wide{N} * C * H * W * inputs_count;
  const Wide output = Wide{N} * K * p * q;
  const Wide filter = has_filter() ? Wide{K} * (C / groups) * R * S : 0;
  const Wide work = type == LayerType::pool  ? output * R * S
                    : type == LayerType::add ? output * inputs_count
                                             : output * (C / groups) * R * S;
  const auto largest = [&](std::initializer_list<Field> fields) {
    Field top = *fields.begin();
    for (const Field& field : fields) {
      if (field.value > top.value) top = field;
    }
    return std::string(top.key);
  };
  const Wide limit_elements = kMaxTensorElements, limit_ops = kMaxLayerOps;
  if (input > limit_elements) {
    return largest({{name_H, H}, {"W", W}, {name_C, C}, {"N", N}}) + ": the input has " + scientific(input) +
           " elements, more than the limit of " + scientific(limit_elements);
  }
  if (output > limit_elements) {
    return largest({{name_K, K}, {name_H, H}, {"W", W}, {"N", N}}) + ": the output has " + scientific(output) +
           " elements, more than the limit of " + scientific(limit_elements);
  }
  if (filter > limit_elements) {
    return largest({{name_K, K}, {name_C, C}, {"R", R}, {"S", S}}) + ": the filter has " + scientific(filter) +
           " elements, more than the limit of " + scientific(limit_elements);
  }
  if (work > limit_ops) {
    return largest({{name_K, K}, {name_C, C}, {name_H, H}, {"W", W}, {"N", N}, {"R", R}, {"S", S}}) +
           ": the layer does " + scientific(work) + " operations, more than the limit of " + scientific(limit_ops);
  }
  return {};
}

}  // namespace nasaic
