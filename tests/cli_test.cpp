// End-to-end tests of the nasaic executable: what a user types, what they see,
// and the exit status.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "tests/support/scalesim_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::run_nasaic;
using testing::source_path;
using testing::TempDir;

std::size_t count_lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

// Bad input: exit status 2, nothing on stdout, one line on stderr that names
// the file (and more, per case).
void expect_bad_input(const std::string& arguments, const std::vector<std::string>& fragments) {
  const auto result = run_nasaic(arguments);
  EXPECT_EQ(result.exit_code, 2) << arguments << "\n" << result.err;
  EXPECT_EQ(count_lines(result.err), 1u) << result.err;
  EXPECT_EQ(result.err.rfind("nasaic: error: ", 0), 0u) << result.err;
  for (const auto& fragment : fragments) EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
}

TEST(Cli, VersionAndHelpOnEverySubcommand) {
  const auto version = run_nasaic("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("nasaic ", 0), 0u);
  for (const char* command : {"", "models", "models list", "models show", "models import", "hw", "hw show", "estimate",
                              "simulate", "calibrate", "validate"}) {
    SCOPED_TRACE(command);
    const auto help = run_nasaic(std::string(command) + " --help");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("Usage:"), std::string::npos);
  }
  EXPECT_NE(run_nasaic("models show --help").out.find("Example"), std::string::npos);
}

TEST(Cli, ModelsShowResnet50AsCsv) {
  const auto result = run_nasaic("models show resnet50 --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, result.out.find('\n')),
            "layer,type,inputs,N,C,H,W,K,R,S,P,Q,stride_h,stride_w,pad_top,pad_bottom,pad_left,pad_right,groups,"
            "bits,macs,ifmap_bytes,filter_bytes,ofmap_bytes");
  EXPECT_EQ(count_lines(result.out), 1u + 72u);
  EXPECT_NE(result.out.find("\nconv1,conv,,1,3,224,224,64,7,7,112,112,2,2,3,3,3,3,1,8,118013952,150528,9408,802816\n"),
            std::string::npos);
  EXPECT_NE(result.out.find("\nfc,fc,avgpool,1,2048,1,1,1000,1,1,1,1,"), std::string::npos);

  const auto json = nlohmann::json::parse(run_nasaic("models show resnet50 --format json").out);
  const double macs = json["total_macs"].get<double>();
  EXPECT_LT(std::abs(macs - 4.1e9) / 4.1e9, 0.02);
  EXPECT_EQ(json["layers"].size(), 72u);
}

TEST(Cli, ModelsListShowsEveryZooModel) {
  const auto result = run_nasaic("models list --format csv");
  ASSERT_EQ(result.exit_code, 0);
  for (const char* name : {"alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "unet", "resnet20"}) {
    EXPECT_NE(result.out.find(std::string("\n") + name + ","), std::string::npos) << name;
  }
}

TEST(Cli, ImportWritesNativeYamlThatShowReadsBack) {
  TempDir dir;
  const std::string csv = dir.write(
      "net.csv",
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
      "Conv1, 224, 224, 7, 7, 3, 64, 2,\nConv2, 56, 56, 3, 3, 64, 64, 1,\n");
  const std::string yaml = (dir.path() / "net.yaml").string();
  const auto imported = run_nasaic("models import " + csv + " --out " + yaml + " --format csv");
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  const auto shown = run_nasaic("models show " + yaml + " --format csv");
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_EQ(shown.out, imported.out);
}

TEST(Cli, HwShowNormalisesShippedChipsAndScalesimConfigs) {
  const auto chip = run_nasaic("hw show " + source_path("configs/chips/hetero-2.yaml"));
  ASSERT_EQ(chip.exit_code, 0) << chip.err;
  EXPECT_NE(chip.out.find("dataflow: shidiannao"), std::string::npos);
  EXPECT_NE(chip.out.find("bandwidth: 25.6 B/cycle"), std::string::npos);

  TempDir dir;
  const std::string cfg = dir.write("google.cfg", testing::scalesim_cfg(256, 256, "ws", 6144));
  const auto json = run_nasaic("hw show --scalesim-config " + cfg + " --format json");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["sub_accelerators"][0]["pes"].get<int>(), 65536);
  EXPECT_EQ(parsed["sub_accelerators"][0]["dataflow"], "systolic-ws");
}

