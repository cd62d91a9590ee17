#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "common/error.hpp"
#include "dataflows/compression.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/technology.hpp"
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/layer_cost.hpp"
#include "dataflows/scalesim_config.hpp"
#include "dataflows/tile_walker.hpp"
#include "models/scalesim_topology.hpp"
#include "models/zoo.hpp"
#include "tests/support/scalesim_fixtures.hpp"

namespace nasaic {
namespace {

SubAcceleratorSpec array(const std::string& dataflow, std::int64_t rows, std::int64_t cols,
                         std::int64_t buffer_bytes = 64 * 1024) {
  SubAcceleratorSpec sub;
  sub.name = "sub";
  sub.dataflow = dataflow;
  sub.rows = rows;
  sub.cols = cols;
  sub.bandwidth_share = 1;
  sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = buffer_bytes;
  return sub;
}

Layer scalesim_layer(const std::string& row) {
  return parse_scalesim_topology(
             "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n" +
                 row + "\n",
             "t.csv", "t")
      .layer(0);
}

// SCALE-Sim's Total Cycles: the plan's stall-free cycles as SCALE-Sim reports them.
std::int64_t total_cycles(const std::string& dataflow, const Layer& layer, std::int64_t rows, std::int64_t cols) {
  const TilePlan plan = find_template(dataflow).plan(layer, array(dataflow, rows, cols));
  EXPECT_TRUE(plan.feasible) << plan.reason;
  return plan.totals.reported_cycles;
}

// Worked by hand: a 5×5×2 input, 3×3 filters, 6 of them, stride 1, gives a
// 3×3 output, so Npx = 9, Kw = 18, F = 6.
TEST(Systolic, HandWorked4x4Array) {
  const Layer layer = scalesim_layer("L, 5, 5, 3, 3, 2, 6, 1,");
  // ws: S_R = 18, S_C = 6, T = 9 → 5 × 2 folds of 9 + 2·4 + 4 − 2 = 19 cycles.
  const TilePlan ws = find_template("systolic-ws").plan(layer, array("systolic-ws", 4, 4));
  EXPECT_EQ(ws.totals.reported_cycles, 10 * 19 - 1);
  EXPECT_DOUBLE_EQ(ws.mapping_efficiency, 108.0 / 160.0);
  EXPECT_DOUBLE_EQ(ws.compute_utilization, 972.0 / (160.0 * 22.0));
  EXPECT_EQ(ws.totals.tiles, 10);
  // os: S_R = 9, S_C = 6, T = 18 → 3 × 2 folds of 18 + 4 + 4 − 2 = 24 cycles.
  const TilePlan os = find_template("systolic-os").plan(layer, array("systolic-os", 4, 4));
  EXPECT_EQ(os.totals.reported_cycles, 6 * 24 - 1);
  EXPECT_DOUBLE_EQ(os.mapping_efficiency, 54.0 / 96.0);
  EXPECT_DOUBLE_EQ(os.compute_utilization, 972.0 / (96.0 * 24.0));
  // is: S_R = 18, S_C = 9, T = 6 → 5 × 3 folds of 6 + 8 + 4 − 2 = 16 cycles.
  const TilePlan is = find_template("systolic-is").plan(layer, array("systolic-is", 4, 4));
  EXPECT_EQ(is.totals.reported_cycles, 15 * 16 - 1);
  EXPECT_DOUBLE_EQ(is.mapping_efficiency, 162.0 / 240.0);
  EXPECT_DOUBLE_EQ(is.compute_utilization, 972.0 / (240.0 * 19.0));
}

TEST(Systolic, NonSquareArrays) {
  const Layer layer = scalesim_layer("L, 5, 5, 3, 3, 2, 6, 1,");
  // 4 rows × 8 cols, ws: 5 × 1 folds of 9 + 8 + 8 − 2 = 23.
  EXPECT_EQ(total_cycles("systolic-ws", layer, 4, 8), 5 * 23 - 1);
  // 8 rows × 4 cols, ws: 3 × 2 folds of 9 + 16 + 4 − 2 = 27.
  EXPECT_EQ(total_cycles("systolic-ws", layer, 8, 4), 6 * 27 - 1);
  // 2 rows × 16 cols, os: S_R = 9 → 5 row folds, S_C = 6 → 1: 18 + 2 + 16 − 2 = 34.
  EXPECT_EQ(total_cycles("systolic-os", layer, 2, 16), 5 * 34 - 1);
}

TEST(Systolic, StridesUseScalesimsCeilingRule) {
  // 8×8 input, 3×3, stride 2: SCALE-Sim gives ceil((8 − 3 + 2) / 2) = 4 rows.
  const Layer layer = scalesim_layer("L, 8, 8, 3, 3, 1, 4, 2,");
  EXPECT_EQ(layer.P(), 4);
  // os: Npx = 16, F = 4, Kw = 9 on 4×4: 4 × 1 folds of 9 + 6 = 15.
  EXPECT_EQ(total_cycles("systolic-os", layer, 4, 4), 4 * 15 - 1);
  // A horizontal stride of its own (the 9th field): Q = ceil((8 − 3 + 3) / 3) = 3.
  const Layer wide = scalesim_layer("L, 8, 8, 3, 3, 1, 4, 2, 3,");
  EXPECT_EQ(wide.Q(), 3);
  EXPECT_EQ(total_cycles("systolic-os", wide, 4, 4), 3 * 15 - 1);
}

TEST(Systolic, OneByOneFcAndGemm) {
  const Layer pointwise = scalesim_layer("L, 4, 4, 1, 1, 8, 8, 1,");
  // ws: S_R = 8, S_C = 8, T = 16 on 4×4: 2 × 2 folds of 16 + 8 + 4 − 2 = 26.
  EXPECT_EQ(total_cycles("systolic-ws", pointwise, 4, 4), 4 * 26 - 1);
  Layer fc;
  fc.type = LayerType::fc;
  fc.C = 512;
  fc.K = 1000;
  // The ResNet-18 FC row of SCALE-Sim's report on 32×32 ws: 48639 cycles.
  EXPECT_EQ(total_cycles("systolic-ws", fc, 32, 32), 48639);
  const Network gemm = parse_scalesim_topology("Layer, M, N, K,\nG, 128, 64, 256,\n", "g.csv", "g");
  // os: S_R = M = 128, S_C = N = 64, T = K = 256 on 32×32: 4 × 2 folds of 256 + 62.
  EXPECT_EQ(total_cycles("systolic-os", gemm.layer(0), 32, 32), 8 * 318 - 1);
  // ws: S_R = K = 256, S_C = N = 64, T = M = 128: 8 × 2 folds of 128 + 64 + 32 − 2.
  EXPECT_EQ(total_cycles("systolic-ws", gemm.layer(0), 32, 32), 16 * 222 - 1);
  // is: S_R = K = 256, S_C = M = 128, T = N = 64: 8 × 4 folds of 64 + 94.
  EXPECT_EQ(total_cycles("systolic-is", gemm.layer(0), 32, 32), 32 * 158 - 1);
}

TEST(Systolic, PublishedAlexnetConv1Golden) {
  const Layer conv1 = scalesim_layer("Conv1, 224, 224, 11, 11, 3, 96, 4,");
  const TilePlan plan = find_template("systolic-ws").plan(conv1, array("systolic-ws", 32, 32));
  EXPECT_EQ(plan.totals.reported_cycles, 112283);
  EXPECT_NEAR(100 * plan.mapping_efficiency, 94.53125, 1e-9);
  EXPECT_NEAR(100 * plan.compute_utilization, 90.78, 0.005);
}

void expect_matches_scalesim(const std::string& dataflow, const std::array<testing::ScalesimReportRow, 21>& reference) {
  const Network net = parse_scalesim_topology(testing::kResnet18Topology, "Resnet18.csv", "Resnet18");
  ASSERT_EQ(net.size(), reference.size());
  for (std::size_t i = 0; i < net.size(); ++i) {
    SCOPED_TRACE(net.layer(i).name);
    const TilePlan plan = find_template(dataflow).plan(net.layer(i), array(dataflow, 32, 32));
    EXPECT_EQ(plan.totals.reported_cycles, reference[i].total_cycles);
    const double overall =
        100.0 * static_cast<double>(plan.totals.ops) / (static_cast<double>(plan.totals.reported_cycles) * 1024.0);
    EXPECT_NEAR(overall, reference[i].overall_util_pct, 1e-6);
    EXPECT_NEAR(100 * plan.mapping_efficiency, reference[i].mapping_efficiency_pct, 1e-6);
    EXPECT_NEAR(100 * plan.compute_utilization, reference[i].compute_util_pct, 1e-6);
  }
}

TEST(Systolic, MatchesScalesimResnet18ReportOs) {
  expect_matches_scalesim("systolic-os", testing::kResnet18Scalesim32x32OS);
}
TEST(Systolic, MatchesScalesimResnet18ReportWs) {
  expect_matches_scalesim("systolic-ws", testing::kResnet18Scalesim32x32WS);
}
TEST(Systolic, MatchesScalesimResnet18ReportIs) {
  expect_matches_scalesim("systolic-is", testing::kResnet18Scalesim32x32IS);
}

TEST(Nvdla, FcAtBatchOneIsWeightLoadBound) {
  Layer fc;
  fc.type = LayerType::fc;
  fc.C = 256;
  fc.K = 64;
  fc.bits = 16;  // one int16 kernel loaded per cycle (two int8)
  // 16 rows (Atomic-C) × 16 cols (Atomic-K): 4 kernel groups × 16 channel
  // blocks, each one atomic op that waits 16 cycles for the next weights.
  const TilePlan plan = find_template("nvdla").plan(fc, array("nvdla", 16, 16, 1 << 20));
  ASSERT_TRUE(plan.feasible);
  EXPECT_EQ(plan.totals.compute_cycles - plan.fixed_cycles, 4 * 16 * 16);
  EXPECT_NEAR(static_cast<double>(fc.macs()) / (256.0 * (plan.totals.compute_cycles - plan.fixed_cycles)), 0.0625,
              1e-12);
}

TEST(Nvdla, ConvStripesRunAtOneAtomicPerCycle) {
  // 32 pixels → 2 stripes of 16; C = 32 on AC = 16 → 2 blocks; 3×3; K = 16 → 1 group.
  Layer conv;
  conv.C = 32;
  conv.H = conv.W = 6;
  conv.K = 16;
  conv.R = conv.S = 3;
  conv.padding = {1, 1, 1, 1};
  ASSERT_EQ(conv.P() * conv.Q(), 36);  // 36 pixels: stripes of 16 and 20
  SubAcceleratorSpec sub = array("nvdla", 16, 16, 1 << 20);
  sub.nvdla.winograd = false;  // direct convolution (tests/nvdla_test.cpp has Winograd)
  const TilePlan plan = find_template("nvdla").plan(conv, sub);
  EXPECT_EQ(plan.totals.compute_cycles - plan.fixed_cycles, 2 * 9 * 36);
  EXPECT_EQ(plan.totals.ops, conv.macs());
}

TEST(Shidiannao, OutputTilesTimesWindowTimesChannels) {
  Layer conv;
  conv.C = 4;
  conv.H = conv.W = 10;
  conv.K = 2;
  conv.R = conv.S = 3;
  // 8×8 outputs on a 4×4 mesh: 4 tiles × 2 maps × (4 channels × 9 + 1 write).
  const TilePlan plan = find_template("shidiannao").plan(conv, array("shidiannao", 4, 4, 1 << 20));
  EXPECT_EQ(plan.totals.compute_cycles, 4 * 2 * (4 * 9 + 1));
}

TEST(Eyeriss, RowStationaryPasses) {
  Layer conv;
  conv.C = 8;
  conv.H = conv.W = 6;
  conv.K = 4;
  conv.R = conv.S = 3;
  // 4×4 outputs; 12×14 array: sets of 3 rows × 4 cols, 12 of them. Spatial
  // choice 0 puts all 12 over filters (r = 1, t = 12): a PE holds q = 12 / S
  // = 4 channels and one filter, so 2 channel blocks, each a filter load of
  // 4·4·9 words at 4 words/cycle (36 cycles) and one pass of Q·S·p·q = 48
  // MACs + 3 cycles of column accumulation.
  const auto& eyeriss = find_template("eyeriss");
  const SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  const TilePlan plan = eyeriss.plan(conv, sub);
  EXPECT_EQ(plan.totals.compute_cycles, 2 * (36 + 48 + 3));
  // Choice 3 stacks r = 4 sets over channels, t = 3 over filters: q = 2,
  // p = 2, one block: a load of 4·8·9 words (72 cycles), one pass whose 48
  // MACs + 3 wait for its 8 channels × 6 rows × 6 ifmap words (72 cycles).
  Mapping mapping = eyeriss.greedy_mapping(conv, sub);
  mapping.spatial = 3;
  EXPECT_EQ(eyeriss.plan(conv, sub, mapping).totals.compute_cycles, 72 + 72);
  EXPECT_NE(eyeriss.describe_spatial(conv, sub, 3).find("4 over C x 3 over K"), std::string::npos);
}

// AlexNet CONV2 (5×5 filters, 27 output rows): a 5×27 set is folded onto 10
// rows of the 12×14 array, as JSSC 2017 maps it (135 active PEs).
TEST(Eyeriss, WideSetsFoldOntoTheArray) {
  Layer conv;
  conv.C = 48;
  conv.H = conv.W = 27;
  conv.padding = Padding{2, 2, 2, 2};
  conv.K = 128;
  conv.R = conv.S = 5;
  const SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  EXPECT_NE(find_template("eyeriss").describe_spatial(conv, sub, 0).find("5x27 (R x e, folded in 2)"),
            std::string::npos);
}

// Scratchpads bound the channels and filters a PE interleaves: a 2-word ifmap
// spad cannot hold one 3-wide filter row's window per extra channel, so q = 1
// and the passes double.
TEST(Eyeriss, ScratchpadsBoundInterleaving) {
  Layer conv;
  conv.C = 8;
  conv.H = conv.W = 6;
  conv.K = 4;
  conv.R = conv.S = 3;
  SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  const auto& eyeriss = find_template("eyeriss");
  const std::int64_t roomy = eyeriss.plan(conv, sub).totals.compute_cycles;
  sub.row_stationary.ifmap_spad_words = 3;
  const std::int64_t tight = eyeriss.plan(conv, sub).totals.compute_cycles;
  // q = 1: 8 channel blocks of a 36-word load (9 cycles) and a pass of 12 +
  // 3 cycles that waits 16 for its 64 partial sums to leave.
  EXPECT_EQ(tight, 8 * (9 + 16));
  EXPECT_GT(tight, roomy);
}

// A slow partial-sum network throttles passes that write many psums.
TEST(Eyeriss, NetworkBandwidthThrottlesPasses) {
  Layer conv;
  conv.C = 8;
  conv.H = conv.W = 6;
  conv.K = 4;
  conv.R = conv.S = 3;
  SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  const auto& eyeriss = find_template("eyeriss");
  sub.row_stationary.psum_words_per_cycle = 0.5;
  // Each pass writes 4 filters × 4 rows × 4 columns = 64 psums: 128 cycles
  // instead of the 51 its MACs take.
  EXPECT_EQ(eyeriss.plan(conv, sub).totals.compute_cycles, 2 * (36 + 128));
}

// Run-length coding: 64-bit words of three (5-bit run, 16-bit level) pairs.
TEST(Eyeriss, RunLengthCodingOfActivations) {
  EXPECT_EQ(rlc_bytes(300, 1.0, 16), 600);  // dense: never coded (it would grow)
  // Density 0.5: E[pairs] = 150 / (1 − 0.5^32), just above 150 → 51 words.
  EXPECT_EQ(rlc_bytes(300, 0.5, 16), 51 * 8);
  // All zeros but one in 3200: runs of 31 zeros + a zero level, 100 pairs.
  EXPECT_LE(rlc_bytes(3200, 1e-9, 16), 34 * 8);
  Layer conv;
  conv.C = 8;
  conv.H = conv.W = 6;
  conv.K = 4;
  conv.R = conv.S = 3;
  conv.bits = 16;
  conv.density = 0.25;
  conv.output_density = 0.5;
  SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  sub.bits = 16;
  const auto& eyeriss = find_template("eyeriss");
  const TilePlan raw = eyeriss.plan(conv, sub);
  sub.row_stationary.rlc = true;
  const TilePlan coded = eyeriss.plan(conv, sub);
  EXPECT_EQ(coded.totals.dram_read_bytes[0], rlc_bytes(8 * 36, 0.25, 16));
  EXPECT_LT(coded.totals.dram_read_bytes[0], raw.totals.dram_read_bytes[0]);
  EXPECT_EQ(coded.totals.dram_write_bytes, rlc_bytes(4 * 16, 0.5, 16));
  EXPECT_EQ(coded.totals.dram_read_bytes[1], raw.totals.dram_read_bytes[1]);  // filters move raw
}

Layer small_sparse_conv() {
  Layer conv;
  conv.C = 8;
  conv.H = conv.W = 6;
  conv.K = 4;
  conv.R = conv.S = 3;
  conv.bits = 16;
  conv.density = 0.25;
  conv.output_density = 0.5;
  return conv;
}

Mapping conv_mapping(std::int64_t K, std::int64_t P, std::int64_t C, std::array<std::int8_t, 5> order) {
  Mapping m;
  m.tiles = {1, K, P, C, 1};
  std::copy(order.begin(), order.end(), m.order.begin());
  return m;
}

// Final outputs are coded whatever the C tile: what matters is whether partial
// sums go back to DRAM, which the loop order decides.
TEST(Eyeriss, FinalOutputsAreCodedWhateverTheChannelTile) {
  const Layer conv = small_sparse_conv();  // ofmap 4 x 4 x 4 x 2 B = 128 B
  SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1 << 20);
  sub.bits = 16;
  sub.row_stationary.rlc = true;
  sub.ofmap.capacity_bytes = 100;  // two one-row output tiles, not the whole ofmap
  const auto& eyeriss = find_template("eyeriss");
  // C innermost: each output tile sees its 4 channel tiles back to back.
  const TilePlan c_inner = eyeriss.plan(conv, sub, conv_mapping(4, 1, 2, {kConvG, kConvN, kConvK, kConvP, kConvC}));
  ASSERT_TRUE(c_inner.feasible) << c_inner.reason;
  EXPECT_EQ(c_inner.totals.dram_write_bytes, 4 * rlc_bytes(4 * 4, 0.5, 16));
  EXPECT_EQ(c_inner.totals.dram_read_bytes[2], 0);
  // C outermost: partial sums go out and come back raw.
  const TilePlan c_outer = eyeriss.plan(conv, sub, conv_mapping(4, 1, 2, {kConvG, kConvN, kConvC, kConvK, kConvP}));
  ASSERT_TRUE(c_outer.feasible) << c_outer.reason;
  EXPECT_EQ(c_outer.totals.dram_write_bytes, 4 * 4 * 4 * 4 * 2);
  EXPECT_GT(c_outer.totals.dram_read_bytes[2], 0);
}

// The ifmap and ofmap buffers as one global buffer re-split per layer: a
// tile that overflows the fixed split fits, and spare banks keep the ifmap.
TEST(Eyeriss, SharedGlobalBufferIsSplitByTheTiles) {
  const Layer conv = small_sparse_conv();  // ifmap 8 x 6 x 6 x 2 B = 576 B
  SubAcceleratorSpec sub = array("eyeriss", 12, 14, 1024);
  sub.bits = 16;
  sub.filter.capacity_bytes = 1 << 20;
  sub.ifmap.banks = sub.ofmap.banks = 4;  // 256 B banks
  const auto& eyeriss = find_template("eyeriss");
  const Mapping whole = conv_mapping(4, 4, 8, {kConvG, kConvN, kConvK, kConvP, kConvC});
  EXPECT_FALSE(eyeriss.fits(conv, sub, whole));  // two 576 B ifmap tiles > 1 KiB
  sub.row_stationary.shared_glb = true;
  EXPECT_TRUE(eyeriss.fits(conv, sub, whole));  // 5 banks for the ifmap, 1 for the outputs
  const TilePlan plan = eyeriss.plan(conv, sub, whole);
  ASSERT_TRUE(plan.feasible) << plan.reason;
  EXPECT_EQ(plan.totals.dram_read_bytes[0], 576);
  // Outputs that need 7 banks leave one for the ifmap: too few.
  const Mapping big_out = conv_mapping(4, 4, 8, {kConvG, kConvN, kConvK, kConvP, kConvC});
  Layer wide = conv;
  wide.K = 28;  // 28 x 16 x 2 B = 896 B per tile, doubled: 7 banks
  Mapping m = big_out;
  m.tiles[kConvK] = 28;
  EXPECT_FALSE(eyeriss.fits(wide, sub, m));
  EXPECT_FALSE(eyeriss.plan(wide, sub, m).feasible);
}

TEST(Energy, StaticEnergyScalesWithCyclesAreaAndPes) {
  Technology t = builtin_technology();
  const SubAcceleratorSpec sub = array("eyeriss", 12, 14);
  EXPECT_EQ(static_energy_pj(sub, t, 1000), 0.0);  // the 45 nm default has none
  t.clock_pj_per_mm2_cycle = 3;
  t.leakage_pj_per_mm2_cycle = 1;
  t.control_pj_per_pe_cycle = 0.5;
  const double mm2 = sub_accelerator_area_um2(sub, t) * 1e-6;
  EXPECT_DOUBLE_EQ(static_energy_pj(sub, t, 1000), 1000 * (4 * mm2 + 168 * 0.5));
}

TEST(LayerDensity, OutsideZeroToOneIsAProblem) {
  Layer conv;
  conv.density = 0;
  EXPECT_EQ(conv.validate().rfind("density:", 0), 0u);
  conv.density = 1;
  conv.output_density = 1.5;
  EXPECT_EQ(conv.validate().rfind("output_density:", 0), 0u);
}

// ---- properties that hold for every template on every layer

std::vector<Layer> sample_layers() {
  std::vector<Layer> layers;
  for (const char* name : {"resnet18", "mobilenet_v2", "alexnet", "resnet20"}) {
    const Network network = zoo_model(name);
    layers.insert(layers.end(), network.layers().begin(), network.layers().end());
  }
  std::mt19937_64 random(2026);
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(random);
  };
  for (int i = 0; i < 60; ++i) {
    Layer layer;
    layer.name = "random" + std::to_string(i);
    const int kind = static_cast<int>(pick(0, 4));
    layer.type = kind == 0   ? LayerType::dwconv
                 : kind == 1 ? LayerType::fc
                 : kind == 2 ? LayerType::pool
                             : LayerType::conv;
    layer.N = pick(1, 2);
    layer.C = pick(1, 40);
    layer.H = layer.W = pick(3, 30);
    layer.K = pick(1, 70);
    layer.R = layer.S = pick(1, 5);
    if (layer.R > layer.H) layer.R = layer.S = layer.H;
    layer.stride_h = layer.stride_w = pick(1, 3);
    const std::int64_t pad = pick(0, layer.R - 1);
    layer.padding = {pad, pad, pad, pad};
    if (layer.type == LayerType::fc) {
      layer.H = layer.W = layer.R = layer.S = layer.stride_h = layer.stride_w = 1;
      layer.padding = {};
    }
    if (layer.type == LayerType::dwconv || layer.type == LayerType::pool) {
      layer.K = layer.C;
      layer.groups = layer.C;
    }
    EXPECT_EQ(layer.validate(), "") << layer.name;
    layers.push_back(layer);
  }
  Layer gemm;
  gemm.type = LayerType::gemm;
  gemm.H = 100;
  gemm.C = 300;
  gemm.K = 70;
  layers.push_back(gemm);
  return layers;
}

