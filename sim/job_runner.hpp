#pragma once
// Runs jobs as child processes (one SystemC elaboration each), `parallel` at a
// time, without blocking the caller: a search submits simulations and goes on
// evaluating while they run, polls for the finished ones, and cancels those it
// no longer needs. A job that crashes, exits non-zero or outlives its timeout
// is reported as failed with its stderr; the others go on.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace nasaic {

struct JobOutcome {
  bool ok = false;
  int exit_code = -1;  // -1 when killed or crashed
  bool timed_out = false;
  bool cancelled = false;
  std::string out;  // stdout: the job's JSON result with --format json
  std::string err;
  double seconds = 0;
};

class JobRunner {
 public:
  using JobId = std::size_t;

  // Each runner owns a fresh scratch folder under the system's temporary
  // directory (two runners, in one process or two, never share files); it and
  // every job still running go when the runner does.
  JobRunner(std::string executable, int parallel, double timeout_seconds);
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Queues a job and starts it if a slot is free; returns at once. Ids count
  // up from 0 in submission order.
  JobId submit(std::vector<std::string> arguments);
  // Starts queued jobs in free slots, collects the ones that ended (or timed
  // out) and returns their ids in id order; never waits.
  std::vector<JobId> poll();
  // A queued job is dropped and a running one killed; both end as cancelled.
  // A job that already ended keeps its outcome.
  void cancel(JobId job);
  // Waits until `job` ends, or until every submitted job has; the ids stay
  // for the next poll().
  const JobOutcome& wait(JobId job);
  void wait_all();

  bool finished(JobId job) const;
  const JobOutcome& outcome(JobId job) const;  // once finished
  std::size_t unfinished() const;              // queued or running
  std::size_t submitted() const { return arguments_.size(); }
  // A folder for the jobs' input files; removed with the runner.
  const std::filesystem::path& scratch() const { return scratch_; }

 private:
  struct Running;
  void start_queued();
  void collect();  // poll() without handing over the ended ids
  void finish(Running& running, bool timed_out, bool cancelled);

  std::string executable_;
  int parallel_;
  double timeout_seconds_;
  std::filesystem::path scratch_;
  std::vector<std::vector<std::string>> arguments_;
  std::vector<JobOutcome> outcomes_;
  std::vector<bool> finished_;
  std::size_t next_to_start_ = 0;
  std::vector<JobId> ended_since_poll_;
  std::vector<std::unique_ptr<Running>> running_;
};

// Runs `executable` once per argument list and waits for all of them.
// Outcomes come back in job order.
std::vector<JobOutcome> run_jobs(const std::string& executable, const std::vector<std::vector<std::string>>& jobs,
                                 int parallel, double timeout_seconds);

// The path of the running executable (to launch `nasaic simulate` children).
std::string current_executable();

}  // namespace nasaic
