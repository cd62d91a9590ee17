// nasaic calibrate and nasaic validate, end to end, on reduced designs of
// experiments (the full 600-point run is the committed default calibration).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::run_nasaic;
using testing::source_path;
using testing::TempDir;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t lines(const std::filesystem::path& path) {
  const std::string text = slurp(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Calibrate, ReducedRunFitsRecordsAndResumesDeterministically) {
  TempDir dir;
  const auto points = dir.path() / "points.jsonl";
  const auto out = dir.path() / "calibration.json";
  const std::string command =
      "calibrate --samples 40 --jobs 2 --seed 7 --points " + points.string() + " --out " + out.string();
  const auto first = run_nasaic(command);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("calibrated    latency"), std::string::npos) << first.out;
  EXPECT_EQ(lines(points), 40u);
  const auto calibration = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(calibration["model_version"], "nasaic-surrogate-4");
  EXPECT_EQ(calibration["technology_hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(calibration["design_of_experiments"]["seed"], 7);
  EXPECT_EQ(calibration["design_of_experiments"]["samples"], 40);
  EXPECT_GT(calibration["parameters"]["dram_efficiency"].get<double>(), 0);
  EXPECT_EQ(calibration["splits"]["training_points"].get<int>() + calibration["splits"]["holdout_points"].get<int>(),
            40);
  for (const char* model : {"uncalibrated", "calibrated"}) {
    for (const char* figure : {"latency", "energy"}) {
      const auto& e = calibration["errors_on_holdout"][model][figure];
      EXPECT_GT(e["points"].get<int>(), 0);
      EXPECT_GE(e["mape_pct"].get<double>(), 0);
      EXPECT_LE(e["spearman"].get<double>(), 1.0);
    }
  }
  // A second run resumes from the points file and writes the same file.
  const std::string before = slurp(out);
  const auto again = run_nasaic(command);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(lines(points), 40u);
  EXPECT_EQ(slurp(out), before);

  // Incremental: refit with more simulated points.
  const auto more = dir.path() / "more.jsonl";
  ASSERT_EQ(run_nasaic("calibrate --samples 20 --jobs 2 --seed 8 --points " + more.string() + " --out " +
                       (dir.path() / "unused.json").string())
                .exit_code,
            0);
  const auto updated = dir.path() / "updated.json";
  const auto update =
      run_nasaic("calibrate --update " + out.string() + " --points " + more.string() + " --out " + updated.string());
  ASSERT_EQ(update.exit_code, 0) << update.err;
  const auto refit = nlohmann::json::parse(slurp(updated));
  EXPECT_EQ(refit["updated_from"], out.string());
  EXPECT_EQ(refit["added_points_file"], more.string());
  // The refit keeps the calibration's own points and split, and adds the new ones.
  const auto merged = dir.path() / "updated-points.jsonl";
  EXPECT_EQ(refit["points_file"], merged.string());
  EXPECT_EQ(lines(merged), 60u);
  EXPECT_EQ(refit["splits"]["training_points"].get<int>() + refit["splits"]["holdout_points"].get<int>(), 60);
  EXPECT_GT(refit["splits"]["holdout_points"].get<int>(), calibration["splits"]["holdout_points"].get<int>());
  for (int index : calibration["splits"]["holdout_indices"].get<std::vector<int>>()) {
    const auto held_out = refit["splits"]["holdout_indices"].get<std::vector<int>>();
    EXPECT_NE(std::find(held_out.begin(), held_out.end(), index), held_out.end()) << index;
  }
  const auto revalidate = run_nasaic("validate --calibration " + updated.string() + " --points " + merged.string());
  ASSERT_EQ(revalidate.exit_code, 0) << revalidate.err;
  EXPECT_NE(
      revalidate.out.find(std::to_string(refit["errors_on_holdout"]["calibrated"]["latency"]["points"].get<int>())),
      std::string::npos);

  // validate reproduces the recorded held-out figures and draws the plots.
  const auto plots = dir.path() / "validate";
  const auto validate = run_nasaic("validate --calibration " + out.string() + " --points " + points.string() +
                                   " --out " + plots.string());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(plots / "summary.json")), calibration["errors_on_holdout"]);
  for (const char* file : {"latency_scatter.png", "latency_scatter.svg", "latency_error_histogram.png",
                           "latency_error_histogram.svg", "plots.gp", "points.csv"}) {
    EXPECT_GT(std::filesystem::file_size(plots / file), 100u) << file;
  }
}

TEST(Calibrate, CommittedDefaultReproducesItsRecordedFigures) {
  const std::string calibration = source_path("configs/calibration/default-45nm.json");
  const std::string points = source_path("configs/calibration/default-45nm-points.jsonl");
  TempDir dir;
  const auto result =
      run_nasaic("validate --calibration " + calibration + " --points " + points + " --out " + dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto recorded = nlohmann::json::parse(slurp(calibration));
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.path() / "summary.json")), recorded["errors_on_holdout"]);
  EXPECT_GE(recorded["splits"]["holdout_layers"].get<int>(), 300);
  // And the surrogate takes it.
  const auto estimate = run_nasaic("estimate --hw " + source_path("configs/chips/hetero-3.yaml") +
                                   " --model resnet18 --calibration " + calibration + " --format json");
  EXPECT_EQ(estimate.exit_code, 0) << estimate.err;
}

