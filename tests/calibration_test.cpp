// nasaic calibrate and nasaic validate, end to end, on reduced designs of
// experiments (the full 600-point run is the committed default calibration),
// and the checks on what they read.
#include "sim/calibration.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>
#include <tuple>

#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

using testing::CommandResult;
using testing::run_nasaic;
using testing::slurp;
using testing::source_path;
using testing::TempDir;

const std::string kDefaultCalibration = "configs/calibration/default-45nm.json";
const std::string kDefaultPoints = "configs/calibration/default-45nm-points.jsonl";

std::size_t lines(const std::filesystem::path& path) {
  const std::string text = slurp(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::vector<std::string> rows_of(const std::string& text) {
  std::vector<std::string> rows;
  std::istringstream in(text);
  for (std::string row; std::getline(in, row);) rows.push_back(row);
  return rows;
}

std::string joined(const std::vector<std::string>& rows, const std::string& end = "\n") {
  std::string text;
  for (const auto& row : rows) text += row + end;
  return text;
}

// The contract for bad input: status 2 and one line on stderr that names
// every one of `needles` (the file and line, the key...).
void expect_input_error(const CommandResult& result, const std::vector<std::string>& needles) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("nasaic: error: ", 0), 0u) << result.err;
  for (const auto& needle : needles)
    EXPECT_NE(result.err.find(needle), std::string::npos) << needle << "\n" << result.err;
}

std::string default_design_id() {
  return nlohmann::json::parse(slurp(source_path(kDefaultCalibration)))["design_of_experiments"]["id"];
}

// The line of `text` that holds `needle` first (1-based).
int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Figures recomputed here from a validate run's points.csv, apart from the
// library's summarize_errors.
struct Recomputed {
  double mape_pct = 0, max_abs_error_pct = 0, spearman = 0;
};

std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<double> rank(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    double below = 0, equal = 0;
    for (double other : values) {
      below += other < values[i];
      equal += other == values[i];
    }
    rank[i] = below + (equal - 1) / 2;
  }
  return rank;
}

Recomputed recompute(const std::vector<double>& estimate, const std::vector<double>& truth) {
  Recomputed r;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double error = 100 * std::abs(estimate[i] - truth[i]) / truth[i];
    r.mape_pct += error / static_cast<double>(truth.size());
    r.max_abs_error_pct = std::max(r.max_abs_error_pct, error);
  }
  const auto a = average_ranks(estimate), b = average_ranks(truth);
  const double n = static_cast<double>(a.size());
  const double mean = (n - 1) / 2;
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ab += (a[i] - mean) * (b[i] - mean);
    aa += (a[i] - mean) * (a[i] - mean);
    bb += (b[i] - mean) * (b[i] - mean);
  }
  r.spearman = ab / std::sqrt(aa * bb);
  return r;
}

