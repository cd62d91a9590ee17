#include "models/network.hpp"

#include <algorithm>
#include <queue>

#include "common/error.hpp"

namespace nasaic {

Network::Network(std::string name, std::string task) : name_(std::move(name)), task_(std::move(task)) {}

void Network::add(Layer layer) {
  if (layer.name.empty()) throw InputError("", 0, "layers[" + std::to_string(layers_.size()) + "].name", "missing");
  if (index_.count(layer.name)) throw InputError("", 0, layer.name, "duplicate layer name");
  index_.emplace(layer.name, layers_.size());
  layers_.push_back(std::move(layer));
}

std::ptrdiff_t Network::find(const std::string& name) const {
  const auto found = index_.find(name);
  return found == index_.end() ? -1 : static_cast<std::ptrdiff_t>(found->second);
}

std::vector<std::size_t> Network::producers(std::size_t index) const {
  std::vector<std::size_t> result;
  for (const auto& input : layers_[index].inputs) {
    const auto found = index_.find(input);
    if (found == index_.end()) {
      throw InputError("", 0, layers_[index].name + ".inputs",
                       "unknown input '" + input + "' (not a layer of network '" + name_ + "')");
    }
    result.push_back(found->second);
  }
  return result;
}

std::vector<std::size_t> Network::predecessors(std::size_t index) const {
  std::vector<std::size_t> result = producers(index);
  for (const auto& name : layers_[index].after) {
    const auto found = index_.find(name);
    if (found == index_.end()) {
      throw InputError("", 0, layers_[index].name + ".after",
                       "unknown layer '" + name + "' (not a layer of network '" + name_ + "')");
    }
    result.push_back(found->second);
  }
  return result;
}

std::vector<std::size_t> Network::topological_order() const {
  // Kahn's algorithm, taking ready layers in declaration order so the result
  // is stable; a min-heap keeps it O(n log n) for wide graphs.
  std::vector<std::size_t> pending(layers_.size(), 0);
  std::vector<std::vector<std::size_t>> consumers(layers_.size());
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    for (std::size_t producer : predecessors(i)) {
      ++pending[i];
      consumers[producer].push_back(i);
    }
  }
  std::vector<std::size_t> order;
  std::vector<bool> done(layers_.size(), false);
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < layers_.size(); ++i)
    if (pending[i] == 0) ready.push(i);
  while (!ready.empty()) {
    const std::size_t next = ready.top();
    ready.pop();
    order.push_back(next);
    done[next] = true;
    for (std::size_t consumer : consumers[next]) {
      if (--pending[consumer] == 0) ready.push(consumer);
    }
  }
  if (order.size() != layers_.size()) {
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      if (!done[i]) throw InputError("", 0, layers_[i].name + ".inputs", "the layer graph has a cycle through this layer");
    }
  }
  return order;
}

TensorShape Network::produced_input(std::size_t index) const {
  const Layer& layer = layers_[index];
  const auto sources = producers(index);
  if (sources.empty()) return layer.input_shape();
  TensorShape shape = layers_[sources.front()].output_shape();
  for (std::size_t k = 1; k < sources.size(); ++k) {
    const TensorShape next = layers_[sources[k]].output_shape();
    if (layer.type == LayerType::add) {
      if (!(next == shape)) {
        throw InputError("", 0, layer.name + ".inputs",
                         "add inputs '" + layer.inputs.front() + "' and '" + layer.inputs[k] + "' differ in shape");
      }
      continue;
    }
    // A concatenation center-crops larger maps to the smallest, as U-Net's
    // skip connections do.
    shape.channels += next.channels;
    shape.height = std::min(shape.height, next.height);
    shape.width = std::min(shape.width, next.width);
  }
  return shape;
}

void Network::validate_graph() const {
  // Each layer is within the limits; so is the whole network, so that totals
  // summed over it cannot overflow either.
  std::int64_t total_ops = 0;
  for (const auto& layer : layers_) {
    const std::string problem = layer.validate();
    if (!problem.empty()) {
      const auto colon = problem.find(':');
      throw InputError("", 0, layer.name + "." + problem.substr(0, colon), problem.substr(colon + 2));
    }
    total_ops += std::max(layer.ops(), layer.input_elements() + layer.output_elements() + layer.filter_elements());
    if (total_ops > kMaxNetworkOps) {
      throw InputError("", 0, layer.name + ".name",
                       "the network's operations and tensor elements up to this layer exceed the limit of " +
                           std::to_string(kMaxNetworkOps));
    }
  }
  topological_order();
}

void Network::validate_graph_and_shapes() const {
  validate_graph();
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const Layer& layer = layers_[i];
    if (layer.inputs.empty() || layer.type == LayerType::gemm) continue;
    const TensorShape produced = produced_input(i);
    const auto text = [](const TensorShape& s) {
      return std::to_string(s.channels) + "×" + std::to_string(s.height) + "×" + std::to_string(s.width);
    };
    if (layer.type == LayerType::fc) {
      if (layer.C != produced.elements()) {
        throw InputError("", 0, layer.name + ".C",
                         "fc input features " + std::to_string(layer.C) + " differ from the flattened input " +
                             text(produced) + " = " + std::to_string(produced.elements()));
      }
    } else if (!(layer.input_shape() == produced)) {
      throw InputError("", 0, layer.name + ".C",
                       "declared input C×H×W " + text(layer.input_shape()) + " differs from what its inputs produce, " +
                           text(produced));
    }
  }
}

std::int64_t Network::total_macs() const {
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer.macs();
  return total;
}

std::int64_t Network::total_filter_bytes() const {
  std::int64_t total = 0;
  for (const auto& layer : layers_) total += layer.filter_bytes();
  return total;
}

}  // namespace nasaic