TEST(Validate, ComparesEveryLayerOfAGivenWorkloadAndItsMakespan) {
  TempDir dir;
  const std::string calibration = source_path("configs/calibration/default-45nm.json");
  const auto out = dir.path() / "validate";
  const auto result = run_nasaic("validate --calibration " + calibration + " --hw " +
                                 source_path("configs/chips/hetero-2.yaml") + " --model resnet20 --model " +
                                 source_path("configs/models/tiny-resnet.yaml") + " --out " + out.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("makespan: simulator"), std::string::npos) << result.out;
  const auto summary = nlohmann::json::parse(slurp(out / "summary.json"));
  const int layers = summary["calibrated"]["latency"]["points"].get<int>();
  EXPECT_EQ(static_cast<std::size_t>(layers), lines(out / "points.csv") - 1);  // every layer, after the header
  EXPECT_GT(layers, 20);
  // The surrogate follows the simulator here; energy uses the same counts.
  EXPECT_LT(summary["calibrated"]["latency"]["mape_pct"].get<double>(), 5.0);
  EXPECT_GT(summary["calibrated"]["latency"]["spearman"].get<double>(), 0.95);
  EXPECT_LT(std::abs(summary["workload"]["makespan_cycles"]["calibrated_error_pct"].get<double>()), 5.0);
  EXPECT_LT(std::abs(summary["workload"]["energy_pJ"]["calibrated_error_pct"].get<double>()), 1e-6);
  EXPECT_GT(std::filesystem::file_size(out / "latency_scatter.png"), 100u);
  EXPECT_GT(std::filesystem::file_size(out / "schedule.yaml"), 10u);

  // Either a points file or a workload, not both and not neither; a workload's
  // chip names its technology table.
  const std::string points = source_path("configs/calibration/default-45nm-points.jsonl");
  for (const std::string& arguments :
       {" --points " + points + " --hw " + source_path("configs/chips/hetero-2.yaml") + " --model resnet20",
        std::string(" --model resnet20"), std::string(),
        " --hw " + source_path("configs/chips/hetero-2.yaml") + " --model resnet20 --technology " +
            source_path("configs/technology/default-45nm.yaml")}) {
    const auto bad = run_nasaic("validate --calibration " + calibration + arguments);
    EXPECT_EQ(bad.exit_code, 2) << arguments;
    EXPECT_NE(bad.err.find("nasaic: error:"), std::string::npos) << bad.err;
  }
}

TEST(CalibrateBadInput, ForeignOrStaleCalibrationsAndPointsAreRefused) {
  TempDir dir;
  auto calibration = nlohmann::json::parse(slurp(source_path("configs/calibration/default-45nm.json")));
  const std::string chip = source_path("configs/chips/hetero-2.yaml");
  calibration["technology_hash"] = "0000000000000000";
  const std::string foreign = dir.write("foreign.json", calibration.dump());
  auto result = run_nasaic("estimate --hw " + chip + " --model resnet20 --calibration " + foreign);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("technology table"), std::string::npos) << result.err;
  calibration = nlohmann::json::parse(slurp(source_path("configs/calibration/default-45nm.json")));
  calibration["model_version"] = "nasaic-surrogate-1";
  const std::string stale = dir.write("stale.json", calibration.dump());
  result = run_nasaic("estimate --hw " + chip + " --model resnet20 --calibration " + stale);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("surrogate model"), std::string::npos) << result.err;

  // A refit needs the calibration's own points.
  calibration = nlohmann::json::parse(slurp(source_path("configs/calibration/default-45nm.json")));
  calibration["points_file"] = (dir.path() / "moved.jsonl").string();
  const std::string moved = dir.write("moved.json", calibration.dump());
  result = run_nasaic("calibrate --update " + moved + " --points " +
                      source_path("configs/calibration/default-45nm-points.jsonl") + " --out " +
                      (dir.path() / "refit.json").string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("moved.json: points_file"), std::string::npos) << result.err;

  // Points simulated under other timing rules are not mixed with new ones.
  std::istringstream committed(slurp(source_path("configs/calibration/default-45nm-points.jsonl")));
  std::string first, second;
  std::getline(committed, first);
  std::getline(committed, second);
  auto old_point = nlohmann::json::parse(second);
  old_point.erase("simulator");
  const std::string old_points = dir.write("old_points.jsonl", first + "\n" + old_point.dump() + "\n");
  for (const std::string& command :
       {"calibrate --samples 4 --points " + old_points + " --out " + (dir.path() / "c.json").string(),
        "validate --calibration " + source_path("configs/calibration/default-45nm.json") + " --points " + old_points}) {
    result = run_nasaic(command);
    EXPECT_EQ(result.exit_code, 2) << command;
    EXPECT_NE(result.err.find("old_points.jsonl:2"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("simulator"), std::string::npos) << result.err;
  }
}

TEST(CalibrateBadInput, FailedSimulationsAreKeptAndTheRunExitsTwo) {
  TempDir dir;
  const auto points = dir.path() / "points.jsonl";
  // Every simulation outlives a 1 ms timeout.
  const auto result = run_nasaic("calibrate --samples 6 --jobs 2 --timeout 0.001 --points " + points.string() +
                                 " --out " + (dir.path() / "c.json").string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no feasible simulated point"), std::string::npos) << result.err;
  EXPECT_EQ(lines(points), 6u);
  EXPECT_NE(slurp(points).find("timed out"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "c.json"));
  const auto bad = run_nasaic("calibrate --samples 5 --holdout 1.5 --points " + points.string());
  EXPECT_EQ(bad.exit_code, 2);
  const auto garbage = dir.write("garbage.jsonl", "{\"index\": 0}\nnot json\n");
  const auto validate = run_nasaic("validate --calibration " + source_path("configs/calibration/default-45nm.json") +
                                   " --points " + garbage);
  EXPECT_EQ(validate.exit_code, 2);
  EXPECT_NE(validate.err.find("garbage.jsonl:1"), std::string::npos) << validate.err;
}

}  // namespace
}  // namespace nasaic
