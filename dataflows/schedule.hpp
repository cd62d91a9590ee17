#pragma once
// Which layer runs on which sub-accelerator, and in what order. The same type
// drives the surrogate and the simulator.
//
// Schedule files (YAML) list, per sub-accelerator, its layers in run order as
// "network:layer", or a bare network name for all of that network's layers
// in dependency order:
//
//   schedule:
//     - sub_accelerator: nvdla
//       layers: [resnet18]
//     - sub_accelerator: shidiannao
//       layers: [unet:down1_conv1, unet:down1_conv2]
//
// Every layer of the workload appears exactly once.
#include <string>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "models/network.hpp"

namespace nasaic {

struct LayerRef {
  int network = 0;
  int layer = 0;
  friend bool operator==(const LayerRef&, const LayerRef&) = default;
};

struct Schedule {
  std::vector<std::vector<LayerRef>> per_sub;  // run order on each sub-accelerator
};

Schedule load_schedule(const std::string& path, const Workload& workload, const ChipSpec& chip);
std::string schedule_to_yaml(const Schedule& schedule, const Workload& workload, const ChipSpec& chip);

}  // namespace nasaic