// Checks the recorded held-out figures against those recomputed from the
// per-layer table validate wrote.
void expect_figures_match_table(const nlohmann::json& errors, const std::filesystem::path& csv) {
  const auto rows = rows_of(slurp(csv));
  ASSERT_GT(rows.size(), 2u);
  std::vector<std::string> columns;
  std::stringstream header(rows[0]);
  for (std::string cell; std::getline(header, cell, ',');) columns.push_back(cell);
  std::map<std::string, std::vector<double>> values;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::stringstream row(rows[r]);
    std::size_t c = 0;
    for (std::string cell; std::getline(row, cell, ','); ++c) {
      if (c >= 5) values[columns[c]].push_back(std::stod(cell));
    }
  }
  ASSERT_EQ(static_cast<int>(values["sim_cycles"].size()), errors["calibrated"]["latency"]["points"].get<int>());
  const auto check = [](const nlohmann::json& recorded, const Recomputed& r, const std::string& what) {
    EXPECT_NEAR(recorded["mape_pct"].get<double>(), r.mape_pct, 1e-6) << what;
    EXPECT_NEAR(recorded["max_abs_error_pct"].get<double>(), r.max_abs_error_pct, 1e-6) << what;
    EXPECT_NEAR(recorded["spearman"].get<double>(), r.spearman, 1e-4) << what;
  };
  check(errors["uncalibrated"]["latency"], recompute(values["est_cycles"], values["sim_cycles"]), "raw latency");
  check(errors["calibrated"]["latency"], recompute(values["cal_cycles"], values["sim_cycles"]), "calibrated latency");
  check(errors["uncalibrated"]["energy"], recompute(values["est_energy_pJ"], values["sim_energy_pJ"]), "raw energy");
  check(errors["calibrated"]["energy"], recompute(values["cal_energy_pJ"], values["sim_energy_pJ"]),
        "calibrated energy");
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
  EXPECT_EQ(calibration["model_version"], kSurrogateModelVersion);
  EXPECT_EQ(calibration["technology_hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(calibration["design_of_experiments"]["seed"], 7);
  EXPECT_EQ(calibration["design_of_experiments"]["samples"], 40);
  const std::string design = calibration["design_of_experiments"]["id"];
  EXPECT_EQ(calibration["design_of_experiments"]["technology_hash"], calibration["technology_hash"]);
  EXPECT_GT(calibration["parameters"]["dram_efficiency"].get<double>(), 0);
  EXPECT_EQ(calibration["splits"]["training_points"].get<int>() + calibration["splits"]["holdout_points"].get<int>(),
            40);
  // Every point names its design, and the split names it too.
  for (const auto& row : rows_of(slurp(points))) EXPECT_EQ(nlohmann::json::parse(row)["design"], design);
  ASSERT_EQ(calibration["splits"]["holdout_indices"].size(), 1u);
  EXPECT_EQ(calibration["splits"]["holdout_indices"][design].size(),
            calibration["splits"]["holdout_points"].get<std::size_t>());

  // A second run resumes from the points file and writes the same file.
  const std::string before = slurp(out);
  const std::string points_before = slurp(points);
  const auto again = run_nasaic(command);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(slurp(points), points_before);
  EXPECT_EQ(slurp(out), before);

  // validate reproduces the recorded held-out figures, which match the ones
  // recomputed here from its per-layer table, and draws the plots.
  const auto plots = dir.path() / "validate";
  const auto validate = run_nasaic("validate --calibration " + out.string() + " --points " + points.string() +
                                   " --out " + plots.string());
  ASSERT_EQ(validate.exit_code, 0) << validate.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(plots / "summary.json")), calibration["errors_on_holdout"]);
  expect_figures_match_table(calibration["errors_on_holdout"], plots / "points.csv");
  EXPECT_EQ(lines(plots / "points.csv") - 1, calibration["splits"]["holdout_layers"].get<std::size_t>());
  for (const char* file : {"latency_scatter.png", "latency_scatter.svg", "latency_error_histogram.png",
                           "latency_error_histogram.svg", "plots.gp", "points.csv"}) {
    EXPECT_GT(std::filesystem::file_size(plots / file), 100u) << file;
  }

  // Incremental: refit with more simulated points, from another design.
  const auto more = dir.path() / "more.jsonl";
  ASSERT_EQ(run_nasaic("calibrate --samples 20 --jobs 2 --seed 8 --points " + more.string() + " --out " +
                       (dir.path() / "unused.json").string())
                .exit_code,
            0);
  const std::string more_design = nlohmann::json::parse(rows_of(slurp(more))[0])["design"];
  EXPECT_NE(more_design, design);
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
  EXPECT_EQ(refit["splits"]["holdout_indices"][design], calibration["splits"]["holdout_indices"][design]);
  EXPECT_GT(refit["splits"]["holdout_indices"][more_design].size(), 0u);
  const auto replots = dir.path() / "revalidate";
  const auto revalidate = run_nasaic("validate --calibration " + updated.string() + " --points " + merged.string() +
                                     " --out " + replots.string());
  ASSERT_EQ(revalidate.exit_code, 0) << revalidate.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(replots / "summary.json")), refit["errors_on_holdout"]);
  expect_figures_match_table(refit["errors_on_holdout"], replots / "points.csv");

  // Points the calibration already holds are not counted twice.
  expect_input_error(run_nasaic("calibrate --update " + out.string() + " --points " + points.string() + " --out " +
                                (dir.path() / "twice.json").string()),
                     {points.string() + ":1: index", "already among the calibration's points"});
}

