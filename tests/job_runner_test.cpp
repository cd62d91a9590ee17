#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sim/job_runner.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

TEST(JobRunner, RunsJobsInParallelAndReportsFailuresAndTimeouts) {
  testing::TempDir dir;
  const std::string chip = testing::source_path("configs/chips/hetero-2.yaml");
  const std::string a = dir.write("a.yaml",
                                  "name: a\nlayers:\n  - {name: fc0, type: fc, C: 256, K: 256}\n"
                                  "  - {name: fc1, type: fc, C: 256, K: 256}\n");
  const std::string deadlock =
      dir.write("deadlock.yaml", "schedule:\n  - {sub_accelerator: nvdla, layers: [a:fc1, a:fc0]}\n");
  const std::vector<std::vector<std::string>> jobs = {
      {"simulate", "--hw", chip, "--model", "resnet20", "--format", "json"},
      {"simulate", "--hw", chip, "--model", "nowhere.yaml"},
      {"simulate", "--hw", chip, "--model", a, "--schedule", deadlock, "--mode", "lockstep", "--watchdog",
       "100000000000", "--format", "json"},
      {"simulate", "--hw", chip, "--model", "alexnet", "--format", "json"},
  };
  const auto outcomes = run_jobs(NASAIC_BINARY, jobs, 2, 3.0);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_TRUE(outcomes[0].ok) << outcomes[0].err;
  EXPECT_TRUE(nlohmann::json::parse(outcomes[0].out)["completed"].get<bool>());
  EXPECT_FALSE(outcomes[1].ok);
  EXPECT_EQ(outcomes[1].exit_code, 2);
  EXPECT_NE(outcomes[1].err.find("nowhere.yaml"), std::string::npos) << outcomes[1].err;
  EXPECT_FALSE(outcomes[2].ok);
  EXPECT_TRUE(outcomes[2].timed_out);
  EXPECT_TRUE(outcomes[3].ok) << outcomes[3].err;
  EXPECT_GT(nlohmann::json::parse(outcomes[3].out)["makespan_cycles"].get<double>(), 0);
}

}  // namespace
}  // namespace nasaic
