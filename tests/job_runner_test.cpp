#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>

#include "dataflows/chip_spec.hpp"
#include "dataflows/technology.hpp"
#include "sim/job_runner.hpp"
#include "sim/simulation_job.hpp"
#include "common/error.hpp"
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

// A job that runs until it is killed: a deadlocked schedule under a far watchdog.
std::vector<std::string> endless_job(testing::TempDir& dir) {
  const std::string a = dir.write("a.yaml",
                                  "name: a\nlayers:\n  - {name: fc0, type: fc, C: 256, K: 256}\n"
                                  "  - {name: fc1, type: fc, C: 256, K: 256}\n");
  const std::string deadlock =
      dir.write("deadlock.yaml", "schedule:\n  - {sub_accelerator: nvdla, layers: [a:fc1, a:fc0]}\n");
  return {"simulate", "--hw", testing::source_path("configs/chips/hetero-2.yaml"), "--model", a, "--schedule", deadlock,
          "--mode", "lockstep", "--watchdog", "100000000000", "--format", "json"};
}

TEST(JobRunner, SubmitsWithoutBlockingPollsAndCancels) {
  testing::TempDir dir;
  const std::vector<std::string> endless = endless_job(dir);
  const std::vector<std::string> quick = {"simulate", "--hw", testing::source_path("configs/chips/hetero-2.yaml"),
                                          "--model", "resnet20", "--format", "json", "--quiet"};
  JobRunner runner(NASAIC_BINARY, 1, 600.0);
  const auto first = runner.submit(endless);  // takes the only slot
  const auto second = runner.submit(quick);   // queued behind it
  const auto third = runner.submit(quick);
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(third, 2u);
  EXPECT_FALSE(runner.finished(first));
  EXPECT_TRUE(runner.poll().empty());
  EXPECT_EQ(runner.unfinished(), 3u);

  // A queued job is dropped without running.
  runner.cancel(second);
  ASSERT_TRUE(runner.finished(second));
  EXPECT_TRUE(runner.outcome(second).cancelled);
  EXPECT_FALSE(runner.outcome(second).ok);
  EXPECT_EQ(runner.outcome(second).seconds, 0.0);
  // A running one is killed, and the queue moves on.
  runner.cancel(first);
  EXPECT_TRUE(runner.outcome(first).cancelled);
  EXPECT_FALSE(runner.outcome(first).timed_out);
  EXPECT_EQ(runner.outcome(first).exit_code, -1);
  const JobOutcome& done = runner.wait(third);
  EXPECT_TRUE(done.ok) << done.err;
  EXPECT_GT(nlohmann::json::parse(done.out)["makespan_cycles"].get<double>(), 0);
  EXPECT_EQ(runner.unfinished(), 0u);
  // Every job that ended is reported by a poll once, in id order.
  EXPECT_EQ(runner.poll(), (std::vector<JobRunner::JobId>{0, 1, 2}));
  EXPECT_TRUE(runner.poll().empty());
  // Cancelling a finished job changes nothing.
  runner.cancel(third);
  EXPECT_TRUE(runner.outcome(third).ok);
}

TEST(JobRunner, AScratchFolderThatCannotBeMadeIsAnInputError) {
  const char* previous = std::getenv("TMPDIR");
  const std::string saved = previous ? previous : "";
  ::setenv("TMPDIR", "/nonexistent/nasaic-test", 1);
  try {
    JobRunner runner(NASAIC_BINARY, 1, 60.0);
    ADD_FAILURE() << "made " << runner.scratch();
  } catch (const InputError& error) {
    EXPECT_EQ(error.key(), "TMPDIR");
  }
  if (previous) ::setenv("TMPDIR", saved.c_str(), 1);
  else ::unsetenv("TMPDIR");
}