const char* kChip =
    "name: c\nclock: 1 GHz\ntechnology: built-in\n"
    "dram: {bandwidth: 16 GB/s, latency: 100 cycles, burst: 64 B}\n"
    "interconnect: {arbitration: round-robin, link_width: 32 B/cycle}\n"
    "sub_accelerators:\n"
    "  - name: a\n    dataflow: nvdla\n    pe_array: {rows: 16, cols: 16}\n    bandwidth_share: 0.5\n"
    "    buffers: {ifmap: {capacity: 64 KiB}, filter: {capacity: 64 KiB}, ofmap: {capacity: 64 KiB}}\n";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

TEST(CliBadInput, MissingFile) {
  expect_bad_input("hw show /nonexistent/chip.yaml", {"/nonexistent/chip.yaml", "cannot open"});
  expect_bad_input("models show /nonexistent/net.csv", {"/nonexistent/net.csv", "cannot open"});
}

TEST(CliBadInput, TruncatedOrBrokenYamlAndCsv) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", std::string(kChip).substr(0, 120));
  expect_bad_input("hw show " + chip, {chip});
  const std::string broken = dir.write("broken.yaml", "name: c\nsub_accelerators: [\n  {name: a,\n");
  expect_bad_input("hw show " + broken, {broken + ":", "YAML syntax error"});
  const std::string csv = dir.write("cut.csv", kConvHeader + "Conv1, 224, 224, 7,");
  expect_bad_input("models import " + csv, {csv + ":2:", "expected 8 or 9 fields"});
}

TEST(CliBadInput, UnknownKey) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", replaced(kChip, "clock: 1 GHz", "clock: 1 GHz\nvoltage: 0.9"));
  expect_bad_input("hw show " + chip, {chip + ":3:", "voltage", "unknown key"});
}

TEST(CliBadInput, WrongOrMissingUnit) {
  TempDir dir;
  const std::string wrong = dir.write("wrong.yaml", replaced(kChip, "bandwidth: 16 GB/s", "bandwidth: 16 GHz"));
  expect_bad_input("hw show " + wrong, {wrong + ":4:", "dram.bandwidth", "frequency"});
  const std::string missing = dir.write("missing.yaml", replaced(kChip, "clock: 1 GHz", "clock: 1000"));
  expect_bad_input("hw show " + missing, {missing + ":2:", "clock", "has no unit"});
}

TEST(CliBadInput, NegativeOrZeroSizes) {
  TempDir dir;
  const std::string zero = dir.write("zero.yaml", replaced(kChip, "ifmap: {capacity: 64 KiB}", "ifmap: {capacity: 0 B}"));
  expect_bad_input("hw show " + zero, {zero + ":11:", "ifmap.capacity", "must be positive"});
  const std::string negative = dir.write("negative.csv", kConvHeader + "Conv1, 224, -224, 7, 7, 3, 64, 2,\n");
  expect_bad_input("models import " + negative, {negative + ":2:", "IFMAP Width", "must be positive"});
}

TEST(CliBadInput, FilterLargerThanInput) {
  TempDir dir;
  const std::string csv = dir.write("big.csv", kConvHeader + "Conv1, 5, 5, 7, 7, 3, 64, 1,\n");
  expect_bad_input("models import " + csv, {csv + ":2:", "Filter Height", "larger than the ifmap"});
  const std::string yaml =
      dir.write("big.yaml", "name: n\nlayers:\n  - {name: a, type: conv, C: 3, H: 5, W: 5, K: 4, R: 7, S: 7}\n");
  expect_bad_input("models show " + yaml, {yaml + ":3:", "layers[0].R", "larger than the padded input"});
}

