#pragma once
// One generic builder from the nasaic IR to a LibTorch module, so the network
// a search trains is, layer for layer, the network the surrogate and the
// simulator cost. The IR holds shapes, not activations; the builder adds them
// by one rule:
//  - every conv, dwconv and fc that is not the network's output is followed by
//    batch normalisation (conv) and a ReLU, except a layer that only feeds
//    `add` layers, whose ReLU comes after the sum (He et al. 2016);
//  - the output layer keeps a bias and no activation (logits);
//  - a pool that covers its whole input averages (global pooling), any other
//    takes the maximum;
//  - several inputs are center-cropped to the smallest map and concatenated
//    along channels, as Network::produced_input defines;
//  - pixel_shuffle > 1 is a depth-to-space after the convolution: with a 1×1
//    conv to 4K channels it is exactly a 2×2 stride-2 transposed convolution.
// Weights and the activations entering each conv and fc are fake-quantised to
// the layer's bits (symmetric weights, unsigned activations with a running
// range), with the straight-through estimator (Bengio et al. 2013; Jacob et
// al., CVPR 2018), so training sees the precision the hardware computes in.
//
// A module owns its weights, or (weight sharing) takes them as slices of a
// supernet's (search/torch/supernet.hpp); batch-norm statistics and
// activation ranges are always its own.
#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "models/network.hpp"
#include "search/network_counts.hpp"

namespace nasaic {

// Symmetric per-tensor fake quantisation of weights to `bits` (2^(bits-1) - 1
// levels each side of zero), and unsigned quantisation of activations in
// [0, range] to 2^bits - 1 levels; both pass gradients straight through.
torch::Tensor fake_quantise_weights(const torch::Tensor& weight, int bits);
torch::Tensor fake_quantise_activations(const torch::Tensor& x, const torch::Tensor& range, int bits);

// The trainable tensors of one layer.
struct LayerWeights {
  torch::Tensor weight;       // conv [K, C/groups, R, S], fc [K, C]
  torch::Tensor bias;         // the output layer and fc layers; undefined otherwise
  torch::Tensor norm_weight;  // batch norm of hidden conv layers; undefined otherwise
  torch::Tensor norm_bias;
};

// Fresh weights as torch::nn's Conv2d and Linear initialise theirs (uniform in
// ±1/sqrt(fan_in)); batch norm starts at scale 1, shift 0.
LayerWeights make_layer_weights(const std::vector<std::int64_t>& weight_shape, bool bias, bool norm);

class SupernetImpl;

class IrModuleImpl : public torch::nn::Module {
 public:
  // Throws InputError for a layer type that cannot be trained (gemm) or a
  // network with more than one output.
  explicit IrModuleImpl(const Network& network);
  // The same network with its weights sliced from `supernet`, which must
  // outlive the module.
  IrModuleImpl(const Network& network, SupernetImpl& supernet);

  torch::Tensor forward(const torch::Tensor& input);
  // Runs one zero image through the module and counts, from its tensors,
  // what it computed and what it stores.
  NetworkCounts count(const TensorShape& input);
  // Re-estimates batch-norm statistics and activation ranges as plain means
  // over these images (a shared-weight network's own statistics, as
  // once-for-all does), then leaves the module in eval mode.
  void recalibrate(const torch::Tensor& images, std::int64_t batch);

 private:
  struct Node {
    Layer layer;
    std::vector<std::size_t> producers;      // positions in nodes_
    std::vector<std::int64_t> input_widths;  // channels of each input segment
    bool output = false;
    bool relu = false;
    LayerWeights weights;  // owned weights; empty when sliced from a supernet
    torch::Tensor running_mean, running_var, activation_range;
  };

  void build(const Network& network);
  LayerWeights weights_of(const Node& node) const;
  torch::Tensor gather_input(const Node& node, const std::vector<torch::Tensor>& outputs,
                             const torch::Tensor& input) const;
  torch::Tensor quantise_activation(Node& node, const torch::Tensor& x);
  // Momentum of running statistics: 0.1 in training, 1/(n+1) while recalibrating.
  double statistics_momentum() const;

  std::vector<Node> nodes_;
  SupernetImpl* supernet_ = nullptr;
  NetworkCounts* counting_ = nullptr;
  std::int64_t calibration_batches_ = -1;  // >= 0 while recalibrating
};
TORCH_MODULE(IrModule);

}  // namespace nasaic