// Compulsory ifmap traffic: every input element some window touches (a
// strided 1×1 convolution never needs the rows between its windows).
std::int64_t touched(std::int64_t size, std::int64_t outputs, std::int64_t stride, std::int64_t window,
                     std::int64_t pad) {
  std::vector<bool> used(static_cast<std::size_t>(size), false);
  for (std::int64_t o = 0; o < outputs; ++o) {
    for (std::int64_t i = o * stride - pad; i < o * stride - pad + window; ++i) {
      if (i >= 0 && i < size) used[static_cast<std::size_t>(i)] = true;
    }
  }
  return std::count(used.begin(), used.end(), true);
}

std::int64_t touched_ifmap_bytes(const Layer& layer) {
  if (layer.type == LayerType::add || layer.type == LayerType::fc || layer.type == LayerType::gemm) {
    return layer.ifmap_bytes();
  }
  return layer.bytes_of(layer.N * layer.C * touched(layer.H, layer.P(), layer.stride_h, layer.R, layer.padding.top) *
                        touched(layer.W, layer.Q(), layer.stride_w, layer.S, layer.padding.left));
}

TEST(TemplateProperties, HoldForEveryTemplateAndLayer) {
  const Technology technology = builtin_technology();
  const auto layers = sample_layers();
  for (const auto& name : template_names()) {
    const DataflowTemplate& dataflow = find_template(name);
    const SubAcceleratorSpec sub = array(name, 12, 14, 256 * 1024);
    for (const auto& layer : layers) {
      SCOPED_TRACE(name + " " + layer.name);
      const TilePlan plan = dataflow.plan(layer, sub);
      ASSERT_TRUE(plan.feasible) << plan.reason;
      EXPECT_EQ(plan.totals.ops, layer.ops());
      if (layer.macs() > 0) {
        EXPECT_EQ(plan.totals.ops, layer.macs());
      }
      EXPECT_GE(plan.totals.dram_read_bytes[0], touched_ifmap_bytes(layer));
      EXPECT_GE(plan.totals.dram_read_bytes[1], layer.filter_bytes());
      EXPECT_GE(plan.totals.dram_write_bytes, layer.ofmap_bytes());
      EXPECT_GE(plan.totals.compute_cycles * sub.pes(), plan.totals.ops);
      const LayerProfile profile = profile_layer(layer, sub, technology, 64, dataflow, 0);
      const LayerTiming timing = layer_latency(profile, 16.0, 100, SurrogateParams(), false);
      EXPECT_GE(timing.cycles * static_cast<double>(sub.pes()), static_cast<double>(layer.ops()));
      EXPECT_GT(profile.energy.total_pj(), 0);
      EXPECT_GE(timing.cycles, layer_latency(profile, 64.0, 100, SurrogateParams(), false).cycles);
    }
  }
}