TEST(JobRunner, EachRunnerHasItsOwnScratchFolderRemovedWithIt) {
  testing::TempDir dir;
  std::filesystem::path first_folder, second_folder;
  {
    JobRunner first(NASAIC_BINARY, 1, 60.0), second(NASAIC_BINARY, 1, 60.0);
    first_folder = first.scratch();
    second_folder = second.scratch();
    EXPECT_NE(first_folder, second_folder);
    EXPECT_TRUE(std::filesystem::is_directory(first_folder));
    EXPECT_TRUE(std::filesystem::is_directory(second_folder));
    // Both run job 0 at once without mixing their outputs.
    first.submit({"simulate", "--hw", testing::source_path("configs/chips/hetero-2.yaml"), "--model", "nowhere.yaml"});
    second.submit({"simulate", "--hw", testing::source_path("configs/chips/hetero-2.yaml"), "--model", "resnet20",
                   "--format", "json", "--quiet"});
    EXPECT_EQ(first.wait(0).exit_code, 2);
    EXPECT_NE(first.outcome(0).err.find("nowhere.yaml"), std::string::npos);
    EXPECT_TRUE(second.wait(0).ok) << second.outcome(0).err;
    // A runner that goes with a job still running kills it.
    first.submit(endless_job(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(first_folder));
  EXPECT_FALSE(std::filesystem::exists(second_folder));
}

// Two 256x256 fully connected layers, both on the chip's first sub-accelerator.
SimulationJob two_layer_job(const ChipSpec& chip, bool reversed) {
  SimulationJob job;
  job.chip = chip;
  Network network("pair", "code");
  for (const char* name : {"fc0", "fc1"}) {
    Layer layer;
    layer.name = name;
    layer.type = LayerType::fc;
    layer.C = layer.K = 256;
    if (network.size() > 0) layer.inputs = {"fc0"};
    network.add(layer);
  }
  job.workload.networks.push_back(network);
  job.schedule.per_sub.resize(chip.sub_accelerators.size());
  job.schedule.per_sub[0] = reversed ? std::vector<LayerRef>{{0, 1}, {0, 0}} : std::vector<LayerRef>{{0, 0}, {0, 1}};
  return job;
}

TEST(SimulationRunner, TypedJobsFromChipsBuiltInCode) {
  ChipSpec chip = load_chip_spec(testing::source_path("configs/chips/hetero-2.yaml"));
  chip.name = "edited in code";
  chip.sub_accelerators[0].rows = chip.sub_accelerators[0].cols = 8;
  ASSERT_TRUE(validate(chip).empty());
  ChipSpec costly = chip;  // the same chip with MACs at ten times the energy
  costly.technology = builtin_technology();
  costly.technology.mac_energy_int8_pj *= 10;
  costly.technology.mac_energy_int16_pj *= 10;
  costly.technology_file = "in code";

  SimulationRunner runner(NASAIC_BINARY, 2, 120.0);
  const auto plain = runner.submit(two_layer_job(chip, false));
  const auto expensive = runner.submit(two_layer_job(costly, false));
  const auto deadlocked = runner.submit(two_layer_job(chip, true));
  runner.wait_all();

  const SimulationJobResult result = runner.result(plain);
  ASSERT_TRUE(result.ok) << result.failure;
  ASSERT_EQ(result.layers.size(), 2u);
  EXPECT_EQ(result.layers[0].network, "pair");
  EXPECT_EQ(result.layers[0].layer, "fc0");
  EXPECT_EQ(result.layers[1].layer, "fc1");
  EXPECT_EQ(result.layers[0].sub_accelerator, chip.sub_accelerators[0].name);
  EXPECT_GE(result.layers[1].start_cycle, result.layers[0].end_cycle);
  EXPECT_EQ(result.makespan_cycles, result.layers[1].end_cycle);
  EXPECT_GT(result.energy_pj, 0);
  // The edited array is the one simulated: 8x8 PEs take longer than the file's array.
  SimulationRunner original(NASAIC_BINARY, 1, 120.0);
  const SimulationJobResult as_loaded =
      original.wait(original.submit(two_layer_job(load_chip_spec(testing::source_path("configs/chips/hetero-2.yaml")), false)));
  ASSERT_TRUE(as_loaded.ok) << as_loaded.failure;
  EXPECT_GT(result.makespan_cycles, as_loaded.makespan_cycles);

  // The table built in code travels with the job: same cycles, more energy.
  const SimulationJobResult costly_result = runner.result(expensive);
  ASSERT_TRUE(costly_result.ok) << costly_result.failure;
  EXPECT_EQ(costly_result.makespan_cycles, result.makespan_cycles);
  EXPECT_GT(costly_result.energy_pj, result.energy_pj);

  // fc1 before the fc0 it reads, on one sub-accelerator: the simulation cannot finish.
  const SimulationJobResult stuck = runner.result(deadlocked);
  EXPECT_FALSE(stuck.ok);
  EXPECT_NE(stuck.failure.find("simulation failed"), std::string::npos) << stuck.failure;
}

TEST(SimulationRunner, ReportsThatAreNotReportsAreInputErrors) {
  EXPECT_THROW(read_simulation_result("not json", "job 0"), InputError);
  EXPECT_THROW(read_simulation_result(R"({"completed": true, "makespan_cycles": 5, "energy_pJ": 1, "area_um2": 1})", "job 0"),
               InputError);  // no layers
  const SimulationJobResult incomplete = read_simulation_result(
      R"({"completed": false, "failure": "deadlock", "makespan_cycles": 0, "energy_pJ": 0, "area_um2": 1})", "job 0");
  EXPECT_FALSE(incomplete.ok);
  EXPECT_EQ(incomplete.failure, "deadlock");
}

}  // namespace
}  // namespace nasaic
