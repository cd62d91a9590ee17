// Trains one architecture from scratch with its space's recipe and scores it on
// the test split. Everything that decides the numbers is seeded (the weights
// by torch::manual_seed, the splits and the batch order by our own engines),
// so one seed and one thread count give bit-identical results.
#include <torch/torch.h>

#include <chrono>
#include <cmath>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "models/network_yaml.hpp"
#include "search/torch/evaluators.hpp"
#include "search/torch/ir_module.hpp"
#include "search/torch/training_loop.hpp"
#include "search/training.hpp"

namespace nasaic {
namespace {

// Bump when training changes what it computes, so old cache entries miss.
constexpr const char* kTrainerVersion = "nasaic-trainer-1";

}  // namespace

TrainingResult train_architecture(const SearchSpace& space, const Architecture& architecture, const Recipe& recipe,
                                  const TrainingOptions& options) {
  const Network network = space.network(architecture, space.name);
  TrainingResult result;
  result.metric = space.metric;
  result.counts = ir_counts(network);
  if (options.threads > 0) at::set_num_threads(options.threads);
  result.threads = at::get_num_threads();
  result.key = fnv1a_hex(std::string(kTrainerVersion) + "\n" + TORCH_VERSION + "\nthreads=" +
                         std::to_string(result.threads) + "\n" + space.dataset.identity() + "\n" +
                         recipe.canonical() + "\n" + network_to_yaml(network));
  const std::string cached = result_cache_path(options.cache_dir, result.key);
  if (options.use_cache && read_cached_result(cached, result)) return result;

  const auto start = std::chrono::steady_clock::now();
  const DataSplits data =
      load_data(space.dataset, recipe.train_subset, recipe.validation, recipe.seed, options.cache_dir);
  const torch::Tensor train_images = images_tensor(data.train), train_targets = targets_tensor(data.train);
  const torch::Tensor validation_images = images_tensor(data.validation);
  const torch::Tensor validation_targets = targets_tensor(data.validation);

  torch::manual_seed(recipe.seed);
  IrModule module(network);
  auto optimizer = make_optimizer(recipe, module->parameters());
  const std::int64_t count = train_images.size(0);
  const std::int64_t steps_per_epoch = (count + recipe.batch - 1) / recipe.batch;
  const std::int64_t steps = steps_per_epoch * recipe.epochs;
  BatchOrder order(count, recipe.seed);
  double training_seconds = 0;
  for (std::int64_t epoch = 0; epoch < recipe.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    module->train();
    const torch::Tensor permutation = order.next_epoch();
    double loss_sum = 0;
    for (std::int64_t step = 0; step < steps_per_epoch; ++step) {
      set_learning_rate(*optimizer, learning_rate_at(recipe, epoch * steps_per_epoch + step, steps));
      const std::int64_t first = step * recipe.batch;
      const torch::Tensor batch = permutation.narrow(0, first, std::min(recipe.batch, count - first));
      optimizer->zero_grad();
      const torch::Tensor loss =
          loss_of(space.metric, module->forward(train_images.index_select(0, batch)), train_targets.index_select(0, batch));
      loss.backward();
      optimizer->step();
      loss_sum += loss.item<double>();
      if (options.progress) options.progress(epoch, step + 1, steps_per_epoch, loss_sum / static_cast<double>(step + 1));
    }
    training_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    result.epochs.push_back({loss_sum / static_cast<double>(steps_per_epoch),
                             evaluate_metric(module, space.metric, validation_images, validation_targets)});
  }
  if (!std::isfinite(result.epochs.back().loss))
    throw InputError(space.file, 0, "recipes." + recipe.name,
                     "training diverged (the loss is not finite); lower learning_rate");
  result.validation_metric = result.epochs.back().validation_metric;
  result.validation_images = validation_images.size(0);
  result.test_metric = evaluate_metric(module, space.metric, images_tensor(data.test), targets_tensor(data.test));
  result.images_per_second = static_cast<double>(count * recipe.epochs) / std::max(training_seconds, 1e-9);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.use_cache) write_cached_result(cached, result);
  return result;
}

namespace {

class TrainingEvaluator final : public AccuracyEvaluator {
 public:
  TrainingEvaluator(const SearchSpace& space, const Recipe& recipe, const TrainingOptions& options)
      : space_(space), recipe_(recipe), options_(options) {}
  AccuracyMethod method() const override { return AccuracyMethod::train; }
  TrainingResult evaluate(const Architecture& architecture) override {
    return train_architecture(space_, architecture, recipe_, options_);
  }

 private:
  const SearchSpace& space_;
  Recipe recipe_;
  TrainingOptions options_;
};

}  // namespace

std::unique_ptr<AccuracyEvaluator> make_training_evaluator(const SearchSpace& space, const Recipe& recipe,
                                                           const TrainingOptions& options) {
  return std::make_unique<TrainingEvaluator>(space, recipe, options);
}

}  // namespace nasaic
