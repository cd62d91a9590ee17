#pragma once
// What a trained network costs to store and run, counted the same way for the
// IR and for the LibTorch module built from it.
#include <cstdint>

#include "models/network.hpp"

namespace nasaic {

struct NetworkCounts {
  std::int64_t macs = 0;        // per image
  std::int64_t parameters = 0;  // as deployed: weights, plus one bias per output channel (batch norm folds into it)
  friend bool operator==(const NetworkCounts&, const NetworkCounts&) = default;
};

// From the IR: Layer::macs and filter_elements, plus K biases per filtered layer.
NetworkCounts ir_counts(const Network& network);

}  // namespace nasaic
