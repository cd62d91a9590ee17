#pragma once
// Built-in networks with the shapes of their papers (batch 1, 8-bit).
#include <string>
#include <vector>

#include "models/network.hpp"

namespace nasaic {

struct ZooEntry {
  std::string name;
  std::string description;
  // What the source publishes, for checking: the multiply-accumulate count,
  // or (where no MAC count is published) the number of weights.
  double published_macs;
  double published_weights;
  std::string published_source;
};

const std::vector<ZooEntry>& zoo_entries();
// Throws InputError listing the known names.
Network zoo_model(const std::string& name);
bool is_zoo_model(const std::string& name);

}  // namespace nasaic
