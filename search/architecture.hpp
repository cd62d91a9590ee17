#pragma once
// A point of a search space: one value per decision (blocks per stage, channels,
// kernel, bit width, ...). Families name their decisions; the space adds `bits`.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nasaic {

struct Decision {
  std::string name;                   // e.g. "stage2.kernel"
  std::vector<std::int64_t> values;   // the allowed values, ascending
  // A larger value never makes the network do less work (MACs, tensor
  // sizes), whatever the other decisions are. SearchSpace::least_cost holds
  // such a decision at its smallest value instead of trying each.
  bool larger_costs_more = false;
};

struct Architecture {
  // One (decision, value) per decision of the space, in the space's order.
  std::vector<std::pair<std::string, std::int64_t>> choices;

  // The value of `decision`; our bug (a check) if the space has no such one.
  std::int64_t at(const std::string& decision) const;
  friend bool operator==(const Architecture&, const Architecture&) = default;
};

}  // namespace nasaic
