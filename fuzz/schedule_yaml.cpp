#include "common/config_node.hpp"
#include "dataflows/schedule.hpp"
#include "dataflows/workload_cost.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "models/network_yaml.hpp"

namespace nasaic::fuzz {
namespace {

// A small fixed workload and chip for schedules to name: two networks (one
// with a residual join, so some orders deadlock across sub-accelerators) on
// the two sub-accelerators of configs/chips/hetero-2.yaml. Built from text so
// the target reads no file but its input.
constexpr const char* kNetworks[] = {
    "name: tiny\nlayers:\n"
    "  - {name: stem, type: conv, inputs: [], C: 3, H: 16, W: 16, K: 8, R: 3, S: 3, padding: 1}\n"
    "  - {name: conv, type: conv, C: 8, H: 16, W: 16, K: 8, R: 3, S: 3, padding: 1}\n"
    "  - {name: add, type: add, inputs: [stem, conv], C: 8, H: 16, W: 16}\n"
    "  - {name: pool, type: pool, C: 8, H: 16, W: 16, R: 2, S: 2, stride: 2}\n"
    "  - {name: fc, type: fc, C: 512, K: 10}\n",
    "name: mlp\nlayers:\n"
    "  - {name: fc0, type: fc, C: 64, K: 64}\n"
    "  - {name: fc1, type: fc, C: 64, K: 64}\n",
};

constexpr const char* kChip =
    "name: fuzz-pair\nclock: 1 GHz\ntechnology: built-in\n"
    "dram: {bandwidth: 25.6 GB/s, latency: 100 ns, burst: 64 B}\n"
    "interconnect: {arbitration: weighted, link_width: 32 B/cycle}\n"
    "sub_accelerators:\n"
    "  - name: nvdla\n    dataflow: nvdla\n    pe_array: {rows: 8, cols: 8}\n    bandwidth_share: 0.6\n"
    "    buffers: {ifmap: {capacity: 16 KiB}, filter: {capacity: 16 KiB}, ofmap: {capacity: 16 KiB}}\n"
    "  - name: shidiannao\n    dataflow: shidiannao\n    pe_array: {rows: 8, cols: 8}\n    bandwidth_share: 0.4\n"
    "    buffers: {ifmap: {capacity: 16 KiB}, filter: {capacity: 16 KiB}, ofmap: {capacity: 16 KiB}}\n";

struct Fixture {
  Workload workload;
  ChipSpec chip;
  WorkloadGraph graph;
  Estimator estimator;

  static Workload make_workload() {
    Workload workload;
    for (const char* text : kNetworks) {
      workload.networks.push_back(parse_network_yaml(ConfigNode::load_string(text, "fuzz-workload.yaml")));
    }
    return workload;
  }
  Fixture()
      : workload(make_workload()),
        chip(load_chip_spec(scratch_file("fuzz-chip.yaml", kChip))),
        graph(workload),
        estimator(chip, SurrogateParams()) {}
};

volatile double sink;

}  // namespace

int schedule_yaml(std::string_view input) {
  static Fixture fixture;
  const std::string path = scratch_file("schedule.yaml", input);
  return accept_or_reject([&] {
    const Schedule schedule = load_schedule(path, fixture.workload, fixture.chip);
    // What estimate/simulate do next with a given schedule: a deadlocking
    // order comes back infeasible with its reason.
    const WorkloadEstimate estimate = evaluate_schedule(fixture.graph, fixture.estimator, schedule);
    sink = estimate.makespan_cycles;
    sink = static_cast<double>(schedule_to_yaml(schedule, fixture.workload, fixture.chip).size());
  });
}

}  // namespace nasaic::fuzz
