#include "search/network_counts.hpp"

namespace nasaic {

NetworkCounts ir_counts(const Network& network) {
  NetworkCounts counts;
  for (const Layer& layer : network.layers()) {
    counts.macs += layer.macs() / layer.N;
    if (layer.has_filter()) counts.parameters += layer.filter_elements() + layer.K;
  }
  return counts;
}

}  // namespace nasaic
