// Trains one architecture from scratch with its space's recipe and scores it on
// the test split. Everything that decides the numbers is seeded (the weights
// by torch::manual_seed, the splits and the batch order by our own engines),
// so one seed and one thread count give bit-identical results.
#include <sys/stat.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/json_input.hpp"
#include "common/text_file.hpp"
#include "models/network_yaml.hpp"
#include "search/torch/ir_module.hpp"
#include "search/training.hpp"

namespace nasaic {
namespace {

// Bump when training changes what it computes, so old cache entries miss.
constexpr const char* kTrainerVersion = "nasaic-trainer-1";
constexpr std::int64_t kEvaluationBatch = 500;

torch::Tensor images_tensor(const ImageSet& set) {
  return torch::from_blob(const_cast<float*>(set.pixels.data()), {set.count, set.channels, set.height, set.width},
                          torch::kFloat32)
      .clone();
}

torch::Tensor targets_tensor(const ImageSet& set) {
  if (!set.labels.empty())
    return torch::from_blob(const_cast<std::int64_t*>(set.labels.data()), {set.count}, torch::kInt64).clone();
  return torch::from_blob(const_cast<std::uint8_t*>(set.masks.data()), {set.count, 1, set.height, set.width},
                          torch::kUInt8)
      .to(torch::kFloat32);
}

torch::Tensor loss_of(Metric metric, const torch::Tensor& output, const torch::Tensor& target) {
  if (metric == Metric::top1) return torch::nn::functional::cross_entropy(output, target);
  return torch::nn::functional::binary_cross_entropy_with_logits(output, target);
}

// Top-1 accuracy, or foreground IoU summed over the whole split (not a mean of
// per-image IoUs, which empty masks would make undefined).
double evaluate(IrModule& module, Metric metric, const torch::Tensor& images, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  module->eval();
  double correct = 0, intersection = 0, union_ = 0;
  for (std::int64_t first = 0; first < images.size(0); first += kEvaluationBatch) {
    const std::int64_t count = std::min(kEvaluationBatch, images.size(0) - first);
    const torch::Tensor output = module->forward(images.narrow(0, first, count));
    const torch::Tensor target = targets.narrow(0, first, count);
    if (metric == Metric::top1) {
      correct += output.argmax(1).eq(target).sum().item<double>();
    } else {
      const torch::Tensor predicted = output > 0, truth = target > 0.5;
      intersection += (predicted & truth).sum().item<double>();
      union_ += (predicted | truth).sum().item<double>();
    }
  }
  module->train();
  if (metric == Metric::top1) return correct / static_cast<double>(images.size(0));
  return union_ > 0 ? intersection / union_ : 1.0;
}

double learning_rate_at(const Recipe& recipe, std::int64_t step, std::int64_t steps) {
  const double progress = static_cast<double>(step) / static_cast<double>(steps);
  switch (recipe.schedule) {
    case LearningRateSchedule::constant: return recipe.learning_rate;
    case LearningRateSchedule::cosine: return recipe.learning_rate * 0.5 * (1.0 + std::cos(M_PI * progress));
    case LearningRateSchedule::step:
      return recipe.learning_rate * (progress < 0.5 ? 1.0 : progress < 0.75 ? 0.1 : 0.01);
  }
  return recipe.learning_rate;
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Recipe& recipe, IrModule& module) {
  if (recipe.optimizer == Optimizer::adam)
    return std::make_unique<torch::optim::Adam>(
        module->parameters(), torch::optim::AdamOptions(recipe.learning_rate).weight_decay(recipe.weight_decay));
  return std::make_unique<torch::optim::SGD>(module->parameters(),
                                             torch::optim::SGDOptions(recipe.learning_rate)
                                                 .momentum(recipe.momentum)
                                                 .nesterov(recipe.momentum > 0)
                                                 .weight_decay(recipe.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(rate);
}

std::string cache_file(const TrainingOptions& options, const std::string& key) {
  return (std::filesystem::path(options.cache_dir) / "results" / (key + ".json")).string();
}

// A cache entry is ours and written whole (temporary file + rename); one that
// does not read back is ignored and overwritten, never trusted.
bool read_cached(const std::string& path, TrainingResult& result) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return false;
  try {
    const JsonValue root = load_json_file(path);
    if (root.at("key").as_string() != result.key) return false;
    result.test_metric = root.at("test_metric").as_number(NumberRange::closed(0, 1));
    result.validation_metric = root.at("validation_metric").as_number(NumberRange::closed(0, 1));
    result.seconds = root.at("seconds").as_number(NumberRange::closed(0, 1e12));
    result.images_per_second = root.at("images_per_second").as_number(NumberRange::closed(0, 1e12));
    for (const JsonValue& epoch : root.at("epochs").elements())
      result.epochs.push_back({epoch.at("loss").as_number(), epoch.at("validation_metric").as_number()});
    result.from_cache = true;
    return true;
  } catch (const InputError&) {
    return false;
  }
}

void write_cached(const std::string& path, const TrainingResult& result) {
  const std::string temporary = path + ".tmp" + std::to_string(::getpid());
  write_text_file(temporary, training_result_json(result) + "\n");
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) throw InputError(path, 0, "", "cannot write the result cache: " + error.message());
}

}  // namespace

std::string default_cache_dir() {
  if (const char* dir = std::getenv("NASAIC_CACHE_DIR"); dir && *dir) return dir;
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir) return std::string(dir) + "/nasaic";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/nasaic";
  return ".nasaic-cache";
}

