#include <gtest/gtest.h>

#include "common/error.hpp"
#include "dataflows/chip_spec.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/scalesim_config.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::TempDir;

const char* kChip = R"(name: test-chip
clock: 500 MHz
technology: built-in
dram:
  bandwidth: 16 GB/s
  latency: 100 ns
  burst: 64 B
interconnect:
  arbitration: weighted
  link_width: 32 B/cycle
sub_accelerators:
  - name: a
    dataflow: nvdla
    pe_array: {rows: 16, cols: 8}
    bandwidth_share: 0.5
    buffers:
      ifmap: {capacity: 64 KiB, banks: 4}
      filter: {capacity: 32 KiB}
      ofmap: {capacity: 16 KiB, read_ports: 2, write_ports: 2}
  - name: b
    dataflow: systolic-ws
    pe_array: {rows: 8, cols: 8}
    bits: 16
    bandwidth_share: 0.5
    buffers:
      ifmap: {capacity: 8 KiB}
      filter: {capacity: 8 KiB}
      ofmap: {capacity: 8 KiB}
)";

TEST(ChipSpec, ParsesUnitsIntoCyclesAndBytes) {
  TempDir dir;
  const ChipSpec chip = load_chip_spec(dir.write("chip.yaml", kChip));
  EXPECT_EQ(chip.name, "test-chip");
  EXPECT_DOUBLE_EQ(chip.clock_hz, 500e6);
  ASSERT_TRUE(chip.dram.bytes_per_cycle.has_value());
  EXPECT_DOUBLE_EQ(*chip.dram.bytes_per_cycle, 32.0);  // 16 GB/s at 500 MHz
  EXPECT_DOUBLE_EQ(chip.dram.latency_cycles, 50.0);
  EXPECT_EQ(chip.dram.burst_bytes, 64);
  EXPECT_EQ(chip.interconnect.arbitration, Arbitration::weighted);
  ASSERT_EQ(chip.sub_accelerators.size(), 2u);
  const SubAcceleratorSpec& a = chip.sub_accelerators[0];
  EXPECT_EQ(a.pes(), 128);
  EXPECT_EQ(a.ifmap.capacity_bytes, 65536);
  EXPECT_EQ(a.ifmap.banks, 4);
  EXPECT_EQ(a.filter.banks, 1);
  EXPECT_EQ(a.ofmap.read_ports, 2);
  EXPECT_EQ(chip.sub_accelerators[1].bits, 16);
  EXPECT_EQ(chip.find("b"), 1);
  EXPECT_GT(chip.technology.dram_pj_per_byte, 0);
}

TEST(ChipSpec, ShippedChipsAndTechnologyLoad) {
  for (const char* name : {"scalesim-32x32", "hetero-2", "hetero-3"}) {
    SCOPED_TRACE(name);
    const ChipSpec chip = load_chip_spec(testing::source_path(std::string("configs/chips/") + name + ".yaml"));
    EXPECT_FALSE(chip.sub_accelerators.empty());
    EXPECT_EQ(chip.technology.hash, builtin_technology().hash);
  }
  EXPECT_EQ(load_chip_spec(testing::source_path("configs/chips/hetero-3.yaml")).sub_accelerators.size(), 3u);
}

TEST(ChipSpec, NormalisedYamlReloadsToTheSameChip) {
  TempDir dir;
  // Values that do not survive 10 significant digits, and names that YAML
  // 1.1 readers take for numbers or booleans.
  std::string text = kChip;
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"name: test-chip", "name: '007'"},
           {"clock: 500 MHz", "clock: 333.3333333333 MHz"},
           {"name: a\n", "name: '0x10'\n"},
           {"name: b\n", "name: 'yes'\n"}}) {
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  }
  const ChipSpec chip = load_chip_spec(dir.write("chip.yaml", text));
  ASSERT_EQ(chip.name, "007");
  const std::string normalised = chip_spec_to_yaml(chip);
  EXPECT_NE(normalised.find("capacity: 64 KiB"), std::string::npos);
  const ChipSpec reloaded = load_chip_spec(dir.write("normalised.yaml", normalised));
  EXPECT_TRUE(reloaded == chip) << normalised;
  EXPECT_EQ(reloaded.clock_hz, chip.clock_hz);
  EXPECT_EQ(reloaded.sub_accelerators.at(0).name, "0x10");
  EXPECT_EQ(reloaded.sub_accelerators.at(1).name, "yes");
  EXPECT_EQ(chip_spec_to_yaml(reloaded), normalised);
}

