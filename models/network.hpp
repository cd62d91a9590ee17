#pragma once
// A network is a DAG of layers (ResNet shortcuts and U-Net skips are joins),
// with the task it solves. A workload is the set of networks that run
// concurrently on one chip, one per task.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "models/layer.hpp"

namespace nasaic {

class Network {
 public:
  Network() = default;
  Network(std::string name, std::string task);

  const std::string& name() const { return name_; }
  const std::string& task() const { return task_; }
  void set_name(std::string name) { name_ = std::move(name); }
  void set_task(std::string task) { task_ = std::move(task); }

  // Appends a layer. Throws InputError if its name is taken.
  void add(Layer layer);

  const std::vector<Layer>& layers() const { return layers_; }
  std::size_t size() const { return layers_.size(); }
  const Layer& layer(std::size_t index) const { return layers_[index]; }
  // Index of a layer by name, or -1.
  std::ptrdiff_t find(const std::string& name) const;

  // Indices of the layers whose outputs layer `index` consumes.
  std::vector<std::size_t> producers(std::size_t index) const;
  // Everything that must finish before layer `index` starts: its producers
  // and its `after` list.
  std::vector<std::size_t> predecessors(std::size_t index) const;
  // Layer indices so that every producer comes before its consumers. Throws
  // InputError naming a layer on the cycle if the graph has one, or naming an
  // input that is not a layer of this network.
  std::vector<std::size_t> topological_order() const;

  // The tensor a layer consumes given its producers: concatenated along
  // channels, or summed for add. Throws InputError on a mismatch.
  TensorShape produced_input(std::size_t index) const;
  // Checks every layer (Layer::validate), the DAG, and that each layer's
  // declared input shape equals what its producers produce (fc layers flatten).
  // Throws InputError naming the layer and field.
  void validate_graph_and_shapes() const;
  // Checks layers and the DAG only, for topologies without tensor edges
  // (SCALE-Sim files list independent layers).
  void validate_graph() const;

  std::int64_t total_macs() const;
  std::int64_t total_filter_bytes() const;

 private:
  std::string name_;
  std::string task_;
  std::vector<Layer> layers_;
  std::unordered_map<std::string, std::size_t> index_;
};

struct Workload {
  std::vector<Network> networks;
};

}  // namespace nasaic
