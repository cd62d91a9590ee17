#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "common/error.hpp"
#include "models/network_yaml.hpp"
#include "models/zoo.hpp"
#include "search/accuracy.hpp"
#include "search/search_space.hpp"
#include "search/torch/ir_module.hpp"
#include "search/torch/supernet.hpp"
#include "search/training.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

SearchSpace shipped(const std::string& relative) { return load_search_space(testing::source_path(relative)); }

// A space small enough to train in a second: 32×32 nuclei, one short recipe.
const char* kTinySpace = R"(name: tiny
task: segmentation
dataset: {name: nuclei, size: 32, test: 40}
metric: iou
family: {name: unet, depth: [1, 2], filters: [4, 8], kernel: [3]}
bits: [8]
recipe: quick
recipes:
  quick: {epochs: 2, batch: 16, optimizer: adam, learning_rate: 0.01, schedule: cosine, train_subset: 64,
          validation: 16, seed: 5}
)";

const char* kTinyArch = "space: tiny\nchoices: {depth: 2, filters: 4, kernel: 3, bits: 8}\n";

TEST(IrModule, CountsEqualTheIrForEveryFamilyAndTheZoo) {
  std::vector<std::pair<Network, TensorShape>> cases;
  for (const std::string file : {"configs/search/fashion-resnet.yaml", "configs/search/nuclei-unet.yaml"}) {
    const SearchSpace space = shipped(file);
    cases.emplace_back(space.network(space.smallest(), "small"), space.dataset.shape().input);
    cases.emplace_back(space.network(space.largest(), "large"), space.dataset.shape().input);
    for (std::int64_t i = 0; i < 8; ++i) cases.emplace_back(space.network(space.sample(11, i), "s"), space.dataset.shape().input);
  }
  // Grouped convolutions, max pooling and fc layers (alexnet), depthwise
  // convolutions and residual adds (mobilenet_v2), projection shortcuts (resnet20).
  for (const std::string name : {"resnet20", "alexnet", "mobilenet_v2"}) {
    const Network network = zoo_model(name);
    cases.emplace_back(network, network.layer(0).input_shape());
  }
  for (const auto& [network, input] : cases) {
    SCOPED_TRACE(network.name());
    IrModule module(network);
    const NetworkCounts counted = module->count(input);
    const NetworkCounts expected = ir_counts(network);
    EXPECT_EQ(counted.macs, expected.macs);
    EXPECT_EQ(counted.parameters, expected.parameters);
    EXPECT_GT(counted.macs, 0);
  }
}

TEST(IrModule, CroppedSkipJoinsAndOutputShapes) {
  // 60 pixels and depth 4: 60 → 30 → 15 → 7, so the up-convolution gives 14
  // and the 15-pixel skip is center-cropped to it; the mask is 56 × 56.
  std::string text = kTinySpace;
  text.replace(text.find("size: 32"), 8, "size: 60");
  text.replace(text.find("depth: [1, 2]"), 13, "depth: [4]");
  testing::TempDir dir;
  const SearchSpace space = load_search_space(dir.write("space.yaml", text));
  const Network network = space.network(space.largest(), "crop");
  EXPECT_EQ(network.layers().back().output_shape(), (TensorShape{1, 56, 56}));
  IrModule module(network);
  EXPECT_EQ(module->forward(torch::rand({3, 1, 60, 60})).sizes(), (std::vector<std::int64_t>{3, 1, 56, 56}));
  EXPECT_EQ(module->count({1, 60, 60}), ir_counts(network));

  const SearchSpace fashion = shipped("configs/search/fashion-resnet.yaml");
  IrModule classifier(fashion.network(fashion.sample(2, 0), "c"));
  EXPECT_EQ(classifier->forward(torch::rand({5, 1, 28, 28})).sizes(), (std::vector<std::int64_t>{5, 10}));
}

TEST(IrModule, GemmLayersAreRefused) {
  const Network network = parse_network_yaml(
      ConfigNode::load_string("name: g\nlayers:\n  - {name: mm, type: gemm, M: 8, N: 4, K: 16}\n", "g.yaml"));
  EXPECT_THROW(IrModule{network}, InputError);
}

