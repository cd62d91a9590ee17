// Instructions per surrogate layer estimate, counted by callgrind rather than
// timed, so the figure repeats exactly on any machine load. Each template
// estimates ResNet-50's 72 layers `rounds` times inside
// count_layer_estimates(), the one function benchmarks/callgrind collects.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dataflows/workload_cost.hpp"
#include "models/zoo.hpp"

namespace nasaic {

// Not inlined, so callgrind's --toggle-collect can find it by name.
__attribute__((noinline)) double count_layer_estimates(Estimator& estimator, const std::vector<Layer>& layers,
                                                       double bandwidth, double latency, int rounds) {
  double sum = 0;
  for (int round = 0; round < rounds; ++round) {
    for (const Layer& layer : layers) {
      const LayerProfile profile = estimator.compute_profile(layer, 0);
      sum += layer_latency(profile, bandwidth, latency, estimator.params(), false).cycles;
    }
  }
  return sum;
}

}  // namespace nasaic

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: instruction_counts TEMPLATE ROUNDS\n");
    return 2;
  }
  using namespace nasaic;
  ChipSpec chip = load_chip_spec(std::string(NASAIC_SOURCE_DIR) + "/configs/chips/hetero-3.yaml");
  chip.sub_accelerators.resize(1);
  chip.sub_accelerators[0].dataflow = argv[1];
  Estimator estimator(chip, SurrogateParams());
  const Network network = zoo_model("resnet50");
  const std::vector<Layer> layers(network.layers().begin(), network.layers().end());
  const int rounds = std::atoi(argv[2]);
  const double sum = count_layer_estimates(estimator, layers, *chip.dram.bytes_per_cycle, chip.dram.latency_cycles, rounds);
  std::printf("%zu %.0f\n", layers.size() * static_cast<std::size_t>(rounds), sum);
  return 0;
}
