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

class IrModuleImpl : public torch::nn::Module {
 public:
  // Throws InputError for a layer type that cannot be trained (gemm) or a
  // network with more than one output.
  explicit IrModuleImpl(const Network& network);

  torch::Tensor forward(const torch::Tensor& input);
  // Runs one zero image through the module and counts, from its tensors,
  // what it computed and what it stores.
  NetworkCounts count(const TensorShape& input);

 private:
  struct Node {
    Layer layer;
    std::vector<std::size_t> producers;  // positions in nodes_
    bool output = false;
    bool relu = false;
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d norm{nullptr};
    torch::nn::Linear linear{nullptr};
    torch::Tensor activation_range;  // running max of the quantised input
  };

  torch::Tensor gather_input(const Node& node, const std::vector<torch::Tensor>& outputs,
                             const torch::Tensor& input) const;
  torch::Tensor quantise_activation(Node& node, const torch::Tensor& x);

  std::vector<Node> nodes_;
  NetworkCounts* counting_ = nullptr;
};
TORCH_MODULE(IrModule);

}  // namespace nasaic
