#pragma once
// The per-layer mapper: searches a template's mapping space (tile sizes, loop
// order, spatial choice; dataflows/mapping.hpp) with the closed-form
// surrogate as its objective, in the spirit of Timeloop's mapper (Parashar et
// al., ISPASS 2019) and of the per-layer mapping search NAAS credits for its
// gains over fixed mappings (Lin et al., DAC 2021).
//
// Objective. A mapping is scored by the surrogate's latency for the layer
// alone on its sub-accelerator, with the bandwidth that sub gets while every
// sub-accelerator moves data (the contended share: a layer must not be mapped
// for bandwidth it will rarely have), its input in DRAM, and the uncalibrated
// parameters, and by its energy. The score depends only on the layer, the
// sub-accelerator, the chip's DRAM and technology, and the policy, never on
// a calibration, so the simulator (which has none) replays the mapping the
// surrogate costed.
//
// Search. A space of at most kExhaustiveLimit mappings is enumerated and
// every mapping costed in full. A larger space is pruned, deterministically
// (no sampling, so no seed):
//   1. each loop keeps the tiles of trip counts 1, 2, 3, 4, 6, 8, 12, 16, 24,
//      32, ... (about two per octave), its smallest tile, and the greedy tile;
//   2. mappings that do not fit are dropped, and so are mappings whose tile
//      along some loop could grow to the next kept size and still fit
//      (bigger tiles move fewer bytes);
//   3. the rest are screened, one loop nest each (orders that differ only in
//      where single-trip loops sit are the same nest), by a cheap bound,
//      max(compute, burst-rounded DRAM bytes / bandwidth), and their energy,
//      from the plan's totals; only the greedy spatial choice is screened;
//   4. the kFinalists best by the screen, and the greedy mapping, are costed
//      in full; greedy is always a finalist, so the mapper is never worse
//      than the greedy rule by its own objective;
//   4b. the winner's tiles and order under other spatial choices (its
//      neighbours in the template's list and an even sample, kSpatialProbes
//      in all), screened, the best few costed in full;
//   5. from the best so far, a descent costed in full: the next kept tile
//      size up or down along each loop, for up to kDescentRounds rounds while
//      it improves. Tiles below the maximal ones often pipeline their loads
//      better, which the screen's bound cannot see.
// On 90 memory-bound mid-sized layer mappings (tests/mapper_test.cpp) this
// lands at 1.03x the enumerated optimum on average, 1.16x at worst.
// Ties go to the earlier candidate: greedy first, then enumeration order.
#include <cstdint>
#include <deque>
#include <memory>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "dataflows/chip_spec.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/layer_cost.hpp"

namespace nasaic {

inline constexpr std::int64_t kExhaustiveLimit = 48;
inline constexpr int kFinalists = 4;
inline constexpr int kDescentRounds = 4;
inline constexpr int kSpatialProbes = 8;

struct MappingScore {
  double latency_cycles = 0;
  double energy_pj = 0;
};

// True when `a` is strictly better than `b` under `objective`.
bool better_score(const MappingScore& a, const MappingScore& b, MappingObjective objective);

struct MappingResult {
  TilePlan plan;  // the chosen mapping's plan (feasible = false when no mapping fits)
  LayerProfile profile;
  MappingScore score;
  std::int64_t space_size = 0;  // mappings in the whole space
  std::int64_t costed = 0;      // mappings costed in full
  bool exhaustive = false;
};

// Chosen mappings and their profiles by (layer shape, sub-accelerator spec,
// DRAM, technology, policy), never by a sub-accelerator's index or name: one
// cache serves every chip of a search, which meets the same shapes on the
// same sub-accelerators over and over. Safe to share between threads. Holds
// at most `capacity` entries, forgetting the oldest first; an entry is what
// the mapper would compute again, so forgetting costs time, never results.
class MappingCache {
 public:
  static constexpr std::size_t kSubFields = 33;  // see Mapper::sub_fields
  // What a key holds of the sub-accelerator (and chip) a layer is mapped on.
  struct SubKey {
    std::array<std::int64_t, kSubFields> fields{};
    std::size_t hash = 0;  // of `fields`: where a key's hash continues with the layer's
    bool operator==(const SubKey& other) const { return hash == other.hash && fields == other.fields; }
  };
  struct SubKeyHash {
    std::size_t operator()(const SubKey& key) const { return key.hash; }
  };
  struct Key {
    // The sub-accelerator's fields, then the layer's cost key (Mapper::key_of).
    std::array<std::int64_t, kSubFields + Layer::kCostKeyFields> fields{};
    std::size_t hash = 0;  // of the fields, computed once
    bool operator==(const Key& other) const { return hash == other.hash && fields == other.fields; }
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const { return key.hash; }
  };
  struct Entry {
    Mapping mapping;
    LayerProfile profile;
  };
  static constexpr std::size_t kDefaultCapacity = 1 << 18;

