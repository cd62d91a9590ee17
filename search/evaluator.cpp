#include "search/evaluator.hpp"

#include <chrono>

#include "common/error.hpp"
#include "common/units.hpp"

namespace nasaic {
namespace {

// Fluid evaluations a top candidate's schedule refinement may spend: a few
// passes over a two-network workload's layers.
constexpr int kRefineEvaluations = 1000;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CoSearchEvaluator::CoSearchEvaluator(const SearchSpec& spec, AccuracyOracle accuracy, std::shared_ptr<MappingCache> mappings)
    : spec_(&spec),
      accuracy_(std::move(accuracy)),
      mappings_(mappings ? std::move(mappings) : std::make_shared<MappingCache>()),
      params_(spec.surrogate) {
  for (const TaskSpec& task : spec.tasks) {
    if (!task.space) continue;
    for (const Decision& decision : task.space->decisions)
      design_.choices.push_back({task.name + "." + decision.name, static_cast<int>(decision.values.size())});
  }
  hardware_offset_ = design_.choices.size();
  for (Choice choice : spec.hardware.choices()) design_.choices.push_back(std::move(choice));
  NASAIC_CHECK(!spec.searches_networks() || accuracy_, "a searched task needs an accuracy oracle");
  if (!spec.searches_networks()) {
    auto workload = std::make_shared<Workload>();
    for (const TaskSpec& task : spec.tasks) workload->networks.push_back(*task.network);
    fixed_workload_ = workload;
    fixed_graph_ = std::make_shared<const WorkloadGraph>(*fixed_workload_);
  }
}

Evaluation CoSearchEvaluator::evaluate(const Genome& genes, bool with_accuracy, bool refine) const {
  NASAIC_CHECK(design_.contains(genes), "a genome outside the design space");
  const auto surrogate_start = std::chrono::steady_clock::now();
  Evaluation evaluation;
  evaluation.genes = genes;
  const SearchSpec& spec = *spec_;

  // 1. Legality: networks, chip, and (below) every layer mapping somewhere.
  std::shared_ptr<const WorkloadGraph> graph = fixed_graph_;
  evaluation.workload = fixed_workload_;
  std::size_t gene = 0;
  auto workload = fixed_workload_ ? nullptr : std::make_shared<Workload>();
  for (const TaskSpec& task : spec.tasks) {
    Architecture architecture;
    if (task.space) {
      for (const Decision& decision : task.space->decisions)
        architecture.choices.emplace_back(decision.name, decision.values[static_cast<std::size_t>(genes[gene++])]);
      try {
        workload->networks.push_back(task.space->network(architecture, task.name));
      } catch (const InputError& error) {
        // A family refuses an architecture that does not fit its input.
        evaluation.reason = "task " + task.name + ": " + error.message();
      }
    } else if (workload) {
      workload->networks.push_back(*task.network);
    }
    evaluation.architectures.push_back(std::move(architecture));
  }
  const Genome hardware(genes.begin() + static_cast<std::ptrdiff_t>(hardware_offset_), genes.end());
  DecodedChip decoded = decode_chip(spec.hardware, hardware);
  evaluation.chip = std::move(decoded.chip);
  if (evaluation.reason.empty() && !decoded.legal) evaluation.reason = decoded.reason;
  if (!evaluation.reason.empty()) {
    evaluation.reward = kIllegalReward;
    evaluation.surrogate_seconds = seconds_since(surrogate_start);
    return evaluation;
  }
  if (workload) {
    evaluation.workload = workload;
    graph = std::make_shared<const WorkloadGraph>(*workload);
  }

  // 2. The surrogate.
  Estimator estimator(evaluation.chip, params_, mappings_);
  ScheduleChoice choice = default_schedule(*graph, estimator);
  if (refine) choice = refine_schedule(*graph, estimator, std::move(choice), kRefineEvaluations);
  evaluation.surrogate_seconds = seconds_since(surrogate_start);
  if (!choice.estimate.feasible) {
    evaluation.reason = choice.estimate.reason;
    evaluation.reward = kIllegalReward;
    return evaluation;
  }
  evaluation.legal = true;
  const WorkloadEstimate& estimate = choice.estimate;
  evaluation.schedule = std::move(choice.schedule);
  evaluation.makespan_cycles = estimate.makespan_cycles;
  evaluation.makespan_seconds = estimate.makespan_cycles / evaluation.chip.clock_hz;
  evaluation.energy_pj = estimate.energy_pj;
  evaluation.area_um2 = estimate.area_um2;
  evaluation.task_latency_seconds.assign(spec.tasks.size(), 0);
  for (const ScheduledLayer& layer : estimate.layers) {
    double& latency = evaluation.task_latency_seconds[static_cast<std::size_t>(layer.ref.network)];
    latency = std::max(latency, layer.end / evaluation.chip.clock_hz);
  }

  // 3. The specs.
  const SpecVerdict verdict = check_specs(spec, evaluation.makespan_seconds, evaluation.task_latency_seconds,
                                         evaluation.energy_pj, evaluation.area_um2);
  evaluation.violation = verdict.violation;
  evaluation.reason = verdict.reason;
  evaluation.meets_specs = evaluation.violation == 0;

  // 4. Accuracy, for candidates within the specs only.
  evaluation.accuracy.assign(spec.tasks.size(), std::nullopt);
  if (!with_accuracy) return evaluation;
  if (evaluation.meets_specs && accuracy_) {
    const auto accuracy_start = std::chrono::steady_clock::now();
    double weights = 0;
    for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
      if (!spec.tasks[t].space) continue;
      evaluation.accuracy[t] = accuracy_(t, evaluation.architectures[t]);
      evaluation.weighted_accuracy += spec.tasks[t].weight * *evaluation.accuracy[t];
      weights += spec.tasks[t].weight;
    }
    if (weights > 0) evaluation.weighted_accuracy /= weights;
    evaluation.accuracy_seconds = seconds_since(accuracy_start);
  }