// The simulator replays plans tile by tile; its per-tile decisions must add
// up to the surrogate's closed-form counts.
TEST(TemplateProperties, TileWalkerAgreesWithTheClosedFormCounts) {
  const auto layers = sample_layers();
  for (const auto& name : template_names()) {
    for (std::int64_t buffer : {2 * 1024, 64 * 1024, 1024 * 1024}) {
      const SubAcceleratorSpec sub = array(name, 8, 16, buffer);
      for (const auto& layer : layers) {
        const TilePlan plan = find_template(name).plan(layer, sub);
        if (!plan.feasible) continue;
        SCOPED_TRACE(name + " " + std::to_string(buffer) + " " + layer.name);
        TileWalker walker(plan);
        std::int64_t tiles = 0, cycles = 0, ifmap = 0, filter = 0, rereads = 0, writes = 0;
        while (!walker.done()) {
          const TileStep step = walker.next();
          const TileCost& cost = step.tile_class->cost;
          ++tiles;
          cycles += cost.compute_cycles;
          ifmap += step.load_ifmap ? cost.footprint_bytes[0] : 0;
          filter += step.load_filter ? cost.footprint_bytes[1] : 0;
          rereads += step.ofmap_reread ? cost.footprint_bytes[2] : 0;
          writes += step.ofmap_write_back ? cost.footprint_bytes[2] : 0;
        }
        EXPECT_EQ(tiles, plan.totals.tiles);
        EXPECT_EQ(cycles + plan.fixed_cycles, plan.totals.compute_cycles);
        EXPECT_EQ(ifmap, plan.totals.dram_read_bytes[0]);
        EXPECT_EQ(filter, plan.totals.dram_read_bytes[1]);
        EXPECT_EQ(rereads, plan.totals.dram_read_bytes[2]);
        EXPECT_EQ(writes, plan.totals.dram_write_bytes);
      }
    }
  }
}