TEST(Calibrate, CommittedDefaultReproducesItsRecordedFigures) {
  const std::string calibration = source_path(kDefaultCalibration);
  const std::string points = source_path(kDefaultPoints);
  TempDir dir;
  const auto result =
      run_nasaic("validate --calibration " + calibration + " --points " + points + " --out " + dir.path().string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto recorded = nlohmann::json::parse(slurp(calibration));
  EXPECT_EQ(nlohmann::json::parse(slurp(dir.path() / "summary.json")), recorded["errors_on_holdout"]);
  expect_figures_match_table(recorded["errors_on_holdout"], dir.path() / "points.csv");
  EXPECT_GE(recorded["splits"]["holdout_layers"].get<int>(), 300);
  // And the surrogate takes it.
  const auto estimate = run_nasaic("estimate --hw " + source_path("configs/chips/hetero-3.yaml") +
                                   " --model resnet18 --calibration " + calibration + " --format json");
  EXPECT_EQ(estimate.exit_code, 0) << estimate.err;
}

// The stored points are only worth re-scoring if today's simulator still
// gives their cycles and energy: a timing change without a new simulator
// version shows here.
TEST(Calibrate, CommittedDefaultPointsStillSimulateToTheirRecordedFigures) {
  const std::vector<DesignPoint> points = load_points(source_path(kDefaultPoints));
  ASSERT_EQ(points.size(), 600u);
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::mt19937_64 random(20240617);
  std::shuffle(order.begin(), order.end(), random);
  TempDir dir;
  std::size_t concurrent = 0;
  for (std::size_t k = 0; k < 6; ++k) {
    const DesignPoint& stored = points[order[k]];
    ASSERT_TRUE(stored.simulated());
    std::string arguments;
    for (const auto& argument : write_simulation_job(simulation_job_of(stored), dir.path(), "point" + std::to_string(k)))
      arguments += "'" + argument + "' ";
    const auto result = run_nasaic(arguments);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    DesignPoint again = stored;
    again.cycles.clear();
    again.energy_pj.clear();
    read_simulation_report(again, result.out);
    EXPECT_EQ(again.cycles, stored.cycles) << "point " << stored.index;
    EXPECT_EQ(again.energy_pj, stored.energy_pj) << "point " << stored.index;
    concurrent += stored.subs.size() > 1;
  }
  EXPECT_GE(concurrent, 2u) << "the sample should share the channel";
}

TEST(Calibrate, SimulatesWithTheGivenTechnologyTable) {
  TempDir dir;
  // The default table with DRAM and MAC energies doubled.
  std::string table = slurp(source_path("configs/technology/default-45nm.yaml"));
  for (const auto& [from, to] : {std::pair{"energy_per_byte: 64 pJ", "energy_per_byte: 128 pJ"},
                                 std::pair{"energy_int8: 0.30 pJ", "energy_int8: 0.60 pJ"}}) {
    ASSERT_NE(table.find(from), std::string::npos) << from;
    table.replace(table.find(from), std::string(from).size(), to);
  }
  const std::string technology = dir.write("hot.yaml", table);
  const auto plain_points = dir.path() / "plain.jsonl", hot_points = dir.path() / "hot.jsonl";
  const auto plain = run_nasaic("calibrate --samples 6 --seed 5 --points " + plain_points.string() + " --out " +
                                (dir.path() / "plain.json").string());
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto hot = run_nasaic("calibrate --samples 6 --seed 5 --technology " + technology + " --points " +
                              hot_points.string() + " --out " + (dir.path() / "hot.json").string());
  ASSERT_EQ(hot.exit_code, 0) << hot.err;
  const auto plain_rows = rows_of(slurp(plain_points)), hot_rows = rows_of(slurp(hot_points));
  ASSERT_EQ(plain_rows.size(), hot_rows.size());
  std::size_t compared = 0;
  for (std::size_t i = 0; i < plain_rows.size(); ++i) {
    const auto a = nlohmann::json::parse(plain_rows[i]), b = nlohmann::json::parse(hot_rows[i]);
    if (!a.contains("energy_pJ")) continue;
    EXPECT_EQ(a["cycles"], b["cycles"]);  // the table sets energy, not timing
    for (std::size_t s = 0; s < a["energy_pJ"].size(); ++s) {
      EXPECT_GT(b["energy_pJ"][s].get<double>(), 1.2 * a["energy_pJ"][s].get<double>()) << plain_rows[i];
      ++compared;
    }
  }
  EXPECT_GT(compared, 3u);
  // The surrogate and the simulator used the same table: their energies agree.
  const auto record = nlohmann::json::parse(slurp(dir.path() / "hot.json"));
  EXPECT_LT(record["errors_on_holdout"]["uncalibrated"]["energy"]["mape_pct"].get<double>(), 1e-9);
}

TEST(Validate, ComparesEveryLayerOfAGivenWorkloadAndItsMakespan) {
  TempDir dir;
  const std::string calibration = source_path(kDefaultCalibration);
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
  const std::string points = source_path(kDefaultPoints);
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
  auto calibration = nlohmann::json::parse(slurp(source_path(kDefaultCalibration)));
  const std::string chip = source_path("configs/chips/hetero-2.yaml");
  calibration["technology_hash"] = "0000000000000000";
  const std::string foreign = dir.write("foreign.json", calibration.dump());
  auto result = run_nasaic("estimate --hw " + chip + " --model resnet20 --calibration " + foreign);
  expect_input_error(result, {"foreign.json:1: technology_hash", "technology table"});
  calibration = nlohmann::json::parse(slurp(source_path(kDefaultCalibration)));
  calibration["model_version"] = "nasaic-surrogate-1";
  const std::string stale = dir.write("stale.json", calibration.dump());
  result = run_nasaic("estimate --hw " + chip + " --model resnet20 --calibration " + stale);
  expect_input_error(result, {"stale.json:1: model_version", "surrogate model"});

  // A refit needs the calibration's own points.
  calibration = nlohmann::json::parse(slurp(source_path(kDefaultCalibration)));
  calibration["points_file"] = (dir.path() / "moved.jsonl").string();
  const std::string moved = dir.write("moved.json", calibration.dump());
  result = run_nasaic("calibrate --update " + moved + " --points " + source_path(kDefaultPoints) + " --out " +
                      (dir.path() / "refit.json").string());
  expect_input_error(result, {"moved.json:1: points_file", "is not there"});

  // Points simulated under other timing rules are not mixed with new ones.
  const auto committed = rows_of(slurp(source_path(kDefaultPoints)));
  auto old_point = nlohmann::json::parse(committed[1]);
  old_point.erase("simulator");
  const std::string old_points = dir.write("old_points.jsonl", committed[0] + "\n" + old_point.dump() + "\n");
  for (const std::string& command :
       {"calibrate --samples 4 --points " + old_points + " --out " + (dir.path() / "c.json").string(),
        "validate --calibration " + source_path(kDefaultCalibration) + " --points " + old_points}) {
    expect_input_error(run_nasaic(command), {"old_points.jsonl:2: simulator", "earlier nasaic"});
  }
  old_point["simulator"] = "nasaic-sim-1";
  const std::string older = dir.write("older.jsonl", committed[0] + "\n" + old_point.dump() + "\n");
  expect_input_error(run_nasaic("validate --calibration " + source_path(kDefaultCalibration) + " --points " + older),
                     {"older.jsonl:2: simulator", "'nasaic-sim-1'"});
}

TEST(CalibrateBadInput, FailedSimulationsAreKeptAndTheRunExitsTwo) {
  TempDir dir;
  const auto points = dir.path() / "points.jsonl";
  // Simulations outlive a 1 ms timeout, except one that ends before the job
  // runner looks (it polls every 5 ms, later on a loaded machine).
  const auto result = run_nasaic("calibrate --samples 6 --jobs 2 --timeout 0.001 --points " + points.string() +
                                 " --out " + (dir.path() / "c.json").string());
  EXPECT_EQ(lines(points), 6u);
  std::size_t failed = 0;
  for (const auto& row : rows_of(slurp(points))) {
    const auto point = nlohmann::json::parse(row);
    if (!point.contains("failure")) continue;
    ++failed;
    EXPECT_NE(point["failure"].get<std::string>().find("timed out"), std::string::npos) << row;
  }
  EXPECT_GE(failed, 1u);
  if (failed >= 5) {  // at most one usable point: nothing to split
    expect_input_error(result, {"no feasible simulated point"});
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "c.json"));
  }
  // A rerun retries them; their new rows replace the failed ones.
  const auto retry = run_nasaic("calibrate --samples 6 --jobs 2 --points " + points.string() + " --out " +
                                (dir.path() / "c.json").string());
  ASSERT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_EQ(lines(points), 6u + failed);
  std::size_t usable = 0;
  for (const auto& point : load_points(points.string())) usable += point.simulated();
  EXPECT_EQ(usable, 6u);
  // One point cannot be split into training and held-out points, whatever its simulation did.
  expect_input_error(run_nasaic("calibrate --samples 1 --points " + (dir.path() / "one.jsonl").string() + " --out " +
                                (dir.path() / "one.json").string()),
                     {"no feasible simulated point"});

  expect_input_error(run_nasaic("calibrate --samples 5 --holdout 1.5 --points " + points.string()), {"--holdout"});
  expect_input_error(run_nasaic("calibrate --samples 2000000 --points " + points.string()), {"--samples"});
  expect_input_error(run_nasaic("calibrate --samples 5 --timeout 0 --points " + points.string()), {"--timeout"});
  const auto garbage = dir.write("garbage.jsonl", "{\"index\": 0}\nnot json\n");
  expect_input_error(run_nasaic("validate --calibration " + source_path(kDefaultCalibration) + " --points " + garbage),
                     {"garbage.jsonl:1: design", "missing"});
}

