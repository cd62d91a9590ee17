#pragma once
// The search's memory: `search.db` in the results folder, an SQLite database
// (Optuna keeps its studies the same way) with one row per evaluation,
// committed as the evaluation ends, so a SIGKILL loses at most the
// evaluations in flight. Users query it with sqlite3 or pandas:
//
//   sqlite3 results/search.db 'SELECT id, reward, makespan_s, energy_pj, area_um2 FROM evaluations ORDER BY reward DESC LIMIT 5'
//
// Table `evaluations`: id (0, 1, ... in evaluation order), round (the ask it
// came from), genome (JSON list), architecture and hardware (JSON), legal,
// meets_specs, reason, makespan_s, energy_pj, area_um2, weighted_accuracy,
// violation, reward, objectives (JSON list), row (the whole row as the JSON
// line candidates.jsonl holds). Table `simulations`: the candidates checked
// on the cycle-level simulator, by evaluation id: ok, failure, makespan_s,
// energy_pj, area_um2, task_latency (JSON), meets_specs, reason, and the
// surrogate's makespan_s beside them; `simulated_layers` their per-layer
// timelines (id, position, network, layer, sub_accelerator, start_cycle,
// end_cycle), the calibration observations of whole workloads. Table `meta`:
// the spec's name and hash, the seed and the schema version, so that a folder
// of another search is refused.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "search/controller.hpp"

struct sqlite3;

namespace nasaic {

struct StoredEvaluation {
  std::int64_t id = 0;
  std::int64_t round = 0;
  Genome genes;
  Outcome outcome;
  bool legal = false;
  double makespan_seconds = 0, energy_pj = 0, area_um2 = 0, weighted_accuracy = 0;
  std::string architecture_json, hardware_json, reason;
  std::string row_json;  // one line, no newline
};

struct StoredSimulation {
  std::int64_t id = 0;  // the evaluation simulated
  bool ok = false;
  std::string failure;  // why the simulation gave no figures
  double makespan_seconds = 0, energy_pj = 0, area_um2 = 0;
  std::vector<double> task_latency_seconds;
  bool meets_specs = false;
  std::string reason;  // the specs the simulated figures violate
  double surrogate_makespan_seconds = 0;
  // The simulator's per-layer timeline (table `simulated_layers`), in its order.
  struct Layer {
    std::string network, layer, sub_accelerator;
    std::int64_t start_cycle = 0, end_cycle = 0;
    std::int64_t dependency_stall_cycles = 0;  // waiting for producers, inside [start, end)
  };
  std::vector<Layer> layers;
};

struct StoreIdentity {
  std::string spec_name;
  std::string spec_hash;  // of the spec file's text
  std::uint64_t seed = 0;
};

class ResultsStore {
 public:
  // Opens `path`, creating it (and its tables) when absent. An existing
  // database of another identity, or one that is not a nasaic results
  // database, is an InputError naming the path.
  ResultsStore(const std::string& path, const StoreIdentity& identity);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  // Every stored evaluation, in id order.
  std::vector<StoredEvaluation> load() const;
  // Writes one evaluation and commits it.
  void append(const StoredEvaluation& evaluation);
  std::map<std::int64_t, StoredSimulation> load_simulations() const;
  void append_simulation(const StoredSimulation& simulation);
  const std::string& path() const { return path_; }

 private:
  void open(const StoreIdentity& identity);
  void execute(const std::string& sql) const;
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace nasaic