// The surrogate's tile groups, with the head and tail tiles, hold every tile,
// every compute cycle and every DRAM byte of the plan exactly once.
TEST(TemplateProperties, TileGroupsAccountForEveryTileCycleAndByte) {
  const Technology technology = builtin_technology();
  const auto layers = sample_layers();
  for (const auto& name : template_names()) {
    for (std::int64_t buffer : {2 * 1024, 64 * 1024, 1024 * 1024}) {
      const SubAcceleratorSpec sub = array(name, 8, 16, buffer);
      for (const auto& layer : layers) {
        const LayerProfile profile = profile_layer(layer, sub, technology, 64, find_template(name), 0);
        if (!profile.feasible) continue;
        SCOPED_TRACE(name + " " + std::to_string(buffer) + " " + layer.name);
        const bool two_or_more = profile.tiles > 1;
        std::int64_t tiles = two_or_more ? 2 : 1;
        std::int64_t cycles = profile.head[0].compute_cycles + profile.head[1].compute_cycles;
        double bytes = profile.head[0].load_bytes(false) + profile.head[1].load_bytes(false) +
                       profile.last_store_bytes + profile.previous_store_bytes;
        for (const TileGroup& group : profile.groups) {
          EXPECT_GT(group.count, 0);
          tiles += group.count;
          cycles += group.count * group.compute_cycles;
          bytes += static_cast<double>(group.count) * (group.ifmap_bytes + group.other_bytes);
        }
        EXPECT_EQ(two_or_more, profile.head[1].compute_cycles > 0);
        EXPECT_EQ(tiles, profile.tiles);
        EXPECT_EQ(cycles, profile.compute_cycles - profile.fixed_cycles + profile.port_stall_cycles);
        const double total = static_cast<double>(profile.dram_read_bytes[0] + profile.dram_read_bytes[1] +
                                                 profile.dram_read_bytes[2] + profile.dram_write_bytes);
        EXPECT_NEAR(bytes, total, 1e-6 * total);
      }
    }
  }
}