TEST(CliBadInput, SubAcceleratorWithZeroPes) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", replaced(kChip, "{rows: 16, cols: 16}", "{rows: 16, cols: 0}"));
  expect_bad_input("hw show " + chip, {chip + ":9:", "pe_array.cols", "out of range"});
}

TEST(CliBadInput, BandwidthSharesAboveOne) {
  TempDir dir;
  const std::string second =
      "  - name: b\n    dataflow: eyeriss\n    pe_array: {rows: 12, cols: 14}\n    bandwidth_share: 0.6\n"
      "    buffers: {ifmap: {capacity: 64 KiB}, filter: {capacity: 64 KiB}, ofmap: {capacity: 64 KiB}}\n";
  const std::string chip = dir.write("chip.yaml", std::string(kChip) + second);
  expect_bad_input("hw show " + chip, {chip + ":15:", "sub_accelerators[1].bandwidth_share", "more than 1"});
}

TEST(CliBadInput, DagWithACycleAndUnknownInput) {
  TempDir dir;
  const std::string layer = ", type: conv, C: 4, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1";
  const std::string cyclic = dir.write(
      "cyclic.yaml", "name: n\nlayers:\n  - {name: a" + layer + ", inputs: [b]}\n  - {name: b" + layer + "}\n");
  expect_bad_input("models show " + cyclic, {cyclic + ":3:", "cycle"});
  const std::string unknown =
      dir.write("unknown.yaml", "name: n\nlayers:\n  - {name: a" + layer + ", inputs: [nowhere]}\n");
  expect_bad_input("models show " + unknown, {unknown + ":3:", "unknown input 'nowhere'"});
}

TEST(CliBadInput, NonNumericField) {
  TempDir dir;
  const std::string csv = dir.write("text.csv", kConvHeader + "Conv1, 224, 224, seven, 7, 3, 64, 2,\n");
  expect_bad_input("models import " + csv, {csv + ":2:", "Filter Height", "'seven' is not an integer"});
  const std::string yaml = dir.write("text.yaml", replaced(kChip, "rows: 16", "rows: many"));
  expect_bad_input("hw show " + yaml, {yaml + ":9:", "pe_array.rows", "is not an integer"});
}

TEST(CliBadInput, HundredMegabytesOfGarbage) {
  TempDir dir;
  const auto path = dir.path() / "garbage.yaml";
  {
    std::ofstream out(path, std::ios::binary);
    std::mt19937_64 random(42);
    std::string block(1 << 20, '\0');
    for (int mb = 0; mb < 100; ++mb) {
      for (auto& ch : block) ch = static_cast<char>(random());
      out << block;
    }
  }
  expect_bad_input("hw show " + path.string(), {path.string(), "larger than"});
  expect_bad_input("models import " + path.string(), {path.string()});
  // Garbage under the size limit still gets one clear line, not a crash.
  std::string small(1 << 20, ' ');
  std::mt19937_64 random(7);
  for (auto& ch : small) ch = static_cast<char>(32 + random() % 95);
  const std::string text = dir.write("garbage.csv", small);
  expect_bad_input("models import " + text, {text + ":1:"});
  expect_bad_input("hw show " + dir.write("garbage2.yaml", small), {"garbage2.yaml"});
  expect_bad_input("hw show " + dir.write("deep.yaml", std::string(200000, '[')), {"deep.yaml"});
}

TEST(CliBadInput, UnknownFlagsAndFormats) {
  expect_bad_input("models show resnet50 --format xml", {"--format", "xml"});
  expect_bad_input("models show resnet5", {"unknown model 'resnet5'", "resnet50"});
  expect_bad_input("hw show", {"either a chip YAML file or --scalesim-config"});
  expect_bad_input("models frobnicate", {});
}

}  // namespace
}  // namespace nasaic

