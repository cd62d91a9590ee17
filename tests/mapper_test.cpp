// The per-layer mapper: never worse than the greedy rule, equal to the
// enumerated optimum where the space is small, deterministic and cached.
#include "dataflows/mapper.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/error.hpp"
#include "dataflows/estimator.hpp"
#include "models/zoo.hpp"
#include "support/test_support.hpp"

namespace nasaic {
namespace {

// One sub-accelerator per template, all alike: 16×16 PEs, 64 KiB buffers,
// 16 B/cycle of DRAM shared by all.
ChipSpec every_template_chip(std::int64_t side = 16, std::int64_t buffer_bytes = 64 * 1024) {
  ChipSpec chip;
  chip.name = "all";
  chip.clock_hz = 1e9;
  chip.technology = builtin_technology();
  chip.dram.bytes_per_cycle = 16;
  chip.dram.latency_cycles = 100;
  chip.dram.burst_bytes = 64;
  chip.interconnect.arbitration = Arbitration::static_partition;
  chip.interconnect.link_bytes_per_cycle = 64;
  for (const auto& name : template_names()) {
    SubAcceleratorSpec sub;
    sub.name = name;
    sub.dataflow = name;
    sub.rows = sub.cols = side;
    sub.bandwidth_share = 1.0 / static_cast<double>(template_names().size());
    sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = buffer_bytes;
    chip.sub_accelerators.push_back(sub);
  }
  return chip;
}

// Every layer shape of the zoo once.
std::vector<Layer> zoo_layers() {
  std::vector<Layer> layers;
  std::set<std::string> seen;
  for (const auto& entry : zoo_entries()) {
    const Network net = zoo_model(entry.name);
    for (std::size_t i = 0; i < net.size(); ++i) {
      Layer layer = net.layer(i);
      const std::string key = std::to_string(static_cast<int>(layer.type)) + "/" + std::to_string(layer.N) + "/" +
                              std::to_string(layer.C) + "/" + std::to_string(layer.H) + "/" + std::to_string(layer.W) +
                              "/" + std::to_string(layer.K) + "/" + std::to_string(layer.R) + "/" +
                              std::to_string(layer.S) + "/" + std::to_string(layer.stride_h) + "/" +
                              std::to_string(layer.groups) + "/" + std::to_string(layer.padding.top) + "/" +
                              std::to_string(layer.inputs.size());
      if (seen.insert(key).second) layers.push_back(layer);
    }
  }
  return layers;
}

// A conv layer of random C and K in [channels_min, channels_max] and square
// input side in [side_min, side_max], R × R filters, padded to keep the size
// when R is 3.
Layer random_conv(std::mt19937_64& random, std::int64_t channels_min, std::int64_t channels_max,
                  std::int64_t side_min, std::int64_t side_max, std::int64_t R) {
  Layer layer;
  layer.name = "random";
  layer.type = LayerType::conv;
  layer.C = std::uniform_int_distribution<std::int64_t>(channels_min, channels_max)(random);
  layer.K = std::uniform_int_distribution<std::int64_t>(channels_min, channels_max)(random);
  layer.H = layer.W = std::uniform_int_distribution<std::int64_t>(side_min, side_max)(random);
  layer.R = layer.S = R;
  if (R == 3) layer.padding = {1, 1, 1, 1};
  return layer;
}

// The whole space, enumerated here rather than by the mapper: every loop
// order and spatial choice, every kept tile per loop, plus the greedy mapping.
std::vector<Mapping> whole_space(const DataflowTemplate& dataflow, const Layer& layer, const SubAcceleratorSpec& sub) {
  const MappingSpace space = dataflow.mapping_space(layer, sub);
  std::vector<std::vector<std::int64_t>> tiles;
  std::size_t combinations = 1;
  for (int i = 0; i < space.loop_count; ++i) {
    tiles.push_back(tile_options(space.loops[i]));
    combinations *= tiles.back().size();
  }
  std::vector<Mapping> all{dataflow.greedy_mapping(layer, sub)};
  for (int spatial = 0; spatial < space.spatial_choices; ++spatial) {
    for (const auto& order : space.orders) {
      for (std::size_t c = 0; c < combinations; ++c) {
        Mapping m;
        m.order = order;
        m.spatial = spatial;
        std::size_t rest = c;
        for (int i = 0; i < space.loop_count; ++i) {
          m.tiles[i] = tiles[static_cast<std::size_t>(i)][rest % tiles[static_cast<std::size_t>(i)].size()];
          rest /= tiles[static_cast<std::size_t>(i)].size();
        }
        all.push_back(m);
      }
    }
  }
  return all;
}

// The best score over the whole space, costed one by one.
MappingScore enumerated_optimum(const Mapper& mapper, const Layer& layer, std::size_t s, bool& any) {
  const SubAcceleratorSpec& sub = mapper.chip().sub_accelerators[s];
  MappingScore best;
  any = false;
  for (const Mapping& m : whole_space(mapper.dataflow(s), layer, sub)) {
    const TilePlan plan = mapper.dataflow(s).plan(layer, sub, m);
    if (!plan.feasible) continue;
    const MappingScore score = mapper.score(mapper.profile(layer, plan, s), s);
    if (!any || better_score(score, best, mapper.chip().mapping.objective)) best = score;
    any = true;
  }
  return best;
}

TEST(Mapper, NeverWorseThanGreedyOnAnyZooLayerAndTemplate) {
  const ChipSpec chip = every_template_chip();
  const Mapper mapper(chip);
  std::map<std::string, int> improved;
  int compared = 0;
  for (const Layer& layer : zoo_layers()) {
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      const MappingResult greedy = mapper.map(layer, s, MappingMode::greedy);
      const MappingResult searched = mapper.map(layer, s, MappingMode::search);
      ASSERT_EQ(greedy.plan.feasible, searched.plan.feasible) << layer.name;
      if (!greedy.plan.feasible) continue;
      ++compared;
      EXPECT_LE(searched.score.latency_cycles, greedy.score.latency_cycles)
          << layer.name << " on " << chip.sub_accelerators[s].dataflow;
      if (searched.score.latency_cycles < greedy.score.latency_cycles) ++improved[chip.sub_accelerators[s].dataflow];
    }
  }
  EXPECT_GT(compared, 500);
  // The search finds better mappings on every template with tiles to choose.
  for (const char* name : {"nvdla", "shidiannao", "eyeriss"}) EXPECT_GT(improved[name], 0) << name;
}

TEST(Mapper, EqualsTheEnumeratedOptimumWhereTheSpaceIsSmall) {
  const ChipSpec chip = every_template_chip(4, 2048);
  const Mapper mapper(chip);
  std::mt19937_64 random(7);
  int exhaustive = 0;
  for (int i = 0; i < 400; ++i) {
    const Layer layer = random_conv(random, 1, 6, 3, 8, std::uniform_int_distribution<int>(0, 1)(random) ? 3 : 1);
    ASSERT_EQ(layer.validate(), "");
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      const MappingResult result = mapper.map(layer, s, MappingMode::search);
      if (!result.exhaustive || !result.plan.feasible) continue;
      ++exhaustive;
      bool any = false;
      const MappingScore optimum = enumerated_optimum(mapper, layer, s, any);
      ASSERT_TRUE(any);
      EXPECT_EQ(result.score.latency_cycles, optimum.latency_cycles) << chip.sub_accelerators[s].dataflow;
      EXPECT_EQ(result.score.energy_pj, optimum.energy_pj) << chip.sub_accelerators[s].dataflow;
    }
  }
  EXPECT_GT(exhaustive, 400);
}