TEST(FakeQuantisation, LevelsFollowTheBitsAndGradientsPassStraightThrough) {
  torch::manual_seed(0);
  for (const int bits : {4, 8}) {
    const torch::Tensor weight = torch::randn({64, 32, 3, 3}).requires_grad_(true);
    const torch::Tensor quantised = fake_quantise_weights(weight, bits);
    const auto levels = std::get<0>(torch::_unique(quantised.detach())).numel();
    EXPECT_LE(levels, (1 << bits) - 1) << bits;
    EXPECT_GT(levels, (1 << bits) / 2) << bits;
    // The largest weight keeps its value; the error is at most half a step.
    const double step = weight.abs().max().item<double>() / ((1 << (bits - 1)) - 1);
    EXPECT_LE((quantised - weight).abs().max().item<double>(), 0.5 * step + 1e-6);
    quantised.sum().backward();
    EXPECT_TRUE(torch::equal(weight.grad(), torch::ones_like(weight)));

    const torch::Tensor x = torch::rand({1000}) * 3;
    const torch::Tensor range = torch::tensor(2.0);
    const torch::Tensor activations = fake_quantise_activations(x, range, bits);
    EXPECT_LE(std::get<0>(torch::_unique(activations)).numel(), 1 << bits);
    EXPECT_DOUBLE_EQ(activations.max().item<double>(), 2.0);  // clipped at the range
    EXPECT_GE(activations.min().item<double>(), 0.0);
  }
  // 16 bits is finer than 4 bits.
  const torch::Tensor weight = torch::randn({1000});
  EXPECT_LT((fake_quantise_weights(weight, 16) - weight).abs().max().item<double>(),
            (fake_quantise_weights(weight, 4) - weight).abs().max().item<double>() / 100);
}

TEST(Training, SameSeedSameBitsAndTheCacheReturnsTheResult) {
  testing::TempDir dir;
  const SearchSpace space = load_search_space(dir.write("tiny.yaml", kTinySpace));
  const Architecture architecture = parse_architecture(ConfigNode::load_string(kTinyArch, "a.yaml"), space);
  TrainingOptions options;
  options.cache_dir = (dir.path() / "cache").string();
  options.use_cache = false;
  options.threads = 1;
  const TrainingResult first = train_architecture(space, architecture, space.recipe("quick"), options);
  const TrainingResult second = train_architecture(space, architecture, space.recipe("quick"), options);
  ASSERT_EQ(first.epochs.size(), 2u);
  EXPECT_EQ(first.test_metric, second.test_metric);
  EXPECT_EQ(first.validation_metric, second.validation_metric);
  for (std::size_t e = 0; e < first.epochs.size(); ++e) EXPECT_EQ(first.epochs[e].loss, second.epochs[e].loss);
  EXPECT_GT(first.test_metric, 0.0);
  EXPECT_LT(first.epochs.back().loss, first.epochs.front().loss * 1.5);
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "cache" / "results"));  // use_cache off: nothing stored

  options.use_cache = true;
  const TrainingResult stored = train_architecture(space, architecture, space.recipe("quick"), options);
  EXPECT_FALSE(stored.from_cache);
  EXPECT_EQ(stored.test_metric, first.test_metric);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "cache" / "results" / (stored.key + ".json")));
  const TrainingResult hit = train_architecture(space, architecture, space.recipe("quick"), options);
  EXPECT_TRUE(hit.from_cache);
  EXPECT_EQ(hit.key, stored.key);
  EXPECT_EQ(hit.test_metric, stored.test_metric);
  EXPECT_EQ(hit.validation_metric, stored.validation_metric);
  EXPECT_EQ(hit.seconds, stored.seconds);
  ASSERT_EQ(hit.epochs.size(), stored.epochs.size());
  EXPECT_EQ(hit.epochs.back().loss, stored.epochs.back().loss);

  // Another seed is another result under another key.
  std::string reseeded = kTinySpace;
  reseeded.replace(reseeded.find("seed: 5"), 7, "seed: 6");
  const SearchSpace other = load_search_space(dir.write("tiny2.yaml", reseeded));
  const TrainingResult different = train_architecture(other, architecture, other.recipe("quick"), options);
  EXPECT_FALSE(different.from_cache);
  EXPECT_NE(different.key, stored.key);
  EXPECT_NE(different.epochs.front().loss, stored.epochs.front().loss);
}