  // 5. The reward: higher is better, and every feasible candidate beats every
  // violator, which beats every illegal one.
  switch (spec.objective) {
    case ObjectiveKind::accuracy:
    case ObjectiveKind::pareto:
      evaluation.reward = evaluation.meets_specs ? evaluation.weighted_accuracy : -evaluation.violation;
      break;
    case ObjectiveKind::minimize: {
      const double value = cost_metric_value(spec.minimize, evaluation);
      evaluation.reward = evaluation.meets_specs ? cost_metric_reference(spec, spec.minimize) / value : -evaluation.violation;
      break;
    }
  }
  if (!evaluation.meets_specs) evaluation.reward = std::max(evaluation.reward, kIllegalReward / 2);
  switch (spec.objective) {
    case ObjectiveKind::accuracy: evaluation.objectives = {-evaluation.weighted_accuracy}; break;
    case ObjectiveKind::minimize: evaluation.objectives = {cost_metric_value(spec.minimize, evaluation)}; break;
    case ObjectiveKind::pareto:
      evaluation.objectives = {-evaluation.weighted_accuracy, evaluation.makespan_seconds, evaluation.energy_pj,
                               evaluation.area_um2};
      break;
  }
  return evaluation;
}

double cost_metric_value(CostMetric metric, const Evaluation& evaluation) {
  switch (metric) {
    case CostMetric::makespan: return evaluation.makespan_seconds;
    case CostMetric::energy: return evaluation.energy_pj;
    case CostMetric::area: return evaluation.area_um2;
    case CostMetric::edp: return evaluation.makespan_seconds * evaluation.energy_pj;
  }
  return 0;
}

double cost_metric_reference(const SearchSpec& spec, CostMetric metric) {
  // The spec's limit when it has one, else a round unit (1 ms, 1 mJ, 1 mm²).
  const double makespan = spec.makespan_seconds.value_or(1e-3);
  const double energy = spec.energy_pj.value_or(1e9);
  switch (metric) {
    case CostMetric::makespan: return makespan;
    case CostMetric::energy: return energy;
    case CostMetric::area: return spec.area_um2.value_or(1e6);
    case CostMetric::edp: return makespan * energy;
  }
  return 1;
}

}  // namespace nasaic
