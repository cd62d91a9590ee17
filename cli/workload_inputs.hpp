#pragma once
// The options that name a chip and a workload, shared by estimate and
// simulate: --hw or --scalesim-config, --topology, --model (repeatable).
#include <CLI/CLI.hpp>
#include <string>
#include <utility>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "models/network.hpp"

namespace nasaic::cli {

struct WorkloadInputs {
  std::string hw;
  std::string scalesim_config;
  std::string topology;
  std::vector<std::string> models;
};

void add_workload_options(CLI::App* command, WorkloadInputs& inputs);
// Throws InputError for a missing or contradictory choice.
std::pair<ChipSpec, Workload> load_workload_inputs(const WorkloadInputs& inputs);

}  // namespace nasaic::cli
