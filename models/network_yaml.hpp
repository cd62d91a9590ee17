#pragma once
// nasaic's native network format (YAML). The tree mirrors Network and Layer:
//
//   name: tiny            # network name
//   task: cifar10         # the task it solves (one network per task in a workload)
//   layers:
//     - name: conv1
//       type: conv        # conv | dwconv | fc | gemm | pool | add
//       inputs: []        # producers; [] = network input; omitted = previous layer
//       after: []         # layers that must finish first with no tensor edge
//       N: 1              # batch (default 1)
//       C: 3              # input channels
//       H: 32             # input height
//       W: 32             # input width
//       K: 16             # output channels (pool/add: omitted, equals C)
//       R: 3              # filter height
//       S: 3              # filter width
//       stride: 1         # or [vertical, horizontal]
//       padding: 1        # or [vertical, horizontal] or [top, bottom, left, right]
//       groups: 1         # dwconv: omitted, equals C
//       bits: 8           # operand width: 4, 8, 16 or 32
//       pixel_shuffle: 1  # depth-to-space factor applied to the output
//
// gemm layers use M, N, K in the GEMM sense, (M×K)·(K×N), and no other shape
// keys; fc layers use N (batch), C (in features) and K (out features).
#include <string>

#include "common/config_node.hpp"
#include "models/network.hpp"

namespace nasaic {

Network load_network_yaml(const std::string& path);
Network parse_network_yaml(const ConfigNode& root);
std::string network_to_yaml(const Network& network);

// A model argument: a zoo name, a .csv SCALE-Sim topology, or a YAML file.
Network load_model(const std::string& name_or_path);

}  // namespace nasaic
