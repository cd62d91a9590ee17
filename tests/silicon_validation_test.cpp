// Validation against published silicon (configs/validation/), end to end
// through `nasaic validate --silicon`: the figures may not drift further from
// the papers than their committed bounds, and malformed validation files are
// refused with one line naming file, line and key.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::run_nasaic;
using testing::slurp;
using testing::source_path;
using testing::TempDir;

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  return cells;
}

// "row/metric" -> column `column` of a CSV with a header, '#' lines skipped.
std::map<std::string, double> read_column(const std::string& csv, const std::string& column) {
  std::map<std::string, double> values;
  std::stringstream in(csv);
  std::string line;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto cells = split(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    const auto at = std::find(header.begin(), header.end(), column);
    if (at == header.end() || cells.size() != header.size()) {
      ADD_FAILURE() << "malformed CSV line: " << line;
      continue;
    }
    values[cells[0] + "/" + cells[1]] = std::stod(cells[static_cast<std::size_t>(at - header.begin())]);
  }
  return values;
}

// Every figure nasaic prints has a bound and stays within it: its distance
// from the paper, max(ratio, 1/ratio), may shrink (an improvement) but not
// grow past the committed max_factor. A figure without a bound, or a bound
// without a figure, means the data and the bounds drifted apart.
void expect_within_bounds(const std::string& name) {
  const auto result =
      run_nasaic("validate --silicon " + source_path("configs/validation/" + name + ".yaml") + " --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto ratios = read_column(result.out, "ratio");
  const auto bounds = read_column(slurp(source_path("configs/validation/expected-" + name + ".csv")), "max_factor");
  ASSERT_FALSE(ratios.empty());
  for (const auto& [figure, ratio] : ratios) {
    const auto bound = bounds.find(figure);
    if (bound == bounds.end()) {
      ADD_FAILURE() << figure << " has no bound in expected-" << name << ".csv (scripts/silicon-bounds writes them)";
      continue;
    }
    ASSERT_GT(ratio, 0) << figure;
    const double factor = std::max(ratio, 1 / ratio);
    EXPECT_LE(factor, bound->second) << name << " " << figure << ": nasaic / paper = " << ratio
                                     << ", further from the paper than its bound " << bound->second;
  }
  for (const auto& [figure, bound] : bounds) {
    EXPECT_TRUE(ratios.count(figure)) << figure << " is bounded but no longer printed";
  }
}

TEST(SiliconValidation, EyerissAlexnetFiguresDoNotRegress) { expect_within_bounds("eyeriss-alexnet"); }

TEST(SiliconValidation, NvdlaResnet50FiguresDoNotRegress) { expect_within_bounds("nvdla-resnet50"); }

// The paper side is the table as published: a test that the data file was
// read as written, independent of the model.
TEST(SiliconValidation, PaperFiguresAreTheTablesAndEnergyIsPowerTimesLatency) {
  const auto result =
      run_nasaic("validate --silicon " + source_path("configs/validation/eyeriss-alexnet.yaml") + " --format csv");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto paper = read_column(result.out, "paper");
  EXPECT_DOUBLE_EQ(paper.at("conv2/processing_latency"), 39.2);
  EXPECT_DOUBLE_EQ(paper.at("total/total_latency"), 115.3);
  EXPECT_NEAR(paper.at("conv1/dram_bytes"), 5.0, 1e-12);
  EXPECT_NEAR(paper.at("conv1/energy"), 332e-3 * 20.9, 1e-9);  // mW x ms = uJ; mJ here
  EXPECT_NEAR(paper.at("total/energy"), 278e-3 * 115.3, 1e-9);
  const auto nvdla =
      run_nasaic("validate --silicon " + source_path("configs/validation/nvdla-resnet50.yaml") + " --format json");
  ASSERT_EQ(nvdla.exit_code, 0) << nvdla.err;
  const auto json = nlohmann::json::parse(nvdla.out);
  ASSERT_EQ(json["figures"].size(), 21u);  // 7 configurations x 3 figures
  EXPECT_EQ(json["figures"][0]["row"], "nvdla-2048");
  EXPECT_DOUBLE_EQ(json["figures"][0]["paper"].get<double>(), 269);
  EXPECT_EQ(json["rank_correlation"].size(), 3u);
}

TEST(SiliconValidation, OutWritesTheCsvAndThePlot) {
  TempDir dir;
  const auto result = run_nasaic("validate --silicon " + source_path("configs/validation/eyeriss-alexnet.yaml") +
                                 " --out " + dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("spearman"), std::string::npos);
  EXPECT_NE(slurp(dir.path() / "silicon.csv").find("conv3,processing_latency,ms,21.8,"), std::string::npos);
  EXPECT_NE(slurp(dir.path() / "plots.gp").find("ratios.dat"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "ratios.png"));
  // Deterministic: the same run writes the same files.
  TempDir again;
  ASSERT_EQ(run_nasaic("validate --silicon " + source_path("configs/validation/eyeriss-alexnet.yaml") + " --out " +
                       again.path().string())
                .exit_code,
            0);
  for (const char* file : {"silicon.csv", "summary.json", "ratios.dat", "plots.gp"}) {
    EXPECT_EQ(slurp(dir.path() / file), slurp(again.path() / file)) << file;
  }
}

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// A copy of the Eyeriss file with one edit, its chip and network named by
// absolute path so that it runs from the scratch folder.
std::string edited_eyeriss(const TempDir& dir, const std::string& from, const std::string& to) {
  std::string text = slurp(source_path("configs/validation/eyeriss-alexnet.yaml"));
  const auto replace = [&text](const std::string& a, const std::string& b) {
    const auto at = text.find(a);
    EXPECT_NE(at, std::string::npos) << a;
    if (at != std::string::npos) text.replace(at, a.size(), b);
  };
  replace("chip: chips/", "chip: " + source_path("configs/validation/chips/"));
  replace("network: networks/", "network: " + source_path("configs/validation/networks/"));
  if (!from.empty()) replace(from, to);
  return dir.write("validation.yaml", text);
}

// Exit 2, nothing on stdout, one line naming the file, the line and the key.
void expect_refused(const std::string& file, const std::vector<std::string>& fragments) {
  const auto result = run_nasaic("validate --silicon " + file);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(count_lines(result.err), 1u) << result.err;
  EXPECT_EQ(result.out, "");
  for (const auto& fragment : fragments) EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
}

TEST(SiliconValidation, MalformedFilesAreRefusedWithFileLineAndKey) {
  TempDir dir;
  // The edited copy runs as the original does.
  ASSERT_EQ(run_nasaic("validate --silicon " + edited_eyeriss(dir, "", "")).exit_code, 0);
  // Line numbers: conditions.clock is on line 25, the first layer on line 28.
  expect_refused(edited_eyeriss(dir, ", total_latency: 20.9 ms", ""),
                 {"validation.yaml:28:", "layers[0].total_latency", "missing"});
  expect_refused(edited_eyeriss(dir, "power: 332 mW", "power: 332 ms"),
                 {"validation.yaml:28:", "layers[0].power", "a power"});
  expect_refused(edited_eyeriss(dir, "eyeriss-jssc2017.yaml", "nope.yaml"),
                 {"validation.yaml:19:", "chip", "nope.yaml"});
  expect_refused(edited_eyeriss(dir, "layer: conv3", "layer: conv9"),
                 {"validation.yaml:30:", "layers[2].layer", "conv9"});
  expect_refused(edited_eyeriss(dir, "clock: 200 MHz", "clock: 250 MHz"),
                 {"validation.yaml:25:", "conditions.clock", "250 MHz"});
  expect_refused(edited_eyeriss(dir, "name: eyeriss-alexnet", "name: e\nscore: 3"), {"validation.yaml:", "score"});
  expect_refused(dir.path().string() + "/absent.yaml", {"absent.yaml"});
}

}  // namespace
}  // namespace nasaic
