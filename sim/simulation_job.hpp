#pragma once
// Whole simulations as typed jobs for child processes: a chip, a workload and
// a schedule go in; the simulator's per-layer results come out, parsed. The
// inputs are written with the same writers `nasaic hw`, `estimate --out` and
// the search use, so a job's files are what a user could simulate by hand.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "dataflows/schedule.hpp"
#include "models/network.hpp"
#include "sim/job_runner.hpp"

namespace nasaic {

struct SimulationJob {
  ChipSpec chip;
  Workload workload;
  Schedule schedule;
  // The technology file's text, written beside the chip so the simulator
  // reads the very table the caller read; empty: the chip's table is written
  // out (to 10 significant digits, as its hash is) unless it is built in.
  std::string technology_yaml;
};

// One row of `nasaic simulate`'s per-layer table.
struct SimulatedLayer {
  std::string network, layer, sub_accelerator;
  std::int64_t start_cycle = 0, end_cycle = 0;
  std::int64_t stall_dependency_cycles = 0;  // waiting for producers, inside [start, end)
  double energy_pj = 0;
  std::int64_t cycles() const { return end_cycle - start_cycle; }
};

struct SimulationJobResult {
  bool ok = false;
  std::string failure;  // why not: the child's error line, a timeout, an unusable report
  std::int64_t makespan_cycles = 0;
  double energy_pj = 0, area_um2 = 0;
  std::vector<SimulatedLayer> layers;  // in the simulator's order
};

// Writes the job's chip (with its technology table beside it unless built in),
// networks and schedule into `folder` under names starting with `stem`, and
// returns the arguments of the `nasaic simulate` run that reads them.
std::vector<std::string> write_simulation_job(const SimulationJob& job, const std::filesystem::path& folder,
                                              const std::string& stem);
// Parses `nasaic simulate --format json` output; `what` names the job in
// the InputError thrown for a report that is not one.
SimulationJobResult read_simulation_result(const std::string& report, const std::string& what);

// Typed jobs over a JobRunner, whose scratch folder holds their input files.
class SimulationRunner {
 public:
  SimulationRunner(std::string executable, int parallel, double timeout_seconds);

  JobRunner::JobId submit(const SimulationJob& job);  // returns at once
  std::vector<JobRunner::JobId> poll() { return runner_.poll(); }
  void cancel(JobRunner::JobId job) { runner_.cancel(job); }
  bool finished(JobRunner::JobId job) const { return runner_.finished(job); }
  // Once finished; a failed or unparsable job has ok = false and a reason.
  SimulationJobResult result(JobRunner::JobId job) const;
  SimulationJobResult wait(JobRunner::JobId job);
  void wait_all() { runner_.wait_all(); }
  const JobRunner& jobs() const { return runner_; }

 private:
  JobRunner runner_;
};

}  // namespace nasaic
