// End-to-end tests of the SystemC simulator. SystemC elaborates once per
// process, so each simulation is a `nasaic simulate` child process.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/scalesim_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::run_nasaic;
using testing::source_path;
using testing::TempDir;

std::string chip_yaml(const std::string& arbitration, const std::vector<std::string>& dataflows,
                      const std::string& bandwidth = "16 B/cycle", const std::string& buffer = "64 KiB") {
  std::string text = "name: test\nclock: 1 GHz\ntechnology: built-in\ndram: {bandwidth: " + bandwidth +
                     ", latency: 50 cycles, burst: 64 B}\ninterconnect: {arbitration: " + arbitration +
                     ", link_width: 64 B/cycle}\nsub_accelerators:\n";
  for (std::size_t i = 0; i < dataflows.size(); ++i) {
    char share[32];
    std::snprintf(share, sizeof share, "%.4f", 1.0 / static_cast<double>(dataflows.size()));
    text += "  - {name: s" + std::to_string(i) + ", dataflow: " + dataflows[i] +
            ", pe_array: {rows: 12, cols: 14}, bandwidth_share: " + share + ", buffers: {ifmap: {capacity: " + buffer +
            "}, filter: {capacity: " + buffer + "}, ofmap: {capacity: " + buffer + "}}}\n";
  }
  return text;
}

// Parses CSV output into rows of column → text.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> columns;
  std::stringstream header(line);
  for (std::string cell; std::getline(header, cell, ',');) columns.push_back(cell);
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::map<std::string, std::string> row;
    std::size_t i = 0;
    for (std::string cell; std::getline(cells, cell, ',') && i < columns.size(); ++i) row[columns[i]] = cell;
    rows.push_back(row);
  }
  return rows;
}

std::int64_t number(const std::map<std::string, std::string>& row, const std::string& column) {
  return std::stoll(row.at(column));
}

TEST(Simulator, LockstepAndSkipAheadReportIdenticalCycles) {
  TempDir dir;
  struct Case {
    std::string chip, models;
  };
  std::vector<Case> cases = {
      {source_path("configs/chips/scalesim-32x32.yaml"), "--model resnet20"},
      {source_path("configs/chips/hetero-2.yaml"), "--model resnet20 --model alexnet"},
      {source_path("configs/chips/hetero-3.yaml"), "--model resnet20 --model alexnet"},
  };
  for (const char* policy : {"round-robin", "weighted", "static"}) {
    cases.push_back({dir.write(std::string(policy) + ".yaml",
                               chip_yaml(policy, {"systolic-os", "systolic-is", "nvdla", "shidiannao", "eyeriss"},
                                         "24 B/cycle", "32 KiB")),
                     "--model resnet20 --model alexnet --model " + source_path("configs/models/tiny-resnet.yaml")});
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(c.chip + " " + c.models);
    const auto skip = run_nasaic("simulate --hw " + c.chip + " " + c.models + " --format csv --mode skip");
    const auto lockstep = run_nasaic("simulate --hw " + c.chip + " " + c.models + " --format csv --mode lockstep");
    ASSERT_EQ(skip.exit_code, 0) << skip.err;
    ASSERT_EQ(lockstep.exit_code, 0) << lockstep.err;
    EXPECT_GT(csv_rows(skip.out).size(), 10u);
    EXPECT_EQ(skip.out, lockstep.out);
  }
}

TEST(Simulator, ReproducesScalesimCalcModeCycles) {
  TempDir dir;
  const std::string topology = dir.write("Resnet18.csv", testing::kResnet18Topology);
  const std::pair<const char*, const std::array<testing::ScalesimReportRow, 21>*> dataflows[] = {
      {"os", &testing::kResnet18Scalesim32x32OS},
      {"ws", &testing::kResnet18Scalesim32x32WS},
      {"is", &testing::kResnet18Scalesim32x32IS}};
  for (const auto& [dataflow, reference] : dataflows) {
    SCOPED_TRACE(dataflow);
    const std::string cfg = dir.write(std::string(dataflow) + ".cfg", testing::scalesim_cfg(32, 32, dataflow));
    const auto out = dir.path() / dataflow;
    const auto result = run_nasaic("simulate --scalesim-config " + cfg + " --topology " + topology + " --out " +
                                   out.string() + " --quiet --format csv");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    std::ifstream report(out / "COMPUTE_REPORT.csv");
    std::string line;
    std::getline(report, line);
    EXPECT_EQ(line, "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,");
    for (std::size_t i = 0; i < reference->size(); ++i) {
      ASSERT_TRUE(std::getline(report, line));
      EXPECT_EQ(line.rfind(std::to_string(i) + ", " + std::to_string((*reference)[i].total_cycles) + ", 0, ", 0), 0u)
          << line;
    }
    std::ifstream bandwidth(out / "BANDWIDTH_REPORT.csv");
    std::getline(bandwidth, line);
    EXPECT_EQ(line,
              "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, "
              "Avg FILTER DRAM BW, Avg OFMAP DRAM BW,");
  }
}

