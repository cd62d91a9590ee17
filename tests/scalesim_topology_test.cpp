#include <gtest/gtest.h>

#include "common/error.hpp"
#include "models/network_yaml.hpp"
#include "models/scalesim_topology.hpp"
#include "tests/support/scalesim_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

std::int64_t scalesim_output(std::int64_t in, std::int64_t filter, std::int64_t stride) {
  return (in - filter + stride + stride - 1) / stride;  // ceil((in - filter + stride) / stride)
}

TEST(ScalesimTopology, ReadsResnet18WithScalesimShapes) {
  const Network net = parse_scalesim_topology(testing::kResnet18Topology, "Resnet18.csv", "Resnet18");
  ASSERT_EQ(net.size(), 21u);
  EXPECT_NO_THROW(net.validate_graph());
  const Layer& conv1 = net.layer(0);
  EXPECT_EQ(conv1.name, "Conv1");
  EXPECT_EQ(conv1.H, 224);
  EXPECT_EQ(conv1.R, 7);
  EXPECT_EQ(conv1.C, 3);
  EXPECT_EQ(conv1.K, 64);
  EXPECT_EQ(conv1.stride_h, 2);
  // SCALE-Sim's ceil rule: 110, where floor((224 - 7) / 2) + 1 would give 109.
  EXPECT_EQ(conv1.P(), 110);
  for (const auto& layer : net.layers()) {
    SCOPED_TRACE(layer.name);
    EXPECT_EQ(layer.P(), scalesim_output(layer.H, layer.R, layer.stride_h));
    EXPECT_EQ(layer.Q(), scalesim_output(layer.W, layer.S, layer.stride_w));
    EXPECT_EQ(layer.type, LayerType::conv);
  }
  EXPECT_EQ(net.layer(7).P(), 29);  // Conv3_s: 1×1 stride 2 on 56 → ceil(57 / 2)
  EXPECT_EQ(net.layer(20).macs(), 512 * 1000);
  EXPECT_TRUE(net.layer(1).inputs.empty());
  EXPECT_EQ(net.layer(1).after, std::vector<std::string>{"Conv1"});
  EXPECT_EQ(net.topological_order()[20], 20u);
}

TEST(ScalesimTopology, AcceptsPaddingCrlfBomBlankLinesAndMissingFinalNewline) {
  const std::string text =
      "\xEF\xBB\xBFLayer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\r\n\r\nConv1     ,224  ,224 ,11 ,11 ,3 ,96 ,4 ,\r\n   \r\nConv2 , 27, 27, 5, 5, 96, 256, 1,";
  testing::TempDir dir;
  const Network net = import_scalesim_topology(dir.write("alexnet.csv", text));
  ASSERT_EQ(net.size(), 2u);
  EXPECT_EQ(net.name(), "alexnet");
  EXPECT_EQ(net.layer(0).name, "Conv1");
  EXPECT_EQ(net.layer(0).P(), 55);
  EXPECT_EQ(net.layer(1).K, 256);
}

TEST(ScalesimTopology, NinthFieldIsTheHorizontalStride) {
  const Network net = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "L, 10, 12, 3, 3, 4, 8, 1, 3,\n",
      "x.csv", "x");
  EXPECT_EQ(net.layer(0).stride_h, 1);
  EXPECT_EQ(net.layer(0).stride_w, 3);
  EXPECT_EQ(net.layer(0).P(), 8);
  EXPECT_EQ(net.layer(0).Q(), 4);  // ceil((12 - 3 + 3) / 3)
}

TEST(ScalesimTopology, DpInTheNameMeansDepthwise) {
  const Network net = parse_scalesim_topology(
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv2_DP, 114, 114, 3, 3, 32, 1, 1,\n",
      "x.csv", "x");
  const Layer& dw = net.layer(0);
  EXPECT_EQ(dw.type, LayerType::dwconv);
  EXPECT_EQ(dw.groups, 32);
  EXPECT_EQ(dw.K, 32);
  EXPECT_EQ(dw.macs(), 112LL * 112 * 32 * 9);
}

TEST(ScalesimTopology, ReadsGemmFiles) {
  const Network net = parse_scalesim_topology("Layer,M,N,K,\r\nQKT,1024,1024,64,\r\nLinear1,1024,4800,1600,\r\n",
                                              "gpt2.csv", "gpt2");
  ASSERT_EQ(net.size(), 2u);
  const Layer& linear = net.layer(1);
  EXPECT_EQ(linear.type, LayerType::gemm);
  EXPECT_EQ(linear.gemm_M(), 1024);
  EXPECT_EQ(linear.gemm_N(), 4800);
  EXPECT_EQ(linear.gemm_K(), 1600);
  EXPECT_EQ(linear.macs(), 1024LL * 4800 * 1600);
  const Network single = parse_scalesim_topology("Layer Name, M, N, K,\nTest 1, 128, 64, 256,", "t.csv", "t");
  EXPECT_EQ(single.layer(0).name, "Test 1");
}

void expect_error(const std::string& text, int line, const std::string& key, const std::string& fragment) {
  try {
    parse_scalesim_topology(text, "bad.csv", "bad");
    FAIL() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "bad.csv");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

const std::string kHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

TEST(ScalesimTopology, RejectsMalformedRowsWithFileLineAndColumn) {
  expect_error(kHeader + "C1, 56, 56, 3, 3, 64, 64,\n", 2, "row", "expected 8 or 9 fields, got 7");
  expect_error(kHeader + "C1, 56, abc, 3, 3, 64, 64, 1,\n", 2, "IFMAP Width", "is not an integer");
  expect_error(kHeader + "C1, 56, 56, 3, 3, 64, 64, 1,\nC2, 56, 56, 3, 3, -64, 64, 1,\n", 3, "Channels",
               "must be positive");
  expect_error(kHeader + "C1, 56, 56, 3, 3, 64, 0, 1,\n", 2, "Num Filter", "must be positive");
  expect_error(kHeader + "C1, 5, 5, 7, 3, 64, 64, 1,\n", 2, "Filter Height", "larger than the ifmap");
  expect_error("Layer, M, N, K,\nG, 4, 4,\n", 2, "row", "expected 4 fields");
  expect_error("hello, world\n", 1, "header", "not a SCALE-Sim topology header");
  expect_error("", 1, "header", "empty file");
  expect_error(kHeader, 0, "", "no layers");
}

TEST(ScalesimTopology, ExportRoundTripsThroughScalesimFormat) {
  const Network net = parse_scalesim_topology(testing::kResnet18Topology, "Resnet18.csv", "Resnet18");
  const Network again = parse_scalesim_topology(export_scalesim_topology(net), "again.csv", "again");
  ASSERT_EQ(again.size(), net.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    EXPECT_EQ(again.layer(i).macs(), net.layer(i).macs()) << net.layer(i).name;
    EXPECT_EQ(again.layer(i).P(), net.layer(i).P()) << net.layer(i).name;
  }
}

}  // namespace
}  // namespace nasaic