TEST(CalibrateBadInput, TheMinimalParametersFileCanBeUsedButNotRefitOrValidated) {
  TempDir dir;
  // The file the README documents.
  const std::string minimal =
      dir.write("params.json",
                "{\"parameters\": {\"compute_scale.nvdla\": 1.0, \"tile_overhead.nvdla\": 0.0,\n"
                "                \"dram_efficiency\": 1.0, \"contention\": 1.0, \"overlap\": 1.0}}\n");
  const auto estimate = run_nasaic("estimate --hw " + source_path("configs/chips/hetero-2.yaml") +
                                   " --model resnet20 --calibration " + minimal);
  EXPECT_EQ(estimate.exit_code, 0) << estimate.err;
  expect_input_error(run_nasaic("calibrate --update " + minimal + " --points " + source_path(kDefaultPoints) +
                                " --out " + (dir.path() / "refit.json").string()),
                     {"params.json:1: points_file: missing", "calibrate --update refits"});
  expect_input_error(
      run_nasaic("validate --calibration " + minimal + " --points " + source_path(kDefaultPoints)),
      {"params.json:1: splits: missing", "validate --points compares on a calibration's held-out split"});
}

TEST(CalibrateBadInput, CalibrationFilesAreCheckedValueByValue) {
  TempDir dir;
  const std::string committed = slurp(source_path(kDefaultCalibration));
  const std::string chip = source_path("configs/chips/hetero-2.yaml");
  const std::string design = default_design_id();
  const auto estimate_with = [&](const std::string& text) {
    return run_nasaic("estimate --hw " + chip + " --model resnet20 --calibration " + dir.write("c.json", text));
  };
  const auto validate_with = [&](const std::string& text) {
    return run_nasaic("validate --calibration " + dir.write("c.json", text) + " --points " +
                      source_path(kDefaultPoints));
  };
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = committed;
    EXPECT_NE(text.find(from), std::string::npos) << from;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const auto where = [&](const std::string& text, const std::string& needle) {
    return "c.json:" + std::to_string(line_of(text, needle)) + ": ";
  };
  // Parameters outside their ranges, each named with its line.
  for (const auto& [name, value, range] :
       {std::tuple{"dram_efficiency", "-1", "[0.01, 2]"}, std::tuple{"overlap", "1.5", "[0, 1]"},
        std::tuple{"contention", "-0.1", "[0, 2]"}, std::tuple{"compute_scale.nvdla", "0", "(0, 10]"},
        std::tuple{"tile_overhead.eyeriss", "2e6", "[-1000000, 1000000]"}}) {
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(committed);
    json["parameters"][name] = nlohmann::ordered_json::parse(value);
    const std::string text = json.dump(2);
    expect_input_error(estimate_with(text), {where(text, std::string("\"") + name + "\""),
                                             std::string("parameters.") + name, "must be in " + std::string(range)});
  }
  // Wrong types, values beyond double range, duplicate keys, unknown keys.
  // The committed value as the file spells it, whatever the fit gave.
  const std::string overlap =
      "\"overlap\": " + nlohmann::ordered_json::parse(committed)["parameters"]["overlap"].dump();
  std::string text = replaced(overlap, "\"overlap\": \"1\"");
  expect_input_error(estimate_with(text), {where(text, "\"overlap\""), "parameters.overlap", "the string '1'"});
  text = replaced(overlap, "\"overlap\": 1e400");
  expect_input_error(estimate_with(text), {where(text, "\"overlap\""), "parameters.overlap", "1e400"});
  text = replaced(overlap, "\"overlap\": 1, \"overlap\": 0.5");
  expect_input_error(estimate_with(text), {where(text, "\"overlap\""), "parameters.overlap", "duplicate key"});
  text = replaced(overlap, "\"overlapp\": 1");
  expect_input_error(estimate_with(text), {where(text, "\"overlapp\""), "parameters.overlapp", "unknown"});
  text = replaced("\"points_file\"", "\"point_file\"");
  expect_input_error(estimate_with(text), {where(text, "\"point_file\""), "point_file: unknown key"});
  expect_input_error(estimate_with("[" + committed + "]"), {"c.json:1: ", "expected an object, got an array"});
  expect_input_error(estimate_with(std::string(100000, '[')), {"c.json:1: ", "nested deeper than 64"});
  expect_input_error(estimate_with(committed.substr(0, committed.size() / 2)), {"JSON syntax error"});

  // The held-out split: indices as numbers, of a design, each once.
  const std::string indices = "\"" + design + "\": [\n        0,\n        1,\n        2,\n        4,";
  text = replaced(indices, "\"" + design + "\": [\n        0,\n        1,\n        2,\n        \"4\",");
  expect_input_error(validate_with(text), {where(text, "\"4\""), "splits.holdout_indices." + design + "[3]",
                                           "expected a whole number, got the string '4'"});
  text = replaced(indices, "\"" + design + "\": [\n        0,\n        1,\n        2,\n        1e400,");
  expect_input_error(validate_with(text),
                     {where(text, "1e400"), "splits.holdout_indices." + design + "[3]", "beyond the range"});
  text = replaced(indices, "\"" + design + "\": [\n        0,\n        1,\n        2,\n        2.5,");
  expect_input_error(validate_with(text), {where(text, "2.5"), "whole number, got 2.5"});
  text = replaced(indices, "\"" + design + "\": [\n        0,\n        1,\n        2,\n        2,");
  expect_input_error(validate_with(text), {"splits.holdout_indices." + design + "[3]", "held out twice"});
  text = replaced("\"holdout_indices\": {", "\"holdout_indices\": 7, \"x\": {");
  expect_input_error(validate_with(text), {"splits.holdout_indices", "expected an object, got a number (7)"});
  // The list calibrations recorded before points named their design.
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(committed);
  json["splits"]["holdout_indices"] = json["splits"]["holdout_indices"][design];
  text = json.dump(2);
  expect_input_error(validate_with(text), {where(text, "\"holdout_indices\""), "run nasaic calibrate again"});
}

