#pragma once
// Runs simulation jobs as child processes (one SystemC elaboration each),
// `parallel` at a time. A job that crashes, exits non-zero or outlives its
// timeout is reported as failed with its stderr; the others go on.
#include <string>
#include <vector>

namespace nasaic {

struct JobOutcome {
  bool ok = false;
  int exit_code = -1;  // -1 when killed or crashed
  bool timed_out = false;
  std::string out;  // stdout: the job's JSON result with --format json
  std::string err;
  double seconds = 0;
};

// Runs `executable` once per argument list. Outcomes come back in job order.
std::vector<JobOutcome> run_jobs(const std::string& executable, const std::vector<std::vector<std::string>>& jobs,
                                 int parallel, double timeout_seconds);

// The path of the running executable (to launch `nasaic simulate` children).
std::string current_executable();

}  // namespace nasaic
