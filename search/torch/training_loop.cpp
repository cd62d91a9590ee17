#include "search/torch/training_loop.hpp"

#include <cmath>


namespace nasaic {
namespace {

// Images per evaluation batch scale with the image area: 500 Fashion-MNIST
// images, about 100 of 64×64. Batches of 500 large images allocated hundreds
// of MB per layer and spent more time in page faults than in convolutions.
constexpr std::int64_t kEvaluationPixels = 64 * 28 * 28;

}  // namespace

torch::Tensor images_tensor(const ImageSet& set, std::int64_t count) {
  const std::int64_t images = count < 0 ? set.count : std::min(count, set.count);
  return torch::from_blob(const_cast<float*>(set.pixels.data()), {images, set.channels, set.height, set.width},
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

torch::Tensor distillation_loss_of(Metric metric, const torch::Tensor& output, const torch::Tensor& teacher) {
  if (metric == Metric::top1) return -(torch::softmax(teacher, 1) * torch::log_softmax(output, 1)).sum(1).mean();
  return torch::nn::functional::binary_cross_entropy_with_logits(output, torch::sigmoid(teacher));
}

double evaluate_metric(IrModule& module, Metric metric, const torch::Tensor& images, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  module->eval();
  double correct = 0, intersection = 0, union_ = 0;
  const std::int64_t batch = std::max<std::int64_t>(1, kEvaluationPixels / (images.size(2) * images.size(3)));
  for (std::int64_t first = 0; first < images.size(0); first += batch) {
    const std::int64_t count = std::min(batch, images.size(0) - first);
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

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Recipe& recipe,
                                                        const std::vector<torch::Tensor>& parameters) {
  if (recipe.optimizer == Optimizer::adam)
    return std::make_unique<torch::optim::Adam>(
        parameters, torch::optim::AdamOptions(recipe.learning_rate).weight_decay(recipe.weight_decay));
  return std::make_unique<torch::optim::SGD>(parameters, torch::optim::SGDOptions(recipe.learning_rate)
                                                             .momentum(recipe.momentum)
                                                             .nesterov(recipe.momentum > 0)
                                                             .weight_decay(recipe.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(rate);
}

BatchOrder::BatchOrder(std::int64_t count, std::uint64_t seed)
    : engine_(seed ^ 0x9e3779b97f4a7c15ULL), order_(static_cast<std::size_t>(count)) {
  for (std::int64_t i = 0; i < count; ++i) order_[static_cast<std::size_t>(i)] = i;
}

torch::Tensor BatchOrder::next_epoch() {
  // Fisher-Yates on the engine's raw output: the same order with any standard library.
  for (std::size_t i = order_.size(); i > 1; --i)
    std::swap(order_[i - 1], order_[static_cast<std::size_t>(engine_() % static_cast<std::uint64_t>(i))]);
  return torch::from_blob(order_.data(), {static_cast<std::int64_t>(order_.size())}, torch::kInt64);
}

}  // namespace nasaic