namespace nasaic {
namespace {

TEST(CliEstimate, EveryZooModelOnEveryShippedChip) {
  for (const char* chip : {"scalesim-32x32", "hetero-2", "hetero-3"}) {
    for (const char* model : {"alexnet", "vgg16", "resnet18", "resnet50", "mobilenet_v2", "unet", "resnet20"}) {
      SCOPED_TRACE(std::string(chip) + " " + model);
      const auto result = run_nasaic(std::string("estimate --hw ") + source_path("configs/chips/") + chip +
                                     ".yaml --model " + model + " --format json");
      ASSERT_EQ(result.exit_code, 0) << result.err;
      const auto json = nlohmann::json::parse(result.out);
      EXPECT_GT(json["makespan_cycles"].get<double>(), 0);
      EXPECT_GT(json["energy_pJ"].get<double>(), 0);
      EXPECT_GT(json["area_um2"].get<double>(), 0);
    }
  }
}

TEST(CliEstimate, MultiNetworkWorkloadWritesItsOutputs) {
  TempDir dir;
  const auto result = run_nasaic("estimate --hw " + source_path("configs/chips/hetero-3.yaml") +
                                 " --model resnet18 --model mobilenet_v2 --out " + dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("makespan:"), std::string::npos);
  for (const char* file : {"layers.csv", "summary.json", "schedule.yaml", "tpu/COMPUTE_REPORT.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() / file)) << file;
  }
  // The written schedule reproduces the same estimate when given back.
  const auto again = run_nasaic("estimate --hw " + source_path("configs/chips/hetero-3.yaml") +
                                " --model resnet18 --model mobilenet_v2 --format json --schedule " +
                                (dir.path() / "schedule.yaml").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto summary = nlohmann::json::parse(std::ifstream(dir.path() / "summary.json"));
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(again.out)["makespan_cycles"].get<double>(),
                   summary["makespan_cycles"].get<double>());
}

// --refine-schedule shortens hetero-2's makespan for ResNet-18 + MobileNet-V2,
// writes the refined schedule with --out, and the simulator runs it too.
TEST(CliEstimate, RefinedScheduleIsWrittenAndSimulated) {
  TempDir dir;
  const std::string workload =
      "--hw " + source_path("configs/chips/hetero-2.yaml") + " --model resnet18 --model mobilenet_v2 --format json";
  const auto plain = run_nasaic("estimate " + workload);
  const auto refined = run_nasaic("estimate " + workload + " --refine-schedule --out " + dir.path().string());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(refined.exit_code, 0) << refined.err;
  const double before = nlohmann::json::parse(plain.out)["makespan_cycles"].get<double>();
  const double after = nlohmann::json::parse(refined.out)["makespan_cycles"].get<double>();
  EXPECT_LT(after, 0.9 * before);
  const auto again = run_nasaic("estimate " + workload + " --schedule " + (dir.path() / "schedule.yaml").string());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(again.out)["makespan_cycles"].get<double>(), after);
  const auto simulated = run_nasaic("simulate " + workload + " --quiet --refine-schedule");
  ASSERT_EQ(simulated.exit_code, 0) << simulated.err;
  EXPECT_NEAR(nlohmann::json::parse(simulated.out)["makespan_cycles"].get<double>(), after, 0.02 * after);
}

TEST(CliEstimate, ScalesimInputsGiveScalesimsComputeReport) {
  TempDir dir;
  const std::string cfg = dir.write("scale.cfg", testing::scalesim_cfg(32, 32, "ws"));
  const std::string topology = dir.write("Resnet18.csv", testing::kResnet18Topology);
  const auto out = dir.path() / "out";
  const auto result = run_nasaic("estimate --scalesim-config " + cfg + " --topology " + topology + " --out " +
                                 out.string() + " --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream report(out / "COMPUTE_REPORT.csv");
  std::string line;
  std::getline(report, line);
  EXPECT_EQ(line, "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,");
  for (std::size_t i = 0; i < testing::kResnet18Scalesim32x32WS.size(); ++i) {
    ASSERT_TRUE(std::getline(report, line));
    const auto& expected = testing::kResnet18Scalesim32x32WS[i];
    EXPECT_EQ(line.substr(0, line.find(", ", line.find(", ") + 2)),
              std::to_string(i) + ", " + std::to_string(expected.total_cycles));
    EXPECT_NE(line.find(", 0, "), std::string::npos) << line;  // no stalls in CALC mode
  }
}

TEST(CliEstimateBadInput, SchedulesAndWorkloads) {
  TempDir dir;
  const std::string chip = source_path("configs/chips/hetero-2.yaml");
  const std::string unknown_sub =
      dir.write("s1.yaml", "schedule:\n  - sub_accelerator: tpu\n    layers: [resnet20]\n");
  expect_bad_input("estimate --hw " + chip + " --model resnet20 --schedule " + unknown_sub,
                   {unknown_sub + ":2:", "unknown sub-accelerator 'tpu'"});
  const std::string unknown_layer =
      dir.write("s2.yaml", "schedule:\n  - sub_accelerator: nvdla\n    layers: [resnet20, resnet20:conv9]\n");
  expect_bad_input("estimate --hw " + chip + " --model resnet20 --schedule " + unknown_layer,
                   {unknown_layer + ":3:", "unknown layer 'conv9'"});
  expect_bad_input("estimate --hw " + chip, {"--model"});
  expect_bad_input("estimate --model resnet20", {"--hw"});
  const std::string tiny = dir.write(
      "tiny.yaml",
      "name: tiny\nclock: 1 GHz\ntechnology: built-in\ndram: {bandwidth: 8 GB/s, latency: 10 cycles, burst: 64 B}\n"
      "interconnect: {arbitration: weighted, link_width: 16 B/cycle}\nsub_accelerators:\n"
      "  - {name: a, dataflow: nvdla, pe_array: {rows: 4, cols: 4}, bandwidth_share: 1,\n"
      "     buffers: {ifmap: {capacity: 256 B}, filter: {capacity: 256 B}, ofmap: {capacity: 256 B}}}\n");
  expect_bad_input("estimate --hw " + tiny + " --model resnet18", {"resnet18:conv1", "fits no sub-accelerator"});
}

}  // namespace
}  // namespace nasaic

namespace nasaic {
namespace {

TEST(Cli, ModelsShowWritesScalesimTopologies) {
  TempDir dir;
  const std::string yaml = dir.write("convs.yaml",
                                     "name: convs\nlayers:\n"
                                     "  - {name: c1, type: conv, C: 3, H: 32, W: 32, K: 16, R: 3, S: 3, padding: 1}\n"
                                     "  - {name: c2, type: conv, C: 16, H: 32, W: 32, K: 32, R: 3, S: 3, stride: 2, padding: 1}\n");
  const auto exported = run_nasaic("models show " + yaml + " --format scalesim");
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_EQ(exported.out.rfind("Layer name, IFMAP Height,", 0), 0u);
  // Read back, the SCALE-Sim file gives the same MACs layer by layer.
  const std::string csv = dir.write("convs.csv", exported.out);
  const auto original = run_nasaic("models show " + yaml + " --format json");
  const auto round_trip = run_nasaic("models show " + csv + " --format json");
  EXPECT_EQ(nlohmann::json::parse(original.out)["total_macs"], nlohmann::json::parse(round_trip.out)["total_macs"]);
  expect_bad_input("models show resnet18 --format scalesim", {"maxpool", "no SCALE-Sim topology equivalent"});
}

}  // namespace
}  // namespace nasaic
