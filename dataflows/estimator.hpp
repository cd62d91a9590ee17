#pragma once
// Layer profiles for one chip, optionally cached by (layer shape,
// sub-accelerator). A search evaluates the same layer shapes over and over,
// and a profile does not depend on the schedule, so the cache turns repeated
// evaluations into a few lookups.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "dataflows/layer_cost.hpp"

namespace nasaic {

class Estimator {
 public:
  Estimator(const ChipSpec& chip, SurrogateParams params);

  const ChipSpec& chip() const { return chip_; }
  const SurrogateParams& params() const { return params_; }
  // Profiles do not depend on the parameters, so they stay cached.
  void set_params(const SurrogateParams& params) { params_ = params; }
  std::size_t sub_count() const { return chip_.sub_accelerators.size(); }

  // The profile of `layer` on sub-accelerator `sub`, from the cache. The
  // reference stays valid until clear_cache().
  const LayerProfile& profile(const Layer& layer, std::size_t sub);
  // The same, computed afresh without touching the cache.
  LayerProfile compute_profile(const Layer& layer, std::size_t sub) const;
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

  void clear_cache() { cache_.clear(); }
  std::size_t cache_size() const { return cache_.size(); }

 private:
  struct Key {
    std::array<std::int64_t, 18> fields;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const;
  };

  ChipSpec chip_;
  SurrogateParams params_;
  std::vector<const DataflowTemplate*> templates_;
  std::vector<int> template_indices_;
  std::unordered_map<Key, LayerProfile, KeyHash> cache_;
};

}  // namespace nasaic
