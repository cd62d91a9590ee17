#include "models/network_builder.hpp"

namespace nasaic {

NetworkBuilder::NetworkBuilder(std::string name, std::string task, TensorShape input, int bits)
    : network_(std::move(name), std::move(task)), input_(input), bits_(bits) {}

Layer NetworkBuilder::start(const std::string& name, LayerType type, const From& from) const {
  Layer layer;
  layer.name = name;
  layer.type = type;
  layer.bits = bits_;
  for (const auto& source : from) {
    if (!source.empty()) layer.inputs.push_back(source);
  }
  TensorShape shape = input_;
  if (!layer.inputs.empty()) {
    // Reuse the network's own join rule by asking it about a probe copy.
    Network probe = network_;
    probe.add(layer);
    shape = probe.produced_input(probe.size() - 1);
  }
  layer.C = shape.channels;
  layer.H = shape.height;
  layer.W = shape.width;
  layer.K = shape.channels;
  return layer;
}

std::string NetworkBuilder::append(Layer layer) {
  std::string name = layer.name;
  network_.add(std::move(layer));
  return name;
}

std::string NetworkBuilder::conv(const std::string& name, const From& from, std::int64_t K, std::int64_t R,
                                 std::int64_t stride, std::int64_t pad, std::int64_t groups) {
  Layer layer = start(name, LayerType::conv, from);
  layer.K = K;
  layer.R = layer.S = R;
  layer.stride_h = layer.stride_w = stride;
  layer.padding = {pad, pad, pad, pad};
  layer.groups = groups;
  return append(std::move(layer));
}

std::string NetworkBuilder::dwconv(const std::string& name, const From& from, std::int64_t R, std::int64_t stride,
                                   std::int64_t pad) {
  Layer layer = start(name, LayerType::dwconv, from);
  layer.R = layer.S = R;
  layer.stride_h = layer.stride_w = stride;
  layer.padding = {pad, pad, pad, pad};
  layer.groups = layer.C;
  return append(std::move(layer));
}

std::string NetworkBuilder::pool(const std::string& name, const From& from, std::int64_t R, std::int64_t stride,
                                 std::int64_t pad) {
  Layer layer = start(name, LayerType::pool, from);
  layer.R = layer.S = R;
  layer.stride_h = layer.stride_w = stride;
  layer.padding = {pad, pad, pad, pad};
  layer.groups = layer.C;
  return append(std::move(layer));
}

std::string NetworkBuilder::global_pool(const std::string& name, const From& from) {
  Layer layer = start(name, LayerType::pool, from);
  layer.R = layer.H;
  layer.S = layer.W;
  layer.groups = layer.C;
  return append(std::move(layer));
}

std::string NetworkBuilder::fc(const std::string& name, const From& from, std::int64_t K) {
  Layer layer = start(name, LayerType::fc, from);
  layer.C = layer.C * layer.H * layer.W;
  layer.H = layer.W = 1;
  layer.K = K;
  return append(std::move(layer));
}

std::string NetworkBuilder::add(const std::string& name, const From& from) {
  return append(start(name, LayerType::add, from));
}

std::string NetworkBuilder::up_conv(const std::string& name, const From& from, std::int64_t K) {
  Layer layer = start(name, LayerType::conv, from);
  layer.K = 4 * K;
  layer.pixel_shuffle = 2;
  return append(std::move(layer));
}

Network NetworkBuilder::build() const {
  network_.validate_graph_and_shapes();
  return network_;
}

}  // namespace nasaic
