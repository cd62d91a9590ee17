#include "sim/job_runner.hpp"

#include <boost/process.hpp>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
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

}  // namespace

struct JobRunner::Running {
  JobId job;
  bp::child child;
  std::chrono::steady_clock::time_point started;
  std::filesystem::path out, err;
};

std::string current_executable() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  NASAIC_CHECK(!ec, "cannot find the running executable");
  return path.string();
}

JobRunner::JobRunner(std::string executable, int parallel, double timeout_seconds)
    : executable_(std::move(executable)), parallel_(std::max(1, parallel)), timeout_seconds_(timeout_seconds) {
  std::error_code ec;
  const std::filesystem::path temporary = std::filesystem::temp_directory_path(ec);
  std::string pattern = (temporary / "nasaic-jobs-XXXXXX").string();
  // A full or unwritable temporary directory is the machine's state, not a bug: one line, exit 2.
  if (ec || ::mkdtemp(pattern.data()) == nullptr)
    throw InputError(temporary.string(), 0, "TMPDIR",
                     std::string("cannot create the job runner's scratch folder: ") +
                         (ec ? ec.message() : std::strerror(errno)));
  scratch_ = pattern;
}

JobRunner::~JobRunner() {
  for (auto& running : running_) {
    std::error_code ec;
    running->child.terminate(ec);
    running->child.wait(ec);
  }
  std::error_code ec;
  std::filesystem::remove_all(scratch_, ec);
}

JobRunner::JobId JobRunner::submit(std::vector<std::string> arguments) {
  arguments_.push_back(std::move(arguments));
  outcomes_.emplace_back();
  finished_.push_back(false);
  start_queued();
  return arguments_.size() - 1;
}

void JobRunner::start_queued() {
  while (static_cast<int>(running_.size()) < parallel_ && next_to_start_ < arguments_.size()) {
    const JobId job = next_to_start_++;
    if (finished_[job]) continue;  // cancelled while queued
    auto running = std::make_unique<Running>();
    running->job = job;
    running->out = scratch_ / (std::to_string(job) + ".out");
    running->err = scratch_ / (std::to_string(job) + ".err");
    running->started = std::chrono::steady_clock::now();
    running->child = bp::child(executable_, bp::args(arguments_[job]), bp::std_out > running->out.string(),
                               bp::std_err > running->err.string(), bp::std_in < bp::null);
    running_.push_back(std::move(running));
  }
}

void JobRunner::finish(Running& running, bool timed_out, bool cancelled) {
  JobOutcome& outcome = outcomes_[running.job];
  outcome.timed_out = timed_out;
  outcome.cancelled = cancelled;
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - running.started).count();
  const int status = running.child.native_exit_code();
  const bool killed = timed_out || cancelled;
  outcome.exit_code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  outcome.ok = !killed && outcome.exit_code == 0;
  outcome.out = slurp(running.out);
  outcome.err = slurp(running.err);
  if (timed_out) outcome.err += "timed out after " + std::to_string(timeout_seconds_) + " s\n";
  if (cancelled) outcome.err += "cancelled\n";
  if (!killed && !WIFEXITED(status)) outcome.err += "killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
  std::error_code ec;
  std::filesystem::remove(running.out, ec);
  std::filesystem::remove(running.err, ec);
  finished_[running.job] = true;
  ended_since_poll_.push_back(running.job);
}

void JobRunner::collect() {
  for (std::size_t i = 0; i < running_.size();) {
    Running& running = *running_[i];
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - running.started).count();
    const bool ended = !running.child.running();
    if (!ended && elapsed <= timeout_seconds_) {
      ++i;
      continue;
    }
    if (!ended) {
      std::error_code ec;
      running.child.terminate(ec);  // SIGKILL, then reaped
    }
    finish(running, !ended, false);
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  start_queued();
}

std::vector<JobRunner::JobId> JobRunner::poll() {
  collect();
  std::vector<JobId> ended;
  ended.swap(ended_since_poll_);
  std::sort(ended.begin(), ended.end());
  return ended;
}

void JobRunner::cancel(JobId job) {
  NASAIC_CHECK(job < arguments_.size(), "cancel: no job " + std::to_string(job));
  if (finished_[job]) return;
  for (std::size_t i = 0; i < running_.size(); ++i) {
    if (running_[i]->job != job) continue;
    std::error_code ec;
    running_[i]->child.terminate(ec);
    finish(*running_[i], false, true);
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(i));
    start_queued();
    return;
  }
  JobOutcome& outcome = outcomes_[job];  // still queued: never started
  outcome.cancelled = true;
  outcome.err = "cancelled\n";
  finished_[job] = true;
  ended_since_poll_.push_back(job);
}

const JobOutcome& JobRunner::wait(JobId job) {
  NASAIC_CHECK(job < arguments_.size(), "wait: no job " + std::to_string(job));
  while (!finished_[job]) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    collect();
  }
  return outcomes_[job];
}

void JobRunner::wait_all() {
  while (unfinished() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    collect();
  }
}

bool JobRunner::finished(JobId job) const { return job < finished_.size() && finished_[job]; }

const JobOutcome& JobRunner::outcome(JobId job) const {
  NASAIC_CHECK(finished(job), "outcome of job " + std::to_string(job) + " asked before it finished");
  return outcomes_[job];
}

std::size_t JobRunner::unfinished() const {
  return static_cast<std::size_t>(std::count(finished_.begin(), finished_.end(), false));
}

std::vector<JobOutcome> run_jobs(const std::string& executable, const std::vector<std::vector<std::string>>& jobs,
                                 int parallel, double timeout_seconds) {
  JobRunner runner(executable, parallel, timeout_seconds);
  for (const auto& arguments : jobs) runner.submit(arguments);
  runner.wait_all();
  std::vector<JobOutcome> outcomes;
  for (std::size_t job = 0; job < jobs.size(); ++job) outcomes.push_back(runner.outcome(job));
  return outcomes;
}

}  // namespace nasaic
