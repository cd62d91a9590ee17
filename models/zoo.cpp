#include "models/zoo.hpp"

#include <functional>
#include <map>

#include "common/error.hpp"
#include "models/network_builder.hpp"

namespace nasaic {
namespace {

using From = NetworkBuilder::From;

// Krizhevsky et al., NIPS 2012: the two-tower model, so conv2/4/5 have 2 groups.
Network alexnet() {
  NetworkBuilder b("alexnet", "imagenet", {3, 227, 227});
  auto x = b.conv("conv1", {}, 96, 11, 4, 0);
  x = b.pool("pool1", {x}, 3, 2, 0);
  x = b.conv("conv2", {x}, 256, 5, 1, 2, 2);
  x = b.pool("pool2", {x}, 3, 2, 0);
  x = b.conv("conv3", {x}, 384, 3, 1, 1);
  x = b.conv("conv4", {x}, 384, 3, 1, 1, 2);
  x = b.conv("conv5", {x}, 256, 3, 1, 1, 2);
  x = b.pool("pool5", {x}, 3, 2, 0);
  x = b.fc("fc6", {x}, 4096);
  x = b.fc("fc7", {x}, 4096);
  b.fc("fc8", {x}, 1000);
  return b.build();
}

// Simonyan & Zisserman, ICLR 2015, configuration D.
Network vgg16() {
  NetworkBuilder b("vgg16", "imagenet", {3, 224, 224});
  std::string x;
  const std::int64_t widths[] = {64, 128, 256, 512, 512};
  const int convs[] = {2, 2, 3, 3, 3};
  for (int stage = 0; stage < 5; ++stage) {
    for (int i = 0; i < convs[stage]; ++i) {
      x = b.conv("conv" + std::to_string(stage + 1) + "_" + std::to_string(i + 1), {x}, widths[stage], 3, 1, 1);
    }
    x = b.pool("pool" + std::to_string(stage + 1), {x}, 2, 2, 0);
  }
  x = b.fc("fc6", {x}, 4096);
  x = b.fc("fc7", {x}, 4096);
  b.fc("fc8", {x}, 1000);
  return b.build();
}

std::string basic_block(NetworkBuilder& b, const std::string& prefix, const std::string& in, std::int64_t K,
                        std::int64_t stride, bool project) {
  auto y = b.conv(prefix + "_conv1", {in}, K, 3, stride, 1);
  y = b.conv(prefix + "_conv2", {y}, K, 3, 1, 1);
  const std::string shortcut = project ? b.conv(prefix + "_down", {in}, K, 1, stride, 0) : in;
  return b.add(prefix + "_add", {y, shortcut});
}

// ResNet v1.5 bottleneck (stride on the 3×3), as in torchvision.
std::string bottleneck(NetworkBuilder& b, const std::string& prefix, const std::string& in, std::int64_t width,
                       std::int64_t stride, bool project) {
  auto y = b.conv(prefix + "_conv1", {in}, width, 1, 1, 0);
  y = b.conv(prefix + "_conv2", {y}, width, 3, stride, 1);
  y = b.conv(prefix + "_conv3", {y}, 4 * width, 1, 1, 0);
  const std::string shortcut = project ? b.conv(prefix + "_down", {in}, 4 * width, 1, stride, 0) : in;
  return b.add(prefix + "_add", {y, shortcut});
}

// He et al., CVPR 2016, Table 1.
Network resnet(const std::string& name, bool bottlenecks, const std::vector<int>& blocks) {
  NetworkBuilder b(name, "imagenet", {3, 224, 224});
  auto x = b.conv("conv1", {}, 64, 7, 2, 3);
  x = b.pool("maxpool", {x}, 3, 2, 1);
  const std::int64_t widths[] = {64, 128, 256, 512};
  std::int64_t channels = 64;
  for (int stage = 0; stage < 4; ++stage) {
    for (int i = 0; i < blocks[stage]; ++i) {
      const std::int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      const std::string prefix = "layer" + std::to_string(stage + 1) + "_" + std::to_string(i);
      const std::int64_t out = bottlenecks ? 4 * widths[stage] : widths[stage];
      const bool project = stride != 1 || channels != out;
      x = bottlenecks ? bottleneck(b, prefix, x, widths[stage], stride, project)
                      : basic_block(b, prefix, x, widths[stage], stride, project);
      channels = out;
    }
  }
  x = b.global_pool("avgpool", {x});
  b.fc("fc", {x}, 1000);
  return b.build();
}

// He et al., CVPR 2016, §4.2: 6n+2 layers for CIFAR-10 with n = 3. Downsampling
// shortcuts use 1×1 projections (option B) so every join is a plain add.
Network resnet20() {
  NetworkBuilder b("resnet20", "cifar10", {3, 32, 32});
  auto x = b.conv("conv1", {}, 16, 3, 1, 1);
  std::int64_t channels = 16;
  const std::int64_t widths[] = {16, 32, 64};
  for (int stage = 0; stage < 3; ++stage) {
    for (int i = 0; i < 3; ++i) {
      const std::int64_t stride = (stage > 0 && i == 0) ? 2 : 1;
      const bool project = stride != 1 || channels != widths[stage];
      x = basic_block(b, "stage" + std::to_string(stage + 1) + "_" + std::to_string(i), x, widths[stage], stride,
                      project);
      channels = widths[stage];
    }
  }
  x = b.global_pool("avgpool", {x});
  b.fc("fc", {x}, 10);
  return b.build();
}

// Sandler et al., CVPR 2018, Table 2, width 1.0 at 224×224.
Network mobilenet_v2() {
  NetworkBuilder b("mobilenet_v2", "imagenet", {3, 224, 224});
  auto x = b.conv("conv1", {}, 32, 3, 2, 1);
  std::int64_t channels = 32;
  struct Stage {
    std::int64_t expansion, out;
    int repeats;
    std::int64_t stride;
  };
  const Stage stages[] = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2},
                          {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
  int block = 0;
  for (const Stage& stage : stages) {
    for (int i = 0; i < stage.repeats; ++i, ++block) {
      const std::int64_t stride = i == 0 ? stage.stride : 1;
      const std::string prefix = "block" + std::to_string(block);
      std::string y = x;
      if (stage.expansion != 1) y = b.conv(prefix + "_expand", {y}, channels * stage.expansion, 1, 1, 0);
      y = b.dwconv(prefix + "_dw", {y}, 3, stride, 1);
      y = b.conv(prefix + "_project", {y}, stage.out, 1, 1, 0);
      x = (stride == 1 && channels == stage.out) ? b.add(prefix + "_add", {y, x}) : y;
      channels = stage.out;
    }
  }
  x = b.conv("conv_last", {x}, 1280, 1, 1, 0);
  x = b.global_pool("avgpool", {x});
  b.fc("fc", {x}, 1000);
  return b.build();
}

// Ronneberger et al., MICCAI 2015, Fig. 1: 572×572 input, unpadded 3×3
// convolutions, 2×2 up-convolutions, cropped skip concatenations, 2 classes.
Network unet() {
  NetworkBuilder b("unet", "segmentation", {1, 572, 572});
  std::string x;
  std::vector<std::string> skips;
  const std::int64_t widths[] = {64, 128, 256, 512, 1024};
  for (int level = 0; level < 5; ++level) {
    const std::string prefix = "down" + std::to_string(level + 1);
    if (level > 0) x = b.pool(prefix + "_pool", {x}, 2, 2, 0);
    x = b.conv(prefix + "_conv1", {x}, widths[level], 3, 1, 0);
    x = b.conv(prefix + "_conv2", {x}, widths[level], 3, 1, 0);
    skips.push_back(x);
  }
  for (int level = 3; level >= 0; --level) {
    const std::string prefix = "up" + std::to_string(level + 1);
    x = b.up_conv(prefix + "_upconv", {x}, widths[level]);
    x = b.conv(prefix + "_conv1", {skips[level], x}, widths[level], 3, 1, 0);
    x = b.conv(prefix + "_conv2", {x}, widths[level], 3, 1, 0);
  }
  b.conv("output", {x}, 2, 1, 1, 0);
  return b.build();
}

const std::map<std::string, std::function<Network()>>& builders() {
  static const std::map<std::string, std::function<Network()>> table = {
      {"alexnet", alexnet},
      {"vgg16", vgg16},
      {"resnet18", [] { return resnet("resnet18", false, {2, 2, 2, 2}); }},
      {"resnet50", [] { return resnet("resnet50", true, {3, 4, 6, 3}); }},
      {"mobilenet_v2", mobilenet_v2},
      {"unet", unet},
      {"resnet20", resnet20},
  };
  return table;
}

}  // namespace

const std::vector<ZooEntry>& zoo_entries() {
  static const std::vector<ZooEntry> entries = {
      {"alexnet", "AlexNet, 227x227, two-tower grouping", 724e6, 0,
       "Sze et al., Proc. IEEE 2017, Table II: 724M MACs"},
      {"vgg16", "VGG-16 (configuration D), 224x224", 15.5e9, 0, "Sze et al., Proc. IEEE 2017, Table II: 15.5G MACs"},
      {"resnet18", "ResNet-18, 224x224", 1.8e9, 0, "He et al., CVPR 2016, Table 1: 1.8e9 FLOPs (multiply-adds)"},
      {"resnet50", "ResNet-50 v1.5 (stride on the 3x3), 224x224", 4.1e9, 0,
       "torchvision ResNet-50 model card: 4.09 GFLOPS (multiply-adds)"},
      {"mobilenet_v2", "MobileNet-V2, width 1.0, 224x224", 300e6, 0,
       "Sandler et al., CVPR 2018, Table 3/4: 300M multiply-adds"},
      {"unet", "U-Net, 572x572 input, unpadded convolutions, 2 classes", 0, 31.03e6,
       "Ronneberger et al., MICCAI 2015, Fig. 1; no MAC count is published, its 31.03M weights are widely quoted"},
      {"resnet20", "CIFAR-10 ResNet-20 with projection shortcuts, 32x32", 0, 0.27e6,
       "He et al., CVPR 2016, Table 6: ResNet-20 has 0.27M parameters; the paper gives no MAC count"},
  };
  return entries;
}

bool is_zoo_model(const std::string& name) { return builders().count(name) != 0; }

Network zoo_model(const std::string& name) {
  const auto found = builders().find(name);
  if (found == builders().end()) {
    std::string known;
    for (const auto& entry : zoo_entries()) known += (known.empty() ? "" : ", ") + entry.name;
    throw InputError("", 0, "model", "unknown model '" + name + "'; built-in models: " + known);
  }
  return found->second();
}

}  // namespace nasaic