TEST(Mapper, PrunedSearchComesCloseToTheEnumeratedOptimum) {
  // Mid-sized layers whose whole space can still be costed here: the pruned
  // search must land near the optimum (figures printed for the notes).
  const ChipSpec chip = every_template_chip(8, 16 * 1024);
  const Mapper mapper(chip);
  std::mt19937_64 random(11);
  double worst = 1, sum = 0;
  int pruned = 0, optimal = 0;
  for (int i = 0; i < 30; ++i) {
    const Layer layer = random_conv(random, 8, 96, 7, 28, 3);
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      const MappingResult result = mapper.map(layer, s, MappingMode::search);
      if (result.exhaustive || !result.plan.feasible) continue;
      bool any = false;
      const MappingScore optimum = enumerated_optimum(mapper, layer, s, any);
      ASSERT_TRUE(any);
      const double ratio = result.score.latency_cycles / optimum.latency_cycles;
      // The descent may step from the greedy tile, which the enumerated tile
      // sizes need not contain, to a mapping better than their optimum.
      worst = std::max(worst, ratio);
      sum += std::max(1.0, ratio);
      optimal += ratio <= 1.0;
      ++pruned;
    }
  }
  ASSERT_GT(pruned, 50);
  std::printf("pruned search on %d layer mappings: optimal %d, mean %.4fx, worst %.4fx the enumerated optimum\n",
              pruned, optimal, sum / pruned, worst);
  EXPECT_LT(sum / pruned, 1.08);
  EXPECT_LT(worst, 1.5);
}

