// Speed of the analytical surrogate: single-layer estimates per template, and
// whole-workload evaluations (scheduler included) with a cold and a warm
// layer-profile cache. See benchmarks/README.md for the targets.
#include <benchmark/benchmark.h>

#include "dataflows/workload_cost.hpp"
#include "models/network_builder.hpp"
#include "models/zoo.hpp"

namespace nasaic {
namespace {

ChipSpec three_sub_chip() { return load_chip_spec(std::string(NASAIC_SOURCE_DIR) + "/configs/chips/hetero-3.yaml"); }

// A CIFAR ResNet with two blocks per stage: 23 layers with shortcuts.
Network resnet14() {
  NetworkBuilder b("resnet14", "cifar10", {3, 32, 32});
  auto x = b.conv("conv1", {}, 16, 3, 1, 1);
  std::int64_t channels = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const std::int64_t width = 16 << stage;
    for (int i = 0; i < 2; ++i) {
      const std::string p = "s" + std::to_string(stage) + "b" + std::to_string(i);
      const std::int64_t stride = stage > 0 && i == 0 ? 2 : 1;
      auto y = b.conv(p + "_a", {x}, width, 3, stride, 1);
      y = b.conv(p + "_b", {y}, width, 3, 1, 1);
      const std::string shortcut = channels != width ? b.conv(p + "_down", {x}, width, 1, stride, 0) : x;
      x = b.add(p + "_add", {y, shortcut});
      channels = width;
    }
  }
  x = b.global_pool("pool", {x});
  b.fc("fc", {x}, 10);
  return b.build();
}

void layer_estimates(benchmark::State& state, const std::string& dataflow) {
  ChipSpec chip = three_sub_chip();
  chip.sub_accelerators.resize(1);
  chip.sub_accelerators[0].dataflow = dataflow;
  Estimator estimator(chip, SurrogateParams());
  const Network network = zoo_model("resnet50");
  std::vector<Layer> layers(network.layers().begin(), network.layers().end());
  std::size_t next = 0;
  const double bandwidth = *chip.dram.bytes_per_cycle;
  for (auto _ : state) {
    const LayerProfile profile = estimator.compute_profile(layers[next], 0);
    benchmark::DoNotOptimize(layer_latency(profile, bandwidth, chip.dram.latency_cycles, estimator.params(), false));
    next = next + 1 == layers.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("ResNet-50 layers, one at a time");
}

// One cold mapping search per iteration (no cache), over every layer of the
// zoo in turn: what a search pays the first time it meets a layer shape.
void layer_mappings(benchmark::State& state, const std::string& dataflow) {
  ChipSpec chip = three_sub_chip();
  chip.sub_accelerators.resize(1);
  chip.sub_accelerators[0].dataflow = dataflow;
  const Mapper mapper(chip);
  std::vector<Layer> layers;
  for (const auto& entry : zoo_entries()) {
    const Network network = zoo_model(entry.name);
    layers.insert(layers.end(), network.layers().begin(), network.layers().end());
  }
  std::size_t next = 0;
  std::int64_t costed = 0;
  for (auto _ : state) {
    const MappingResult result = mapper.map(layers[next], 0, MappingMode::search);
    costed += result.costed;
    benchmark::DoNotOptimize(result.score.latency_cycles);
    next = next + 1 == layers.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["costed_per_layer"] = static_cast<double>(costed) / static_cast<double>(state.iterations());
  state.SetLabel(std::to_string(layers.size()) + " zoo layers, cold");
}

void workload_evaluations(benchmark::State& state, bool warm) {
  const ChipSpec chip = three_sub_chip();
  Workload workload;
  workload.networks = {zoo_model("vgg16"), resnet14()};
  const WorkloadGraph graph(workload);
  Estimator estimator(chip, SurrogateParams());
  for (auto _ : state) {
    if (!warm) estimator.clear_cache();
    const ScheduleChoice choice = default_schedule(graph, estimator);
    benchmark::DoNotOptimize(choice.estimate.makespan_cycles);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(std::to_string(workload.networks[0].size()) + " + " + std::to_string(workload.networks[1].size()) +
                 " layers on 3 sub-accelerators, " + (warm ? "warm" : "cold") + " cache");
}

// The hardware side of a co-search: every candidate is another chip (two
// sub-accelerators, each a template, PE array and buffer size from small
// lists, and a DRAM split), checked for legality (validate, and every layer
// maps somewhere) and costed with the default scheduler on VGG-16 + ResNet-14.
// Chips share one mapping cache, as a search's do; "warm" has seen every chip
// of the list once before timing, "cold" starts each candidate from an empty
// cache.
std::vector<ChipSpec> candidate_chips() {
  const ChipSpec base = three_sub_chip();
  struct SubChoice {
    std::string dataflow;
    std::int64_t rows, cols, buffer_kib;
  };
  std::vector<SubChoice> subs;
  for (const char* dataflow : {"systolic-ws", "nvdla", "eyeriss", "shidiannao"})
    for (const auto& [rows, cols] : std::vector<std::pair<std::int64_t, std::int64_t>>{{8, 8}, {16, 16}, {16, 32}, {32, 32}})
      for (std::int64_t kib : {32, 64, 128}) subs.push_back({dataflow, rows, cols, kib});
  std::vector<ChipSpec> chips;
  for (std::size_t a = 0; a < subs.size(); ++a) {
    for (std::size_t b = 0; b < subs.size(); ++b) {
      for (const double share : {0.25, 0.5, 0.75}) {
        ChipSpec chip = base;
        chip.name = "candidate" + std::to_string(chips.size());
        chip.sub_accelerators.resize(2);
        for (std::size_t s = 0; s < 2; ++s) {
          const SubChoice& choice = subs[s == 0 ? a : b];
          SubAcceleratorSpec& sub = chip.sub_accelerators[s];
          sub.dataflow = choice.dataflow;
          sub.rows = choice.rows;
          sub.cols = choice.cols;
          sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = choice.buffer_kib * 1024;
          sub.ifmap.banks = sub.filter.banks = sub.ofmap.banks = 1;
          sub.nvdla = NvdlaSpec{};
          sub.systolic_layer_overhead_cycles = 0;
          sub.bandwidth_share = s == 0 ? share : 1 - share;
        }
        chips.push_back(chip);
      }
    }
  }
  return chips;
}

// Legality and cost of one candidate; false when it is illegal.
bool evaluate_candidate(const ChipSpec& chip, const WorkloadGraph& graph, const std::shared_ptr<MappingCache>& cache,
                        double& makespan) {
  if (!validate(chip).empty()) return false;
  Estimator estimator(chip, SurrogateParams(), cache);
  const ScheduleChoice choice = default_schedule(graph, estimator);
  makespan = choice.estimate.makespan_cycles;
  return choice.estimate.feasible;
}

void distinct_chips(benchmark::State& state, bool warm) {
  const std::vector<ChipSpec> chips = candidate_chips();
  Workload workload;
  workload.networks = {zoo_model("vgg16"), resnet14()};
  const WorkloadGraph graph(workload);
  auto cache = std::make_shared<MappingCache>();
  double makespan = 0;
  std::size_t legal = 0;
  if (warm)
    for (const ChipSpec& chip : chips) legal += evaluate_candidate(chip, graph, cache, makespan);
  std::size_t next = 0;
  for (auto _ : state) {
    if (!warm) cache->clear();
    benchmark::DoNotOptimize(evaluate_candidate(chips[next], graph, cache, makespan));
    next = next + 1 == chips.size() ? 0 : next + 1;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["chips"] = static_cast<double>(chips.size());
  if (warm) state.counters["legal"] = static_cast<double>(legal);
  state.counters["cache_entries"] = static_cast<double>(cache->size());
  state.SetLabel(std::to_string(chips.size()) + " distinct 2-sub chips, VGG-16 + ResNet-14, " +
                 (warm ? "warm" : "cold") + " shared mapping cache");
}

BENCHMARK_CAPTURE(layer_estimates, systolic_os, std::string("systolic-os"));
BENCHMARK_CAPTURE(layer_estimates, systolic_ws, std::string("systolic-ws"));
BENCHMARK_CAPTURE(layer_estimates, systolic_is, std::string("systolic-is"));
BENCHMARK_CAPTURE(layer_estimates, nvdla, std::string("nvdla"));
BENCHMARK_CAPTURE(layer_estimates, shidiannao, std::string("shidiannao"));
BENCHMARK_CAPTURE(layer_estimates, eyeriss, std::string("eyeriss"));
BENCHMARK_CAPTURE(layer_mappings, systolic_os, std::string("systolic-os"));
BENCHMARK_CAPTURE(layer_mappings, nvdla, std::string("nvdla"));
BENCHMARK_CAPTURE(layer_mappings, shidiannao, std::string("shidiannao"));
BENCHMARK_CAPTURE(layer_mappings, eyeriss, std::string("eyeriss"));
BENCHMARK_CAPTURE(workload_evaluations, cold_cache, false);
BENCHMARK_CAPTURE(workload_evaluations, warm_cache, true);
BENCHMARK_CAPTURE(distinct_chips, cold, false);
BENCHMARK_CAPTURE(distinct_chips, warm, true);

}  // namespace
}  // namespace nasaic

BENCHMARK_MAIN();