// One row of the committed points file changed at a time: each change is
// refused before anything uses the point, with the row's line and key.
TEST(PointsFiles, EveryDesignPointIsCheckedBeforeUse) {
  TempDir dir;
  const auto rows = rows_of(slurp(source_path(kDefaultPoints)));
  ASSERT_GE(rows.size(), 3u);
  const std::string calibration = source_path(kDefaultCalibration);
  const auto validate_with_row3 = [&](const std::string& row) {
    std::vector<std::string> changed = rows;
    changed[2] = row;  // point 2: three sub-accelerators
    return run_nasaic("validate --calibration " + calibration + " --points " +
                      dir.write("points.jsonl", joined(changed)));
  };
  const auto with = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
    auto row = nlohmann::ordered_json::parse(rows[2]);
    change(row);
    return validate_with_row3(row.dump());
  };
  using J = nlohmann::ordered_json;
  struct Case {
    std::function<void(J&)> change;
    std::vector<std::string> needles;
  };
  const std::vector<Case> cases = {
      {[](J& r) { r["subs"][1]["rows"] = 0; }, {"subs[1].rows", "must be in [1, 65536], got 0"}},
      {[](J& r) { r["subs"][0]["cols"] = -4; }, {"subs[0].cols", "got -4"}},
      {[](J& r) { r["subs"][2]["buffer_bytes"] = 0; }, {"subs[2].buffer_bytes", "got 0"}},
      {[](J& r) { r["subs"][0]["dataflow"] = "tpu"; }, {"subs[0].dataflow", "unknown dataflow template 'tpu'"}},
      {[](J& r) { r["arbitration"] = "lottery"; }, {"arbitration", "unknown arbitration 'lottery'"}},
      {[](J& r) { r["subs"][1]["layer"]["R"] = 999; }, {"subs[1].layer.R", "larger than the padded input"}},
      {[](J& r) { r["subs"][1]["layer"]["groups"] = 7; }, {"subs[1].layer.groups", "must divide C and K"}},
      {[](J& r) { r["subs"][1]["layer"]["type"] = "lstm"; }, {"subs[1].layer.type", "unknown layer type"}},
      {[](J& r) { r["subs"][1]["layer"]["stride"] = J::array({2}); }, {"subs[1].layer.stride", "expected 2 elements"}},
      {[](J& r) {
         r["subs"][1]["layer"]["C"] = 1 << 23;
         r["subs"][1]["layer"]["K"] = 1 << 23;
       },
       {"subs[1].layer.K", "more than the limit"}},
      {[](J& r) {
         r["subs"][1]["rows"] = 4096;
         r["subs"][1]["cols"] = 4096;
       },
       {"subs[1]: ", "PEs; at most"}},
      {[](J& r) { r["dram_bytes_per_cycle"] = 0; }, {"dram_bytes_per_cycle", "must be in [0.01, 1048576], got 0"}},
      {[](J& r) { r["dram_bytes_per_cycle"] = -8; }, {"dram_bytes_per_cycle", "got -8"}},
      {[](J& r) { r["dram_bytes_per_cycle"] = "8"; }, {"dram_bytes_per_cycle", "the string '8'"}},
      {[](J& r) { r["index"] = "2"; }, {"index", "the string '2'"}},
      {[](J& r) { r["cycles"][1] = 0; }, {"cycles[1]", "must be in (0, "}},
      {[](J& r) { r["cycles"][0] = -5; }, {"cycles[0]", "got -5"}},
      {[](J& r) { r["energy_pJ"].erase(2); }, {"energy_pJ", "expected 3 elements, got 2"}},
      {[](J& r) { r["cycles"].push_back(5.0); }, {"cycles", "expected 3 elements, got 4"}},
      {[](J& r) { r["failure"] = "timed out"; }, {"failure", "a failed point has no results"}},
      {[](J& r) {
         r.erase("cycles");
         r.erase("energy_pJ");
         r.erase("simulator");
       },
       {"neither results"}},
      {[](J& r) { r["subs"] = J::array(); }, {"subs", "1 to 64 sub-accelerators, got 0"}},
      {[](J& r) { r["color"] = "blue"; }, {"color", "unknown key"}},
      {[](J& r) { r["design"] = "not-a-design"; }, {"design", "16-hex-digit id"}},
      // A simulated layer must fit its sub-accelerator (buffers too small for a tile).
      {[](J& r) { r["subs"][1]["buffer_bytes"] = 1; }, {"subs[1]", "its layer does not fit it"}},
  };
  for (const auto& c : cases) {
    auto needles = c.needles;
    needles.push_back("points.jsonl:3: ");
    expect_input_error(with(c.change), needles);
  }
  // Raw text: numbers beyond double range and syntax errors name the line too.
  std::string row = rows[2];
  row.replace(row.find("\"cycles\":["), 10, "\"cycles\":[1e400,");
  expect_input_error(validate_with_row3(row), {"points.jsonl:3: cycles[0]", "beyond the range of a double"});
  expect_input_error(validate_with_row3(rows[2].substr(0, 100)), {"points.jsonl:3: ", "JSON syntax error"});
  // A point appearing twice, unless the first was a failure and the second its retry.
  std::vector<std::string> twice = rows;
  twice.push_back(rows[2]);
  expect_input_error(
      run_nasaic("validate --calibration " + calibration + " --points " + dir.write("twice.jsonl", joined(twice))),
      {"twice.jsonl:601: index", "already on line 3"});
  // The last row cut short by a stopped run.
  const std::string cut = joined(rows) + rows[3].substr(0, 50);
  expect_input_error(run_nasaic("validate --calibration " + calibration + " --points " + dir.write("cut.jsonl", cut)),
                     {"cut.jsonl:601: ", "the last line is cut short"});
}

