#pragma once
// The options that name a chip and a workload, shared by estimate, simulate,
// validate and map: --hw or --scalesim-config, --topology, --model
// (repeatable), and --mapping / --objective over the chip's mapping policy.
#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "dataflows/workload_cost.hpp"
#include "models/network.hpp"

namespace nasaic::cli {

struct WorkloadInputs {
  std::string hw;
  std::string scalesim_config;
  std::string topology;
  std::vector<std::string> models;
  // Override the chip's mapping policy (empty: keep the chip's).
  std::string mapping;
  std::string objective;
};

void add_workload_options(CLI::App* command, WorkloadInputs& inputs);
// Applies --mapping and --objective to `chip`; throws InputError naming the option.
void apply_mapping_overrides(const WorkloadInputs& inputs, ChipSpec& chip);
// Throws InputError for a missing or contradictory choice.
std::pair<ChipSpec, Workload> load_workload_inputs(const WorkloadInputs& inputs);

// The schedule in `schedule_path` with `estimator`'s estimate of it (which may
// be infeasible: the simulator reports a deadlock its own way), or, when the
// path is empty, the default scheduler's choice; with `refine`, improved by
// refine_schedule. Throws InputError when no schedule fits the workload.
ScheduleChoice choose_schedule(const std::string& schedule_path, bool refine, const WorkloadGraph& graph,
                               Estimator& estimator);
// The --refine-schedule flag of the commands that choose a schedule.
void add_refine_schedule_flag(CLI::App* command, bool& refine);

}  // namespace nasaic::cli
