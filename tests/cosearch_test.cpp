// The co-search's data side: the hardware space a spec describes, the spec
// itself, and the staged evaluator (legality, surrogate, specs, accuracy,
// reward).
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <random>

#include "common/error.hpp"
#include "search/baselines.hpp"
#include "search/evaluator.hpp"
#include "search/spec_floors.hpp"
#include "support/test_support.hpp"

namespace nasaic {
namespace {

using testing::TempDir;
using testing::source_path;

const char* kHardware = R"(hardware:
  base: BASE
  sub_accelerators: [1, 2, 3]
  templates: [nvdla, shidiannao, systolic-ws]
  pe_budget: 1024
  pe_arrays: [[16, 16], [16, 32], [32, 32]]
  buffers: [32 KiB, 128 KiB]
  bandwidth_shares: [1, 3]
)";

std::string spec_text(const std::string& specs = "", const std::string& objective = "{minimize: makespan}",
                      const std::string& tasks = "  - {name: a, network: resnet20}\n  - {name: b, network: alexnet}\n") {
  std::string hardware = kHardware;
  hardware.replace(hardware.find("BASE"), 4, source_path("configs/chips/hetero-2.yaml"));
  return "name: test\nseed: 3\nevaluations: 10\ntasks:\n" + tasks + hardware + specs + "objective: " + objective +
         "\ncontroller: {name: random}\n";
}

// A genome: sub count index, then per slot (template, array, buffer,
// bandwidth), then arbitration and bits.
Genome hardware_genome(int count_index, std::vector<std::array<int, 4>> slots) {
  Genome genes = {count_index};
  slots.resize(3, {0, 0, 0, 0});
  for (const auto& slot : slots) genes.insert(genes.end(), slot.begin(), slot.end());
  genes.push_back(0);
  genes.push_back(0);
  return genes;
}

TEST(HardwareSpace, DecodesAGenomeIntoAChipWithNormalisedSharesAndIgnoresInactiveSlots) {
  TempDir dir;
  const SearchSpec spec = load_search_spec(dir.write("search.yaml", spec_text()));
  const HardwareSpace& space = spec.hardware;
  const std::vector<Choice> choices = space.choices();
  ASSERT_EQ(choices.size(), space.gene_count());
  EXPECT_EQ(choices.size(), 1u + 3 * 4 + 2);
  EXPECT_EQ(choices[1].name, "hw.sub0.template");
  EXPECT_EQ(choices[1].options, 3);

  const Genome genes = hardware_genome(1, {{0, 1, 1, 1}, {1, 0, 0, 0}, {2, 2, 1, 1}});
  const DecodedChip decoded = decode_chip(space, genes);
  ASSERT_TRUE(decoded.legal) << decoded.reason;
  ASSERT_EQ(decoded.chip.sub_accelerators.size(), 2u);
  const SubAcceleratorSpec& first = decoded.chip.sub_accelerators[0];
  EXPECT_EQ(first.dataflow, "nvdla");
  EXPECT_EQ(first.rows, 16);
  EXPECT_EQ(first.cols, 32);
  EXPECT_EQ(first.filter.capacity_bytes, 128 * 1024);
  EXPECT_DOUBLE_EQ(first.bandwidth_share, 0.75);
  EXPECT_EQ(decoded.chip.sub_accelerators[1].dataflow, "shidiannao");
  EXPECT_DOUBLE_EQ(decoded.chip.sub_accelerators[1].bandwidth_share, 0.25);
  EXPECT_TRUE(validate(decoded.chip).empty());
  // The third slot is inactive: its genes do not change the chip.
  EXPECT_EQ(decoded.chip, decode_chip(space, hardware_genome(1, {{0, 1, 1, 1}, {1, 0, 0, 0}})).chip);
  EXPECT_NE(decoded.chip, decode_chip(space, hardware_genome(1, {{0, 1, 1, 1}, {1, 1, 0, 0}})).chip);
}

TEST(HardwareSpace, AChipOverThePeBudgetIsIllegalWithTheReason) {
  TempDir dir;
  const SearchSpec spec = load_search_spec(dir.write("search.yaml", spec_text()));
  // Two 32x32 arrays: 2,048 PEs against a budget of 1,024.
  const DecodedChip decoded = decode_chip(spec.hardware, hardware_genome(1, {{0, 2, 0, 0}, {1, 2, 0, 0}}));
  EXPECT_FALSE(decoded.legal);
  EXPECT_NE(decoded.reason.find("2048 PEs exceed the budget of 1024"), std::string::npos) << decoded.reason;
}

void expect_spec_error(const std::string& text, const std::string& key, const std::string& words) {
  TempDir dir;
  const std::string path = dir.write("search.yaml", text);
  try {
    load_search_spec(path);
    FAIL() << "accepted a spec with a bad " << key;
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_EQ(error.key(), key) << error.what();
    EXPECT_GT(error.line(), 0) << error.what();
    EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
  }
}

// The floors refuse a spec before training, so they must hold under every
// design the surrogate costs: random designs of the shipped co-search (two
// searched networks, NVDLA with Winograd among the templates) and of a spec of
// fixed networks on a systolic-free space.
TEST(SpecFloors, NoDesignTheSurrogateCostsIsBelowThem) {
  TempDir dir;
  for (const std::string& file :
       {source_path("configs/search/two-task-cosearch.yaml"), dir.write("fixed.yaml", spec_text())}) {
    SCOPED_TRACE(file);
    SearchSpec spec = load_search_spec(file);
    spec.simulator.refine = false;
    const SpecFloors floors = spec_floors(spec);
    ASSERT_TRUE(floors.makespan_seconds && floors.energy_pj);
    ASSERT_EQ(floors.task_latency_seconds.size(), spec.tasks.size());
    EXPECT_EQ(floors.pes, 1024);
    // evaluate_design never asks for accuracy.
    const CoSearchEvaluator evaluator(spec, [](std::size_t, const Architecture&) { return 0.5; });
    std::mt19937_64 engine(5);
    double tightest_makespan = 1e300, tightest_energy = 1e300;
    int legal = 0;
    for (int i = 0; i < 300; ++i) {
      Genome genes;
      for (const Choice& choice : evaluator.design_space().choices)
        genes.push_back(static_cast<int>(engine() % static_cast<std::uint64_t>(choice.options)));
      const Evaluation e = evaluator.evaluate_design(genes);
      if (!e.legal) continue;
      ++legal;
      EXPECT_GE(e.makespan_seconds, *floors.makespan_seconds);
      EXPECT_GE(e.energy_pj, *floors.energy_pj);
      for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
        ASSERT_TRUE(floors.task_latency_seconds[t].has_value());
        EXPECT_GE(e.task_latency_seconds[t], *floors.task_latency_seconds[t]);
      }
      tightest_makespan = std::min(tightest_makespan, e.makespan_seconds / *floors.makespan_seconds);
      tightest_energy = std::min(tightest_energy, e.energy_pj / *floors.energy_pj);
    }
    EXPECT_GT(legal, 100);
    // Loose, but not vacuous: a floor of zero would pass every check above.
    EXPECT_LT(tightest_makespan, 20) << tightest_makespan;
    EXPECT_LT(tightest_energy, 20) << tightest_energy;
  }
}

