#pragma once
// Builds a network layer by layer, inferring each layer's input shape from its
// producers so the zoo (and the search's generated networks) state only what
// a paper's architecture table states.
#include <string>
#include <vector>

#include "models/network.hpp"

namespace nasaic {

class NetworkBuilder {
 public:
  // `from` names below: an empty list (or {""}) means the network input.
  using From = std::vector<std::string>;

  NetworkBuilder(std::string name, std::string task, TensorShape input, int bits = 8);

  std::string conv(const std::string& name, const From& from, std::int64_t K, std::int64_t R, std::int64_t stride,
                   std::int64_t pad, std::int64_t groups = 1);
  std::string dwconv(const std::string& name, const From& from, std::int64_t R, std::int64_t stride,
                     std::int64_t pad);
  std::string pool(const std::string& name, const From& from, std::int64_t R, std::int64_t stride, std::int64_t pad);
  std::string global_pool(const std::string& name, const From& from);
  std::string fc(const std::string& name, const From& from, std::int64_t K);
  std::string add(const std::string& name, const From& from);
  // 2×2 stride-2 transposed convolution to K channels (see Layer::pixel_shuffle).
  std::string up_conv(const std::string& name, const From& from, std::int64_t K);

  // Validates shapes and the DAG; throws InputError on a mistake.
  Network build() const;

 private:
  Layer start(const std::string& name, LayerType type, const From& from) const;
  std::string append(Layer layer);

  Network network_;
  TensorShape input_;
  int bits_;
};

}  // namespace nasaic
