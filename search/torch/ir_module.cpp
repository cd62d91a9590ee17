#include "search/torch/ir_module.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.hpp"
#include "search/torch/supernet.hpp"

namespace nasaic {
namespace {

namespace F = torch::nn::functional;

constexpr double kNormEpsilon = 1e-5;
constexpr double kTrainingMomentum = 0.1;

// Straight-through estimator: the forward pass sees `quantised`, the gradient
// flows to `x` as if quantisation were the identity.
torch::Tensor straight_through(const torch::Tensor& x, const torch::Tensor& quantised) {
  return x + (quantised - x).detach();
}

bool is_global_pool(const Layer& layer) {
  const Padding& pad = layer.padding;
  return layer.R == layer.H && layer.S == layer.W && pad.top == 0 && pad.bottom == 0 && pad.left == 0 &&
         pad.right == 0;
}

torch::Tensor pad_if_asymmetric(const Layer& layer, const torch::Tensor& x, double value) {
  const Padding& pad = layer.padding;
  if (pad.top == pad.bottom && pad.left == pad.right) return x;
  return F::pad(x, F::PadFuncOptions({pad.left, pad.right, pad.top, pad.bottom}).value(value));
}

std::vector<std::int64_t> symmetric_padding(const Layer& layer) {
  const Padding& pad = layer.padding;
  if (pad.top == pad.bottom && pad.left == pad.right) return {pad.top, pad.left};
  return {0, 0};
}

// Center crop to h×w, as Network::produced_input joins maps of unequal size.
torch::Tensor center_crop(const torch::Tensor& x, std::int64_t h, std::int64_t w) {
  const std::int64_t top = (x.size(2) - h) / 2, left = (x.size(3) - w) / 2;
  return x.narrow(2, top, h).narrow(3, left, w);
}

bool has_weights(const Layer& layer) {
  return layer.type == LayerType::conv || layer.type == LayerType::dwconv || layer.type == LayerType::fc;
}

std::vector<std::int64_t> weight_shape(const Layer& layer) {
  if (layer.type == LayerType::fc) return {layer.K, layer.C};
  return {layer.K, layer.C / layer.groups, layer.R, layer.S};
}

}  // namespace

torch::Tensor fake_quantise_weights(const torch::Tensor& weight, int bits) {
  const double levels = static_cast<double>((std::int64_t{1} << (bits - 1)) - 1);
  const torch::Tensor scale = weight.detach().abs().max().clamp_min(1e-12) / levels;
  return straight_through(weight, torch::round(weight / scale).clamp(-levels, levels) * scale);
}

torch::Tensor fake_quantise_activations(const torch::Tensor& x, const torch::Tensor& range, int bits) {
  const double levels = static_cast<double>((std::int64_t{1} << bits) - 1);
  const torch::Tensor scale = range.detach().clamp_min(1e-12) / levels;
  return straight_through(x, torch::round(x / scale).clamp(0.0, levels) * scale);
}

LayerWeights make_layer_weights(const std::vector<std::int64_t>& shape, bool bias, bool norm) {
  std::int64_t fan_in = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  LayerWeights weights;
  torch::NoGradGuard no_grad;
  weights.weight = torch::empty(shape).uniform_(-bound, bound);
  if (bias) weights.bias = torch::empty({shape[0]}).uniform_(-bound, bound);
  if (norm) {
    weights.norm_weight = torch::ones({shape[0]});
    weights.norm_bias = torch::zeros({shape[0]});
  }
  return weights;
}

IrModuleImpl::IrModuleImpl(const Network& network) { build(network); }

IrModuleImpl::IrModuleImpl(const Network& network, SupernetImpl& supernet) : supernet_(&supernet) {
  build(network);
}

void IrModuleImpl::build(const Network& network) {
  const std::vector<std::size_t> order = network.topological_order();
  std::vector<std::size_t> position(network.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  std::vector<std::vector<LayerType>> consumers(network.size());
  for (std::size_t index = 0; index < network.size(); ++index)
    for (const std::size_t producer : network.producers(index)) consumers[producer].push_back(network.layer(index).type);

  std::size_t outputs = 0;
  for (const std::size_t index : order) {
    Node node;
    node.layer = network.layer(index);
    const Layer& layer = node.layer;
    if (layer.type == LayerType::gemm)
      throw InputError("", 0, layer.name, "a gemm layer has no trainable counterpart; use conv or fc");
    for (const std::size_t producer : network.producers(index)) {
      node.producers.push_back(position[producer]);
      node.input_widths.push_back(network.layer(producer).output_shape().channels);
    }
    if (node.producers.empty()) node.input_widths.push_back(layer.input_shape().channels);
    node.output = consumers[index].empty();
    outputs += node.output ? 1 : 0;
    const bool feeds_only_adds =
        !node.output && std::all_of(consumers[index].begin(), consumers[index].end(),
                                    [](LayerType type) { return type == LayerType::add; });
    const bool computes = has_weights(layer) || layer.type == LayerType::add;
    node.relu = computes && !node.output && !feeds_only_adds;
    // Names may not contain '.', and the position keeps them unique.
    std::string name = "l" + std::to_string(nodes_.size()) + "_" + layer.name;
    std::replace(name.begin(), name.end(), '.', '_');
    if (has_weights(layer)) {
      const bool norm = layer.type != LayerType::fc && !node.output;
      const bool bias = layer.type == LayerType::fc || node.output;
      if (!supernet_) {
        node.weights = make_layer_weights(weight_shape(layer), bias, norm);
        node.weights.weight = register_parameter(name + "_weight", node.weights.weight);
        if (bias) node.weights.bias = register_parameter(name + "_bias", node.weights.bias);
        if (norm) {
          node.weights.norm_weight = register_parameter(name + "_norm_weight", node.weights.norm_weight);
          node.weights.norm_bias = register_parameter(name + "_norm_bias", node.weights.norm_bias);
        }
      }
      if (norm) {
        node.running_mean = register_buffer(name + "_running_mean", torch::zeros({layer.K}));
        node.running_var = register_buffer(name + "_running_var", torch::ones({layer.K}));
      }
      node.activation_range = register_buffer(name + "_range", torch::zeros({}));
    }
    nodes_.push_back(std::move(node));
  }
  if (outputs != 1)
    throw InputError("", 0, network.name(),
                     "a trained network needs exactly one output layer; this one has " + std::to_string(outputs));
}

LayerWeights IrModuleImpl::weights_of(const Node& node) const {
  if (!supernet_) return node.weights;
  return supernet_->slice(node.layer, node.input_widths, node.output);
}

torch::Tensor IrModuleImpl::gather_input(const Node& node, const std::vector<torch::Tensor>& outputs,
                                         const torch::Tensor& input) const {
  if (node.producers.empty()) return input;
  if (node.producers.size() == 1) return outputs[node.producers.front()];
  if (node.layer.type == LayerType::add) {
    torch::Tensor sum = outputs[node.producers.front()];
    for (std::size_t i = 1; i < node.producers.size(); ++i) sum = sum + outputs[node.producers[i]];
    return sum;
  }
  std::int64_t h = INT64_MAX, w = INT64_MAX;
  for (const std::size_t producer : node.producers) {
    h = std::min(h, outputs[producer].size(2));
    w = std::min(w, outputs[producer].size(3));
  }
  std::vector<torch::Tensor> parts;
  for (const std::size_t producer : node.producers) parts.push_back(center_crop(outputs[producer], h, w));
  return torch::cat(parts, 1);
}

double IrModuleImpl::statistics_momentum() const {
  return calibration_batches_ >= 0 ? 1.0 / static_cast<double>(calibration_batches_ + 1) : kTrainingMomentum;
}

torch::Tensor IrModuleImpl::quantise_activation(Node& node, const torch::Tensor& x) {
  if (is_training()) {
    torch::NoGradGuard no_grad;
    const torch::Tensor batch_max = x.detach().max();
    // The first batch sets the range; later ones move it as batch norm moves
    // its statistics.
    const double momentum = statistics_momentum();
    node.activation_range.copy_(torch::where(node.activation_range > 0,
                                             (1.0 - momentum) * node.activation_range + momentum * batch_max,
                                             batch_max));
  }
  return fake_quantise_activations(x, node.activation_range, node.layer.bits);
}

torch::Tensor IrModuleImpl::forward(const torch::Tensor& input) {
  std::vector<torch::Tensor> outputs;
  outputs.reserve(nodes_.size());
  for (Node& node : nodes_) {
    const Layer& layer = node.layer;
    torch::Tensor x = gather_input(node, outputs, input);
    if (layer.type == LayerType::conv || layer.type == LayerType::dwconv) {
      const LayerWeights weights = weights_of(node);
      x = pad_if_asymmetric(layer, quantise_activation(node, x), 0.0);
      x = F::conv2d(x, fake_quantise_weights(weights.weight, layer.bits),
                    F::Conv2dFuncOptions()
                        .bias(weights.bias)
                        .stride({layer.stride_h, layer.stride_w})
                        .padding(symmetric_padding(layer))
                        .groups(layer.groups));
      if (counting_) {
        counting_->macs += x[0].numel() * weights.weight.size(1) * weights.weight.size(2) * weights.weight.size(3);
        counting_->parameters +=
            weights.weight.numel() + (weights.bias.defined() ? weights.bias : weights.norm_bias).numel();
      }
      if (weights.norm_weight.defined()) {
        x = F::batch_norm(x, node.running_mean, node.running_var,
                          F::BatchNormFuncOptions()
                              .weight(weights.norm_weight)
                              .bias(weights.norm_bias)
                              .training(is_training())
                              .momentum(statistics_momentum())
                              .eps(kNormEpsilon));
      }
      if (layer.pixel_shuffle > 1) x = torch::pixel_shuffle(x, layer.pixel_shuffle);
    } else if (layer.type == LayerType::fc) {
      const LayerWeights weights = weights_of(node);
      x = quantise_activation(node, x.flatten(1));
      x = F::linear(x, fake_quantise_weights(weights.weight, layer.bits), weights.bias);
      if (counting_) {
        counting_->macs += weights.weight.numel();
        counting_->parameters += weights.weight.numel() + weights.bias.numel();
      }
    } else if (layer.type == LayerType::pool) {
      if (is_global_pool(layer)) {
        x = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions({1, 1}));
      } else {
        x = F::max_pool2d(pad_if_asymmetric(layer, x, -std::numeric_limits<double>::infinity()),
                          F::MaxPool2dFuncOptions({layer.R, layer.S})
                              .stride({layer.stride_h, layer.stride_w})
                              .padding(symmetric_padding(layer)));
      }
    }
    if (node.relu) x = torch::relu(x);
    outputs.push_back(x);
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].output) return outputs[i];
  NASAIC_CHECK(false, "the constructor requires one output layer");
  return {};
}

NetworkCounts IrModuleImpl::count(const TensorShape& input) {
  NetworkCounts counts;
  const bool was_training = is_training();
  eval();
  {
    torch::NoGradGuard no_grad;
    counting_ = &counts;
    forward(torch::zeros({1, input.channels, input.height, input.width}));
    counting_ = nullptr;
  }
  train(was_training);
  return counts;
}

void IrModuleImpl::recalibrate(const torch::Tensor& images, std::int64_t batch) {
  torch::NoGradGuard no_grad;
  for (Node& node : nodes_) {
    if (node.running_mean.defined()) {
      node.running_mean.zero_();
      node.running_var.fill_(1.0);
    }
    if (node.activation_range.defined()) node.activation_range.zero_();
  }
  train();
  calibration_batches_ = 0;
  for (std::int64_t first = 0; first < images.size(0); first += batch, ++calibration_batches_)
    forward(images.narrow(0, first, std::min(batch, images.size(0) - first)));
  calibration_batches_ = -1;
  eval();
}

}  // namespace nasaic
