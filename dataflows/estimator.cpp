#include "dataflows/estimator.hpp"

#include <algorithm>
#include <bit>

#include "common/hash.hpp"

namespace nasaic {

Estimator::Estimator(const ChipSpec& chip, SurrogateParams params, std::shared_ptr<MappingCache> mappings)
    : chip_(chip), params_(params), mapper_(chip, std::move(mappings)) {}

std::size_t Estimator::KeyHash::operator()(const Key& key) const { return hash_fields(key.fields); }

LayerProfile Estimator::compute_profile(const Layer& layer, std::size_t sub) const {
  return mapper_.map(layer, sub, chip_.mapping.mode).profile;
}

const LayerProfile& Estimator::profile(const Layer& layer, std::size_t sub) {
  Key key;
  const auto shape = layer.cost_key();
  std::copy(shape.begin(), shape.end(), key.fields.begin());
  key.fields.back() = static_cast<std::int64_t>(sub);
  const auto found = cache_.find(key);
  if (found != cache_.end()) return *found->second;
  return *cache_.emplace(key, mapper_.profile(layer, sub)).first->second;
}

namespace {

// The bandwidth `sub` gets when each other sub-accelerator j moves data a
// fraction demand(j) of the time.
template <class Demand>
double shared_bandwidth(const ChipSpec& chip, const SurrogateParams& params, std::size_t sub, Demand demand) {
  if (!chip.dram.bytes_per_cycle) return kIdealBandwidth;
  const double total = *chip.dram.bytes_per_cycle;
  const auto& subs = chip.sub_accelerators;
  const double share = subs[sub].bandwidth_share;
  double bandwidth = total * share;
  switch (chip.interconnect.arbitration) {
    case Arbitration::static_partition:
      break;
    case Arbitration::round_robin: {
      // Equal turns among the subs moving data; the unused remainder goes to
      // whoever is active.
      double others = 0;
      for (std::size_t j = 0; j < subs.size(); ++j) {
        if (j != sub) others += demand(j);
      }
      bandwidth = total / (1.0 + params.contention * others);
      break;
    }
    case Arbitration::weighted: {
      double others = 0;
      for (std::size_t j = 0; j < subs.size(); ++j) {
        if (j != sub) others += subs[j].bandwidth_share * demand(j);
      }
      bandwidth = total * share / (share + params.contention * others);
      break;
    }
  }
  return std::min(bandwidth, chip.interconnect.link_bytes_per_cycle);
}

}  // namespace

double all_active_bandwidth(const ChipSpec& chip, std::size_t sub) {
  static const SurrogateParams raw;
  return shared_bandwidth(chip, raw, sub, [](std::size_t) { return 1.0; });
}

double Estimator::bandwidth(std::size_t sub, std::uint64_t active) const {
  return shared_bandwidth(chip_, params_, sub, [&](std::size_t j) { return (active >> j & 1u) ? 1.0 : 0.0; });
}

double Estimator::bandwidth(std::size_t sub, const std::vector<double>& demand) const {
  return shared_bandwidth(chip_, params_, sub, [&](std::size_t j) { return demand[j]; });
}

double Estimator::unclaimed_bandwidth(double others) const {
  if (!chip_.dram.bytes_per_cycle || chip_.interconnect.arbitration == Arbitration::static_partition) return 0.0;
  return std::min(*chip_.dram.bytes_per_cycle - others, chip_.interconnect.link_bytes_per_cycle);
}

}  // namespace nasaic