// A chip built in code, one sub-accelerator per template with settings of
// its own kind, passes validate() and its written file loads back as the same
// chip; what the parser would refuse, validate() names.
TEST(ChipSpec, ChipsBuiltInCodeAreValidatedAndWrittenToFilesThatLoadBack) {
  ChipSpec chip;
  chip.name = "built in code";
  chip.clock_hz = 800e6;
  chip.technology_file = "built-in";
  chip.technology = builtin_technology();
  chip.dram.bytes_per_cycle = 12.5;
  chip.dram.latency_cycles = 80;
  chip.interconnect.link_bytes_per_cycle = 32;
  for (const auto& name : template_names()) {
    SubAcceleratorSpec sub;
    sub.name = name + "-core";
    sub.dataflow = name;
    sub.rows = 8;
    sub.cols = 16;
    sub.bandwidth_share = 0.1;
    sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = 32 * 1024;
    if (name == "nvdla") sub.nvdla.winograd = false;
    if (name.rfind("systolic-", 0) == 0) sub.systolic_layer_overhead_cycles = 40;
    chip.sub_accelerators.push_back(sub);
  }
  ASSERT_TRUE(validate(chip).empty()) << validate(chip).front().key << ": " << validate(chip).front().message;
  TempDir dir;
  EXPECT_EQ(load_chip_spec(dir.write("written.yaml", chip_spec_to_yaml(chip))), chip);

  const auto first_problem = [](const ChipSpec& spec) {
    const auto problems = validate(spec);
    return problems.empty() ? std::string("none") : problems.front().key + ": " + problems.front().message;
  };
  ChipSpec unnamed = chip;
  unnamed.technology_file.clear();
  EXPECT_EQ(first_problem(unnamed), "technology: must name a technology file or built-in");
  const std::size_t eyeriss = static_cast<std::size_t>(chip.find("eyeriss-core"));
  ChipSpec misplaced = chip;
  misplaced.sub_accelerators[eyeriss].nvdla.shared_cbuf = false;
  EXPECT_EQ(first_problem(misplaced), "sub_accelerators[" + std::to_string(eyeriss) +
                                          "].nvdla: nvdla options apply to nvdla sub-accelerators only, not 'eyeriss'");
  misplaced = chip;
  misplaced.sub_accelerators[eyeriss].systolic_layer_overhead_cycles = 5;
  EXPECT_NE(first_problem(misplaced).find("].systolic: systolic options apply to systolic sub-accelerators only"),
            std::string::npos);
}

