#include "sim/job_runner.hpp"

#include <boost/process.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <sys/wait.h>
#include <unistd.h>

#include "common/error.hpp"

namespace nasaic {
namespace {

namespace bp = boost::process;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Running {
  std::size_t job;
  bp::child child;
  std::chrono::steady_clock::time_point started;
  std::filesystem::path out, err;
};

}  // namespace

std::string current_executable() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  NASAIC_CHECK(!ec, "cannot find the running executable");
  return path.string();
}

std::vector<JobOutcome> run_jobs(const std::string& executable, const std::vector<std::vector<std::string>>& jobs,
                                 int parallel, double timeout_seconds) {
  std::vector<JobOutcome> outcomes(jobs.size());
  const auto scratch = std::filesystem::temp_directory_path() / ("nasaic-jobs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(scratch);
  std::vector<Running> running;
  std::size_t next = 0;
  const auto finish = [&](Running& job, bool timed_out) {
    JobOutcome& outcome = outcomes[job.job];
    outcome.timed_out = timed_out;
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - job.started).count();
    const int status = job.child.native_exit_code();
    outcome.exit_code = !timed_out && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    outcome.ok = !timed_out && outcome.exit_code == 0;
    outcome.out = slurp(job.out);
    outcome.err = slurp(job.err);
    if (timed_out) outcome.err += "timed out after " + std::to_string(timeout_seconds) + " s\n";
    if (!timed_out && !WIFEXITED(status)) outcome.err += "killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
    std::filesystem::remove(job.out);
    std::filesystem::remove(job.err);
  };
  while (next < jobs.size() || !running.empty()) {
    while (next < jobs.size() && static_cast<int>(running.size()) < std::max(1, parallel)) {
      Running job{next, {}, std::chrono::steady_clock::now(), scratch / (std::to_string(next) + ".out"),
                  scratch / (std::to_string(next) + ".err")};
      job.child = bp::child(executable, bp::args(jobs[next]), bp::std_out > job.out.string(),
                            bp::std_err > job.err.string(), bp::std_in < bp::null);
      running.push_back(std::move(job));
      ++next;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    for (std::size_t i = 0; i < running.size();) {
      Running& job = running[i];
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - job.started).count();
      if (!job.child.running()) {
        finish(job, false);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      } else if (elapsed > timeout_seconds) {
        job.child.terminate();
        finish(job, true);
        running.erase(running.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch, ec);
  return outcomes;
}

}  // namespace nasaic
