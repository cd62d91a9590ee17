#pragma once
// Runs a co-search: the controller asks, the evaluator scores (a batch on
// `threads` threads, results in ask order), the controller is told, and every
// evaluation is committed to the results folder's database as it ends.
//
// The results folder:
//   search.db          every evaluation (search/results_store.hpp)
//   spec.yaml          the spec as it was read (a record; resuming names the spec file again)
//   candidates.jsonl   the database's rows, one JSON object per line, in id order
//   pareto.csv         the feasible candidates no other feasible one dominates
//                      in (accuracy, makespan, energy, area)
//   best/              chip.yaml, technology.yaml, one network YAML per task and
//                      schedule.yaml, which `nasaic simulate` takes as they are
//   summary.json, report.md
//
// With the spec's `simulator:`, every `every` evaluations the best `top`
// candidates within the specs not yet simulated are submitted to `nasaic
// simulate` through the job runner (sim/simulation_job.hpp), `jobs` at a
// time, and the search goes on; their results are collected at the next
// checkpoint (or the end), so what they change does not depend on how fast
// the simulator ran. A candidate whose simulated figures break a spec is no
// longer counted within the specs (nor chosen as the best). A finished run
// makes sure its best design was simulated; a finished run resumed with more
// evaluations keeps that check in its database.
//
// Resuming replays the database: a controller is deterministic given its seed
// and what it is told, so asking again and telling it the stored outcomes
// rebuilds its state exactly, and the resumed run goes on as the
// uninterrupted one would have. A stored genome that differs from what the
// controller asks means the folder is not this search's, and is refused.
#include <cstdint>
#include <functional>
#include <string>

#include "search/controller.hpp"
#include "search/evaluator.hpp"

namespace nasaic {

struct SearchRunOptions {
  std::string out_dir;
  bool resume = false;           // continue the search in out_dir
  std::int64_t evaluations = 0;  // 0: the spec's
  int threads = 1;
  // The simulator in the loop (the spec's `simulator:`): the `nasaic`
  // executable its jobs run, and a switch to leave it out.
  std::string simulator_executable;
  bool simulate = true;
  // Called after every round with (evaluations done, budget, best reward so
  // far, a one-line summary of the round).
  std::function<void(std::int64_t, std::int64_t, double, const std::string&)> progress;
};

// A refit of the surrogate's parameters to the simulated candidates, at a
// checkpoint of the simulator loop.
struct SearchRefit {
  std::int64_t checkpoint = 0, evaluations = 0;
  std::int64_t candidates = 0;  // simulated designs fitted to, all of them so far
  // The surrogate's makespan error on those candidates (|m - s| / s) with
  // the parameters before and after.
  double error_before_mean = 0, error_before_max = 0, error_after_mean = 0, error_after_max = 0;
  std::map<std::string, double> parameters;  // after
  double seconds = 0;
};

struct SearchRunSummary {
  std::int64_t evaluations = 0;
  std::int64_t replayed = 0;  // taken from the database on resume
  std::int64_t legal = 0, feasible = 0;
  bool has_best = false;
  std::int64_t best_id = -1;
  double best_reward = 0;
  Genome best_genes;
  // With no candidate within the specs: the legal one closest to them (least
  // summed relative excess), or id -1.
  std::int64_t closest_id = -1;
  Genome closest_genes;
  double surrogate_seconds = 0, accuracy_seconds = 0, wall_seconds = 0;
  // Simulated candidates, the surrogate's spec verdicts the simulator
  // overturned, and the surrogate's makespan error on them (|s - m| / m,
  // s its figure for the simulated schedule when the candidate was chosen).
  std::int64_t simulated = 0, overturned = 0, simulation_failures = 0;
  double makespan_error_mean = 0, makespan_error_max = 0;
  double simulation_seconds = 0;  // waiting for the simulator at checkpoints
  std::vector<SearchRefit> refits;
  double refit_seconds = 0;
};

// The options of a search in the subfolder `name` of options.out_dir (the
// steps of a baseline or a comparison): resumed when `options` resume and
// that subfolder already holds a database, since an interrupted run may not
// have reached it.
SearchRunOptions in_subfolder(const SearchRunOptions& options, const std::string& name);

// Throws InputError for a results folder that holds another search, or that
// exists without `resume`.
// With the spec's simulator loop and `recalibrate`, the evaluator's surrogate
// parameters are refit at checkpoints and stay as the last refit left them.
SearchRunSummary run_search(CoSearchEvaluator& evaluator, Controller& controller, const SearchRunOptions& options);

// The JSON line of one evaluation (what candidates.jsonl and the database's
// `row` column hold): no timings, so equal runs give equal bytes.
std::string evaluation_json(const CoSearchEvaluator& evaluator, const Evaluation& evaluation, std::int64_t id,
                            std::int64_t round);

}  // namespace nasaic