// kTinySpace with a supernet trained by its quick recipe.
std::string tiny_supernet_space() {
  return std::string(kTinySpace) +
         "supernet: {recipe: quick, sandwich: true, random: 1, calibration: 32, evaluation: 16}\n";
}

// The same with one supernet setting changed: `from` replaced by `to`.
std::string tiny_supernet_space_with(const std::string& from, const std::string& to) {
  std::string text = tiny_supernet_space();
  text.replace(text.find(from), from.size(), to);
  return text;
}

// A result cache in `dir`, one thread.
TrainingOptions tiny_training_options(const testing::TempDir& dir) {
  TrainingOptions options;
  options.cache_dir = (dir.path() / "cache").string();
  options.threads = 1;
  return options;
}

TEST(Supernet, CandidatesTrainSlicesOfTheSharedWeights) {
  testing::TempDir dir;
  const SearchSpace space = load_search_space(dir.write("tiny.yaml", tiny_supernet_space()));
  torch::manual_seed(3);
  Supernet supernet(space);
  // The smallest candidate (4 filters, depth 1) uses output channels 0-3 of
  // enc1_conv1, whose shared weight has 8.
  IrModule small(space.network(space.smallest(), "small"), *supernet);
  EXPECT_EQ(small->count({1, 32, 32}), ir_counts(space.network(space.smallest(), "small")));
  small->forward(torch::rand({4, 1, 32, 32})).sum().backward();
  torch::Tensor grad;
  for (const auto& parameter : supernet->named_parameters())
    if (parameter.key() == "enc1_conv1_weight") grad = parameter.value().grad();
  ASSERT_TRUE(grad.defined());
  ASSERT_EQ(grad.size(0), 8);
  EXPECT_GT(grad.narrow(0, 0, 4).abs().sum().item<double>(), 0.0);
  EXPECT_EQ(grad.narrow(0, 4, 4).abs().sum().item<double>(), 0.0);
  // The largest candidate's module computes exactly what its IR says, on weights it does not own.
  IrModule large(space.network(space.largest(), "large"), *supernet);
  EXPECT_EQ(large->count({1, 32, 32}), ir_counts(space.network(space.largest(), "large")));
  EXPECT_TRUE(large->parameters().empty());
}

TEST(Supernet, TrainsOnceSavesReloadsAndScoresDeterministically) {
  testing::TempDir dir;
  const SearchSpace space = load_search_space(dir.write("tiny.yaml", tiny_supernet_space()));
  const Architecture architecture = parse_architecture(ConfigNode::load_string(kTinyArch, "a.yaml"), space);
  TrainingOptions options = tiny_training_options(dir);
  std::int64_t steps = 0;
  options.progress = [&steps](std::int64_t, std::int64_t, std::int64_t, double) { ++steps; };
  const Recipe& recipe = default_recipe_for(AccuracyMethod::supernet, space);
  ASSERT_EQ(recipe.name, "quick");

  const auto trained = make_accuracy_evaluator(AccuracyMethod::supernet, space, recipe, options);
  EXPECT_EQ(trained->method(), AccuracyMethod::supernet);
  EXPECT_EQ(steps, 2 * 4);  // 2 epochs of 64 images in batches of 16
  std::vector<std::filesystem::path> saved;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "cache" / "supernets"))
    saved.push_back(entry.path());
  ASSERT_EQ(saved.size(), 1u);
  const TrainingResult first = trained->evaluate(architecture);
  EXPECT_FALSE(first.from_cache);
  EXPECT_FALSE(first.has_test_metric);
  EXPECT_EQ(first.method, AccuracyMethod::supernet);
  EXPECT_EQ(first.validation_images, 16);
  EXPECT_GT(first.validation_metric, 0.0);
  EXPECT_EQ(first.counts, ir_counts(space.network(architecture, space.name)));
  // Another candidate inherits other weights and scores otherwise.
  const Architecture shallow = parse_architecture(
      ConfigNode::load_string("space: tiny\nchoices: {depth: 1, filters: 8, kernel: 3, bits: 8}\n", "b.yaml"), space);
  EXPECT_NE(trained->evaluate(shallow).validation_metric, first.validation_metric);

  // A new evaluator with an empty result cache, and how many steps it trained.
  const auto fresh_evaluator = [&](const SearchSpace& of) {
    std::filesystem::remove_all(dir.path() / "cache" / "results");
    steps = 0;
    return make_accuracy_evaluator(AccuracyMethod::supernet, of, recipe, options);
  };
  // A second evaluator loads the saved supernet instead of training, and
  // scores the candidate to the same bit.
  const auto reloaded = fresh_evaluator(space);
  EXPECT_EQ(steps, 0);
  const TrainingResult again = reloaded->evaluate(architecture);
  EXPECT_FALSE(again.from_cache);
  EXPECT_EQ(again.validation_metric, first.validation_metric);
  EXPECT_EQ(again.key, first.key);
  EXPECT_TRUE(reloaded->evaluate(architecture).from_cache);

  // A damaged file is retrained, to the same weights, and replaced.
  { std::ofstream(saved.front(), std::ios::trunc) << "not a supernet"; }
  const auto retrained = fresh_evaluator(space);
  EXPECT_EQ(steps, 2 * 4);
  EXPECT_EQ(retrained->evaluate(architecture).validation_metric, first.validation_metric);
  EXPECT_GT(std::filesystem::file_size(saved.front()), 1000u);

  // Scoring on fewer images reuses the trained supernet, under another score key.
  const SearchSpace rescored =
      load_search_space(dir.write("fewer.yaml", tiny_supernet_space_with("evaluation: 16", "evaluation: 8")));
  const auto reused = fresh_evaluator(rescored);
  EXPECT_EQ(steps, 0);
  const TrainingResult eight = reused->evaluate(architecture);
  EXPECT_FALSE(eight.from_cache);
  EXPECT_NE(eight.key, first.key);
  EXPECT_EQ(eight.validation_images, 8);
}

