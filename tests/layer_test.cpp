#include <gtest/gtest.h>

#include "common/error.hpp"
#include "models/layer.hpp"
#include "models/network.hpp"

namespace nasaic {
namespace {

Layer conv(std::int64_t C, std::int64_t H, std::int64_t K, std::int64_t R, std::int64_t stride, std::int64_t pad) {
  Layer layer;
  layer.name = "conv";
  layer.C = C;
  layer.H = layer.W = H;
  layer.K = K;
  layer.R = layer.S = R;
  layer.stride_h = layer.stride_w = stride;
  layer.padding = {pad, pad, pad, pad};
  return layer;
}

TEST(Layer, DerivesOutputSizeMacsAndBytes) {
  const Layer layer = conv(3, 224, 64, 7, 2, 3);
  EXPECT_EQ(layer.P(), 112);
  EXPECT_EQ(layer.Q(), 112);
  EXPECT_EQ(layer.macs(), 112LL * 112 * 64 * 3 * 7 * 7);
  EXPECT_EQ(layer.ifmap_bytes(), 3 * 224 * 224);
  EXPECT_EQ(layer.filter_bytes(), 64 * 3 * 7 * 7);
  EXPECT_EQ(layer.ofmap_bytes(), 64 * 112 * 112);
  EXPECT_EQ(layer.validate(), "");
}

TEST(Layer, BitWidthScalesBytesAndRoundsUp) {
  Layer layer = conv(3, 5, 1, 1, 1, 0);
  layer.bits = 16;
  EXPECT_EQ(layer.ifmap_bytes(), 3 * 25 * 2);
  layer.bits = 4;
  EXPECT_EQ(layer.ifmap_bytes(), (75 * 4 + 7) / 8);
}

TEST(Layer, DepthwiseGroupedFcGemmPoolAndAdd) {
  Layer dw = conv(32, 56, 32, 3, 1, 1);
  dw.type = LayerType::dwconv;
  dw.groups = 32;
  EXPECT_EQ(dw.macs(), 56LL * 56 * 32 * 9);
  EXPECT_EQ(dw.filter_bytes(), 32 * 9);
  EXPECT_EQ(dw.validate(), "");

  Layer grouped = conv(96, 27, 256, 5, 1, 2);
  grouped.groups = 2;
  EXPECT_EQ(grouped.macs(), 27LL * 27 * 256 * 48 * 25);

  Layer fc;
  fc.type = LayerType::fc;
  fc.N = 4;
  fc.C = 2048;
  fc.K = 1000;
  EXPECT_EQ(fc.macs(), 4LL * 2048 * 1000);
  EXPECT_EQ(fc.validate(), "");

  Layer gemm;
  gemm.type = LayerType::gemm;
  gemm.H = 128;  // M
  gemm.C = 256;  // K
  gemm.K = 64;   // N
  EXPECT_EQ(gemm.gemm_M(), 128);
  EXPECT_EQ(gemm.P(), 128);
  EXPECT_EQ(gemm.macs(), 128LL * 256 * 64);
  EXPECT_EQ(gemm.ifmap_bytes(), 128 * 256);
  EXPECT_EQ(gemm.filter_bytes(), 256 * 64);
  EXPECT_EQ(gemm.ofmap_bytes(), 128 * 64);

  Layer pool = conv(64, 112, 64, 3, 2, 1);
  pool.type = LayerType::pool;
  pool.groups = 64;
  EXPECT_EQ(pool.P(), 56);
  EXPECT_EQ(pool.macs(), 0);
  EXPECT_EQ(pool.ops(), 56LL * 56 * 64 * 9);
  EXPECT_EQ(pool.filter_bytes(), 0);

  Layer add = conv(64, 56, 64, 1, 1, 0);
  add.type = LayerType::add;
  add.inputs = {"a", "b"};
  EXPECT_EQ(add.macs(), 0);
  EXPECT_EQ(add.ifmap_bytes(), 2 * 64 * 56 * 56);
  EXPECT_EQ(add.validate(), "");
}

TEST(Layer, ValidationNamesTheField) {
  EXPECT_EQ(conv(3, 5, 8, 7, 1, 0).validate().rfind("R:", 0), 0u);
  EXPECT_EQ(conv(0, 5, 8, 3, 1, 0).validate().rfind("C:", 0), 0u);
  EXPECT_EQ(conv(3, 5, -1, 3, 1, 0).validate().rfind("K:", 0), 0u);
  Layer grouped = conv(6, 5, 8, 3, 1, 0);
  grouped.groups = 4;
  EXPECT_EQ(grouped.validate().rfind("groups:", 0), 0u);
  Layer bits = conv(3, 5, 8, 3, 1, 0);
  bits.bits = 7;
  EXPECT_EQ(bits.validate().rfind("bits:", 0), 0u);
}

TEST(Layer, PixelShuffleReshapesTheOutput) {
  Layer up = conv(64, 28, 4 * 32, 1, 1, 0);
  up.pixel_shuffle = 2;
  EXPECT_EQ(up.output_shape(), (TensorShape{32, 56, 56}));
  EXPECT_EQ(up.macs(), 28LL * 28 * 128 * 64);
}

TEST(LayerType, ParsesNamesAndListsKnownOnes) {
  EXPECT_EQ(parse_layer_type("dwconv"), LayerType::dwconv);
  try {
    parse_layer_type("deconv");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("conv, dwconv, fc, gemm, pool, add"), std::string::npos);
  }
}

Layer named(const std::string& name, std::vector<std::string> inputs, std::int64_t C = 8, std::int64_t K = 8) {
  Layer layer = conv(C, 8, K, 3, 1, 1);
  layer.name = name;
  layer.inputs = std::move(inputs);
  return layer;
}

TEST(Network, TopologicalOrderHandlesBranchesAndJoins) {
  Network network("n", "t");
  network.add(named("a", {}));
  network.add(named("c", {"b"}));
  network.add(named("b", {"a"}));
  Layer join = named("d", {"a", "c"});
  join.type = LayerType::add;
  join.R = join.S = 1;
  join.padding = {};
  network.add(join);
  EXPECT_EQ(network.topological_order(), (std::vector<std::size_t>{0, 2, 1, 3}));
  EXPECT_NO_THROW(network.validate_graph_and_shapes());
}

TEST(Network, ConcatAddsChannelsAndChecksDeclaredShape) {
  Network network("n", "t");
  network.add(named("a", {}, 8, 8));
  network.add(named("b", {}, 8, 4));
  network.add(named("cat", {"a", "b"}, 12, 8));
  EXPECT_EQ(network.produced_input(2), (TensorShape{12, 8, 8}));
  EXPECT_NO_THROW(network.validate_graph_and_shapes());

  Network wrong("n", "t");
  wrong.add(named("a", {}, 8, 8));
  wrong.add(named("b", {"a"}, 16, 8));
  EXPECT_THROW(wrong.validate_graph_and_shapes(), InputError);
}

TEST(Network, RejectsCyclesUnknownInputsAndDuplicates) {
  Network cyclic("n", "t");
  cyclic.add(named("a", {"c"}));
  cyclic.add(named("b", {"a"}));
  cyclic.add(named("c", {"b"}));
  try {
    cyclic.topological_order();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("cycle"), std::string::npos);
  }

  Network dangling("n", "t");
  dangling.add(named("a", {"ghost"}));
  try {
    dangling.validate_graph();
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("ghost"), std::string::npos);
  }

  Network twice("n", "t");
  twice.add(named("a", {}));
  EXPECT_THROW(twice.add(named("a", {})), InputError);
}

}  // namespace
}  // namespace nasaic