  explicit MappingCache(std::size_t capacity = kDefaultCapacity);
  // Shared, so that it stays valid whatever other threads insert or forget;
  // null when unknown.
  std::shared_ptr<const Entry> find(const Key& key) const;
  // The entry kept for `key` (an equal one may have been there first).
  std::shared_ptr<const Entry> insert(const Key& key, Entry entry);
  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  void clear();

 private:
  const std::size_t capacity_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<Key, std::shared_ptr<const Entry>, KeyHash> map_;
  std::deque<Key> order_;  // insertion order, for forgetting the oldest
};

class Mapper {
 public:
  explicit Mapper(const ChipSpec& chip, std::shared_ptr<MappingCache> cache = nullptr);

  const ChipSpec& chip() const { return chip_; }
  const DataflowTemplate& dataflow(std::size_t sub) const { return *templates_[sub]; }
  int template_index(std::size_t sub) const { return template_indices_[sub]; }
  MappingCache& cache() { return *cache_; }
  bool cache_is_private() const { return cache_.use_count() == 1; }

  // The plan the chip's mapping policy chooses for `layer` on sub-accelerator
  // `sub`. The mapping comes from the cache when known.
  TilePlan plan(const Layer& layer, std::size_t sub);
  // The profile of that plan, shared with the cache when it holds it.
  std::shared_ptr<const LayerProfile> profile(const Layer& layer, std::size_t sub);
  // The policy's choice with its figures, computed afresh (the cache is
  // neither read nor written).
  MappingResult map(const Layer& layer, std::size_t sub, MappingMode mode) const;

  // The pieces the search is made of, public for tests and `nasaic map`.
  LayerProfile profile(const Layer& layer, const TilePlan& plan, std::size_t sub) const;
  MappingScore score(const LayerProfile& profile, std::size_t sub) const;
  // Every mapping of the space, in enumeration order (greedy not included).
  std::vector<Mapping> enumerate(const Layer& layer, std::size_t sub) const;
  // Everything besides the layer that a mapping and profile on `sub` depend on.
  const MappingCache::SubKey& sub_key(std::size_t sub) const { return sub_keys_[sub]; }
  // Bytes per cycle the objective assumes for `sub`.
  double objective_bandwidth(std::size_t sub) const { return bandwidth_[sub]; }

 private:
  MappingCache::Key key_of(const Layer& layer, std::size_t sub) const;
  std::array<std::int64_t, MappingCache::kSubFields> sub_fields(std::size_t sub) const;

  ChipSpec chip_;
  std::shared_ptr<MappingCache> cache_;
  std::vector<const DataflowTemplate*> templates_;
  std::vector<int> template_indices_;
  std::vector<double> bandwidth_;
  std::int64_t technology_fingerprint_ = 0;  // of the table's values, not its file
  std::vector<MappingCache::SubKey> sub_keys_;  // per sub-accelerator
};

}  // namespace nasaic