// In-place distillation trains other weights, kept in another file under
// another key.
TEST(Supernet, DistillationTrainsAnotherSupernet) {
  testing::TempDir dir;
  const SearchSpace plain = load_search_space(dir.write("plain.yaml", tiny_supernet_space()));
  const SearchSpace distilled =
      load_search_space(dir.write("distilled.yaml", tiny_supernet_space_with("random: 1", "random: 1, distill: on")));
  ASSERT_TRUE(distilled.supernet.distill);
  ASSERT_FALSE(plain.supernet.distill);
  const Architecture architecture = parse_architecture(ConfigNode::load_string(kTinyArch, "a.yaml"), plain);
  const TrainingOptions options = tiny_training_options(dir);
  const Recipe& recipe = default_recipe_for(AccuracyMethod::supernet, plain);
  const TrainingResult without = make_accuracy_evaluator(AccuracyMethod::supernet, plain, recipe, options)->evaluate(architecture);
  const TrainingResult with = make_accuracy_evaluator(AccuracyMethod::supernet, distilled, recipe, options)->evaluate(architecture);
  EXPECT_FALSE(with.from_cache);
  EXPECT_NE(with.key, without.key);
  // The two files hold different weights (a tiny validation set may tie the scores).
  std::vector<std::string> files_saved;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "cache" / "supernets"))
    files_saved.push_back(entry.path().string());
  std::sort(files_saved.begin(), files_saved.end());
  ASSERT_EQ(files_saved.size(), 2u);
  Supernet first(plain), second(plain);
  torch::load(first, files_saved.at(0));
  torch::load(second, files_saved.at(1));
  const auto first_parameters = first->parameters(), second_parameters = second->parameters();
  ASSERT_EQ(first_parameters.size(), second_parameters.size());
  bool differ = false;
  for (std::size_t i = 0; i < first_parameters.size(); ++i)
    differ = differ || !torch::equal(first_parameters[i], second_parameters[i]);
  EXPECT_TRUE(differ);
}

