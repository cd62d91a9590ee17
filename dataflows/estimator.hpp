#pragma once
// Layer profiles for one chip, optionally cached by (layer shape,
// sub-accelerator). A search evaluates the same layer shapes over and over,
// and a profile does not depend on the schedule, so the cache turns repeated
// evaluations into a few lookups.
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "dataflows/layer_cost.hpp"
#include "dataflows/mapper.hpp"

namespace nasaic {

// The bandwidth sub-accelerator `sub` gets while every sub-accelerator moves
// data, with the uncalibrated parameters: what the mapper plans for.
double all_active_bandwidth(const ChipSpec& chip, std::size_t sub);

class Estimator {
 public:
  // `mappings` may be shared with other estimators (other chips of a search).
  Estimator(const ChipSpec& chip, SurrogateParams params, std::shared_ptr<MappingCache> mappings = nullptr);

  const ChipSpec& chip() const { return chip_; }
  const SurrogateParams& params() const { return params_; }
  // Profiles do not depend on the parameters, so they stay cached.
  void set_params(const SurrogateParams& params) { params_ = params; }
  std::size_t sub_count() const { return chip_.sub_accelerators.size(); }

  // The profile of `layer` on sub-accelerator `sub` under the mapping the
  // chip's policy chooses, from the cache. The reference stays valid until
  // clear_cache().
  const LayerProfile& profile(const Layer& layer, std::size_t sub);
  // The same, mapped and profiled afresh without touching either cache.
  LayerProfile compute_profile(const Layer& layer, std::size_t sub) const;
  Mapper& mapper() { return mapper_; }
  const Mapper& mapper() const { return mapper_; }
  // The bandwidth sub-accelerator `sub` gets while the subs in `active` (a
  // bit mask, `sub` included or not) also move data.
  double bandwidth(std::size_t sub, std::uint64_t active) const;
  // The same when each other sub-accelerator j requests DRAM for a fraction
  // demand[j] of the time (0 when idle): a compute-bound neighbour leaves
  // most of the channel to the others under work-conserving arbitration.
  double bandwidth(std::size_t sub, const std::vector<double>& demand) const;
  // What a sub-accelerator can get when the others consume `others` bytes per
  // cycle on average and the arbiter is work-conserving; 0 under static
  // partitioning (unused lanes are not lent).
  double unclaimed_bandwidth(double others) const;

  // Forgets profiles, and the mappings too unless the cache is shared.
  void clear_cache() {
    cache_.clear();
    if (mapper_.cache_is_private()) mapper_.cache().clear();
  }
  std::size_t cache_size() const { return cache_.size(); }

 private:
  struct Key {
    std::array<std::int64_t, Layer::kCostKeyFields + 1> fields{};  // the layer's cost key, then the sub index
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };

  ChipSpec chip_;
  SurrogateParams params_;
  Mapper mapper_;
  std::unordered_map<Key, std::shared_ptr<const LayerProfile>, KeyHash> cache_;
};

}  // namespace nasaic
