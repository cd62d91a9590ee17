#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"
#include "dataflows/chip_spec.hpp"
#include "dataflows/workload_cost.hpp"
#include "models/network_yaml.hpp"
#include "search/network_counts.hpp"
#include "search/search_space.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

const std::string kResnetSpace = "configs/search/fashion-resnet.yaml";
const std::string kUnetSpace = "configs/search/nuclei-unet.yaml";

SearchSpace shipped(const std::string& relative) { return load_search_space(testing::source_path(relative)); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(SearchSpace, BitsFlowIntoTheCostOfTheNetwork) {
  // The bits decision of an architecture is the IR's operand width, so
  // weights, traffic and energy on a chip follow it.
  const SearchSpace space = load_search_space(testing::source_path("configs/search/fashion-resnet.yaml"));
  Architecture architecture =
      load_architecture(testing::source_path("configs/search/fashion-resnet-reference.yaml"), space);
  ChipSpec chip = load_chip_spec(testing::source_path("configs/chips/hetero-2.yaml"));
  std::vector<double> energy, dram, weight_bytes;
  for (const std::int64_t bits : {4, 8, 16}) {
    for (auto& [name, value] : architecture.choices)
      if (name == "bits") value = bits;
    Workload workload;
    workload.networks = {space.network(architecture, "reference")};
    for (const Layer& layer : workload.networks[0].layers()) EXPECT_EQ(layer.bits, bits);
    double weights = 0;
    for (const Layer& layer : workload.networks[0].layers()) weights += static_cast<double>(layer.filter_bytes());
    weight_bytes.push_back(weights);
    Estimator estimator(chip, SurrogateParams());
    const WorkloadGraph graph(workload);
    const ScheduleChoice choice = default_schedule(graph, estimator);
    ASSERT_TRUE(choice.estimate.feasible) << choice.estimate.reason;
    energy.push_back(choice.estimate.energy_pj);
    double bytes = 0;
    for (const ScheduledLayer& layer : choice.estimate.layers)
      bytes += layer.timing.memory_cycles;  // DRAM transfer time: bytes over bandwidth
    dram.push_back(bytes);
  }
  EXPECT_DOUBLE_EQ(weight_bytes[0] * 2, weight_bytes[1]);
  EXPECT_DOUBLE_EQ(weight_bytes[1] * 2, weight_bytes[2]);
  EXPECT_LT(dram[0], dram[1]);
  EXPECT_LT(dram[1], dram[2]);
  EXPECT_LT(energy[0], energy[1]);
  EXPECT_LT(energy[1], energy[2]);
}

TEST(SearchSpace, ShippedSpacesAndReferencesLoad) {
  const SearchSpace resnet = shipped(kResnetSpace);
  EXPECT_EQ(resnet.decisions.size(), 3u * 4u + 1u);  // four per stage, then bits
  EXPECT_EQ(resnet.decisions.back().name, "bits");
  EXPECT_EQ(resnet.decisions.back().values, (std::vector<std::int64_t>{4, 8, 16}));
  EXPECT_EQ(resnet.metric, Metric::top1);
  const Architecture reference =
      load_architecture(testing::source_path("configs/search/fashion-resnet-reference.yaml"), resnet);
  const Network network = resnet.network(reference, "ref");
  // stem, 3 stages × 2 blocks × (2 convs + add) + 2 projections, pool, fc.
  EXPECT_EQ(network.size(), 1u + 18u + 2u + 2u);
  EXPECT_EQ(network.layers().back().type, LayerType::fc);
  EXPECT_EQ(network.layers().back().K, 10);
  for (const Layer& layer : network.layers()) EXPECT_EQ(layer.bits, 8) << layer.name;

  const SearchSpace unet = shipped(kUnetSpace);
  EXPECT_EQ(unet.metric, Metric::iou);
  const Network mask = unet.network(
      load_architecture(testing::source_path("configs/search/nuclei-unet-reference.yaml"), unet), "ref");
  const Layer& last = mask.layers().back();
  EXPECT_EQ(last.output_shape(), (TensorShape{1, 48, 48}));
  // Depth 3: two skip joins, each concatenating the up-convolution and the encoder map.
  int joins = 0;
  for (const Layer& layer : mask.layers()) joins += layer.inputs.size() == 2 ? 1 : 0;
  EXPECT_EQ(joins, 2);
}

TEST(SearchSpace, SmallestAndLargestBoundTheCost) {
  for (const std::string& file : {kResnetSpace, kUnetSpace}) {
    SCOPED_TRACE(file);
    const SearchSpace space = shipped(file);
    const NetworkCounts small = ir_counts(space.network(space.smallest(), "s"));
    const NetworkCounts large = ir_counts(space.network(space.largest(), "l"));
    EXPECT_GT(large.macs, 10 * small.macs);
    EXPECT_GT(large.parameters, 10 * small.parameters);
    for (std::int64_t i = 0; i < 30; ++i) {
      const NetworkCounts counts = ir_counts(space.network(space.sample(3, i), "x"));
      EXPECT_GE(counts.parameters, small.parameters);
      EXPECT_LE(counts.parameters, large.parameters);
    }
  }
}

// least_cost holds a `larger_costs_more` decision at its smallest value, so
// each family's claim is checked: growing one such decision, the others
// fixed, never lowers the MACs.
TEST(SearchSpace, LargerCostsMoreHoldsForEveryDecisionThatClaimsIt) {
  for (const std::string& file : {kResnetSpace, kUnetSpace}) {
    SCOPED_TRACE(file);
    const SearchSpace space = shipped(file);
    int claims = 0, checked = 0, tried = 0;
    for (std::size_t d = 0; d < space.decisions.size(); ++d) {
      if (!space.decisions[d].larger_costs_more) continue;
      ++claims;
      const auto& values = space.decisions[d].values;
      tried += 200 * static_cast<int>(values.size());
      for (std::int64_t i = 0; i < 200; ++i) {
        Architecture architecture = space.sample(11, i);
        std::int64_t previous = -1;
        for (const std::int64_t value : values) {
          architecture.choices[d].second = value;
          std::int64_t macs = 0;
          try {
            macs = ir_counts(space.network(architecture, "x")).macs;
          } catch (const InputError&) {
            continue;  // does not fit the input
          }
          EXPECT_GE(macs, previous) << space.decisions[d].name << " = " << value;
          previous = macs;
          ++checked;
        }
      }
    }
    EXPECT_GE(claims, 3);
    EXPECT_GT(checked, tried / 2);  // most architectures fit the input
  }
}

TEST(SearchSpace, LeastCostIsTheFewestMacsOfAnyNetwork) {
  const auto macs = [](const Network& network) { return static_cast<double>(ir_counts(network).macs); };
  // The U-Net space is small enough to build whole.
  const SearchSpace unet = shipped(kUnetSpace);
  double fewest = -1;
  std::int64_t built = 0;
  for (const std::int64_t depth : unet.decisions[0].values)
    for (const std::int64_t filters : unet.decisions[1].values)
      for (const std::int64_t kernel : unet.decisions[2].values)
        for (const std::int64_t bits : unet.decisions[3].values) {
          const Architecture a{{{"depth", depth}, {"filters", filters}, {"kernel", kernel}, {"bits", bits}}};
          const double value = macs(unet.network(a, "x"));
          if (fewest < 0 || value < fewest) fewest = value;
          ++built;
        }
  EXPECT_EQ(built, 54);
  EXPECT_EQ(unet.least_cost(macs), fewest);
  // The ResNet space (about a million architectures): no sample is cheaper,
  // and the least has the first value of every decision but the strides.
  const SearchSpace resnet = shipped(kResnetSpace);
  const std::optional<double> least = resnet.least_cost(macs);
  ASSERT_TRUE(least.has_value());
  EXPECT_LT(*least, macs(resnet.network(resnet.smallest(), "s")));
  for (std::int64_t i = 0; i < 2000; ++i) EXPECT_GE(macs(resnet.network(resnet.sample(5, i), "x")), *least);
}

TEST(SearchSpace, SamplesAreSeededIndependentOfCountAndInsideTheSpace) {
  const SearchSpace space = shipped(kResnetSpace);
  std::set<std::string> distinct;
  for (std::int64_t i = 0; i < 50; ++i) {
    const Architecture a = space.sample(7, i);
    EXPECT_EQ(a, space.sample(7, i));
    ASSERT_EQ(a.choices.size(), space.decisions.size());
    for (std::size_t d = 0; d < a.choices.size(); ++d) {
      EXPECT_EQ(a.choices[d].first, space.decisions[d].name);
      const auto& values = space.decisions[d].values;
      EXPECT_NE(std::find(values.begin(), values.end(), a.choices[d].second), values.end());
    }
    distinct.insert(architecture_to_yaml(a, space));
  }
  EXPECT_GT(distinct.size(), 45u);
  EXPECT_NE(space.sample(7, 0), space.sample(8, 0));
  // Every value of every decision turns up in 50 draws (2-4 values each).
  for (std::size_t d = 0; d < space.decisions.size(); ++d) {
    std::set<std::int64_t> seen;
    for (std::int64_t i = 0; i < 50; ++i) seen.insert(space.sample(7, i).choices[d].second);
    EXPECT_EQ(seen.size(), space.decisions[d].values.size()) << space.decisions[d].name;
  }
}

TEST(SearchSpace, ArchitectureFilesRoundTrip) {
  for (const std::string& file : {kResnetSpace, kUnetSpace}) {
    const SearchSpace space = shipped(file);
    for (std::int64_t i = 0; i < 10; ++i) {
      const Architecture a = space.sample(1, i);
      const std::string yaml = architecture_to_yaml(a, space);
      EXPECT_EQ(parse_architecture(ConfigNode::load_string(yaml, "a.yaml"), space), a) << yaml;
    }
  }
}

TEST(SearchSpace, NetworksOfTheSpaceReloadFromTheirYaml) {
  // The file `nasaic train --out` writes is what estimate and simulate read.
  const SearchSpace space = shipped(kUnetSpace);
  const Network network = space.network(space.largest(), "big");
  const std::string yaml = network_to_yaml(network);
  const Network loaded = parse_network_yaml(ConfigNode::load_string(yaml, "big.yaml"));
  EXPECT_EQ(network_to_yaml(loaded), yaml);
  EXPECT_EQ(ir_counts(loaded), ir_counts(network));
}

void expect_architecture_error(const std::string& text, int line, const std::string& key,
                               const std::string& fragment) {
  const SearchSpace space = shipped(kUnetSpace);
  try {
    parse_architecture(ConfigNode::load_string(text, "arch.yaml"), space);
    FAIL() << "accepted: " << text;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "arch.yaml");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

TEST(SearchSpace, ArchitecturesOutsideTheSpaceAreRefusedWithTheirKey) {
  const std::string good = "space: nuclei-unet\nchoices:\n  depth: 3\n  filters: 16\n  kernel: 3\n  bits: 8\n";
  EXPECT_NO_THROW(parse_architecture(ConfigNode::load_string(good, "arch.yaml"), shipped(kUnetSpace)));
  expect_architecture_error(replaced(good, "depth: 3", "depth: 5"), 3, "choices.depth",
                            "outside the space; choices: 2, 3, 4");
  expect_architecture_error(replaced(good, "bits: 8", "bits: 2"), 6, "choices.bits", "outside the space");
  expect_architecture_error(replaced(good, "kernel: 3", "kernel: 3\n  width: 2"), 6, "choices.width",
                            "unknown key");
  expect_architecture_error(replaced(good, "  filters: 16\n", ""), 3, "choices.filters", "missing decision");
  expect_architecture_error(replaced(good, "space: nuclei-unet", "space: other"), 1, "space", "belongs to space");
  expect_architecture_error(replaced(good, "filters: 16", "filters: sixteen"), 4, "choices.filters",
                            "not an integer");
}

void expect_space_error(const std::string& from, const std::string& to, const std::string& key,
                        const std::string& fragment) {
  const std::string text = replaced(testing::slurp(testing::source_path(kUnetSpace)), from, to);
  testing::TempDir dir;
  const std::string path = dir.write("space.yaml", text);
  try {
    load_search_space(path);
    FAIL() << "accepted: " << to;
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_GT(e.line(), 0) << e.what();
    EXPECT_EQ(e.key(), key) << e.what();
    EXPECT_NE(e.message().find(fragment), std::string::npos) << e.what();
  }
}

TEST(SearchSpace, BadSpacesNameTheirKey) {
  expect_space_error("metric: iou", "metric: iou\ncolour: red", "colour", "unknown key");
  expect_space_error("metric: iou", "metric: top1", "metric", "scored by iou");
  expect_space_error("{name: unet,", "{name: vgg,", "family.name", "unknown family 'vgg'; known: resnet, unet");
  expect_space_error("kernel: [3, 5]", "kernel: [3, 4]", "family.kernel", "even");
  expect_space_error("depth: [2, 3, 4]", "depth: [2, 2]", "family.depth[1]", "listed twice");
  expect_space_error("depth: [2, 3, 4]", "depth: []", "family.depth", "at least one choice");
  expect_space_error("bits: [4, 8, 16]", "bits: [4, 8, 12]", "bits", "not one of 4, 8, 16");
  expect_space_error("demo: {epochs: 8,", "demo: {epochs: 0,", "recipes.demo.epochs", "out of range");
  expect_space_error("optimizer: adam, learning_rate: 0.003, weight_decay: 0.0,\n         schedule: cosine, train_subset: 800",
                     "optimizer: adam, learning_rate: 0.003, weight_decay: 0.0,\n         schedule: linear, train_subset: 800",
                     "recipes.demo.schedule", "known: constant, cosine, step");
  expect_space_error("recipe: demo", "recipe: fast", "recipe", "no recipe named 'fast'");
  expect_space_error("{name: nuclei, size: 48", "{name: nuclei, size: 4", "dataset", "size");
  expect_space_error("{name: nuclei, size: 48", "{name: mnist, size: 48", "dataset.name", "unknown data set");
  expect_space_error("{name: unet,", "{name: resnet,", "family.depth", "unknown key; allowed here: name, stem, stages");
  // A family whose output does not fit the data set.
  expect_space_error("dataset: {name: nuclei, size: 48, test: 500}", "dataset: {name: fashion-mnist}", "family",
                     "produces a pixel mask");
  // Too deep for the image: 4 poolings of a 16-pixel image leave 1 pixel,
  // then the 5×5 convolutions still fit ('same' padding), but depth 8 does not.
  expect_space_error("depth: [2, 3, 4]", "depth: [2, 3, 8]", "family", "cannot be built");
}

TEST(SearchSpace, FashionRecipesMustFitTheTrainingSet) {
  const std::string text = replaced(testing::slurp(testing::source_path(kResnetSpace)), "train_subset: 55000, validation: 5000",
                                    "train_subset: 55000, validation: 5001");
  testing::TempDir dir;
  try {
    load_search_space(dir.write("space.yaml", text));
    FAIL() << "a recipe larger than the training set was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "recipes.full.validation") << e.what();
    EXPECT_NE(e.message().find("60000 training images"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nasaic
