// The NVDLA modes of the nvdla template (NvdlaSpec): each changes the plan,
// so surrogate and simulator both see it, and each has a switch.
#include <gtest/gtest.h>

#include "dataflows/chip_spec.hpp"
#include "dataflows/dataflow_template.hpp"

namespace nasaic {
namespace {

SubAcceleratorSpec nvdla(std::int64_t atomic_c, std::int64_t atomic_k, std::int64_t buffer_bytes = 1 << 20) {
  SubAcceleratorSpec sub;
  sub.name = "nvdla";
  sub.dataflow = "nvdla";
  sub.rows = atomic_c;
  sub.cols = atomic_k;
  sub.bandwidth_share = 1;
  sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = buffer_bytes;
  return sub;
}

Layer conv(std::int64_t C, std::int64_t HW, std::int64_t K, std::int64_t RS, std::int64_t stride, std::int64_t pad) {
  Layer layer;
  layer.C = C;
  layer.H = layer.W = HW;
  layer.K = K;
  layer.R = layer.S = RS;
  layer.stride_h = layer.stride_w = stride;
  layer.padding = {pad, pad, pad, pad};
  return layer;
}

std::int64_t tile_cycles(const TilePlan& plan) { return plan.totals.compute_cycles - plan.fixed_cycles; }

TEST(NvdlaWinograd, ThreeByThreeRunsInFourNinthsOfTheAtomics) {
  // 8x8 outputs, C = 64, K = 16 on Atomic-C 64 x Atomic-K 16.
  const Layer layer = conv(64, 8, 16, 3, 1, 1);
  SubAcceleratorSpec sub = nvdla(64, 16);
  const TilePlan winograd = find_template("nvdla").plan(layer, sub);
  ASSERT_TRUE(winograd.feasible) << winograd.reason;
  // 16 2x2 blocks = one stripe of 16 atomics, per 4-channel block: 64 / 4 = 16 blocks.
  EXPECT_EQ(tile_cycles(winograd), 16 * 16);
  EXPECT_EQ(winograd.totals.ops * 9, layer.macs() * 4);                 // 16 multiplies per 36
  EXPECT_EQ(winograd.totals.dram_read_bytes[1], 16 * 64 * 16);          // weights pre-transformed to 4x4
  sub.nvdla.winograd = false;
  const TilePlan direct = find_template("nvdla").plan(layer, sub);
  EXPECT_EQ(tile_cycles(direct), 9 * 64);  // R·S stripe ops of 64 atomics
  EXPECT_EQ(direct.totals.ops, layer.macs());
  EXPECT_EQ(direct.totals.dram_read_bytes[1], 9 * 64 * 16);
}

TEST(NvdlaWinograd, NotForStridesOrNarrowAtomics) {
  const TilePlan strided = find_template("nvdla").plan(conv(64, 9, 16, 3, 2, 1), nvdla(64, 16));
  EXPECT_EQ(strided.totals.ops, conv(64, 9, 16, 3, 2, 1).macs());
  const Layer layer = conv(64, 8, 16, 3, 1, 1);
  const TilePlan narrow = find_template("nvdla").plan(layer, nvdla(8, 8));  // nv_small: Winograd disabled
  EXPECT_EQ(narrow.totals.ops, layer.macs());
}

TEST(NvdlaChannelExtension, ImageLayerFoldsKernelRowsAndLinesIntoChannels) {
  // ResNet-50 conv1 on nv_full: C·S = 21 pre-extended channels, 2 lines
  // post-extended (21 > 16 forbids 4): 42 channels, ceil(7/2) = 4 atomics per
  // pixel and kernel group; 112 output lines of one 64- and one 48-atomic stripe.
  const Layer layer = conv(3, 224, 64, 7, 2, 3);
  SubAcceleratorSpec sub = nvdla(64, 32, 4 << 20);
  const TilePlan extended = find_template("nvdla").plan(layer, sub);
  ASSERT_TRUE(extended.feasible) << extended.reason;
  EXPECT_EQ(tile_cycles(extended), 112 * 4 * 2 * (64 + 48));
  EXPECT_EQ(extended.totals.ops, layer.macs());
  sub.nvdla.channel_extension = false;
  const TilePlan direct = find_template("nvdla").plan(layer, sub);
  // One 3-channel atomic per (r, s): 49 per pixel and group.
  EXPECT_EQ(tile_cycles(direct), 49 * 2 * 112 * 112);
}

TEST(NvdlaStripes, Int8WeightsLoadTwoKernelsPerCycle) {
  // 1x1, C = 64, 16 pixels, 32 kernels on 64 x 32: the int8 weights of the
  // next slice load in 16 cycles, so a 16-atomic stripe is not stretched;
  // int16 kernels load one per cycle and stretch it to 32.
  Layer layer = conv(64, 4, 32, 1, 1, 0);
  SubAcceleratorSpec sub = nvdla(64, 32);
  sub.nvdla.sdp_throughput = 64;
  EXPECT_EQ(tile_cycles(find_template("nvdla").plan(layer, sub)), 16);
  layer.bits = 16;
  EXPECT_EQ(tile_cycles(find_template("nvdla").plan(layer, sub)), 32);
}

TEST(NvdlaUnits, AddRunsOnTheSdpAndPoolOnThePdp) {
  Layer add;
  add.type = LayerType::add;
  add.C = 256;
  add.H = add.W = 14;
  add.K = 256;
  add.inputs = {"a", "b"};
  SubAcceleratorSpec sub = nvdla(64, 32);
  const TilePlan sdp = find_template("nvdla").plan(add, sub);
  ASSERT_TRUE(sdp.feasible) << sdp.reason;
  EXPECT_EQ(tile_cycles(sdp), 256 * 14 * 14 / 16);
  sub.nvdla.sdp_throughput = 4;
  EXPECT_EQ(tile_cycles(find_template("nvdla").plan(add, sub)), 256 * 14 * 14 / 4);

  Layer pool = conv(64, 112, 64, 3, 2, 1);
  pool.type = LayerType::pool;
  sub.nvdla.pdp_throughput = 8;
  const TilePlan pdp = find_template("nvdla").plan(pool, sub);
  ASSERT_TRUE(pdp.feasible) << pdp.reason;
  // One pass over the input (padded 114 x 114, 64 channels) at 8 per cycle.
  EXPECT_EQ(tile_cycles(pdp), 64 * 114 * 114 / 8);
}

TEST(NvdlaUnits, ConvOutputsAreBoundBySdpThroughput) {
  // 1x1, C = 64 on 64 x 32: 32 outputs per cycle from the MACs; an SDP of 8
  // per cycle takes 4 cycles for them.
  const Layer layer = conv(64, 16, 32, 1, 1, 0);
  SubAcceleratorSpec sub = nvdla(64, 32);
  sub.nvdla.sdp_throughput = 64;
  EXPECT_EQ(tile_cycles(find_template("nvdla").plan(layer, sub)), 256);
  sub.nvdla.sdp_throughput = 8;
  EXPECT_EQ(tile_cycles(find_template("nvdla").plan(layer, sub)), 256 * 4);
}

TEST(NvdlaCbuf, BankSplitIsAMappingChoice) {
  // 16 banks of 8 KiB; 1x1 layer with 56 KiB of weights and 4 KiB of input:
  // whole it needs 112 KiB for weights (double-buffered), more than the chip
  // file's 8 + 8 split gives, but 1 data + 15 weight banks hold it.
  SubAcceleratorSpec sub = nvdla(64, 32);
  sub.ifmap = {64 * 1024, 8, 1, 1};
  sub.filter = {64 * 1024, 8, 1, 1};
  const Layer layer = conv(64, 8, 896, 1, 1, 0);
  const DataflowTemplate& t = find_template("nvdla");
  EXPECT_EQ(t.mapping_space(layer, sub).spatial_choices, 15);
  Mapping whole;
  whole.tiles = {1, 896, 8, 64, 0};
  whole.order = {0, 1, 2, 3, 0};
  whole.spatial = 7;  // the chip file's split
  EXPECT_FALSE(t.fits(layer, sub, whole));
  whole.spatial = 0;  // one data bank
  EXPECT_TRUE(t.fits(layer, sub, whole));
  EXPECT_TRUE(t.plan(layer, sub, whole).feasible);
  sub.nvdla.shared_cbuf = false;
  EXPECT_EQ(t.mapping_space(layer, sub).spatial_choices, 1);
  EXPECT_FALSE(t.fits(layer, sub, whole));
}

TEST(NvdlaSpecLimits, UnitThroughputsAreChecked) {
  ChipSpec chip;
  chip.name = "c";
  chip.clock_hz = 1e9;
  chip.technology_file = "built-in";
  chip.technology = builtin_technology();
  chip.interconnect.link_bytes_per_cycle = 8;
  chip.sub_accelerators.push_back(nvdla(64, 32));
  EXPECT_TRUE(validate(chip).empty());
  chip.sub_accelerators[0].nvdla.pdp_throughput = 0;
  const auto problems = validate(chip);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "sub_accelerators[0].nvdla.pdp_throughput");
}

TEST(NvdlaCacc, TilesHoldAllChannelsUnlessSwitchedOff) {
  // CACC sums all C of an output before the SDP: with the switch on, every
  // conv tile of the mapping space and the greedy rule holds the whole C.
  SubAcceleratorSpec sub = nvdla(8, 8);
  sub.ifmap = {64 * 1024, 8, 1, 1};
  sub.filter = {64 * 1024, 8, 1, 1};
  const Layer layer = conv(512, 7, 512, 3, 1, 1);  // 3x3x512: 8 kernels are 36 KiB
  const DataflowTemplate& t = find_template("nvdla");
  const MappingSpace space = t.mapping_space(layer, sub);  // loops G, K, P, C, N
  EXPECT_EQ(space.loops[3].fixed_tile, 512);
  const Mapping greedy = t.greedy_mapping(layer, sub);
  EXPECT_EQ(greedy.tiles[3], 512);
  EXPECT_TRUE(t.fits(layer, sub, greedy));
  EXPECT_TRUE(t.plan(layer, sub, greedy).feasible);
  sub.nvdla.whole_channel_reduction = false;
  EXPECT_EQ(t.mapping_space(layer, sub).loops[3].fixed_tile, 0);
  EXPECT_LT(t.greedy_mapping(layer, sub).tiles[3], 512);
}

}  // namespace
}  // namespace nasaic
