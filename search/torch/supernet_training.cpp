// Trains a space's supernet once, saves it, and scores candidates with the
// weights they inherit from it (see search/torch/supernet.hpp for the weight
// sharing and search/accuracy.hpp for the interface).
//
// Each step draws one batch and trains several candidates on it: the largest
// and the smallest (the sandwich rule, Yu et al., "Universally Slimmable
// Networks", ICCV 2019) and `random` seeded random ones; their gradients add
// up in the shared weights before one optimiser update. A candidate is built
// fresh per step, so batch normalisation always uses the batch's statistics
// while training; a candidate being scored first re-estimates its own
// statistics on calibration images (once-for-all's practice), then is scored
// on validation images.
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "models/network_yaml.hpp"
#include "search/torch/evaluators.hpp"
#include "search/torch/ir_module.hpp"
#include "search/torch/supernet.hpp"
#include "search/torch/training_loop.hpp"

namespace nasaic {
namespace {

// Bump when supernet training or scoring changes what it computes.
constexpr const char* kSupernetVersion = "nasaic-supernet-1";
constexpr const char* kScoreVersion = "nasaic-supernet-score-1";
constexpr std::int64_t kCalibrationBatch = 256;

// What the space can build, as text: the networks that span it.
std::string space_identity(const SearchSpace& space) {
  std::string text = space.name + "\n";
  for (const Architecture& architecture : spanning_architectures(space))
    text += network_to_yaml(space.network(architecture, space.name));
  return text;
}

class SupernetEvaluator final : public AccuracyEvaluator {
 public:
  SupernetEvaluator(const SearchSpace& space, const Recipe& recipe, const TrainingOptions& options)
      : space_(space), recipe_(recipe), options_(options) {
    if (options.threads > 0) at::set_num_threads(options.threads);
    threads_ = at::get_num_threads();
    const SupernetSettings& settings = space.supernet;
    // The space checks its counts against its own supernet recipe; --recipe may name a smaller one.
    if (settings.calibration > recipe.train_subset)
      throw InputError(space.file, 0, "supernet.calibration",
                       std::to_string(settings.calibration) + " calibration images, but recipe '" + recipe.name +
                           "' trains on " + std::to_string(recipe.train_subset));
    if (settings.evaluation > recipe.validation)
      throw InputError(space.file, 0, "supernet.evaluation",
                       std::to_string(settings.evaluation) + " evaluation images, but recipe '" + recipe.name +
                           "' has " + std::to_string(recipe.validation) + " validation images");
    if (settings.finetune * recipe.batch > recipe.train_subset)
      throw InputError(space.file, 0, "supernet.finetune",
                       std::to_string(settings.finetune) + " fine-tuning steps of " + std::to_string(recipe.batch) +
                           " images, but recipe '" + recipe.name + "' trains on " + std::to_string(recipe.train_subset));
    const DataSplits data =
        load_data(space.dataset, recipe.train_subset, recipe.validation, recipe.seed, options.cache_dir);
    const std::int64_t evaluation = settings.evaluation > 0 ? settings.evaluation : data.validation.count;
    calibration_images_ = images_tensor(data.train, settings.calibration);
    if (settings.finetune > 0) {
      finetune_images_ = images_tensor(data.train, settings.finetune * recipe.batch);
      finetune_targets_ = targets_tensor(data.train).narrow(0, 0, settings.finetune * recipe.batch).clone();
    }
    validation_images_ = images_tensor(data.validation, evaluation);
    validation_targets_ = targets_tensor(data.validation).narrow(0, 0, evaluation).clone();

    supernet_key_ = fnv1a_hex(std::string(kSupernetVersion) + "\n" + TORCH_VERSION + "\nthreads=" +
                              std::to_string(threads_) + "\n" + space.dataset.identity() + "\n" +
                              recipe.canonical() + "\n" + settings.training_canonical() + "\n" + space_identity(space));
    const std::string file =
        (std::filesystem::path(options.cache_dir) / "supernets" / (supernet_key_ + ".pt")).string();
    torch::manual_seed(recipe.seed);
    supernet_ = Supernet(space);
    if (options.use_cache && load(file)) return;
    train(images_tensor(data.train), targets_tensor(data.train));
    if (options.use_cache) save(file);
  }

  AccuracyMethod method() const override { return AccuracyMethod::supernet; }

