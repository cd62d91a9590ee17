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

ScheduleChoice choose_schedule(const std::string& schedule_path, const WorkloadGraph& graph, Estimator& estimator) {
  if (schedule_path.empty()) {
    ScheduleChoice choice = default_schedule(graph, estimator);
    if (!choice.estimate.feasible) throw InputError("", 0, "workload", choice.estimate.reason);
    return choice;
  }
  ScheduleChoice choice;
  choice.schedule = load_schedule(schedule_path, *graph.workload, estimator.chip());
  choice.estimate = evaluate_schedule(graph, estimator, choice.schedule);
  return choice;
}

}  // namespace nasaic::cli