TEST(PointsFiles, CrlfEndingsAndBlankLinesAreRead) {
  TempDir dir;
  const auto rows = rows_of(slurp(source_path(kDefaultPoints)));
  std::vector<std::string> spaced;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    spaced.push_back(rows[i]);
    if (i % 100 == 0) spaced.insert(spaced.end(), {"", "   \t", ""});
  }
  const std::string calibration = source_path(kDefaultCalibration);
  const auto plots = dir.path() / "v";
  const auto result = run_nasaic("validate --calibration " + calibration + " --points " +
                                 dir.write("crlf.jsonl", joined(spaced, "\r\n")) + " --out " + plots.string());
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(nlohmann::json::parse(slurp(plots / "summary.json")),
            nlohmann::json::parse(slurp(calibration))["errors_on_holdout"]);
  // Lines still count the blank ones: point 150 sits on line 151 + 3 * 2.
  auto bad = nlohmann::json::parse(rows[150]);
  bad["subs"][0]["rows"] = 0;
  spaced[150 + 3 * 2] = bad.dump();
  expect_input_error(run_nasaic("validate --calibration " + calibration + " --points " +
                                dir.write("crlf.jsonl", joined(spaced, "\r\n"))),
                     {"crlf.jsonl:157: subs[0].rows"});
}

