#pragma once
// A co-search, configured by data (configs/search/*-cosearch.yaml):
//
//   name: two-task                 # names the search (a results folder keeps it)
//   seed: 1
//   evaluations: 1000              # candidates to evaluate
//   tasks:
//     - {name: fashion, space: fashion-resnet.yaml, weight: 0.5, latency: 2 ms, accuracy: supernet}
//     - {name: vision, network: resnet18}     # a fixed network: a zoo name or a file
//     (`recipe: NAME` picks another of the space's recipes to train with)
//   hardware: {...}                # see search/hardware_space.hpp
//   specs: {makespan: 5 ms, energy: 2 mJ, area: 4 mm2}   # each optional
//   objective: accuracy            # NASAIC: weighted accuracy subject to the specs
//   # or: pareto (accuracy, latency, energy and area), or {minimize: makespan|energy|area|edp}
//   controller: {name: rl, ...}    # the controller and its options, created by name
//   calibration: ../calibration/default-45nm.json   # surrogate parameters (optional)
//   simulator: {every: 200, top: 3, jobs: 2, timeout: 10 min, recalibrate: true, refine: true}
//                                  # optional: every `every` evaluations the `top` best
//                                  # candidates within the specs not yet simulated run
//                                  # through `nasaic simulate`, `jobs` at a time
//
// Paths are relative to the spec file.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/config_node.hpp"
#include "dataflows/surrogate_params.hpp"
#include "models/network.hpp"
#include "search/hardware_space.hpp"
#include "search/search_space.hpp"

namespace nasaic {

struct TaskSpec {
  std::string name;
  // Exactly one of: a search space (its networks are searched) or a fixed
  // network.
  std::optional<SearchSpace> space;
  std::optional<Network> network;
  std::optional<AccuracyMethod> accuracy;  // how its networks are scored; the space's `accuracy` otherwise
  // The space's recipe that trains them (each candidate, or the supernet);
  // "" = the method's default (`supernet.recipe`, else the space's `recipe`).
  std::string recipe;
  double weight = 1;                       // in the weighted accuracy
  std::optional<double> latency_seconds;   // this task's network must finish within
};

// The simulator in the loop (spec key `simulator`).
struct SimulatorLoop {
  bool enabled = false;
  std::int64_t every = 200;
  int top = 3;
  int jobs = 2;
  double timeout_seconds = 600;
  // Refit the surrogate's parameters to the simulated candidates' layers at
  // every checkpoint, and search on with the refit surrogate.
  bool recalibrate = true;
  // Refine the default schedule of each candidate chosen for simulation
  // (refine_schedule), so the simulator checks the chip at its best.
  bool refine = true;
};

enum class ObjectiveKind { accuracy, pareto, minimize };
enum class CostMetric { makespan, energy, area, edp };
const char* cost_metric_name(CostMetric metric);

struct SearchSpec {
  std::string file;
  std::string name;
  std::uint64_t seed = 1;
  std::int64_t evaluations = 1000;
  std::vector<TaskSpec> tasks;
  HardwareSpace hardware;
  std::optional<double> makespan_seconds;
  std::optional<double> energy_pj;         // per inference of the whole workload
  std::optional<double> area_um2;
  ObjectiveKind objective = ObjectiveKind::accuracy;
  CostMetric minimize = CostMetric::makespan;  // with ObjectiveKind::minimize
  std::optional<ConfigNode> controller;    // the `controller:` map, read by make_controller
  SimulatorLoop simulator;
  SurrogateParams surrogate;
  std::string calibration_file;            // "" when the spec names none
  std::string text;                        // the file as read: a results folder keeps it

  // Whether some task's network is searched (has a space), not fixed.
  bool searches_networks() const;
};

// Throws InputError naming file, line and key.
SearchSpec load_search_spec(const std::string& path);

// How far figures exceed the specs: the summed relative excess (0 when every
// spec holds) and the violated specs named, e.g. "area 2x its spec".
struct SpecVerdict {
  double violation = 0;
  std::string reason;
};
SpecVerdict check_specs(const SearchSpec& spec, double makespan_seconds, const std::vector<double>& task_latency_seconds,
                        double energy_pj, double area_um2);

}  // namespace nasaic