std::string training_result_json(const TrainingResult& result) {
  nlohmann::ordered_json json;
  json["key"] = result.key;
  json["metric"] = metric_name(result.metric);
  json["test_metric"] = result.test_metric;
  json["validation_metric"] = result.validation_metric;
  json["macs"] = result.counts.macs;
  json["parameters"] = result.counts.parameters;
  json["seconds"] = result.seconds;
  json["images_per_second"] = result.images_per_second;
  json["threads"] = result.threads;
  json["from_cache"] = result.from_cache;
  nlohmann::ordered_json epochs = nlohmann::ordered_json::array();
  for (const EpochRecord& epoch : result.epochs)
    epochs.push_back({{"loss", epoch.loss}, {"validation_metric", epoch.validation_metric}});
  json["epochs"] = epochs;
  return dump_json(json, 2);
}

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
  const std::string cached = cache_file(options, result.key);
  if (options.use_cache && read_cached(cached, result)) return result;

  const auto start = std::chrono::steady_clock::now();
  const DataSplits data =
      load_data(space.dataset, recipe.train_subset, recipe.validation, recipe.seed, options.cache_dir);
  const torch::Tensor train_images = images_tensor(data.train), train_targets = targets_tensor(data.train);
  const torch::Tensor validation_images = images_tensor(data.validation);
  const torch::Tensor validation_targets = targets_tensor(data.validation);

  torch::manual_seed(recipe.seed);
  IrModule module(network);
  auto optimizer = make_optimizer(recipe, module);
  const std::int64_t count = train_images.size(0);
  const std::int64_t steps_per_epoch = (count + recipe.batch - 1) / recipe.batch;
  const std::int64_t steps = steps_per_epoch * recipe.epochs;
  std::mt19937_64 shuffle(recipe.seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  double training_seconds = 0;
  for (std::int64_t epoch = 0; epoch < recipe.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    for (std::int64_t i = count - 1; i > 0; --i)
      std::swap(order[static_cast<std::size_t>(i)],
                order[static_cast<std::size_t>(shuffle() % static_cast<std::uint64_t>(i + 1))]);
    const torch::Tensor permutation = torch::from_blob(order.data(), {count}, torch::kInt64);
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
                             evaluate(module, space.metric, validation_images, validation_targets)});
  }
  if (!std::isfinite(result.epochs.back().loss))
    throw InputError(space.file, 0, "recipes." + recipe.name,
                     "training diverged (the loss is not finite); lower learning_rate");
  result.validation_metric = result.epochs.back().validation_metric;
  result.test_metric = evaluate(module, space.metric, images_tensor(data.test), targets_tensor(data.test));
  result.images_per_second = static_cast<double>(count * recipe.epochs) / std::max(training_seconds, 1e-9);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (options.use_cache) {
    std::filesystem::create_directories(std::filesystem::path(cached).parent_path());
    write_cached(cached, result);
  }
  return result;
}

}  // namespace nasaic