TEST(Simulator, InvariantsHoldOnEveryLayer) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", chip_yaml("weighted", {"nvdla", "systolic-ws", "eyeriss"}));
  const auto result = run_nasaic("simulate --hw " + chip + " --model resnet18 --model mobilenet_v2 --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto layers = run_nasaic("models show resnet18 --format csv");
  std::map<std::string, std::map<std::string, std::string>> shapes;
  for (const auto& row : csv_rows(layers.out)) shapes[row.at("layer")] = row;
  std::int64_t contention = 0;
  for (const auto& row : csv_rows(result.out)) {
    SCOPED_TRACE(row.at("network") + ":" + row.at("layer"));
    EXPECT_EQ(number(row, "cycles"),
              number(row, "compute_cycles") + number(row, "stall_dram_cycles") + number(row, "stall_contention_cycles") +
                  number(row, "stall_buffer_port_cycles") + number(row, "stall_dependency_cycles"));
    EXPECT_EQ(number(row, "end_cycle") - number(row, "start_cycle"), number(row, "cycles"));
    contention += number(row, "stall_contention_cycles");
    if (row.at("network") != "resnet18") continue;
    const auto& shape = shapes.at(row.at("layer"));
    if (number(shape, "macs") > 0) {
      EXPECT_EQ(number(row, "ops"), number(shape, "macs"));
    }
    EXPECT_GE(number(row, "dram_filter_B"), number(shape, "filter_bytes"));
    EXPECT_GE(number(row, "dram_ofmap_write_B"), number(shape, "ofmap_bytes"));
    if (row.at("input_on_chip") == "0" && number(shape, "R") >= number(shape, "stride_h")) {
      EXPECT_GE(number(row, "dram_ifmap_B"), number(shape, "ifmap_bytes"));
    }
  }
  EXPECT_GT(contention, 0);  // three sub-accelerators on one channel do contend
}

// A memory-bound network: fully connected layers at batch 1.
const char* kMlp = R"(name: NAME
layers:
  - {name: fc0, type: fc, C: 2048, K: 2048}
  - {name: fc1, type: fc, C: 2048, K: 2048}
)";

std::string mlp(const TempDir& dir, const std::string& name) {
  std::string text = kMlp;
  text.replace(text.find("NAME"), 4, name);
  return dir.write(name + ".yaml", text);
}

TEST(Simulator, ContentionDelaysBothAndStaticPartitionGivesEachItsShare) {
  TempDir dir;
  const std::string a = mlp(dir, "a"), b = mlp(dir, "b");
  const std::string schedule = dir.write("pair.yaml",
                                         "schedule:\n  - {sub_accelerator: s0, layers: [a]}\n"
                                         "  - {sub_accelerator: s1, layers: [b]}\n");
  const std::string alone_schedule = dir.write("alone.yaml", "schedule:\n  - {sub_accelerator: s0, layers: [a]}\n");
  for (const char* policy : {"round-robin", "weighted"}) {
    SCOPED_TRACE(policy);
    const std::string chip = dir.write(std::string(policy) + ".yaml", chip_yaml(policy, {"nvdla", "nvdla"}));
    const auto alone = nlohmann::json::parse(
        run_nasaic("simulate --hw " + chip + " --model " + a + " --schedule " + alone_schedule + " --format json").out);
    const auto pair = nlohmann::json::parse(run_nasaic("simulate --hw " + chip + " --model " + a + " --model " + b +
                                                       " --schedule " + schedule + " --format json")
                                                .out);
    const double alone_cycles = alone["makespan_cycles"].get<double>();
    ASSERT_GT(alone_cycles, 0);
    // Alone, fc layers at batch 1 on NVDLA are weight-load bound; sharing the
    // channel makes them memory bound. Both networks' last layer is fc1.
    int last_layers = 0;
    for (const auto& layer : pair["layers"]) {
      if (layer["layer"] != "fc1") continue;
      ++last_layers;
      EXPECT_GT(layer["end_cycle"].get<double>(), 1.25 * alone_cycles) << layer["network"];
    }
    EXPECT_EQ(last_layers, 2);
  }
  // Static partition: alone, a sub-accelerator still gets only its half.
  const std::string chip = dir.write("static.yaml", chip_yaml("static", {"nvdla", "nvdla"}));
  const auto alone = nlohmann::json::parse(
      run_nasaic("simulate --hw " + chip + " --model " + a + " --schedule " + alone_schedule + " --format json").out);
  double bytes = 0;
  for (const auto& layer : alone["layers"]) {
    bytes += layer["dram_ifmap_B"].get<double>() + layer["dram_filter_B"].get<double>() +
             layer["dram_ofmap_write_B"].get<double>();
  }
  const double achieved = bytes / alone["makespan_cycles"].get<double>();
  EXPECT_NEAR(achieved, 8.0, 0.08);  // half of 16 B/cycle, within 1 %
  const auto pair = nlohmann::json::parse(run_nasaic("simulate --hw " + chip + " --model " + a + " --model " + b +
                                                     " --schedule " + schedule + " --format json")
                                              .out);
  EXPECT_EQ(pair["makespan_cycles"], alone["makespan_cycles"]);
}

