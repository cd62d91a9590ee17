// A ResNet-like classifier family (He et al., "Deep Residual Learning for Image
// Recognition", CVPR 2016): a fixed stem, then stages of basic blocks (two k×k
// convolutions and a shortcut, 1×1-projected when the shape changes), global
// average pooling and a fully connected classifier. Per stage a candidate
// chooses blocks, channels, kernel and the first block's stride.
#include "models/network_builder.hpp"
#include "search/families/factories.hpp"

namespace nasaic {
namespace {

struct StageChoices {
  std::vector<std::int64_t> blocks, channels, kernel, stride;
};

std::vector<std::int64_t> read_kernels(const ConfigNode& node) {
  const std::vector<std::int64_t> kernels = read_choices(node, 1, 15);
  for (const std::int64_t k : kernels)
    if (k % 2 == 0) node.fail("kernel " + std::to_string(k) + " is even; 'same' padding needs odd kernels");
  return kernels;
}

class ResnetFamily final : public NetworkFamily {
 public:
  explicit ResnetFamily(const ConfigNode& node) {
    node.expect_map({"name", "stem", "stages"});
    const ConfigNode stem = node.required("stem");
    stem.expect_map({"channels", "kernel", "stride"});
    stem_channels_ = stem.required("channels").as_int(1, 4096);
    const ConfigNode stem_kernel = stem.required("kernel");
    stem_kernel_ = stem_kernel.as_int(1, 15);
    if (stem_kernel_ % 2 == 0) stem_kernel.fail("kernel must be odd for 'same' padding");
    // A strided stem shrinks every later map at once, the usual lever on the
    // cost of a whole space (ResNet's own stem strides by 4).
    if (stem.has("stride")) stem_stride_ = stem.required("stride").as_int(1, 4);
    const std::vector<ConfigNode> stages = node.required("stages").sequence();
    if (stages.empty() || stages.size() > 8) node.required("stages").fail("expected 1 to 8 stages");
    for (const ConfigNode& stage : stages) {
      stage.expect_map({"blocks", "channels", "kernel", "stride"});
      stages_.push_back({read_choices(stage.required("blocks"), 1, 8),
                         read_choices(stage.required("channels"), 1, 4096), read_kernels(stage.required("kernel")),
                         read_choices(stage.required("stride"), 1, 4)});
    }
  }

  const char* name() const override { return "resnet"; }
  OutputKind output_kind() const override { return OutputKind::class_scores; }

  std::vector<Decision> decisions() const override {
    std::vector<Decision> list;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const std::string stage = "stage" + std::to_string(i + 1) + ".";
      // A wider stage can drop the next stage's 1x1 projection, but its own
      // k×k convolutions grow by more than that projection costs.
      list.push_back({stage + "blocks", stages_[i].blocks, true});
      list.push_back({stage + "channels", stages_[i].channels, true});
      list.push_back({stage + "kernel", stages_[i].kernel, true});
      // A stride of 2 adds a projection and shrinks every later map.
      list.push_back({stage + "stride", stages_[i].stride, false});
    }
    return list;
  }

  Network build(const Architecture& architecture, const NetworkShape& shape, int bits, const std::string& name,
                const std::string& task) const override {
    NetworkBuilder builder(name, task, shape.input, bits);
    std::string x = builder.conv("stem", {}, stem_channels_, stem_kernel_, stem_stride_, stem_kernel_ / 2);
    std::int64_t channels = stem_channels_;
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      const std::string stage = "stage" + std::to_string(i + 1);
      const std::int64_t blocks = architecture.at(stage + ".blocks");
      const std::int64_t width = architecture.at(stage + ".channels");
      const std::int64_t k = architecture.at(stage + ".kernel");
      for (std::int64_t b = 0; b < blocks; ++b) {
        const std::string block = "s" + std::to_string(i + 1) + "b" + std::to_string(b + 1);
        const std::int64_t stride = b == 0 ? architecture.at(stage + ".stride") : 1;
        const std::string first = builder.conv(block + "_conv1", {x}, width, k, stride, k / 2);
        const std::string second = builder.conv(block + "_conv2", {first}, width, k, 1, k / 2);
        const std::string shortcut =
            stride == 1 && channels == width ? x : builder.conv(block + "_proj", {x}, width, 1, stride, 0);
        x = builder.add(block + "_add", {second, shortcut});
        channels = width;
      }
    }
    const std::string pooled = builder.global_pool("pool", {x});
    builder.fc("classifier", {pooled}, shape.outputs);
    return builder.build();
  }

 private:
  std::int64_t stem_channels_ = 0, stem_kernel_ = 0, stem_stride_ = 1;
  std::vector<StageChoices> stages_;
};

}  // namespace

std::unique_ptr<NetworkFamily> make_resnet_family(const ConfigNode& node) {
  return std::make_unique<ResnetFamily>(node);
}

}  // namespace nasaic