TEST(Mapper, ObjectivesTradeLatencyForEnergy) {
  ChipSpec chip = every_template_chip();
  int differ = 0;
  for (const Layer& layer : zoo_layers()) {
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      chip.mapping.objective = MappingObjective::latency;
      const MappingResult fast = Mapper(chip).map(layer, s, MappingMode::search);
      chip.mapping.objective = MappingObjective::energy;
      const MappingResult frugal = Mapper(chip).map(layer, s, MappingMode::search);
      chip.mapping.objective = MappingObjective::edp;
      const MappingResult balanced = Mapper(chip).map(layer, s, MappingMode::search);
      if (!fast.plan.feasible) continue;
      // Each objective beats the others' choices on its own measure, where
      // its search saw them (exhaustive spaces see everything).
      if (fast.exhaustive) {
        EXPECT_LE(fast.score.latency_cycles, frugal.score.latency_cycles);
        EXPECT_LE(frugal.score.energy_pj, fast.score.energy_pj);
        EXPECT_LE(balanced.score.latency_cycles * balanced.score.energy_pj,
                  fast.score.latency_cycles * fast.score.energy_pj);
      }
      differ += !(fast.plan.mapping == frugal.plan.mapping);
    }
  }
  EXPECT_GT(differ, 0);
}

TEST(Mapper, CachedPlansEqualFreshOnesAndTheCacheServesOtherChips) {
  const ChipSpec chip = every_template_chip();
  auto cache = std::make_shared<MappingCache>();
  Mapper mapper(chip, cache);
  const Network net = zoo_model("resnet18");
  for (std::size_t i = 0; i < net.size(); ++i) {
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      const TilePlan first = mapper.plan(net.layer(i), s);
      const TilePlan again = mapper.plan(net.layer(i), s);
      const MappingResult fresh = mapper.map(net.layer(i), s, MappingMode::search);
      EXPECT_EQ(first.mapping, fresh.plan.mapping);
      EXPECT_EQ(again.mapping, fresh.plan.mapping);
      EXPECT_EQ(again.totals.compute_cycles, fresh.plan.totals.compute_cycles);
    }
  }
  const std::size_t known = cache->size();
  EXPECT_GT(known, 0u);
  // Another chip with the same sub-accelerators, in reverse order and under
  // other names, finds every mapping in the shared cache.
  ChipSpec other = chip;
  other.name = "other";
  std::reverse(other.sub_accelerators.begin(), other.sub_accelerators.end());
  for (auto& sub : other.sub_accelerators) sub.name += "-renamed";
  Mapper second(other, cache);
  for (std::size_t i = 0; i < net.size(); ++i) {
    for (std::size_t s = 0; s < other.sub_accelerators.size(); ++s) second.plan(net.layer(i), s);
  }
  EXPECT_EQ(cache->size(), known);
  // A chip with less bandwidth maps for it: new entries.
  ChipSpec narrow = chip;
  narrow.dram.bytes_per_cycle = 2;
  Mapper third(narrow, cache);
  third.plan(net.layer(1), 0);
  EXPECT_EQ(cache->size(), known + 1);
}