// Where the chip can come close to its floor (one NVDLA core, ample
// bandwidth, one large 3x3 convolution in Winograd mode), the surrogate's
// latency sits just above it: a floor without Winograd's saving, or one that
// assumed more PEs or a faster clock, would be off by 2x or more.
TEST(SpecFloors, ABusyNvdlaCoreComesCloseToTheLatencyFloor) {
  TempDir dir;
  dir.write("tech.yaml", testing::slurp(source_path("configs/technology/default-45nm.yaml")));
  dir.write("chip.yaml", R"(name: one-nvdla
clock: 1 GHz
technology: tech.yaml
dram: {bandwidth: 1 TB/s, latency: 100 ns, burst: 64 B}
interconnect: {arbitration: weighted, link_width: 1024 B/cycle}
sub_accelerators:
  - name: nvdla
    dataflow: nvdla
    pe_array: {rows: 32, cols: 16}
    bandwidth_share: 1
    buffers:
      ifmap:  {capacity: 512 KiB, banks: 8}
      filter: {capacity: 512 KiB, banks: 8}
      ofmap:  {capacity: 512 KiB, banks: 8}
)");
  dir.write("conv.yaml", R"(name: conv
task: x
layers:
  - {name: c, type: conv, inputs: [], C: 64, H: 56, W: 56, K: 64, R: 3, S: 3, stride: 1, padding: 1}
)");
  const SearchSpec spec = load_search_spec(dir.write("spec.yaml", R"(name: tight
seed: 1
evaluations: 1
tasks:
  - {name: a, network: conv.yaml}
hardware:
  base: chip.yaml
  sub_accelerators: [1]
  templates: [nvdla]
  pe_budget: 512
  pe_arrays: [[32, 16]]
  buffers: [512 KiB]
  bandwidth_shares: [1]
objective: {minimize: makespan}
controller: {name: random}
)"));
  const SpecFloors floors = spec_floors(spec);
  ASSERT_TRUE(floors.makespan_seconds.has_value());
  EXPECT_EQ(floors.pes, 512);
  const CoSearchEvaluator evaluator(spec, nullptr);
  const Evaluation e = evaluator.evaluate_design(Genome(evaluator.design_space().choices.size(), 0));
  ASSERT_TRUE(e.legal) << e.reason;
  EXPECT_GE(e.makespan_seconds, *floors.makespan_seconds);
  EXPECT_LT(e.makespan_seconds, 1.6 * *floors.makespan_seconds);
  EXPECT_GE(e.energy_pj, *floors.energy_pj);
}

TEST(SpecFloors, ASpecBelowThemIsRefusedBeforeTrainingAndOneAboveLoads) {
  TempDir dir;
  const SearchSpec loaded = load_search_spec(dir.write("fixed.yaml", spec_text()));
  const SpecFloors floors = spec_floors(loaded);
  auto quantity = [](double value, const char* unit) {
    char text[64];
    std::snprintf(text, sizeof text, "%.6g %s", value, unit);
    return std::string(text);
  };
  const double makespan_us = *floors.makespan_seconds * 1e6, energy_uj = *floors.energy_pj * 1e-6;
  expect_spec_error(spec_text("specs: {makespan: " + quantity(makespan_us * 0.99, "us") + "}\n"), "specs.makespan",
                    "no design of the space meets it: every design needs at least");
  expect_spec_error(spec_text("specs: {energy: " + quantity(energy_uj * 0.99, "uJ") + "}\n"), "specs.energy",
                    "no design of the space meets it");
  const double alexnet_us = *floors.task_latency_seconds[1] * 1e6;
  expect_spec_error(spec_text("", "{minimize: makespan}",
                              "  - {name: a, network: resnet20}\n  - {name: b, network: alexnet, latency: " +
                                  quantity(alexnet_us * 0.99, "us") + "}\n"),
                    "tasks[1].latency", "no design of the space meets it");
  EXPECT_NO_THROW(load_search_spec(dir.write(
      "above.yaml", spec_text("specs: {makespan: " + quantity(makespan_us * 1.01, "us") +
                              ", energy: " + quantity(energy_uj * 1.01, "uJ") + "}\n"))));
}

TEST(SearchSpec, BadInputNamesTheFileLineAndKey) {
  const std::string good = spec_text();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  expect_spec_error(replaced("shidiannao", "tpu"), "hardware.templates[1]", "unknown template 'tpu'");
  expect_spec_error(replaced("pe_budget: 1024", "pe_budget: 100"), "hardware.pe_budget", "no chip fits");
  expect_spec_error(replaced("[1, 2, 3]", "[1, 5]"), "hardware.sub_accelerators[1]", "out of range");
  expect_spec_error(replaced("buffers: [32 KiB, 128 KiB]", "buffers: [32 KiB, 32 KiB]"), "hardware.buffers[1]", "twice");
  expect_spec_error(replaced("{minimize: makespan}", "{minimize: latency}"), "objective.minimize", "unknown metric");
  expect_spec_error(replaced("{minimize: makespan}", "fastest"), "objective", "unknown objective");
  expect_spec_error(replaced("{minimize: makespan}", "accuracy"), "objective", "needs at least one task with a search space");
  expect_spec_error(replaced("network: resnet20}", "network: resnet20, space: x.yaml}"), "tasks[0]", "either");
  expect_spec_error(replaced("{name: b,", "{name: a,"), "tasks[1].name", "appears twice");
  expect_spec_error(replaced("network: alexnet", "network: nowhere.yaml"), "tasks[1].network", "does not exist");
  expect_spec_error(replaced("seed: 3", "sede: 3"), "sede", "");
  expect_spec_error(replaced("network: resnet20}", "network: resnet20, accuracy: supernet}"), "tasks[0].accuracy",
                    "a fixed network has no accuracy");
  expect_spec_error(replaced("network: resnet20}", "network: resnet20, recipe: demo}"), "tasks[0].recipe",
                    "a fixed network is not trained");
  expect_spec_error(replaced("seed: 3", "seed: 3\nsimulator: {every: 10, refine: sometimes}"), "simulator.refine",
                    "not a switch");
  expect_spec_error(replaced("seed: 3", "seed: 3\nsimulator: {recalibrate: 2}"), "simulator.recalibrate", "not a switch");
  expect_spec_error(good + "specs: {area: 2 GHz}\n", "specs.area", "");
  // The smallest chip: one 16x16 array and three 32 KiB buffers.
  expect_spec_error(good + "specs: {area: 0.3 mm2}\n", "specs.area", "no chip of the hardware space meets it: the smallest has");
  TempDir dir;
  std::string base = good;
  base.replace(base.find(source_path("configs/chips/hetero-2.yaml")), source_path("configs/chips/hetero-2.yaml").size(),
               "missing.yaml");
  expect_spec_error(base, "hardware.base", "does not exist");
}

TEST(HardwareSpace, AGivenChipLeavesOnlyTheNetworksToSearch) {
  TempDir dir;
  const std::string chip = source_path("configs/chips/hetero-2.yaml");
  const std::string tasks = "  - {name: fashion, space: " + source_path("configs/search/fashion-resnet.yaml") + "}\n";
  const std::string text = "name: fixed\ntasks:\n" + tasks + "hardware: {chip: " + chip +
                           "}\nobjective: accuracy\ncontroller: {name: rl}\n";
  const SearchSpec spec = load_search_spec(dir.write("fixed.yaml", text));
  EXPECT_TRUE(spec.hardware.fixed);
  // A task may train with another of its space's recipes; one it lacks is named.
  const std::string with_recipe = "  - {name: fashion, space: " + source_path("configs/search/fashion-resnet.yaml");
  EXPECT_EQ(load_search_spec(dir.write("recipe.yaml", "name: fixed\ntasks:\n" + with_recipe +
                                                          ", recipe: supernet-demo}\nhardware: {chip: " + chip +
                                                          "}\nobjective: accuracy\ncontroller: {name: rl}\n"))
                .tasks[0]
                .recipe,
            "supernet-demo");
  expect_spec_error("name: fixed\ntasks:\n" + with_recipe + ", recipe: quick}\nhardware: {chip: " + chip +
                        "}\nobjective: accuracy\ncontroller: {name: rl}\n",
                    "tasks[0].recipe", "supernet-demo");
  EXPECT_TRUE(spec.hardware.choices().empty());
  const CoSearchEvaluator evaluator(spec, [](std::size_t, const Architecture&) { return 0.5; });
  EXPECT_EQ(evaluator.design_space().choices.size(), spec.tasks[0].space->decisions.size());
  const Evaluation evaluation = evaluator.evaluate(Genome(evaluator.design_space().choices.size(), 0));
  ASSERT_TRUE(evaluation.legal) << evaluation.reason;
  EXPECT_EQ(evaluation.chip, load_chip_spec(chip));
  EXPECT_DOUBLE_EQ(evaluation.reward, 0.5);

  expect_spec_error("name: fixed\ntasks:\n  - {name: a, network: resnet20}\nhardware: {chip: " + chip +
                        "}\nobjective: {minimize: makespan}\ncontroller: {name: rl}\n",
                    "hardware", "nothing to search");
  expect_spec_error("name: fixed\ntasks:\n" + tasks + "hardware: {chip: " + chip +
                        ", templates: [nvdla]}\nobjective: accuracy\ncontroller: {name: rl}\n",
                    "hardware.templates", "");
}

Genome two_sub_genome(const CoSearchEvaluator& evaluator, std::vector<std::array<int, 4>> slots) {
  Genome genes(evaluator.hardware_offset(), 0);
  const Genome hardware = hardware_genome(1, std::move(slots));
  genes.insert(genes.end(), hardware.begin(), hardware.end());
  return genes;
}

TEST(Evaluator, CostsALegalChipAndRanksFeasibleAboveViolatorsAboveIllegal) {
  TempDir dir;
  const SearchSpec open = load_search_spec(dir.write("open.yaml", spec_text()));
  const CoSearchEvaluator evaluator(open, nullptr);
  EXPECT_EQ(evaluator.hardware_offset(), 0u);
  const Evaluation legal = evaluator.evaluate(two_sub_genome(evaluator, {{0, 1, 1, 1}, {1, 0, 0, 0}}));
  ASSERT_TRUE(legal.legal) << legal.reason;
  EXPECT_TRUE(legal.meets_specs);
  EXPECT_GT(legal.makespan_cycles, 0);
  EXPECT_DOUBLE_EQ(legal.makespan_seconds, legal.makespan_cycles / legal.chip.clock_hz);
  EXPECT_GT(legal.energy_pj, 0);
  EXPECT_GT(legal.area_um2, 0);
  ASSERT_EQ(legal.task_latency_seconds.size(), 2u);
  // The later task ends the workload.
  EXPECT_DOUBLE_EQ(std::max(legal.task_latency_seconds[0], legal.task_latency_seconds[1]), legal.makespan_seconds);
  EXPECT_GT(std::min(legal.task_latency_seconds[0], legal.task_latency_seconds[1]), 0);
  EXPECT_DOUBLE_EQ(legal.reward, 1e-3 / legal.makespan_seconds);  // the round 1 ms reference
  ASSERT_EQ(legal.objectives.size(), 1u);
  EXPECT_DOUBLE_EQ(legal.objectives[0], legal.makespan_seconds);

  const Evaluation illegal = evaluator.evaluate(two_sub_genome(evaluator, {{0, 2, 0, 0}, {1, 2, 0, 0}}));
  EXPECT_FALSE(illegal.legal);
  EXPECT_EQ(illegal.reward, kIllegalReward);
  EXPECT_FALSE(illegal.outcome().feasible);

  // The same chip against specs it misses by known factors.
  const double area_mm2 = legal.area_um2 / 1e6;
  const SearchSpec tight = load_search_spec(dir.write(
      "tight.yaml", spec_text("specs: {area: " + shortest_number(area_mm2 / 2) + " mm2, makespan: " +
                              shortest_number(legal.makespan_seconds * 1e3 * 2) + " ms}\n")));
  const CoSearchEvaluator strict(tight, nullptr);
  const Evaluation violator = strict.evaluate(two_sub_genome(strict, {{0, 1, 1, 1}, {1, 0, 0, 0}}));
  ASSERT_TRUE(violator.legal);
  EXPECT_FALSE(violator.meets_specs);
  EXPECT_NEAR(violator.violation, 1.0, 1e-9);  // twice the area spec, half the makespan spec
  EXPECT_NE(violator.reason.find("area 2x its spec"), std::string::npos) << violator.reason;
  EXPECT_EQ(violator.reason.find("makespan"), std::string::npos) << violator.reason;
  EXPECT_NEAR(violator.reward, -1.0, 1e-9);
  EXPECT_GT(violator.reward, kIllegalReward);
  EXPECT_LT(violator.reward, legal.reward);
  // Within a makespan spec, the reward is measured against the spec.
  const SearchSpec loose = load_search_spec(
      dir.write("loose.yaml", spec_text("specs: {makespan: " + shortest_number(legal.makespan_seconds * 1e3 * 2) + " ms}\n")));
  const CoSearchEvaluator relaxed(loose, nullptr);
  const Evaluation within = relaxed.evaluate(two_sub_genome(relaxed, {{0, 1, 1, 1}, {1, 0, 0, 0}}));
  EXPECT_TRUE(within.meets_specs);
  EXPECT_NEAR(within.reward, 2.0, 1e-9);
}

TEST(Evaluator, TrainsOnlyCandidatesWithinTheSpecsAndWeightsTheTasksAccuracies) {
  TempDir dir;
  const std::string tasks = "  - {name: fashion, space: " + source_path("configs/search/fashion-resnet.yaml") +
                            ", weight: 3, accuracy: supernet}\n  - {name: fixed, network: resnet20}\n";
  const SearchSpec spec = load_search_spec(dir.write("search.yaml", spec_text("", "accuracy", tasks)));
  std::atomic<int> calls = 0;
  const CoSearchEvaluator evaluator(spec, [&](std::size_t task, const Architecture& architecture) {
    ++calls;
    EXPECT_EQ(task, 0u);
    return architecture.at("bits") == 16 ? 0.9 : 0.8;
  });
  ASSERT_TRUE(spec.tasks[0].accuracy.has_value());
  EXPECT_EQ(*spec.tasks[0].accuracy, AccuracyMethod::supernet);
  EXPECT_FALSE(spec.tasks[1].accuracy.has_value());
  const std::size_t searched = evaluator.hardware_offset();
  EXPECT_EQ(searched, spec.tasks[0].space->decisions.size());
  EXPECT_EQ(evaluator.design_space().choices[0].name, "fashion." + spec.tasks[0].space->decisions[0].name);
  Genome genes = two_sub_genome(evaluator, {{0, 1, 1, 1}, {1, 0, 0, 0}});
  genes[searched - 1] = 2;  // bits: 16
  const Evaluation evaluation = evaluator.evaluate(genes);
  ASSERT_TRUE(evaluation.legal) << evaluation.reason;
  EXPECT_EQ(calls.load(), 1);
  ASSERT_TRUE(evaluation.accuracy[0].has_value());
  EXPECT_DOUBLE_EQ(*evaluation.accuracy[0], 0.9);
  EXPECT_FALSE(evaluation.accuracy[1].has_value());
  EXPECT_DOUBLE_EQ(evaluation.weighted_accuracy, 0.9);  // the fixed task has no accuracy to weigh
  EXPECT_DOUBLE_EQ(evaluation.reward, 0.9);
  EXPECT_EQ(evaluation.workload->networks.size(), 2u);

  // Half this design's energy: above what the floors refuse, below the design.
  const SearchSpec tight = load_search_spec(dir.write(
      "tight.yaml",
      spec_text("specs: {energy: " + shortest_number(evaluation.energy_pj / 2 * 1e-6) + " uJ}\n", "accuracy", tasks)));
  const CoSearchEvaluator strict(tight, [&](std::size_t, const Architecture&) {
    ++calls;
    return 1.0;
  });
  const Evaluation violator = strict.evaluate(genes);
  EXPECT_FALSE(violator.meets_specs);
  EXPECT_EQ(calls.load(), 1) << "a violator was trained";
  EXPECT_LT(violator.reward, 0);
}

// NASAIC's successive baseline: the networks for accuracy alone (no specs, no
// hardware decision), then a chip for those networks under the specs.
TEST(Successive, ChoosesTheNetworksFirstThenAChipForThemAndJudgesTheResultUnderTheWholeSpec) {
  TempDir dir;
  const std::string tasks = "  - {name: fashion, space: " + source_path("configs/search/fashion-resnet.yaml") +
                            "}\n  - {name: fixed, network: resnet20}\n";
  const SearchSpec spec =
      load_search_spec(dir.write("search.yaml", spec_text("specs: {area: 1.2 mm2}\n", "accuracy", tasks)));
  const SearchSpec networks = accuracy_only_spec(spec);
  EXPECT_TRUE(networks.hardware.fixed);
  EXPECT_FALSE(networks.area_um2.has_value());
  EXPECT_NE(networks.text, spec.text);  // its own results folder identity

  // Accuracy grows with the first stage's channels: the networks search
  // should end on the widest.
  const auto oracle = [](std::size_t, const Architecture& architecture) {
    return 0.5 + static_cast<double>(architecture.at("stage1.channels")) / 1000.0;
  };
  SearchRunOptions options;
  options.out_dir = (dir.path() / "successive").string();
  options.evaluations = 40;
  options.simulate = false;
  const SuccessiveResult result = run_successive(
      spec, oracle,
      [](const DesignSpace& space) {
        return make_evolution_controller(ConfigNode::load_string("{name: evolution, population: 8, sample: 3}", "c"), space, 1);
      },
      options);
  EXPECT_EQ(result.networks.evaluations, 40);
  EXPECT_EQ(result.hardware.evaluations, 40);
  ASSERT_TRUE(result.networks.has_best);
  ASSERT_TRUE(result.design.legal) << result.design.reason;
  EXPECT_EQ(result.design.architectures[0].at("stage1.channels"), 64);
  // The chip is the hardware search's best (or closest) for those networks.
  const SearchSpec hardware = hardware_only_spec(spec, result.design.architectures);
  EXPECT_FALSE(hardware.tasks[0].space.has_value());
  const CoSearchEvaluator hardware_evaluator(hardware, nullptr);
  const Genome& chip = result.hardware.has_best ? result.hardware.best_genes : result.hardware.closest_genes;
  EXPECT_EQ(hardware_evaluator.evaluate(chip).chip, result.design.chip);
  EXPECT_DOUBLE_EQ(result.design.weighted_accuracy, oracle(0, result.design.architectures[0]));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "successive" / "networks" / "search.db"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "successive" / "hardware" / "candidates.jsonl"));
}

}  // namespace
}  // namespace nasaic