// Fine-tuning scores a candidate on weights it adapted, under another score
// key, and leaves the shared supernet as it was.
TEST(Supernet, FineTuningAdaptsACopyOfTheInheritedWeights) {
  testing::TempDir dir;
  const SearchSpace plain = load_search_space(dir.write("plain.yaml", tiny_supernet_space()));
  const SearchSpace tuned = load_search_space(
      dir.write("tuned.yaml", tiny_supernet_space_with("evaluation: 16", "evaluation: 16, finetune: 3")));
  ASSERT_EQ(tuned.supernet.finetune, 3);
  const Architecture architecture = parse_architecture(ConfigNode::load_string(kTinyArch, "a.yaml"), plain);
  TrainingOptions options = tiny_training_options(dir);
  const Recipe& recipe = default_recipe_for(AccuracyMethod::supernet, plain);
  const TrainingResult plain_score =
      make_accuracy_evaluator(AccuracyMethod::supernet, plain, recipe, options)->evaluate(architecture);

  options.use_cache = false;  // no result cache: every score below is computed
  const auto with = make_accuracy_evaluator(AccuracyMethod::supernet, tuned, recipe, options);
  const TrainingResult tuned_score = with->evaluate(architecture);
  EXPECT_NE(tuned_score.key, plain_score.key);
  EXPECT_NE(tuned_score.validation_metric, plain_score.validation_metric);
  // Scoring twice gives the same figure: the first fine-tuning did not stay
  // in the shared weights, or the second would start from it.
  EXPECT_EQ(with->evaluate(architecture).validation_metric, tuned_score.validation_metric);
}

// One line on stderr, naming `fragment`, and exit status 2.
void expect_one_line_error(const testing::CommandResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
}

TEST(TrainCommand, TrainsWritesANetworkThatEstimateReadsAndHitsTheCache) {
  testing::TempDir dir;
  const std::string space = dir.write("tiny.yaml", kTinySpace);
  const std::string arch = dir.write("arch.yaml", kTinyArch);
  const std::string common = "train --space " + space + " --arch " + arch + " --cache " + (dir.path() / "cache").string() + " --threads 1";
  const auto trained = testing::run_nasaic(common + " --out " + (dir.path() / "out").string() + " --format csv");
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.out.find(",no,"), std::string::npos) << trained.out;  // cached: no
  EXPECT_NE(trained.err.find("epoch 2/2"), std::string::npos) << trained.err;  // progress, one line per epoch off a tty
  const auto estimated = testing::run_nasaic("estimate --hw " + testing::source_path("configs/chips/hetero-2.yaml") +
                                             " --model " + (dir.path() / "out" / "network.yaml").string());
  EXPECT_EQ(estimated.exit_code, 0) << estimated.err;
  const auto again = testing::run_nasaic(common + " --quiet");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("from the result cache"), std::string::npos) << again.out;
  EXPECT_EQ(again.err, "");
  // The weight-sharing method, on the same candidate: a validation score, no test metric.
  const auto shared = testing::run_nasaic(common + " --accuracy supernet --quiet --format json");
  ASSERT_EQ(shared.exit_code, 0) << shared.err;
  EXPECT_NE(shared.out.find("\"method\": \"supernet\""), std::string::npos) << shared.out;
  EXPECT_NE(shared.out.find("\"test_metric\": null"), std::string::npos) << shared.out;
  EXPECT_NE(shared.out.find("\"validation_images\": 16"), std::string::npos) << shared.out;
}

TEST(TrainCommand, SampleWritesArchitecturesThatLoadBack) {
  testing::TempDir dir;
  const std::string space_file = testing::source_path("configs/search/fashion-resnet.yaml");
  const auto sampled =
      testing::run_nasaic("train --space " + space_file + " --sample 3 --seed 4 --out " + dir.path().string());
  ASSERT_EQ(sampled.exit_code, 0) << sampled.err;
  const SearchSpace space = load_search_space(space_file);
  for (std::int64_t i = 0; i < 3; ++i) {
    const std::string stem = "arch-00" + std::to_string(i);
    EXPECT_EQ(load_architecture((dir.path() / (stem + ".yaml")).string(), space), space.sample(4, i));
    EXPECT_EQ(ir_counts(load_network_yaml((dir.path() / (stem + ".network.yaml")).string())),
              ir_counts(space.network(space.sample(4, i), "x")));
  }
}