// A bounded cache forgets its oldest entries and still hands out what the
// mapper computes; the technology is keyed by its values, so tables built in
// code (which have no file hash) do not share entries.
TEST(Mapper, BoundedCacheKeysTechnologyByValue) {
  const ChipSpec chip = every_template_chip();
  const Network net = zoo_model("resnet18");
  auto small = std::make_shared<MappingCache>(8);
  Mapper bounded(chip, small);
  Mapper unbounded(chip);
  for (std::size_t i = 0; i < net.size(); ++i) {
    for (std::size_t s = 0; s < chip.sub_accelerators.size(); ++s) {
      EXPECT_EQ(bounded.plan(net.layer(i), s).mapping, unbounded.plan(net.layer(i), s).mapping);
      EXPECT_EQ(bounded.profile(net.layer(i), s)->compute_cycles, unbounded.profile(net.layer(i), s)->compute_cycles);
      EXPECT_LE(small->size(), 8u);
    }
  }
  EXPECT_EQ(small->size(), 8u);

  ChipSpec coded = chip;
  coded.technology.hash.clear();
  ChipSpec costly = coded;
  costly.technology.mac_energy_int8_pj *= 4;
  costly.technology.mac_energy_int16_pj *= 4;
  ASSERT_EQ(coded.technology.hash, costly.technology.hash);
  auto shared = std::make_shared<MappingCache>();
  Mapper first(coded, shared), second(costly, shared);
  const std::size_t eyeriss = static_cast<std::size_t>(chip.find("eyeriss"));
  const LayerProfile cheap_profile = *first.profile(net.layer(2), eyeriss);
  const LayerProfile costly_profile = *second.profile(net.layer(2), eyeriss);
  EXPECT_EQ(shared->size(), 2u);
  EXPECT_EQ(costly_profile.energy.mac_pj, 4 * cheap_profile.energy.mac_pj);
}

// Estimators of different chips on several threads, sharing one cache, get
// what each computes alone.
TEST(Mapper, SharedCacheServesThreads) {
  const ChipSpec base = every_template_chip();
  const Network net = zoo_model("resnet18");
  std::vector<ChipSpec> chips;
  for (std::int64_t rows : {8, 16, 12, 16}) {
    ChipSpec chip = base;
    for (auto& sub : chip.sub_accelerators)
      if (sub.dataflow != "eyeriss") sub.rows = rows;  // eyeriss keeps its PE-set geometry
    chips.push_back(chip);
  }
  auto shared = std::make_shared<MappingCache>(64);  // small enough to evict while others read
  std::vector<std::vector<std::int64_t>> threaded(chips.size());
  std::vector<std::thread> threads;
  for (std::size_t c = 0; c < chips.size(); ++c) {
    threads.emplace_back([&, c] {
      Mapper mapper(chips[c], shared);
      for (int round = 0; round < 2; ++round)
        for (std::size_t i = 0; i < net.size(); ++i)
          for (std::size_t s = 0; s < chips[c].sub_accelerators.size(); ++s)
            threaded[c].push_back(mapper.profile(net.layer(i), s)->compute_cycles);
    });
  }
  for (auto& thread : threads) thread.join();
  for (std::size_t c = 0; c < chips.size(); ++c) {
    Mapper alone(chips[c]);
    std::vector<std::int64_t> expected;
    for (int round = 0; round < 2; ++round)
      for (std::size_t i = 0; i < net.size(); ++i)
        for (std::size_t s = 0; s < chips[c].sub_accelerators.size(); ++s)
          expected.push_back(alone.profile(net.layer(i), s)->compute_cycles);
    EXPECT_EQ(threaded[c], expected) << "chip " << c;
  }
  EXPECT_LE(shared->size(), 64u);
}

TEST(Mapper, EstimatorProfilesFollowThePolicy) {
  ChipSpec chip = every_template_chip();
  const Network net = zoo_model("resnet18");
  const std::size_t shidiannao = static_cast<std::size_t>(chip.find("shidiannao"));
  double searched = 0, greedy = 0;
  for (MappingMode mode : {MappingMode::search, MappingMode::greedy}) {
    chip.mapping.mode = mode;
    Estimator estimator(chip, SurrogateParams());
    double total = 0;
    for (std::size_t i = 0; i < net.size(); ++i) {
      const LayerProfile& profile = estimator.profile(net.layer(i), shidiannao);
      const TilePlan plan = mode == MappingMode::greedy
                                ? find_template("shidiannao").plan(net.layer(i), chip.sub_accelerators[shidiannao])
                                : Mapper(chip).map(net.layer(i), shidiannao, mode).plan;
      EXPECT_EQ(profile.compute_cycles, plan.totals.compute_cycles) << net.layer(i).name;
      total += static_cast<double>(profile.compute_cycles);
    }
    (mode == MappingMode::search ? searched : greedy) = total;
  }
  EXPECT_LT(searched, greedy);
}