  TrainingResult evaluate(const Architecture& architecture) override {
    const Network network = space_.network(architecture, space_.name);
    TrainingResult result;
    result.method = AccuracyMethod::supernet;
    result.metric = space_.metric;
    result.has_test_metric = false;
    result.counts = ir_counts(network);
    result.threads = threads_;
    result.validation_images = validation_images_.size(0);
    result.key = fnv1a_hex(std::string(kScoreVersion) + "\n" + supernet_key_ + "\n" + "calibration=" +
                           std::to_string(calibration_images_.size(0)) + " evaluation=" +
                           std::to_string(validation_images_.size(0)) +
                           (space_.supernet.finetune > 0 ? " finetune=" + std::to_string(space_.supernet.finetune) : "") +
                           "\n" + network_to_yaml(network));
    const std::string cached = result_cache_path(options_.cache_dir, result.key);
    if (options_.use_cache && read_cached_result(cached, result)) return result;
    const auto start = std::chrono::steady_clock::now();
    IrModule candidate(network, *supernet_);
    // Fine-tuning writes the shared weights in place: they are put back after.
    std::vector<torch::Tensor> saved;
    if (space_.supernet.finetune > 0) {
      for (const torch::Tensor& parameter : supernet_->parameters()) saved.push_back(parameter.detach().clone());
      finetune(candidate);
    }
    candidate->recalibrate(calibration_images_, kCalibrationBatch);
    result.validation_metric = evaluate_metric(candidate, space_.metric, validation_images_, validation_targets_);
    if (!saved.empty()) {
      torch::NoGradGuard no_grad;
      const auto parameters = supernet_->parameters();
      for (std::size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(saved[i]);
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options_.use_cache) write_cached_result(cached, result);
    return result;
  }

 private:
  void finetune(IrModule& candidate) {
    Recipe tuning = recipe_;
    tuning.learning_rate = recipe_.learning_rate / 10;
    auto optimizer = make_optimizer(tuning, supernet_->parameters());
    candidate->train();
    for (std::int64_t step = 0; step < space_.supernet.finetune; ++step) {
      const torch::Tensor x = finetune_images_.narrow(0, step * recipe_.batch, recipe_.batch);
      const torch::Tensor y = finetune_targets_.narrow(0, step * recipe_.batch, recipe_.batch);
      optimizer->zero_grad();
      loss_of(space_.metric, candidate->forward(x), y).backward();
      optimizer->step();
    }
  }

  // The candidates one step trains, in a fixed order: the largest first, as
  // the teacher under distillation.
  std::vector<Architecture> candidates_of_step(std::int64_t step) const {
    std::vector<Architecture> list;
    if (space_.supernet.sandwich) {
      list.push_back(space_.largest());
      list.push_back(space_.smallest());
    }
    for (std::int64_t i = 0; i < space_.supernet.random; ++i)
      list.push_back(space_.sample(recipe_.seed, step * space_.supernet.random + i));
    return list;
  }

  void train(const torch::Tensor& images, const torch::Tensor& targets) {
    auto optimizer = make_optimizer(recipe_, supernet_->parameters());
    const std::int64_t count = images.size(0);
    const std::int64_t steps_per_epoch = (count + recipe_.batch - 1) / recipe_.batch;
    const std::int64_t steps = steps_per_epoch * recipe_.epochs;
    BatchOrder order(count, recipe_.seed);
    for (std::int64_t epoch = 0; epoch < recipe_.epochs; ++epoch) {
      const torch::Tensor permutation = order.next_epoch();
      double loss_sum = 0;
      for (std::int64_t step = 0; step < steps_per_epoch; ++step) {
        const std::int64_t global_step = epoch * steps_per_epoch + step;
        set_learning_rate(*optimizer, learning_rate_at(recipe_, global_step, steps));
        const std::int64_t first = step * recipe_.batch;
        const torch::Tensor batch = permutation.narrow(0, first, std::min(recipe_.batch, count - first));
        const torch::Tensor x = images.index_select(0, batch), y = targets.index_select(0, batch);
        optimizer->zero_grad();
        double step_loss = 0;
        const std::vector<Architecture> candidates = candidates_of_step(global_step);
        torch::Tensor teacher;  // the largest candidate's outputs, with in-place distillation
        for (const Architecture& architecture : candidates) {
          IrModule candidate(space_.network(architecture, space_.name), *supernet_);
          candidate->train();
          const torch::Tensor output = candidate->forward(x);
          const torch::Tensor loss = teacher.defined() ? distillation_loss_of(space_.metric, output, teacher)
                                                       : loss_of(space_.metric, output, y);
          loss.backward();
          step_loss += loss.item<double>();
          if (space_.supernet.distill && !teacher.defined()) teacher = output.detach();
        }
        optimizer->step();
        loss_sum += step_loss / static_cast<double>(candidates.size());
        if (options_.progress)
          options_.progress(epoch, step + 1, steps_per_epoch, loss_sum / static_cast<double>(step + 1));
      }
      if (!std::isfinite(loss_sum))
        throw InputError(space_.file, 0, "recipes." + recipe_.name,
                         "supernet training diverged (the loss is not finite); lower learning_rate");
    }
  }

  // A file that does not load (another LibTorch, a cut-off write) is retrained
  // and overwritten, never trusted.
  bool load(const std::string& file) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(file, error)) return false;
    try {
      torch::load(supernet_, file);
      return true;
    } catch (const c10::Error&) {
      torch::manual_seed(recipe_.seed);
      supernet_ = Supernet(space_);
      return false;
    }
  }

  void save(const std::string& file) {
    std::filesystem::create_directories(std::filesystem::path(file).parent_path());
    const std::string temporary = temporary_path_for(file);
    torch::save(supernet_, temporary);
    rename_into_place(temporary, file);
  }

  const SearchSpace& space_;
  Recipe recipe_;
  TrainingOptions options_;
  int threads_ = 0;
  Supernet supernet_{nullptr};
  std::string supernet_key_;
  torch::Tensor calibration_images_, validation_images_, validation_targets_;
  torch::Tensor finetune_images_, finetune_targets_;
};

}  // namespace

std::unique_ptr<AccuracyEvaluator> make_supernet_evaluator(const SearchSpace& space, const Recipe& recipe,
                                                           const TrainingOptions& options) {
  return std::make_unique<SupernetEvaluator>(space, recipe, options);
}

}  // namespace nasaic
