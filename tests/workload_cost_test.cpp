#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"
#include "dataflows/scalesim_config.hpp"
#include "dataflows/workload_cost.hpp"
#include "models/zoo.hpp"
#include "tests/support/scalesim_fixtures.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

ChipSpec two_sub_chip(Arbitration arbitration, const std::string& a = "nvdla", const std::string& b = "nvdla") {
  ChipSpec chip;
  chip.name = "pair";
  chip.clock_hz = 1e9;
  chip.technology = builtin_technology();
  chip.dram.bytes_per_cycle = 16;
  chip.dram.latency_cycles = 100;
  chip.dram.burst_bytes = 64;
  chip.interconnect.arbitration = arbitration;
  chip.interconnect.link_bytes_per_cycle = 64;
  for (const auto& dataflow : {a, b}) {
    SubAcceleratorSpec sub;
    sub.name = "sub" + std::to_string(chip.sub_accelerators.size());
    sub.dataflow = dataflow;
    sub.rows = sub.cols = 16;
    sub.bandwidth_share = 0.5;
    sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = 64 * 1024;
    chip.sub_accelerators.push_back(sub);
  }
  return chip;
}

// A memory-bound network: big fully connected layers at batch 1.
Network mlp(const std::string& name) {
  Network net(name, name);
  for (int i = 0; i < 3; ++i) {
    Layer fc;
    fc.name = "fc" + std::to_string(i);
    fc.type = LayerType::fc;
    fc.C = 2048;
    fc.K = 2048;
    if (i > 0) fc.inputs = {"fc" + std::to_string(i - 1)};
    net.add(fc);
  }
  return net;
}

Schedule whole(const Workload& workload, std::vector<int> sub_of_network, std::size_t subs) {
  Schedule schedule;
  schedule.per_sub.resize(subs);
  for (std::size_t n = 0; n < workload.networks.size(); ++n) {
    for (std::size_t l : workload.networks[n].topological_order()) {
      schedule.per_sub[static_cast<std::size_t>(sub_of_network[n])].push_back({static_cast<int>(n), static_cast<int>(l)});
    }
  }
  return schedule;
}

TEST(WorkloadCost, DefaultScheduleIsCompleteAndRespectsDependencies) {
  const ChipSpec chip = load_chip_spec(testing::source_path("configs/chips/hetero-3.yaml"));
  Workload workload;
  workload.networks = {zoo_model("mobilenet_v2"), zoo_model("resnet18")};
  Estimator estimator(chip, SurrogateParams());
  const WorkloadGraph graph(workload);
  const ScheduleChoice choice = default_schedule(graph, estimator);
  ASSERT_TRUE(choice.estimate.feasible) << choice.estimate.reason;
  const WorkloadEstimate& estimate = choice.estimate;
  EXPECT_EQ(estimate.layers.size(), graph.size());
  std::set<int> seen;
  std::vector<const ScheduledLayer*> by_id(graph.size());
  for (const auto& layer : estimate.layers) {
    EXPECT_TRUE(seen.insert(graph.id(layer.ref)).second);
    by_id[static_cast<std::size_t>(graph.id(layer.ref))] = &layer;
  }
  double makespan = 0, energy = 0;
  for (const auto& layer : estimate.layers) {
    for (int p : graph.predecessors[static_cast<std::size_t>(graph.id(layer.ref))]) {
      const ScheduledLayer* producer = by_id[static_cast<std::size_t>(p)];
      const double handoff = producer->sub == layer.sub ? 0.0 : chip.dram.latency_cycles;
      EXPECT_GE(layer.start, producer->end + handoff - 1e-9);
    }
    makespan = std::max(makespan, layer.end);
    energy += layer.energy_pj;
  }
  EXPECT_DOUBLE_EQ(estimate.makespan_cycles, makespan);
  EXPECT_DOUBLE_EQ(estimate.energy_pj, energy);
  EXPECT_NEAR(estimate.area_um2, chip_area_um2(chip), 1e-6);
  // Layers on one sub-accelerator never overlap.
  for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
    std::vector<std::pair<double, double>> spans;
    for (const auto& layer : estimate.layers) {
      if (layer.sub == static_cast<int>(s)) spans.emplace_back(layer.start, layer.end);
    }
    std::sort(spans.begin(), spans.end());
    for (std::size_t i = 1; i < spans.size(); ++i) EXPECT_GE(spans[i].first, spans[i - 1].second - 1e-9);
  }
  // It is no worse than running each network whole on the fastest sub-accelerator for it.
  for (std::size_t a = 0; a < 3; ++a) {
    for (std::size_t b = 0; b < 3; ++b) {
      const WorkloadEstimate split =
          evaluate_schedule(graph, estimator, whole(workload, {static_cast<int>(a), static_cast<int>(b)}, 3));
      if (split.feasible) {
        EXPECT_LE(estimate.makespan_cycles, split.makespan_cycles + 1e-6);
      }
    }
  }
}