TEST(PointsFiles, RecordTheirDesignAndAreNeverMixed) {
  TempDir dir;
  const auto points = dir.path() / "points.jsonl";
  const auto out = dir.path() / "c.json";
  ASSERT_EQ(
      run_nasaic("calibrate --samples 6 --seed 3 --points " + points.string() + " --out " + out.string()).exit_code, 0);
  const std::string before = slurp(points);
  // The same points file with another seed, or another technology table.
  expect_input_error(run_nasaic("calibrate --samples 6 --seed 4 --points " + points.string() + " --out " +
                                (dir.path() / "other.json").string()),
                     {points.string() + ":1: design", "drawn from design of experiments", "another --points file"});
  const std::string technology =
      dir.write("t.yaml", slurp(source_path("configs/technology/default-45nm.yaml")) + "# a copy\n");
  std::string table = slurp(source_path("configs/technology/default-45nm.yaml"));
  table.replace(table.find("name: nasaic-default-45nm"), 25, "name: another-table-45nm");
  const std::string another = dir.write("another.yaml", table);
  expect_input_error(run_nasaic("calibrate --samples 6 --seed 3 --technology " + another + " --points " +
                                points.string() + " --out " + (dir.path() / "other.json").string()),
                     {points.string() + ":1: design"});
  EXPECT_EQ(slurp(points), before);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "other.json"));
  // A comment changes the file but not the table: the same design.
  const auto same = run_nasaic("calibrate --samples 6 --seed 3 --technology " + technology + " --points " +
                               points.string() + " --out " + (dir.path() / "same.json").string());
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(slurp(points), before);

  // validate matches held-out points by design as well as index: another
  // design's points 0..5 are not this calibration's.
  const auto foreign = dir.path() / "foreign.jsonl";
  ASSERT_EQ(run_nasaic("calibrate --samples 6 --seed 4 --points " + foreign.string() + " --out " +
                       (dir.path() / "foreign.json").string())
                .exit_code,
            0);
  const auto record = nlohmann::json::parse(slurp(out));
  const std::string design = record["design_of_experiments"]["id"];
  expect_input_error(run_nasaic("validate --calibration " + out.string() + " --points " + foreign.string()),
                     {"c.json:", "splits.holdout_indices." + design + "[0]", "is not in " + foreign.string()});
  // The committed file with another design id in one held-out row.
  auto rows = rows_of(slurp(source_path(kDefaultPoints)));
  auto row = nlohmann::json::parse(rows[0]);  // point 0 is held out
  row["design"] = "0123456789abcdef";
  rows[0] = row.dump();
  expect_input_error(run_nasaic("validate --calibration " + source_path(kDefaultCalibration) + " --points " +
                                dir.write("one_foreign.jsonl", joined(rows))),
                     {"default-45nm.json:", "splits.holdout_indices." + default_design_id() + "[0]",
                      "held-out point 0 of design " + default_design_id() + " is not in"});
}

