#include <gtest/gtest.h>

#include <cmath>

#include "common/error.hpp"
#include "models/zoo.hpp"

namespace nasaic {
namespace {

TEST(Zoo, EveryModelMatchesItsPublishedFigureWithinTwoPercent) {
  for (const auto& entry : zoo_entries()) {
    SCOPED_TRACE(entry.name);
    const Network network = zoo_model(entry.name);
    EXPECT_NO_THROW(network.validate_graph_and_shapes());
    ASSERT_TRUE(entry.published_macs > 0 || entry.published_weights > 0);
    if (entry.published_macs > 0) {
      const double macs = static_cast<double>(network.total_macs());
      EXPECT_LT(std::abs(macs - entry.published_macs) / entry.published_macs, 0.02) << macs;
    }
    if (entry.published_weights > 0) {
      std::int64_t weights = 0;
      for (const auto& layer : network.layers()) weights += layer.filter_elements();
      EXPECT_LT(std::abs(weights - entry.published_weights) / entry.published_weights, 0.02) << weights;
    }
  }
}

TEST(Zoo, ResNet50HasThePaperShapes) {
  const Network net = zoo_model("resnet50");
  const Layer& conv1 = net.layer(static_cast<std::size_t>(net.find("conv1")));
  EXPECT_EQ(conv1.P(), 112);
  EXPECT_EQ(conv1.K, 64);
  const Layer& last = net.layer(static_cast<std::size_t>(net.find("layer4_2_conv3")));
  EXPECT_EQ(last.C, 512);
  EXPECT_EQ(last.K, 2048);
  EXPECT_EQ(last.P(), 7);
  const Layer& fc = net.layers().back();
  EXPECT_EQ(fc.type, LayerType::fc);
  EXPECT_EQ(fc.C, 2048);
  EXPECT_EQ(fc.K, 1000);
  // 1 stem conv + 16 blocks × 3 convs + 4 projections = 53 convs, plus 1 fc.
  int convs = 0, adds = 0;
  for (const auto& layer : net.layers()) {
    convs += layer.type == LayerType::conv;
    adds += layer.type == LayerType::add;
  }
  EXPECT_EQ(convs, 53);
  EXPECT_EQ(adds, 16);
}

TEST(Zoo, UNetProducesThePaperOutputMap) {
  const Network net = zoo_model("unet");
  const Layer& output = net.layers().back();
  EXPECT_EQ(output.P(), 388);
  EXPECT_EQ(output.K, 2);
  const Layer& bottom = net.layer(static_cast<std::size_t>(net.find("down5_conv2")));
  EXPECT_EQ(bottom.P(), 28);
  EXPECT_EQ(bottom.K, 1024);
  // The skip join concatenates the cropped encoder map with the up-convolution.
  const Layer& join = net.layer(static_cast<std::size_t>(net.find("up4_conv1")));
  EXPECT_EQ(join.inputs.size(), 2u);
  EXPECT_EQ(join.C, 1024);
  EXPECT_EQ(join.H, 56);
}

TEST(Zoo, MobileNetV2UsesDepthwiseLayersAndResidualAdds) {
  const Network net = zoo_model("mobilenet_v2");
  int depthwise = 0, adds = 0;
  for (const auto& layer : net.layers()) {
    depthwise += layer.type == LayerType::dwconv;
    adds += layer.type == LayerType::add;
  }
  EXPECT_EQ(depthwise, 17);
  EXPECT_EQ(adds, 10);
}

TEST(Zoo, UnknownNameListsTheKnownModels) {
  try {
    zoo_model("resnet51");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("resnet50"), std::string::npos);
  }
}

}  // namespace
}  // namespace nasaic