// The default scheduler leaves hetero-3's NVDLA core idle under ResNet-18 +
// MobileNet-V2 (issue 12); moving layers onto it shortens the makespan. The
// refined schedule is a complete, valid one: written out and read back it
// estimates the same, and refining it again finds nothing more.
TEST(WorkloadCost, RefinedScheduleIsBetterValidAndStable) {
  const ChipSpec chip = load_chip_spec(testing::source_path("configs/chips/hetero-3.yaml"));
  Workload workload;
  workload.networks = {zoo_model("resnet18"), zoo_model("mobilenet_v2")};
  const WorkloadGraph graph(workload);
  Estimator estimator(chip, SurrogateParams());
  const ScheduleChoice start = default_schedule(graph, estimator);
  ASSERT_TRUE(start.estimate.feasible);
  const ScheduleChoice refined = refine_schedule(graph, estimator, start);
  ASSERT_TRUE(refined.estimate.feasible);
  EXPECT_LT(refined.estimate.makespan_cycles, 0.95 * start.estimate.makespan_cycles);
  std::size_t placed = 0;
  for (const auto& order : refined.schedule.per_sub) placed += order.size();
  EXPECT_EQ(placed, graph.size());

  testing::TempDir dir;
  const Schedule reloaded =
      load_schedule(dir.write("refined.yaml", schedule_to_yaml(refined.schedule, workload, chip)), workload, chip);
  const WorkloadEstimate again = evaluate_schedule(graph, estimator, reloaded);
  EXPECT_EQ(again.makespan_cycles, refined.estimate.makespan_cycles);
  EXPECT_EQ(again.energy_pj, refined.estimate.energy_pj);
  const ScheduleChoice twice = refine_schedule(graph, estimator, refined);
  EXPECT_EQ(twice.estimate.makespan_cycles, refined.estimate.makespan_cycles);
  EXPECT_EQ(twice.schedule.per_sub, refined.schedule.per_sub);
  // A budget of no estimate changes nothing; one estimate moves one layer at most.
  EXPECT_EQ(refine_schedule(graph, estimator, start, 0).schedule.per_sub, start.schedule.per_sub);
  const ScheduleChoice one = refine_schedule(graph, estimator, start, 1);
  const auto sub_of = [](const Schedule& schedule, LayerRef ref) {
    for (std::size_t s = 0; s < schedule.per_sub.size(); ++s)
      for (const LayerRef& placed : schedule.per_sub[s])
        if (placed == ref) return s;
    return schedule.per_sub.size();
  };
  std::size_t moved = 0;
  for (const LayerRef& ref : graph.refs) moved += sub_of(one.schedule, ref) != sub_of(start.schedule, ref);
  EXPECT_LE(moved, 1u);
}

