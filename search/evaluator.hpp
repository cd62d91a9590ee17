#pragma once
// Staged evaluation of a co-search candidate, cheapest first:
//   1. legality: the genome builds a chip within the PE budget that validates,
//      every task's network builds, and every layer maps somewhere;
//   2. the surrogate: the default scheduler's makespan, per-task latency,
//      energy and area;
//   3. the spec check: a violator gets its penalty without training;
//   4. accuracy of every searched network (the oracle; issue 8's trainer or
//      supernet, cached);
//   5. the reward.
// An infeasible candidate is an Evaluation with its reason, never an exception.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataflows/workload_cost.hpp"
#include "search/controller.hpp"
#include "search/search_spec.hpp"

namespace nasaic {

// A reward no legal candidate gets below: a genome that builds no chip or
// network that maps.
inline constexpr double kIllegalReward = -10;

struct Evaluation {
  Genome genes;
  std::vector<Architecture> architectures;  // per task; empty for a fixed network
  bool legal = false;
  bool meets_specs = false;
  std::string reason;  // why illegal, or the specs it violates
  ChipSpec chip;
  std::shared_ptr<const Workload> workload;  // the tasks' networks, in task order
  Schedule schedule;
  double makespan_cycles = 0;
  double makespan_seconds = 0;
  double energy_pj = 0;
  double area_um2 = 0;
  std::vector<double> task_latency_seconds;
  std::vector<std::optional<double>> accuracy;  // per task; none for a fixed network or a violator
  double weighted_accuracy = 0;
  double violation = 0;  // summed relative excess over the specs
  double reward = 0;
  std::vector<double> objectives;  // to minimise
  // Seconds spent in each stage (reported, never part of a result).
  double surrogate_seconds = 0;
  double accuracy_seconds = 0;

  Outcome outcome() const { return {reward, legal && meets_specs, legal ? violation : 1e9, objectives}; }
};

// The value of a cost metric, and the value the minimise objective's reward
// divides (the spec's limit on it when there is one).
double cost_metric_value(CostMetric metric, const Evaluation& evaluation);
double cost_metric_reference(const SearchSpec& spec, CostMetric metric);

// The metric (top-1 or IoU, in [0, 1]) of `architecture` for task `task`.
using AccuracyOracle = std::function<double(std::size_t task, const Architecture& architecture)>;

class CoSearchEvaluator {
 public:
  // `accuracy` may be empty when no task has a search space.
  CoSearchEvaluator(const SearchSpec& spec, AccuracyOracle accuracy, std::shared_ptr<MappingCache> mappings = nullptr);

  const DesignSpace& design_space() const { return design_; }
  const SearchSpec& spec() const { return *spec_; }
  // Every task's decisions ("task.decision"), then the hardware's ("hw.*").
  std::size_t hardware_offset() const { return hardware_offset_; }
  // Safe to call from several threads when the oracle is.
  Evaluation evaluate(const Genome& genes) const { return evaluate(genes, true, false); }
  // Stages 1-3 only (no accuracy, so no reward), with the default schedule
  // refined (refine_schedule) when the spec's simulator loop asks for it: the
  // chip, networks and schedule a simulation job of a top candidate needs.
  Evaluation evaluate_design(const Genome& genes) const { return evaluate(genes, false, spec_->simulator.refine); }
  // Every stage, on the schedule evaluate_design gives: a top candidate as
  // the simulator checked it.
  Evaluation evaluate_final(const Genome& genes) const { return evaluate(genes, true, spec_->simulator.refine); }
  // The surrogate's parameters for every later evaluation (after a refit).
  void set_surrogate(const SurrogateParams& params) { params_ = params; }
  const SurrogateParams& surrogate() const { return params_; }

 private:
  Evaluation evaluate(const Genome& genes, bool with_accuracy, bool refine) const;

  const SearchSpec* spec_;
  AccuracyOracle accuracy_;
  std::shared_ptr<MappingCache> mappings_;
  SurrogateParams params_;
  DesignSpace design_;
  std::size_t hardware_offset_ = 0;
  // When every task's network is fixed, the graph is built once.
  std::shared_ptr<const Workload> fixed_workload_;
  std::shared_ptr<const WorkloadGraph> fixed_graph_;
};

}  // namespace nasaic