TEST(TrainCommand, BadInputIsOneLineAndStatusTwo) {
  testing::TempDir dir;
  const std::string space = dir.write("tiny.yaml", kTinySpace);
  const std::string arch = dir.write("arch.yaml", kTinyArch);
  const std::string cache = " --cache " + (dir.path() / "cache").string() + " --threads 1";
  const auto run = [&](const std::string& space_file, const std::string& arch_file, const std::string& extra = "") {
    return testing::run_nasaic("train --space " + space_file + " --arch " + arch_file + cache + " --quiet " + extra);
  };
  expect_one_line_error(run(dir.write("s1.yaml", std::string(kTinySpace) + "colour: red\n"), arch),
                        "s1.yaml:11: colour: unknown key");
  std::string no_epochs = kTinySpace;
  no_epochs.replace(no_epochs.find("epochs: 2"), 9, "epochs: 0");
  expect_one_line_error(run(dir.write("s2.yaml", no_epochs), arch), "recipes.quick.epochs");
  expect_one_line_error(run(space, dir.write("a1.yaml", "space: tiny\nchoices: {depth: 3, filters: 4, kernel: 3, bits: 8}\n")),
                        "a1.yaml:2: choices.depth: 3 is outside the space; choices: 1, 2");
  expect_one_line_error(run(space, dir.write("a2.yaml", "space: tiny\nchoices: {depth: 2, filters: 4, kernel: 3}\n")),
                        "choices.bits: missing decision");
  expect_one_line_error(run(space, arch, "--accuracy guess"), "unknown accuracy method 'guess'");
  expect_one_line_error(run(dir.write("s3.yaml", std::string(kTinySpace) + "supernet: {recipe: slow}\n"), arch),
                        "s3.yaml:11: supernet.recipe: no recipe named 'slow'");
  expect_one_line_error(run(dir.write("s4.yaml", std::string(kTinySpace) + "supernet: {sandwich: false, random: 0}\n"), arch),
                        "s4.yaml:11: supernet: with sandwich: false, random must be at least 1");
  expect_one_line_error(run(dir.write("s5.yaml", std::string(kTinySpace) + "supernet: {sandwich: maybe}\n"), arch),
                        "supernet.sandwich: 'maybe' is not a switch");
  expect_one_line_error(run(dir.write("s9.yaml", std::string(kTinySpace) + "supernet: {finetune: 5}\n"), arch),
                        "s9.yaml:11: supernet.finetune: value 5 is out of range; must be between 0 and 4");
  expect_one_line_error(
      run(dir.write("s8.yaml", std::string(kTinySpace) + "supernet: {sandwich: false, random: 1, distill: true}\n"), arch),
      "s8.yaml:11: supernet.distill: distillation learns from the largest candidate");
  // Counts beyond the recipe's images: 64 training and 16 validation images.
  expect_one_line_error(run(dir.write("s6.yaml", std::string(kTinySpace) + "supernet: {evaluation: 17}\n"), arch),
                        "s6.yaml:11: supernet.evaluation: value 17 is out of range; must be between 1 and 16");
  expect_one_line_error(run(dir.write("s7.yaml", std::string(kTinySpace) + "supernet: {calibration: -1}\n"), arch),
                        "s7.yaml:11: supernet.calibration: value -1 is out of range; must be between 1 and 64");
  // --recipe names a recipe with fewer training images than the supernet calibrates on.
  const std::string two_recipes = std::string(kTinySpace) +
                                  "  small: {epochs: 1, batch: 8, optimizer: adam, learning_rate: 0.01, schedule: cosine, "
                                  "train_subset: 16, validation: 16, seed: 5}\n";
  expect_one_line_error(run(dir.write("s8.yaml", two_recipes), arch, "--accuracy supernet --recipe small"),
                        "s8.yaml: supernet.calibration: 64 calibration images, but recipe 'small' trains on 16");
  expect_one_line_error(run(space, arch, "--recipe slow"), "no recipe 'slow'");
  expect_one_line_error(run(space, arch, "--sample 2"), "either --arch");
  expect_one_line_error(run(space, dir.write("bad.yaml", "space: [tiny\n")), "bad.yaml");
  // A missing data set names the package that installs it, against the space file.
  const std::string fashion = testing::slurp(testing::source_path("configs/search/fashion-resnet.yaml"));
  std::string moved = fashion;
  moved.replace(moved.find("{name: fashion-mnist}"), 21, "{name: fashion-mnist, root: /nonexistent/fmnist}");
  const std::string moved_space = dir.write("moved.yaml", moved);
  expect_one_line_error(run(moved_space, testing::source_path("configs/search/fashion-resnet-reference.yaml")),
                        "dataset-fashion-mnist");
}

}  // namespace
}  // namespace nasaic