TEST(WorkloadCost, ConcurrentSubAcceleratorsContendForDram) {
  Workload workload;
  workload.networks = {mlp("a"), mlp("b")};
  const WorkloadGraph graph(workload);
  for (Arbitration policy : {Arbitration::round_robin, Arbitration::weighted}) {
    Estimator estimator(two_sub_chip(policy), SurrogateParams());
    Workload only_a;
    only_a.networks = {mlp("a")};
    const WorkloadGraph graph_a(only_a);
    const double a_alone = evaluate_schedule(graph_a, estimator, whole(only_a, {0}, 2)).makespan_cycles;
    const WorkloadEstimate together = evaluate_schedule(graph, estimator, whole(workload, {0, 1}, 2));
    ASSERT_TRUE(together.feasible);
    std::array<double, 2> end{};
    for (const auto& layer : together.layers) {
      end[static_cast<std::size_t>(layer.ref.network)] = std::max(end[static_cast<std::size_t>(layer.ref.network)], layer.end);
    }
    const double a_end = end[0], b_end = end[1];
    EXPECT_GT(a_end, 1.5 * a_alone) << arbitration_name(policy);
    EXPECT_GT(b_end, 1.5 * a_alone) << arbitration_name(policy);
  }
  // A static partition gives each sub-accelerator its share whether or not the other runs.
  Estimator estimator(two_sub_chip(Arbitration::static_partition), SurrogateParams());
  Workload only_a;
  only_a.networks = {mlp("a")};
  const WorkloadGraph graph_a(only_a);
  const double a_alone = evaluate_schedule(graph_a, estimator, whole(only_a, {0}, 2)).makespan_cycles;
  const WorkloadEstimate together = evaluate_schedule(graph, estimator, whole(workload, {0, 1}, 2));
  EXPECT_NEAR(together.makespan_cycles, a_alone, 1e-6 * a_alone);
  EXPECT_DOUBLE_EQ(estimator.bandwidth(0, 0b11), 8.0);
}

TEST(WorkloadCost, OnChipForwardingSkipsTheConsumersIfmapLoads) {
  Workload workload;
  workload.networks = {zoo_model("resnet20")};
  const WorkloadGraph graph(workload);
  // ShiDianNao keeps an output that fits (NVDLA never does: see mapper_test).
  Estimator estimator(two_sub_chip(Arbitration::weighted, "shidiannao", "shidiannao"), SurrogateParams());
  const WorkloadEstimate one = evaluate_schedule(graph, estimator, whole(workload, {0}, 2));
  int forwarded = 0;
  for (const auto& layer : one.layers) forwarded += layer.input_on_chip;
  EXPECT_GT(forwarded, 0);
  // Alternating sub-accelerators layer by layer forwards nothing and costs DRAM energy.
  Schedule alternating;
  alternating.per_sub.resize(2);
  int i = 0;
  for (std::size_t l : workload.networks[0].topological_order()) {
    alternating.per_sub[static_cast<std::size_t>(i++ % 2)].push_back({0, static_cast<int>(l)});
  }
  const WorkloadEstimate split = evaluate_schedule(graph, estimator, alternating);
  ASSERT_TRUE(split.feasible);
  for (const auto& layer : split.layers) EXPECT_FALSE(layer.input_on_chip);
  EXPECT_GT(split.energy_pj, one.energy_pj);
}

TEST(WorkloadCost, DeadlockedScheduleIsReportedNotHung) {
  Workload workload;
  workload.networks = {mlp("a")};
  const WorkloadGraph graph(workload);
  Estimator estimator(two_sub_chip(Arbitration::weighted), SurrogateParams());
  Schedule schedule;
  schedule.per_sub = {{{0, 2}, {0, 0}}, {{0, 1}}};  // fc2 waits on fc1, which waits on fc0, queued behind fc2
  const WorkloadEstimate estimate = evaluate_schedule(graph, estimator, schedule);
  EXPECT_FALSE(estimate.feasible);
  EXPECT_NE(estimate.reason.find("deadlocks"), std::string::npos) << estimate.reason;
}

TEST(WorkloadCost, LayerThatFitsNowhereMakesTheWorkloadInfeasible) {
  ChipSpec chip = two_sub_chip(Arbitration::weighted);
  // Both halves of an nvdla sub's shared CBUF, or it lends weight banks to data.
  for (auto& sub : chip.sub_accelerators) sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = 256;
  Workload workload;
  workload.networks = {zoo_model("resnet18")};
  Estimator estimator(chip, SurrogateParams());
  const ScheduleChoice choice = default_schedule(WorkloadGraph(workload), estimator);
  EXPECT_FALSE(choice.estimate.feasible);
  EXPECT_NE(choice.estimate.reason.find("resnet18:conv1"), std::string::npos) << choice.estimate.reason;
}