TEST(CalibrateBadInput, WriteFailuresAreReported) {
  TempDir dir;
  const auto points = dir.path() / "points.jsonl";
  ASSERT_EQ(run_nasaic("calibrate --samples 4 --seed 2 --points " + points.string() + " --out " +
                       (dir.path() / "c.json").string())
                .exit_code,
            0);
  expect_input_error(run_nasaic("calibrate --samples 4 --seed 2 --points " + points.string() + " --out /dev/full"),
                     {"/dev/full"});
  expect_input_error(run_nasaic("validate --calibration " + (dir.path() / "c.json").string() + " --points " +
                                points.string() + " --out /dev/full"),
                     {"/dev/full"});
  // A points file that cannot grow past 3 KiB (SIGXFSZ ignored, so writes fail
  // with EFBIG): room for the simulations' input files, not for 8 points.
  const auto small = dir.path() / "small.jsonl";
  const std::string command = "ulimit -f 3; trap '' XFSZ; exec " + std::string(NASAIC_BINARY) +
                              " calibrate --samples 8 --points " + small.string() + " --out " +
                              (dir.path() / "small.json").string() + " >" + (dir.path() / "out").string() + " 2>" +
                              (dir.path() / "err").string();
  const int status = std::system(("bash -c \"" + command + "\"").c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.err = slurp(dir.path() / "err");
  expect_input_error(result, {small.string(), "could not append the simulated points"});
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "small.json"));
}

TEST(ErrorSummary, FiguresAreTheDefinitionsAndNeverInfinite) {
  const ErrorSummary s = summarize_errors({110, 90, 300, 390}, {100, 100, 300, 400});
  EXPECT_EQ(s.points, 4);
  EXPECT_DOUBLE_EQ(s.mape_pct, (10.0 + 10.0 + 0.0 + 2.5) / 4);
  EXPECT_DOUBLE_EQ(s.max_abs_error_pct, 10.0);
  // Ranks (1, 0, 2, 3) against (0.5, 0.5, 2, 3).
  EXPECT_NEAR(s.spearman, recompute({110, 90, 300, 390}, {100, 100, 300, 400}).spearman, 1e-12);
  EXPECT_DOUBLE_EQ(s.pair_agreement, 5.0 / 6.0);
  const ErrorSummary empty = summarize_errors({}, {});
  EXPECT_EQ(empty.points, 0);
  EXPECT_EQ(empty.mape_pct, 0);
  // Readers refuse what would divide by zero; reaching here with it is a bug.
  EXPECT_DEATH(summarize_errors({1.0}, {0.0}), "positive and finite");
  EXPECT_DEATH(summarize_errors({1.0, 2.0}, {1.0}), "as many estimates as truths");
}

}  // namespace
}  // namespace nasaic