TEST(Mapper, CachesTellLayersApartByEverythingTheirCostReads) {
  // Same shape, different activation density: on a chip that run-length
  // codes activations they move different bytes, so no cache (profiles or
  // mappings) may hand one the other's result.
  ChipSpec chip = every_template_chip();
  const std::size_t eyeriss = static_cast<std::size_t>(chip.find("eyeriss"));
  chip.sub_accelerators[eyeriss].row_stationary.rlc = true;
  Layer dense = zoo_model("resnet18").layer(2);
  ASSERT_EQ(dense.type, LayerType::conv);
  Layer sparse = dense;
  sparse.density = sparse.output_density = 0.25;
  Estimator estimator(chip, SurrogateParams());
  const std::int64_t dense_bytes = estimator.profile(dense, eyeriss).dram_read_bytes[0];
  const std::int64_t sparse_bytes = estimator.profile(sparse, eyeriss).dram_read_bytes[0];
  EXPECT_LT(sparse_bytes, dense_bytes);
  EXPECT_EQ(sparse_bytes, estimator.compute_profile(sparse, eyeriss).dram_read_bytes[0]);
  EXPECT_EQ(estimator.cache_size(), 2u);
}

TEST(Mapper, ChipSpecCarriesThePolicyAndRefusesUnknownNames) {
  testing::TempDir dir;
  const std::string text = testing::shipped_chip_text("configs/chips/hetero-2.yaml");
  const ChipSpec plain = load_chip_spec(dir.write("plain.yaml", text));
  EXPECT_EQ(plain.mapping, MappingPolicy{});
  const ChipSpec chosen =
      load_chip_spec(dir.write("chosen.yaml", text + "mapping: {mode: greedy, objective: edp}\n"));
  EXPECT_EQ(chosen.mapping.mode, MappingMode::greedy);
  EXPECT_EQ(chosen.mapping.objective, MappingObjective::edp);
  // The normalised YAML names the policy and loads back as the same chip.
  const std::string normalised = chip_spec_to_yaml(chosen);
  EXPECT_NE(normalised.find("mapping: {mode: greedy, objective: edp}"), std::string::npos) << normalised;
  try {
    load_chip_spec(dir.write("bad.yaml", text + "mapping:\n  objective: fastest\n"));
    FAIL() << "an unknown objective was accepted";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("mapping.objective"), std::string::npos) << message;
    EXPECT_NE(message.find("fastest"), std::string::npos) << message;
    EXPECT_NE(message.find("latency, energy, edp"), std::string::npos) << message;
  }
}

TEST(Mapper, CommandLineOverridesAndMapCommand) {
  const std::string chip = testing::source_path("configs/chips/hetero-2.yaml");
  const auto bad = testing::run_nasaic("estimate --hw " + chip + " --model resnet18 --objective fastest");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  EXPECT_NE(bad.err.find("--objective"), std::string::npos) << bad.err;
  const auto bad_mode = testing::run_nasaic("map --hw " + chip + " --model resnet18 --mapping clever");
  EXPECT_EQ(bad_mode.exit_code, 2);
  EXPECT_NE(bad_mode.err.find("--mapping"), std::string::npos) << bad_mode.err;

  const auto mapped = testing::run_nasaic("map --hw " + chip + " --model resnet18 --format csv --sub shidiannao");
  ASSERT_EQ(mapped.exit_code, 0) << mapped.err;
  EXPECT_EQ(mapped.out.rfind("network,layer,sub_accelerator,dataflow,loop_nest,spatial,latency_cycles", 0), 0u);
  EXPECT_EQ(std::count(mapped.out.begin(), mapped.out.end(), '\n'), 1 + 31);  // header + every layer
  EXPECT_EQ(mapped.out.find(",nvdla,"), std::string::npos);
  const auto again = testing::run_nasaic("map --hw " + chip + " --model resnet18 --format csv --sub shidiannao");
  EXPECT_EQ(again.out, mapped.out);
  const auto greedy =
      testing::run_nasaic("map --hw " + chip + " --model resnet18 --format csv --sub shidiannao --mapping greedy");
  ASSERT_EQ(greedy.exit_code, 0) << greedy.err;
  EXPECT_NE(greedy.out, mapped.out);
  const auto unknown = testing::run_nasaic("map --hw " + chip + " --model resnet18 --sub nope");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("shidiannao"), std::string::npos) << unknown.err;

  // Estimates differ between the policies, and each is deterministic.
  const auto searched = testing::run_nasaic("estimate --hw " + chip + " --model resnet18 --format csv");
  const auto fixed = testing::run_nasaic("estimate --hw " + chip + " --model resnet18 --format csv --mapping greedy");
  ASSERT_EQ(searched.exit_code, 0) << searched.err;
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(searched.out, fixed.out);
}

