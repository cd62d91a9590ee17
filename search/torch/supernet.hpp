#pragma once
// Weight sharing (once-for-all, Cai et al., ICLR 2020; NAAS, Lin et al., DAC
// 2021): one network holds, for every layer name a space can produce, the
// weights of its largest shape. A candidate is the IR of its architecture with
// each layer's weights sliced from those: the first K output channels, the
// first channels of each input segment (a concatenation keeps its segments
// apart), and the centre R×S of the kernel. It is trained by sampling
// candidates each step (the sandwich rule: the largest, the smallest and
// random ones), and a candidate is scored after re-estimating its own
// batch-norm statistics, without training it.
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "search/search_space.hpp"
#include "search/torch/ir_module.hpp"

namespace nasaic {

class SupernetImpl : public torch::nn::Module {
 public:
  // Weights for every layer of the space at its largest shape. Throws
  // InputError if two architectures give one layer name different types or
  // input counts (a family that cannot share weights by name).
  explicit SupernetImpl(const SearchSpace& space);

  // The weights of `layer` as a candidate uses them. `input_widths` are the
  // channels of its input segments; `output` says whether it is the network's
  // output (a bias, no batch norm).
  LayerWeights slice(const Layer& layer, const std::vector<std::int64_t>& input_widths, bool output) const;

 private:
  struct Shared {
    LayerType type = LayerType::conv;
    std::int64_t K = 0, R = 0, S = 0;
    std::vector<std::int64_t> segment_widths;  // the largest channels of each input segment
    bool output = false;
    LayerWeights weights;
  };
  std::map<std::string, Shared> layers_;
};
TORCH_MODULE(Supernet);

// The architectures whose union of layer names and largest shapes spans the
// space: the smallest, the largest, and each with one decision moved to each
// of its values.
std::vector<Architecture> spanning_architectures(const SearchSpace& space);

}  // namespace nasaic