TEST(TemplateProperties, AreaGrowsWithPesAndBuffersEnergyWithDramCost) {
  Technology technology = builtin_technology();
  for (const auto& name : template_names()) {
    SCOPED_TRACE(name);
    EXPECT_LT(sub_accelerator_area_um2(array(name, 8, 8), technology),
              sub_accelerator_area_um2(array(name, 16, 16), technology));
    EXPECT_LT(sub_accelerator_area_um2(array(name, 8, 8, 32 * 1024), technology),
              sub_accelerator_area_um2(array(name, 8, 8, 64 * 1024), technology));
    const Layer layer = zoo_model("resnet18").layer(0);
    const double before =
        profile_layer(layer, array(name, 8, 8), technology, 64, find_template(name), 0).energy.total_pj();
    Technology costly = technology;
    costly.dram_pj_per_byte *= 2;
    const double after = profile_layer(layer, array(name, 8, 8), costly, 64, find_template(name), 0).energy.total_pj();
    EXPECT_LT(before, after);
  }
}

TEST(TemplateProperties, LayersThatCannotFitAreInfeasibleWithAReason) {
  Layer wide;
  wide.C = 3;
  wide.H = wide.W = 2048;
  wide.K = 8;
  wide.R = wide.S = 7;
  for (const char* name : {"nvdla", "shidiannao", "eyeriss"}) {
    const TilePlan plan = find_template(name).plan(wide, array(name, 8, 8, 1024));
    EXPECT_FALSE(plan.feasible) << name;
    EXPECT_NE(plan.reason.find("ifmap buffer"), std::string::npos) << plan.reason;
  }
  Layer big_filter = wide;
  big_filter.H = big_filter.W = 16;
  big_filter.R = big_filter.S = 16;
  big_filter.C = 64;
  const TilePlan plan = find_template("nvdla").plan(big_filter, array("nvdla", 8, 8, 1024));
  EXPECT_FALSE(plan.feasible);
  EXPECT_NE(plan.reason.find("filter buffer"), std::string::npos) << plan.reason;
}

TEST(TemplateRegistry, UnknownNameListsKnownTemplates) {
  EXPECT_EQ(template_names().size(), 6u);
  try {
    find_template("tpu-v9");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("eyeriss, nvdla, shidiannao, systolic-is, systolic-os, systolic-ws"), std::string::npos);
  }
}

}  // namespace
}  // namespace nasaic
