#include "search/torch/supernet.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace nasaic {

std::vector<Architecture> spanning_architectures(const SearchSpace& space) {
  std::vector<Architecture> list{space.smallest(), space.largest()};
  for (const Architecture& base : {space.smallest(), space.largest()}) {
    for (std::size_t d = 0; d < space.decisions.size(); ++d) {
      for (const std::int64_t value : space.decisions[d].values) {
        Architecture moved = base;
        moved.choices[d].second = value;
        list.push_back(moved);
      }
    }
  }
  return list;
}

SupernetImpl::SupernetImpl(const SearchSpace& space) {
  for (const Architecture& architecture : spanning_architectures(space)) {
    const Network network = space.network(architecture, space.name);
    std::vector<bool> consumed(network.size(), false);
    for (std::size_t index = 0; index < network.size(); ++index)
      for (const std::size_t producer : network.producers(index)) consumed[producer] = true;
    for (std::size_t index = 0; index < network.size(); ++index) {
      const Layer& layer = network.layer(index);
      if (!layer.has_filter()) continue;
      std::vector<std::int64_t> widths;
      for (const std::size_t producer : network.producers(index))
        widths.push_back(network.layer(producer).output_shape().channels);
      if (widths.empty()) widths.push_back(layer.input_shape().channels);
      if (layer.type == LayerType::dwconv) widths.assign(1, 1);  // one input channel per filter
      auto [entry, inserted] = layers_.try_emplace(layer.name);
      Shared& shared = entry->second;
      if (inserted) {
        shared.type = layer.type;
        shared.segment_widths = widths;
        shared.output = !consumed[index];
      } else if (shared.type != layer.type || shared.segment_widths.size() != widths.size() ||
                 shared.output != !consumed[index]) {
        throw InputError(space.file, 0, "family",
                         "layer '" + layer.name + "' changes its type or inputs between architectures, so its "
                         "weights cannot be shared by name");
      }
      shared.K = std::max(shared.K, layer.K);
      shared.R = std::max(shared.R, layer.R);
      shared.S = std::max(shared.S, layer.S);
      for (std::size_t i = 0; i < widths.size(); ++i)
        shared.segment_widths[i] = std::max(shared.segment_widths[i], widths[i]);
    }
  }
  // std::map keeps the registration (and so the initialisation) order stable.
  for (auto& [name, shared] : layers_) {
    std::int64_t channels = 0;
    for (const std::int64_t width : shared.segment_widths) channels += width;
    const bool fc = shared.type == LayerType::fc;
    const std::vector<std::int64_t> shape =
        fc ? std::vector<std::int64_t>{shared.K, channels} : std::vector<std::int64_t>{shared.K, channels, shared.R, shared.S};
    const bool bias = fc || shared.output, norm = !fc && !shared.output;
    shared.weights = make_layer_weights(shape, bias, norm);
    std::string key = name;
    std::replace(key.begin(), key.end(), '.', '_');
    shared.weights.weight = register_parameter(key + "_weight", shared.weights.weight);
    if (bias) shared.weights.bias = register_parameter(key + "_bias", shared.weights.bias);
    if (norm) {
      shared.weights.norm_weight = register_parameter(key + "_norm_weight", shared.weights.norm_weight);
      shared.weights.norm_bias = register_parameter(key + "_norm_bias", shared.weights.norm_bias);
    }
  }
}

LayerWeights SupernetImpl::slice(const Layer& layer, const std::vector<std::int64_t>& input_widths, bool output) const {
  const auto found = layers_.find(layer.name);
  NASAIC_CHECK(found != layers_.end(), "the supernet spans every layer name of its space: " + layer.name);
  const Shared& shared = found->second;
  NASAIC_CHECK(shared.output == output && (layer.type == LayerType::dwconv || input_widths.size() == shared.segment_widths.size()),
               "a candidate's layer has the supernet's inputs: " + layer.name);
  LayerWeights full = shared.weights;
  torch::Tensor weight = full.weight.narrow(0, 0, layer.K);
  if (layer.type != LayerType::dwconv) {
    std::vector<torch::Tensor> segments;
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < input_widths.size(); ++i) {
      segments.push_back(weight.narrow(1, offset, input_widths[i]));
      offset += shared.segment_widths[i];
    }
    weight = segments.size() == 1 ? segments.front() : torch::cat(segments, 1);
  }
  if (layer.type != LayerType::fc)
    weight = weight.narrow(2, (shared.R - layer.R) / 2, layer.R).narrow(3, (shared.S - layer.S) / 2, layer.S);
  LayerWeights sliced;
  sliced.weight = weight;
  if (full.bias.defined()) sliced.bias = full.bias.narrow(0, 0, layer.K);
  if (full.norm_weight.defined()) {
    sliced.norm_weight = full.norm_weight.narrow(0, 0, layer.K);
    sliced.norm_bias = full.norm_bias.narrow(0, 0, layer.K);
  }
  return sliced;
}

}  // namespace nasaic