// Column `name` of every row of a CSV the CLI printed.
std::vector<std::string> csv_column(const std::string& csv, const std::string& name) {
  const auto cells_of = [](const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream row(line);
    std::string cell;
    while (std::getline(row, cell, ',')) cells.push_back(cell);
    return cells;
  };
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  const auto header = cells_of(line);
  const auto column = static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  std::vector<std::string> values;
  while (std::getline(lines, line)) values.push_back(cells_of(line).at(column));
  return values;
}

TEST(SystolicOverhead, EveryLayerPaysItInTheSurrogateAndTheSimulator) {
  testing::TempDir dir;
  const std::string text = testing::shipped_chip_text("configs/chips/scalesim-32x32.yaml");
  const std::string plain = dir.write("plain.yaml", text);
  const auto buffers = text.find("    buffers:");
  ASSERT_NE(buffers, std::string::npos);
  std::string with_overhead = text;
  with_overhead.insert(buffers, "    systolic: {layer_overhead: 1000 cycles}\n");
  const std::string costly = dir.write("costly.yaml", with_overhead);
  const auto cycles = [](const std::string& csv) {
    std::vector<double> values;
    for (const std::string& cell : csv_column(csv, "cycles")) values.push_back(std::stod(cell));
    return values;
  };
  for (const std::string command : {"estimate", "simulate"}) {
    const std::string quiet = command == "simulate" ? " --quiet" : "";
    const auto base = testing::run_nasaic(command + " --hw " + plain + " --model resnet20 --format csv" + quiet);
    const auto more = testing::run_nasaic(command + " --hw " + costly + " --model resnet20 --format csv" + quiet);
    ASSERT_EQ(base.exit_code, 0) << base.err;
    ASSERT_EQ(more.exit_code, 0) << more.err;
    const auto a = cycles(base.out), b = cycles(more.out);
    ASSERT_EQ(a.size(), b.size());
    ASSERT_GT(a.size(), 10u);
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i] - a[i], 1000.0, 1e-6) << command << " layer " << i;
  }
  // Only systolic sub-accelerators take it.
  std::string wrong = testing::shipped_chip_text("configs/chips/hetero-2.yaml");
  const auto at = wrong.find("    buffers:");
  wrong.insert(at, "    systolic: {layer_overhead: 10 cycles}\n");
  const auto refused = testing::run_nasaic("hw show " + dir.write("wrong.yaml", wrong));
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("systolic options apply to systolic sub-accelerators only"), std::string::npos)
      << refused.err;
}

TEST(OutputForwarding, NvdlaSendsEveryOutputThroughDramOthersKeepWhatFits) {
  // resnet20 on one sub-accelerator: consecutive layers, each the sole
  // producer of the next. NVDLA never keeps an output on chip (SDP write
  // DMA); the same chip as Eyeriss keeps those that fit its ifmap buffer.
  testing::TempDir dir;
  for (const std::string dataflow : {"nvdla", "eyeriss"}) {
    const std::string chip = dir.write(dataflow + ".yaml", "name: one\nclock: 1 GHz\ntechnology: built-in\n"
                                                           "dram: {bandwidth: 16 B/cycle, latency: 100 cycles, burst: 64 B}\n"
                                                           "interconnect: {arbitration: round-robin, link_width: 64 B/cycle}\n"
                                                           "sub_accelerators:\n  - name: a\n    dataflow: " + dataflow +
                                                           "\n    pe_array: {rows: 16, cols: 16}\n    bandwidth_share: 1\n"
                                                           "    buffers: {ifmap: {capacity: 64 KiB, banks: 8}, filter: {capacity: "
                                                           "64 KiB, banks: 8}, ofmap: {capacity: 64 KiB}}\n");
    for (const std::string command : {"estimate", "simulate --quiet"}) {
      const auto run = testing::run_nasaic(command + " --hw " + chip + " --model resnet20 --format csv");
      ASSERT_EQ(run.exit_code, 0) << run.err;
      const auto on_chip = csv_column(run.out, "input_on_chip");
      const auto kept = std::count_if(on_chip.begin(), on_chip.end(), [](const std::string& v) {
        return v == "1" || v == "true";
      });
      if (dataflow == "nvdla") {
        EXPECT_EQ(kept, 0) << command;
      } else {
        EXPECT_GT(kept, 5) << command;
      }
    }
  }
}

}  // namespace
}  // namespace nasaic
