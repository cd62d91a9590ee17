#include "cli/workload_inputs.hpp"

#include "common/error.hpp"
#include "dataflows/scalesim_config.hpp"
#include "models/network_yaml.hpp"
#include "models/scalesim_topology.hpp"

namespace nasaic::cli {

void add_workload_options(CLI::App* command, WorkloadInputs& inputs) {
  command->add_option("--hw", inputs.hw, "chip description (YAML)");
  command->add_option("--scalesim-config", inputs.scalesim_config, "a SCALE-Sim .cfg instead of --hw");
  command->add_option("--topology", inputs.topology, "a SCALE-Sim topology CSV (with --scalesim-config or --hw)");
  command->add_option("--model", inputs.models,
                      "zoo name, topology .csv or network .yaml; repeat for a multi-DNN workload");
  command->add_option("--mapping", inputs.mapping,
                      "search (the mapper, default) or greedy (largest tiles that fit, one loop order); "
                      "overrides the chip's mapping.mode");
  command->add_option("--objective", inputs.objective,
                      "what the mapper minimises: latency (then energy), energy or edp; overrides the chip's "
                      "mapping.objective");
}

void apply_mapping_overrides(const WorkloadInputs& inputs, ChipSpec& chip) {
  if (!inputs.mapping.empty() && !parse_mapping_mode(inputs.mapping, chip.mapping.mode)) {
    throw InputError("", 0, "--mapping",
                     "unknown mapping mode '" + inputs.mapping + "'; known: " + kMappingModeNames);
  }
  if (!inputs.objective.empty() && !parse_mapping_objective(inputs.objective, chip.mapping.objective)) {
    throw InputError("", 0, "--objective",
                     "unknown mapping objective '" + inputs.objective + "'; known: " + kMappingObjectiveNames);
  }
}

std::pair<ChipSpec, Workload> load_workload_inputs(const WorkloadInputs& inputs) {
  if (inputs.hw.empty() == inputs.scalesim_config.empty()) {
    throw InputError("", 0, "--hw", "give either --hw CHIP.yaml or --scalesim-config X.cfg");
  }
  ChipSpec chip;
  Workload workload;
  std::string topology = inputs.topology;
  if (!inputs.hw.empty()) {
    chip = load_chip_spec(inputs.hw);
  } else {
    ScalesimConfig config = load_scalesim_config(inputs.scalesim_config);
    chip = config.chip;
    if (topology.empty()) topology = config.topology;
  }
  apply_mapping_overrides(inputs, chip);
  if (!topology.empty()) workload.networks.push_back(import_scalesim_topology(topology));
  for (const auto& model : inputs.models) workload.networks.push_back(load_model(model));
  if (workload.networks.empty()) throw InputError("", 0, "--model", "give at least one --model (or --topology)");
  for (std::size_t i = 0; i < workload.networks.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (workload.networks[i].name() == workload.networks[j].name()) {
        workload.networks[i].set_name(workload.networks[i].name() + "#" + std::to_string(i));
      }
    }
  }
  return {std::move(chip), std::move(workload)};
}

ScheduleChoice choose_schedule(const std::string& schedule_path, bool refine, const WorkloadGraph& graph,
                               Estimator& estimator) {
  ScheduleChoice choice;
  if (schedule_path.empty()) {
    choice = default_schedule(graph, estimator);
    if (!choice.estimate.feasible) throw InputError("", 0, "workload", choice.estimate.reason);
  } else {
    choice.schedule = load_schedule(schedule_path, *graph.workload, estimator.chip());
    choice.estimate = evaluate_schedule(graph, estimator, choice.schedule);
  }
  return refine ? refine_schedule(graph, estimator, std::move(choice)) : choice;
}

void add_refine_schedule_flag(CLI::App* command, bool& refine) {
  command->add_flag("--refine-schedule", refine,
                    "improve the schedule by moving layers between sub-accelerators while the surrogate's estimate "
                    "gets better");
}

}  // namespace nasaic::cli
