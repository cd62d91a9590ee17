// A U-Net-like segmentation family (Ronneberger et al., "U-Net: Convolutional
// Networks for Biomedical Image Segmentation", MICCAI 2015): per level two k×k
// convolutions, 2×2 max pooling down, a 2×2 stride-2 up-convolution back up,
// skip joins that concatenate the encoder's map, and a 1×1 convolution to the
// mask. Convolutions are padded ('same'), so skips need no cropping when the
// image divides by 2^(depth-1). A candidate chooses depth, base filters and
// kernel; channels grow by `growth` per level (2 in the paper).
#include <vector>

#include "models/network_builder.hpp"
#include "search/families/factories.hpp"

namespace nasaic {
namespace {

class UnetFamily final : public NetworkFamily {
 public:
  explicit UnetFamily(const ConfigNode& node) {
    node.expect_map({"name", "depth", "filters", "kernel", "growth"});
    depth_ = read_choices(node.required("depth"), 1, 8);
    filters_ = read_choices(node.required("filters"), 1, 1024);
    const ConfigNode kernel = node.required("kernel");
    kernel_ = read_choices(kernel, 1, 15);
    for (const std::int64_t k : kernel_)
      if (k % 2 == 0) kernel.fail("kernel " + std::to_string(k) + " is even; 'same' padding needs odd kernels");
    growth_ = node.has("growth") ? node.required("growth").as_int(1, 4) : 2;
  }

  const char* name() const override { return "unet"; }
  OutputKind output_kind() const override { return OutputKind::pixel_mask; }

  std::vector<Decision> decisions() const override {
    // Each only adds levels, widens every level or grows every kernel.
    return {{"depth", depth_, true}, {"filters", filters_, true}, {"kernel", kernel_, true}};
  }

  Network build(const Architecture& architecture, const NetworkShape& shape, int bits, const std::string& name,
                const std::string& task) const override {
    const std::int64_t depth = architecture.at("depth");
    const std::int64_t k = architecture.at("kernel");
    std::vector<std::int64_t> widths{architecture.at("filters")};
    while (static_cast<std::int64_t>(widths.size()) < depth) widths.push_back(widths.back() * growth_);

    NetworkBuilder builder(name, task, shape.input, bits);
    std::vector<std::string> skips;
    std::string x;
    for (std::int64_t level = 0; level < depth; ++level) {
      const std::string tag = std::to_string(level + 1);
      const NetworkBuilder::From from = x.empty() ? NetworkBuilder::From{} : NetworkBuilder::From{x};
      x = builder.conv("enc" + tag + "_conv1", from, widths[level], k, 1, k / 2);
      x = builder.conv("enc" + tag + "_conv2", {x}, widths[level], k, 1, k / 2);
      if (level + 1 < depth) {
        skips.push_back(x);
        x = builder.pool("down" + tag, {x}, 2, 2, 0);
      }
    }
    for (std::int64_t level = depth - 2; level >= 0; --level) {
      const std::string tag = std::to_string(level + 1);
      const std::string up = builder.up_conv("up" + tag, {x}, widths[level]);
      x = builder.conv("dec" + tag + "_conv1", {up, skips[static_cast<std::size_t>(level)]}, widths[level], k, 1,
                       k / 2);
      x = builder.conv("dec" + tag + "_conv2", {x}, widths[level], k, 1, k / 2);
    }
    builder.conv("mask", {x}, shape.outputs, 1, 1, 0);
    return builder.build();
  }

 private:
  std::vector<std::int64_t> depth_, filters_, kernel_;
  std::int64_t growth_ = 2;
};

}  // namespace

std::unique_ptr<NetworkFamily> make_unet_family(const ConfigNode& node) {
  return std::make_unique<UnetFamily>(node);
}

}  // namespace nasaic
