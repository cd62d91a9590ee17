// What the mapper buys over the greedy rule on the model zoo: for every
// template, every layer of every zoo network mapped on a 16×16 array with
// 64 KiB per buffer and 16 B/cycle of DRAM to itself, the mean PE
// utilisation (MACs / (latency × PEs)) under each, and the summed latency.
// Utilisation counts the layer's direct-convolution MACs, so NVDLA's
// Winograd layers can exceed 100 %.
#include <cstdio>

#include "dataflows/mapper.hpp"
#include "models/zoo.hpp"

int main() {
  using namespace nasaic;
  std::printf("| template | layers | mean utilisation, greedy | mean utilisation, mapped | gain (points) | summed latency, greedy / mapped |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const auto& name : template_names()) {
    ChipSpec chip;
    chip.name = "one";
    chip.clock_hz = 1e9;
    chip.technology = builtin_technology();
    chip.dram.bytes_per_cycle = 16;
    chip.dram.latency_cycles = 100;
    chip.dram.burst_bytes = 64;
    chip.interconnect.link_bytes_per_cycle = 64;
    SubAcceleratorSpec sub;
    sub.name = name;
    sub.dataflow = name;
    sub.rows = sub.cols = 16;
    sub.bandwidth_share = 1;
    sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = 64 * 1024;
    sub.ifmap.banks = sub.filter.banks = 16;
    chip.sub_accelerators.push_back(sub);
    const Mapper mapper(chip);
    double util_greedy = 0, util_mapped = 0, latency_greedy = 0, latency_mapped = 0;
    int layers = 0;
    for (const auto& entry : zoo_entries()) {
      const Network network = zoo_model(entry.name);
      for (const Layer& layer : network.layers()) {
        if (layer.macs() == 0) continue;  // pool and add: no MAC array utilisation
        const MappingResult greedy = mapper.map(layer, 0, MappingMode::greedy);
        const MappingResult mapped = mapper.map(layer, 0, MappingMode::search);
        if (!greedy.plan.feasible || !mapped.plan.feasible) continue;
        const double pes = static_cast<double>(sub.pes()), macs = static_cast<double>(layer.macs());
        util_greedy += macs / (greedy.score.latency_cycles * pes);
        util_mapped += macs / (mapped.score.latency_cycles * pes);
        latency_greedy += greedy.score.latency_cycles;
        latency_mapped += mapped.score.latency_cycles;
        ++layers;
      }
    }
    std::printf("| %s | %d | %.1f %% | %.1f %% | %+.1f | %.3fx |\n", name.c_str(), layers, 100 * util_greedy / layers,
                100 * util_mapped / layers, 100 * (util_mapped - util_greedy) / layers, latency_greedy / latency_mapped);
  }
  return 0;
}
