#pragma once
// The pieces every LibTorch training loop in search/ shares: tensors from an
// ImageSet, the task's loss and metric, the optimiser and its learning-rate
// schedule, and the seeded batch order. Both
// from-scratch training (trainer.cpp) and the supernet (supernet_training.cpp)
// use them, so the two score a network the same way.
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "search/datasets/image_set.hpp"
#include "search/search_space.hpp"
#include "search/torch/ir_module.hpp"

namespace nasaic {

// The first `count` images of the set (all of them when count < 0), copied.
torch::Tensor images_tensor(const ImageSet& set, std::int64_t count = -1);
// Class labels (int64) or masks (float 0/1, one channel).
torch::Tensor targets_tensor(const ImageSet& set);

torch::Tensor loss_of(Metric metric, const torch::Tensor& output, const torch::Tensor& target);
// The loss of `output` against a teacher's outputs on the same batch: the
// cross-entropy to its class probabilities, or to its per-pixel foreground
// probabilities.
torch::Tensor distillation_loss_of(Metric metric, const torch::Tensor& output, const torch::Tensor& teacher);

// Top-1 accuracy, or foreground IoU summed over the whole split (not a mean of
// per-image IoUs, which empty masks would make undefined). Leaves the module
// in eval mode.
double evaluate_metric(IrModule& module, Metric metric, const torch::Tensor& images, const torch::Tensor& targets);

double learning_rate_at(const Recipe& recipe, std::int64_t step, std::int64_t steps);
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const Recipe& recipe,
                                                        const std::vector<torch::Tensor>& parameters);
void set_learning_rate(torch::optim::Optimizer& optimizer, double rate);

// A fresh permutation of [0, count) per epoch, from the recipe's seed only.
class BatchOrder {
 public:
  BatchOrder(std::int64_t count, std::uint64_t seed);
  // Shuffles for the next epoch and returns the order as a tensor (a view of
  // this object's storage, valid until the next call).
  torch::Tensor next_epoch();

 private:
  std::mt19937_64 engine_;
  std::vector<std::int64_t> order_;
};

}  // namespace nasaic