TEST(WorkloadCost, CacheGivesTheSameProfiles) {
  const ChipSpec chip = load_chip_spec(testing::source_path("configs/chips/hetero-3.yaml"));
  Estimator cached(chip, SurrogateParams());
  const Network network = zoo_model("mobilenet_v2");
  for (const auto& layer : network.layers()) {
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      EXPECT_EQ(cached.profile(layer, s).compute_cycles, cached.compute_profile(layer, s).compute_cycles);
      EXPECT_EQ(cached.profile(layer, s).dram_write_bytes, cached.compute_profile(layer, s).dram_write_bytes);
    }
  }
  EXPECT_GT(cached.cache_size(), 0u);
  EXPECT_LT(cached.cache_size(), network.size() * chip.sub_accelerators.size());
}

// The graph's profile cache serves chips that share a sub-accelerator spec,
// and a chip that shares none gets what a fresh graph gives it.
TEST(WorkloadCost, GraphProfileCacheServesChipsAlike) {
  Workload workload;
  workload.networks = {zoo_model("resnet18"), zoo_model("mobilenet_v2")};
  const WorkloadGraph graph(workload);
  const ChipSpec first = two_sub_chip(Arbitration::weighted, "nvdla", "shidiannao");
  ChipSpec second = first;
  second.sub_accelerators[1].rows = 8;  // the nvdla core is as it was
  ChipSpec third = first;
  third.sub_accelerators[0].ifmap.capacity_bytes = 16 * 1024;
  third.sub_accelerators[1].cols = 32;
  for (const ChipSpec* chip : std::vector<const ChipSpec*>{&first, &second}) {
    Estimator estimator(*chip, SurrogateParams());
    ASSERT_TRUE(default_schedule(graph, estimator).estimate.feasible);
  }
  EXPECT_EQ(graph.shape_profiles->size(), 3u);
  EXPECT_LT(graph.shapes(), graph.size());  // resnet18 repeats its block shapes
  for (const ChipSpec* chip : std::vector<const ChipSpec*>{&second, &third}) {
    Estimator warm(*chip, SurrogateParams()), fresh(*chip, SurrogateParams());
    const ScheduleChoice cached = default_schedule(graph, warm);
    const ScheduleChoice alone = default_schedule(WorkloadGraph(workload), fresh);
    EXPECT_EQ(cached.estimate.makespan_cycles, alone.estimate.makespan_cycles);
    EXPECT_EQ(cached.estimate.energy_pj, alone.estimate.energy_pj);
    EXPECT_EQ(cached.schedule.per_sub, alone.schedule.per_sub);
  }
  EXPECT_EQ(graph.shape_profiles->size(), 5u);
}

// Static power (clock, leakage, PE control) costs energy for as long as a
// layer runs, in the fluid model whose estimate the scheduler returns.
TEST(WorkloadCost, StaticEnergyFollowsEachLayersDuration) {
  Workload workload;
  workload.networks = {zoo_model("resnet18"), mlp("mlp")};
  const WorkloadGraph graph(workload);
  const ChipSpec dynamic_only = two_sub_chip(Arbitration::weighted, "nvdla", "shidiannao");
  ChipSpec leaky = dynamic_only;
  leaky.technology.leakage_pj_per_mm2_cycle = 30.0;
  leaky.technology.control_pj_per_pe_cycle = 0.01;
  Estimator plain(dynamic_only, SurrogateParams()), with_static(leaky, SurrogateParams());
  const ScheduleChoice base = default_schedule(graph, plain);
  ASSERT_TRUE(base.estimate.feasible);
  const WorkloadEstimate estimate = evaluate_schedule(graph, with_static, base.schedule);
  ASSERT_TRUE(estimate.feasible);
  EXPECT_EQ(estimate.makespan_cycles, base.estimate.makespan_cycles);
  double static_pj = 0;
  for (const ScheduledLayer& layer : estimate.layers)
    static_pj += static_energy_pj(leaky.sub_accelerators[static_cast<std::size_t>(layer.sub)], leaky.technology,
                                  layer.end - layer.start);
  EXPECT_GT(static_pj, 0.01 * base.estimate.energy_pj);
  EXPECT_NEAR(estimate.energy_pj, base.estimate.energy_pj + static_pj, 1e-9 * estimate.energy_pj);
}