TEST(Simulator, DeadlockedScheduleStopsWithTheBlockedModules) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", chip_yaml("weighted", {"nvdla", "nvdla"}));
  const std::string a = mlp(dir, "a");
  const std::string schedule =
      dir.write("cycle.yaml", "schedule:\n  - {sub_accelerator: s0, layers: [a:fc1]}\n"
                              "  - {sub_accelerator: s1, layers: []}\n  - {sub_accelerator: s0, layers: [a:fc0]}\n");
  for (const char* mode : {"skip", "lockstep"}) {
    const auto result = run_nasaic("simulate --hw " + chip + " --model " + a + " --schedule " + schedule +
                                   " --mode " + mode + " --watchdog 1000 --format json");
    EXPECT_EQ(result.exit_code, 3) << mode;
    EXPECT_NE(result.err.find("s0: layer 'a:fc1' waits for 'a:fc0'"), std::string::npos) << result.err;
  }
}

TEST(Simulator, TracesAndReportsAreWritten) {
  TempDir dir;
  const auto vcd = dir.path() / "trace.vcd";
  const auto timeline = dir.path() / "timeline.json";
  const auto result = run_nasaic("simulate --hw " + source_path("configs/chips/hetero-2.yaml") +
                                 " --model resnet20 --vcd " + vcd.string() + " --timeline " + timeline.string() +
                                 " --out " + (dir.path() / "out").string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::ifstream vcd_file(vcd);
  std::stringstream vcd_text;
  vcd_text << vcd_file.rdbuf();
  EXPECT_NE(vcd_text.str().find("pe_busy"), std::string::npos);
  const auto trace = nlohmann::json::parse(std::ifstream(timeline));
  std::map<std::string, int> categories;
  for (const auto& event : trace["traceEvents"]) {
    if (event.contains("cat")) ++categories[event["cat"].get<std::string>()];
  }
  EXPECT_EQ(categories["layer"], 32);  // one slice per layer of ResNet-20
  EXPECT_GE(categories["compute"], 32);  // and one per tile computed
  EXPECT_GT(categories["dram"], 0);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "out" / "layers.csv"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "out" / "summary.json"));
  EXPECT_TRUE(result.err.empty()) << result.err;  // no progress bar when stderr is not a terminal
}

TEST(Simulator, FunctionalModeComputesTheSameOutputsOnEveryTemplate) {
  TempDir dir;
  std::map<std::string, std::string> hashes;
  for (const char* dataflow : {"systolic-ws", "nvdla", "shidiannao", "eyeriss"}) {
    SCOPED_TRACE(dataflow);
    const std::string chip = dir.write(std::string(dataflow) + ".yaml", chip_yaml("weighted", {dataflow}));
    const auto result = run_nasaic("simulate --hw " + chip + " --model resnet20 --functional --format csv");
    ASSERT_EQ(result.exit_code, 0) << result.err;
    for (const auto& row : csv_rows(result.out)) {
      if (row.at("functional_macs") == "-1") continue;  // pool and add have no MACs
      EXPECT_EQ(row.at("functional_macs"), row.at("ops"));
      const auto [it, inserted] = hashes.emplace(row.at("layer"), row.at("output_hash"));
      EXPECT_EQ(it->second, row.at("output_hash")) << row.at("layer");
    }
  }
  EXPECT_GT(hashes.size(), 20u);
}

TEST(SimulatorBadInput, LayerThatCannotFitIsRejectedBeforeRunning) {
  TempDir dir;
  const std::string chip = dir.write("chip.yaml", chip_yaml("weighted", {"nvdla"}, "16 B/cycle", "256 B"));
  const std::string schedule = dir.write("s.yaml", "schedule:\n  - {sub_accelerator: s0, layers: [resnet18]}\n");
  const auto result = run_nasaic("simulate --hw " + chip + " --model resnet18 --schedule " + schedule);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("resnet18:conv1"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("buffer"), std::string::npos) << result.err;
  const auto mode = run_nasaic("simulate --hw " + chip + " --model resnet20 --mode fast");
  EXPECT_EQ(mode.exit_code, 2);
  EXPECT_NE(mode.err.find("--mode"), std::string::npos);
}

}  // namespace
}  // namespace nasaic