TEST(Technology, SramFitMatchesHorowitzPoints) {
  const Technology t = builtin_technology();
  EXPECT_NEAR(t.sram_read_pj_per_64b(8), 10.0, 0.7);
  EXPECT_NEAR(t.sram_read_pj_per_64b(32), 20.0, 0.8);
  EXPECT_NEAR(t.sram_read_pj_per_64b(1024), 100.0, 0.2);
  EXPECT_DOUBLE_EQ(t.mac_energy_pj(8), 0.30);
  EXPECT_LT(t.mac_energy_pj(8), t.mac_energy_pj(16));
  // 4 bits: the multiplier (0.2 of the 0.3 pJ 8-bit MAC) at a quarter, the
  // accumulator at half: a third of the 8-bit MAC, in energy and in area.
  EXPECT_NEAR(t.mac_energy_pj(4), 0.10, 1e-12);
  EXPECT_NEAR(t.mac_area_um2(4) / t.mac_area_um2(8), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(t.hash.size(), 16u);
}

void expect_chip_error(const std::string& from, const std::string& to, int line, const std::string& key,
                       const std::string& fragment) {
  std::string text = kChip;
  const auto at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  TempDir dir;
  const std::string path = dir.write("chip.yaml", text);
  try {
    load_chip_spec(path);
    FAIL() << "accepted: " << to;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

TEST(ChipSpec, RejectsBadValuesWithFileLineAndKey) {
  expect_chip_error("clock: 500 MHz", "clock: 500", 2, "clock", "has no unit");
  expect_chip_error("clock: 500 MHz", "clock: 500 GB/s", 2, "clock", "expected a frequency");
  expect_chip_error("  burst: 64 B", "  burst: 64 B\n  colour: red", 8, "dram.colour", "unknown key");
  expect_chip_error("{rows: 16, cols: 8}", "{rows: 0, cols: 8}", 14, "sub_accelerators[0].pe_array.rows",
                    "out of range");
  expect_chip_error("ifmap: {capacity: 64 KiB, banks: 4}", "ifmap: {capacity: 0 KiB, banks: 4}", 17,
                    "sub_accelerators[0].buffers.ifmap.capacity", "must be positive");
  expect_chip_error("ifmap: {capacity: 64 KiB, banks: 4}", "ifmap: {capacity: -64 KiB, banks: 4}", 17,
                    "sub_accelerators[0].buffers.ifmap.capacity", "must be positive");
  expect_chip_error("bandwidth_share: 0.5\n    buffers:\n      ifmap: {capacity: 8",
                    "bandwidth_share: 0.7\n    buffers:\n      ifmap: {capacity: 8", 24,
                    "sub_accelerators[1].bandwidth_share", "sum to 1.2, more than 1");
  expect_chip_error("dataflow: nvdla", "dataflow: tpu", 13, "sub_accelerators[0].dataflow",
                    "known: eyeriss, nvdla, shidiannao, systolic-is, systolic-os, systolic-ws");
  expect_chip_error("arbitration: weighted", "arbitration: lottery", 9, "interconnect.arbitration",
                    "unknown arbitration");
  expect_chip_error("name: b\n", "name: a\n", 20, "sub_accelerators[1].name", "duplicate");
  expect_chip_error("technology: built-in", "technology: nowhere.yaml", 3, "technology", "does not exist");
  expect_chip_error("  latency: 100 ns\n", "", 5, "dram.latency", "missing required key");
}

TEST(ChipSpec, MissingAndBrokenFilesAreInputErrors) {
  TempDir dir;
  EXPECT_THROW(load_chip_spec((dir.path() / "none.yaml").string()), InputError);
  try {
    load_chip_spec(dir.write("broken.yaml", std::string(kChip).substr(0, 300) + "\n  - [unclosed\n"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("YAML syntax error"), std::string::npos) << e.what();
    EXPECT_GT(e.line(), 0);
  }
}

const char* kScaleCfg = R"([general]
run_name = scale_example_run_32x32_os

[architecture_presets]
ArrayHeight:    32
ArrayWidth:     16
IfmapSramSzkB:   64 
FilterSramSzkB:  32 
OfmapSramSzkB:   16 
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Bandwidth : 10
Dataflow : os
MemoryBanks:   1

[run_presets]
InterfaceBandwidth: CALC 
)";

TEST(ScalesimConfig, ReadsArchitectureAndRunPresets) {
  const ScalesimConfig config = parse_scalesim_config(kScaleCfg, "scale.cfg");
  EXPECT_EQ(config.run_name, "scale_example_run_32x32_os");
  EXPECT_TRUE(config.calc_bandwidth);
  EXPECT_FALSE(config.chip.dram.bytes_per_cycle.has_value());
  ASSERT_EQ(config.chip.sub_accelerators.size(), 1u);
  const SubAcceleratorSpec& sub = config.chip.sub_accelerators[0];
  EXPECT_EQ(sub.dataflow, "systolic-os");
  EXPECT_EQ(sub.rows, 32);
  EXPECT_EQ(sub.cols, 16);
  EXPECT_EQ(sub.ifmap.capacity_bytes, 64 * 1024);
  EXPECT_EQ(sub.filter.capacity_bytes, 32 * 1024);
  EXPECT_EQ(sub.ofmap.capacity_bytes, 16 * 1024);

  std::string user = kScaleCfg;
  user.replace(user.find("CALC"), 4, "USER");
  const ScalesimConfig user_config = parse_scalesim_config(user, "scale.cfg");
  ASSERT_TRUE(user_config.chip.dram.bytes_per_cycle.has_value());
  EXPECT_DOUBLE_EQ(*user_config.chip.dram.bytes_per_cycle, 30.0);
}

void expect_cfg_error(const std::string& from, const std::string& to, int line, const std::string& fragment) {
  std::string text = kScaleCfg;
  text.replace(text.find(from), from.size(), to);
  try {
    parse_scalesim_config(text, "scale.cfg");
    FAIL() << "accepted: " << to;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "scale.cfg");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(ScalesimConfig, RejectsBadKeysAndValues) {
  expect_cfg_error("Dataflow : os", "Dataflow : rs", 14, "must be os, ws or is");
  expect_cfg_error("ArrayWidth:     16", "ArrayWidth:     sixteen", 6, "ArrayWidth");
  expect_cfg_error("ArrayWidth:     16", "ArrayWidth:     0", 6, "must be at least 1");
  expect_cfg_error("MemoryBanks:   1", "MemoryBanks:   1\nColour: red", 16, "unknown key");
  expect_cfg_error("InterfaceBandwidth: CALC", "InterfaceBandwidth: FAST", 18, "CALC or USER");
  expect_cfg_error("ArrayHeight:    32\n", "", 0, "architecture_presets.arrayheight: missing required key");
}

}  // namespace
}  // namespace nasaic