TEST(SurrogateParams, LoadScaleAndRejectUnknownNames) {
  testing::TempDir dir;
  const std::string path =
      dir.write("calibration.json", R"({"parameters": {"compute_scale.systolic-ws": 2.0, "overlap": 0.5}})");
  const SurrogateParams params = load_surrogate_params(path, builtin_technology().hash);
  EXPECT_DOUBLE_EQ(params.overlap, 0.5);
  const ScalesimConfig config = parse_scalesim_config(testing::scalesim_cfg(8, 8, "ws"), "r.cfg");
  Estimator plain(config.chip, SurrogateParams()), scaled(config.chip, params);
  const Layer layer = zoo_model("resnet20").layer(1);
  const double base = layer_latency(plain.profile(layer, 0), kIdealBandwidth, 0, plain.params(), false).cycles;
  const double twice = layer_latency(scaled.profile(layer, 0), kIdealBandwidth, 0, scaled.params(), false).cycles;
  EXPECT_DOUBLE_EQ(twice, 2 * base);
  const std::string hash = builtin_technology().hash;
  EXPECT_THROW(load_surrogate_params(dir.write("bad.json", R"({"parameters": {"fudge": 1}})"), hash), InputError);
  EXPECT_THROW(load_surrogate_params(dir.write("broken.json", R"({"parameters": )"), hash), InputError);
  try {
    load_surrogate_params(dir.write("other.json", R"({"technology_hash": "0123", "parameters": {}})"), hash);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("technology table"), std::string::npos) << e.what();
  }
  try {
    load_surrogate_params(dir.write("old.json", R"({"model_version": "nasaic-surrogate-0", "parameters": {}})"), hash);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.message().find("surrogate model"), std::string::npos) << e.what();
  }
}

TEST(ScheduleFile, LoadsAndRejectsBadEntries) {
  const ChipSpec chip = two_sub_chip(Arbitration::weighted);
  Workload workload;
  workload.networks = {mlp("a"), mlp("b")};
  testing::TempDir dir;
  const Schedule schedule = load_schedule(
      dir.write("s.yaml", "schedule:\n  - sub_accelerator: sub0\n    layers: [a]\n"
                          "  - sub_accelerator: sub1\n    layers: [b:fc0, b:fc1, b:fc2]\n"),
      workload, chip);
  EXPECT_EQ(schedule.per_sub[0].size(), 3u);
  EXPECT_EQ(schedule.per_sub[1][2], (LayerRef{1, 2}));
  EXPECT_EQ(load_schedule(dir.write("again.yaml", schedule_to_yaml(schedule, workload, chip)), workload, chip).per_sub,
            schedule.per_sub);
  const auto expect_error = [&](const std::string& text, const std::string& fragment) {
    try {
      load_schedule(dir.write("bad.yaml", text), workload, chip);
      FAIL() << text;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error("schedule:\n  - sub_accelerator: gpu\n    layers: [a, b]\n", "unknown sub-accelerator 'gpu'");
  expect_error("schedule:\n  - sub_accelerator: sub0\n    layers: [a, b:fc9]\n", "unknown layer 'fc9'");
  expect_error("schedule:\n  - sub_accelerator: sub0\n    layers: [a, c]\n", "unknown network 'c'");
  expect_error("schedule:\n  - sub_accelerator: sub0\n    layers: [a, b:fc0]\n", "'b:fc1' is not scheduled");
  expect_error("schedule:\n  - sub_accelerator: sub0\n    layers: [a, b, a:fc0]\n", "scheduled twice");
}

}  // namespace
}  // namespace nasaic
