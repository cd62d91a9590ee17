#pragma once
// A search space per task, read from configs/search/*.yaml:
//
//   name: fashion-resnet          # names the space (architecture files refer to it)
//   task: classification          # the workload task its networks solve
//   dataset: {name: fashion-mnist}            # or {name: nuclei, size: 64, test: 500, ...}
//   metric: top1                  # top1 (class scores) or iou (pixel masks)
//   family: {name: resnet, ...}   # a backbone family, created by name (search/families/)
//   bits: [4, 8, 16]              # operand width per network, a decision like the family's
//   accuracy: train               # train (from scratch) or supernet (weight sharing)
//   supernet: {recipe: supernet, sandwich: true, random: 2, distill: false, calibration: 512,
//              evaluation: 2000, finetune: 0}
//                                 # optional; how the supernet trains and scores
//   recipe: demo                  # the recipe used unless --recipe names another
//   recipes:
//     demo: {epochs: 1, batch: 64, optimizer: sgd, learning_rate: 0.05, momentum: 0.9,
//            weight_decay: 0.0005, schedule: cosine, train_subset: 8000, validation: 2000, seed: 1}
//
// An architecture file names its space and fixes every decision:
//
//   space: fashion-resnet
//   choices: {stage1.blocks: 2, stage1.channels: 16, ..., bits: 8}
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "search/architecture.hpp"
#include "search/datasets/dataset.hpp"
#include "search/network_family.hpp"

namespace nasaic {

enum class Optimizer { sgd, adam };
enum class LearningRateSchedule { constant, cosine, step };
enum class AccuracyMethod { train, supernet };
enum class Metric { top1, iou };

const char* metric_name(Metric metric);
// Throws InputError listing the known names.
AccuracyMethod parse_accuracy_method(const std::string& name);
const char* accuracy_method_name(AccuracyMethod method);

struct Recipe {
  std::string name;
  std::int64_t epochs = 1;
  std::int64_t batch = 64;
  Optimizer optimizer = Optimizer::sgd;
  double learning_rate = 0.05;
  double momentum = 0.0;
  double weight_decay = 0.0;
  // constant; cosine to 0 over all steps; step: ×0.1 at 50 % and 75 % of them.
  LearningRateSchedule schedule = LearningRateSchedule::cosine;
  std::int64_t train_subset = 0;  // training images used
  std::int64_t validation = 0;    // validation images (for selection; never the test set)
  std::uint64_t seed = 1;

  // Every field that changes a trained result, as text: part of cache keys.
  std::string canonical() const;
};

// How the weight-sharing method trains its supernet and scores a candidate.
struct SupernetSettings {
  std::string recipe;             // the recipe that trains the supernet; "" = the space's recipe
  // Each step trains, on one batch, the largest and the smallest candidate
  // (the sandwich rule, Yu et al., ICCV 2019) when `sandwich`, and `random`
  // seeded random candidates; their gradients add up into one update.
  bool sandwich = true;
  std::int64_t random = 2;
  // In-place distillation (Yu & Huang, ICCV 2019): with the sandwich rule,
  // every other candidate of a step learns the largest one's predictions on
  // the batch instead of the labels.
  bool distill = false;
  // Training images that re-estimate a candidate's batch-norm statistics and
  // activation ranges before it is scored.
  std::int64_t calibration = 512;
  // Validation images a candidate is scored on; 0 = all of the recipe's.
  std::int64_t evaluation = 0;
  // Steps a candidate fine-tunes its inherited weights for before it is
  // scored (once-for-all's practice), on batches of the recipe's training
  // images at a tenth of its learning rate; the supernet itself is unchanged.
  std::int64_t finetune = 0;

  // The fields that change the trained weights (part of the supernet's key);
  // calibration and evaluation change scores only and are part of theirs.
  std::string training_canonical() const;
};

struct SearchSpace {
  std::string file;
  std::string name;
  std::string task;
  DatasetSpec dataset;
  Metric metric = Metric::top1;
  std::shared_ptr<const NetworkFamily> family;
  std::vector<Decision> decisions;  // the family's, then "bits"
  AccuracyMethod accuracy = AccuracyMethod::train;
  SupernetSettings supernet;
  std::vector<Recipe> recipes;
  std::string default_recipe;

  // Throws InputError naming the recipes there are.
  const Recipe& recipe(const std::string& name) const;
  // The IR of an architecture (batch 1), named `network_name`.
  Network network(const Architecture& architecture, const std::string& network_name) const;
  // Architecture `index` of a seeded draw: each decision uniform over its
  // values, independent of how many are drawn.
  Architecture sample(std::uint64_t seed, std::int64_t index) const;
  // Every decision at its first or last value: the cheapest and the costliest
  // network the space holds.
  Architecture smallest() const;
  Architecture largest() const;
  // The least `cost` of any network the space holds, for a cost that never
  // falls as a `larger_costs_more` decision grows: those decisions stay at
  // their smallest value and every combination of the others is built
  // (architectures that do not fit the input are skipped). nullopt when more
  // than kLeastCostCombinations combinations would be built.
  static constexpr std::int64_t kLeastCostCombinations = 4096;
  std::optional<double> least_cost(const std::function<double(const Network&)>& cost) const;
};

SearchSpace load_search_space(const std::string& path);

// Reads an architecture file against its space: an unknown or missing
// decision, a value outside its choices, or another space's name is an
// InputError naming file, line and key.
Architecture load_architecture(const std::string& path, const SearchSpace& space);
Architecture parse_architecture(const ConfigNode& root, const SearchSpace& space);
std::string architecture_to_yaml(const Architecture& architecture, const SearchSpace& space);

}  // namespace nasaic
