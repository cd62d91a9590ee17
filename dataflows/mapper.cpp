#include "dataflows/mapper.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <mutex>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "dataflows/estimator.hpp"

namespace nasaic {
namespace {

// Trip counts the pruned search keeps: about two per octave.
bool kept_trip_count(std::int64_t trips) {
  if (trips <= 4) return true;
  const int octave = std::bit_width(static_cast<std::uint64_t>(trips)) - 1;  // 2^octave <= trips
  const std::int64_t low = std::int64_t{1} << octave;
  return trips == low || trips == low + low / 2;
}

std::int64_t trips_of(std::int64_t extent, std::int64_t tile) { return (extent + tile - 1) / tile; }

// Calls visit(mapping) for every combination of one tile per loop from
// `options`, with the given order and spatial choice; the first option of
// each loop first.
template <class Visit>
void for_each_tiling(const MappingSpace& space, const std::array<std::vector<std::int64_t>, kMaxMappingLoops>& options,
                     Visit&& visit) {
  std::array<std::size_t, kMaxMappingLoops> index{};
  Mapping mapping;
  while (true) {
    for (int i = 0; i < space.loop_count; ++i) mapping.tiles[i] = options[i][index[i]];
    visit(static_cast<const Mapping&>(mapping));
    int i = space.loop_count - 1;
    for (; i >= 0; --i) {
      if (++index[i] < options[i].size()) break;
      index[i] = 0;
    }
    if (i < 0) return;
  }
}

double energy_from_totals(const TilePlan& plan, const SubAcceleratorSpec& sub, const Technology& technology, int bits) {
  ActivityCounts counts;
  counts.ops = plan.totals.ops;
  counts.buffer_reads = plan.totals.buffer_reads;
  counts.buffer_writes = plan.totals.buffer_writes;
  counts.dram_read_bytes = plan.totals.dram_read_bytes;
  counts.dram_write_bytes = plan.totals.dram_write_bytes;
  return energy_of(counts, sub, technology, bits).total_pj();
}

// DRAM bytes of a plan as the channel moves them: each transfer in whole
// bursts. Small tiles pay for it, which totals alone would hide.
double burst_bytes(const TilePlan& plan, std::int64_t burst) {
  const auto rounded = [&](std::int64_t bytes) { return static_cast<double>((bytes + burst - 1) / burst * burst); };
  double total = 0;
  for (int c = 0; c < plan.class_count; ++c) {
    const TileClass& tile_class = plan.classes[c];
    const auto& fp = tile_class.cost.footprint_bytes;
    total += static_cast<double>(tile_class.loads[0]) * rounded(fp[0]) +
             static_cast<double>(tile_class.loads[1]) * rounded(fp[1]) +
             static_cast<double>(tile_class.ofmap_rereads + tile_class.loads[2]) * rounded(fp[2]);
  }
  return total;
}

}  // namespace

bool better_score(const MappingScore& a, const MappingScore& b, MappingObjective objective) {
  switch (objective) {
    case MappingObjective::latency:
      if (a.latency_cycles != b.latency_cycles) return a.latency_cycles < b.latency_cycles;
      return a.energy_pj < b.energy_pj;
    case MappingObjective::energy:
      if (a.energy_pj != b.energy_pj) return a.energy_pj < b.energy_pj;
      return a.latency_cycles < b.latency_cycles;
    case MappingObjective::edp: {
      const double ea = a.latency_cycles * a.energy_pj, eb = b.latency_cycles * b.energy_pj;
      if (ea != eb) return ea < eb;
      return a.latency_cycles < b.latency_cycles;
    }
  }
  return false;
}



MappingCache::MappingCache(std::size_t capacity) : capacity_(std::max<std::size_t>(1, capacity)) {}

std::shared_ptr<const MappingCache::Entry> MappingCache::find(const Key& key) const {
  std::shared_lock lock(mutex_);
  const auto found = map_.find(key);
  return found == map_.end() ? nullptr : found->second;
}

std::shared_ptr<const MappingCache::Entry> MappingCache::insert(const Key& key, Entry entry) {
  std::unique_lock lock(mutex_);
  // Two threads may map the same layer at once; the first entry stays (both are equal).
  const auto [at, inserted] = map_.emplace(key, std::make_shared<const Entry>(std::move(entry)));
  std::shared_ptr<const Entry> kept = at->second;
  if (!inserted) return kept;
  order_.push_back(key);
  while (map_.size() > capacity_) {
    map_.erase(order_.front());
    order_.pop_front();
  }
  return kept;
}

std::size_t MappingCache::size() const {
  std::shared_lock lock(mutex_);
  return map_.size();
}

void MappingCache::clear() {
  std::unique_lock lock(mutex_);
  map_.clear();
  order_.clear();
}

Mapper::Mapper(const ChipSpec& chip, std::shared_ptr<MappingCache> cache)
    : chip_(chip), cache_(cache ? std::move(cache) : std::make_shared<MappingCache>()) {
  const auto& names = template_names();
  for (std::size_t s = 0; s < chip_.sub_accelerators.size(); ++s) {
    const auto& sub = chip_.sub_accelerators[s];
    templates_.push_back(&find_template(sub.dataflow));
    template_indices_.push_back(static_cast<int>(std::find(names.begin(), names.end(), sub.dataflow) - names.begin()));
    bandwidth_.push_back(all_active_bandwidth(chip_, s));
  }
  technology_fingerprint_ = static_cast<std::int64_t>(technology_fingerprint(chip_.technology));
  for (std::size_t s = 0; s < chip_.sub_accelerators.size(); ++s) {
    MappingCache::SubKey key{sub_fields(s), 0};
    key.hash = hash_fields(key.fields);
    sub_keys_.push_back(key);
  }
}

std::array<std::int64_t, MappingCache::kSubFields> Mapper::sub_fields(std::size_t s) const {
  const SubAcceleratorSpec& sub = chip_.sub_accelerators[s];
  const auto bits_of = [](double value) {
    std::int64_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  };
  std::array<std::int64_t, MappingCache::kSubFields> fields{};
  std::size_t n = 0;
  // at() so that a field added here without growing kSubFields fails loudly.
  const auto put = [&](std::int64_t value) { fields.at(n++) = value; };
  put(template_indices_[s]);
  for (std::int64_t field : {sub.rows, sub.cols, static_cast<std::int64_t>(sub.bits)}) put(field);
  for (const BufferSpec* buffer : {&sub.ifmap, &sub.filter, &sub.ofmap}) {
    for (std::int64_t field : {buffer->capacity_bytes, buffer->banks, buffer->read_ports, buffer->write_ports}) {
      put(field);
    }
  }
  put(bits_of(bandwidth_[s]));
  put(bits_of(chip_.dram.latency_cycles));
  put(chip_.dram.burst_bytes);
  put(static_cast<std::int64_t>(chip_.mapping.mode));
  put(static_cast<std::int64_t>(chip_.mapping.objective));
  put(technology_fingerprint_);
  const RowStationarySpec& rs = sub.row_stationary;
  for (std::int64_t field : {rs.filter_spad_words, rs.ifmap_spad_words, rs.psum_spad_words}) put(field);
  for (double rate : {rs.ifmap_words_per_cycle, rs.filter_words_per_cycle, rs.psum_words_per_cycle}) {
    put(bits_of(rate));
  }
  put((rs.rlc ? 1 : 0) | (rs.shared_glb ? 2 : 0));
  put((sub.nvdla.winograd ? 1 : 0) | (sub.nvdla.channel_extension ? 2 : 0) | (sub.nvdla.shared_cbuf ? 4 : 0) |
      (sub.nvdla.whole_channel_reduction ? 8 : 0));
  put(sub.nvdla.sdp_throughput);
  put(sub.nvdla.pdp_throughput);
  put(sub.systolic_layer_overhead_cycles);
  NASAIC_CHECK(n == fields.size(), "every sub-accelerator field of the mapping key is set");
  return fields;
}

MappingCache::Key Mapper::key_of(const Layer& layer, std::size_t s) const {
  // The sub-accelerator's fields and their hash are fixed per chip; only the
  // layer's are hashed per lookup.
  MappingCache::Key key;
  const MappingCache::SubKey& sub = sub_keys_[s];
  std::copy(sub.fields.begin(), sub.fields.end(), key.fields.begin());
  const auto shape = layer.cost_key();
  std::copy(shape.begin(), shape.end(), key.fields.begin() + MappingCache::kSubFields);
  key.hash = hash_fields(shape, sub.hash);
  return key;
}

TilePlan Mapper::plan(const Layer& layer, std::size_t sub) {
  const MappingCache::Key key = key_of(layer, sub);
  if (const auto known = cache_->find(key)) return templates_[sub]->plan(layer, chip_.sub_accelerators[sub], known->mapping);
  MappingResult result = map(layer, sub, chip_.mapping.mode);
  if (result.plan.feasible) cache_->insert(key, {result.plan.mapping, result.profile});
  return std::move(result.plan);
}

std::shared_ptr<const LayerProfile> Mapper::profile(const Layer& layer, std::size_t sub) {
  const MappingCache::Key key = key_of(layer, sub);
  // The cached entry itself, not a copy: a search asks for the same profiles
  // on thousands of chips, and copying their tile groups cost as much as
  // using them.
  if (auto known = cache_->find(key)) return {known, &known->profile};
  MappingResult result = map(layer, sub, chip_.mapping.mode);
  if (!result.plan.feasible) return std::make_shared<const LayerProfile>(std::move(result.profile));
  auto entry = cache_->insert(key, {result.plan.mapping, std::move(result.profile)});
  return {entry, &entry->profile};
}

LayerProfile Mapper::profile(const Layer& layer, const TilePlan& plan, std::size_t sub) const {
  return profile_plan(layer, plan, chip_.sub_accelerators[sub], chip_.technology, chip_.dram.burst_bytes,
                      template_indices_[sub]);
}

MappingScore Mapper::score(const LayerProfile& profile, std::size_t sub) const {
  static const SurrogateParams raw;
  MappingScore score;
  score.latency_cycles =
      layer_latency(profile, bandwidth_[sub], chip_.dram.latency_cycles, raw, /*input_on_chip=*/false).cycles;
  score.energy_pj = profile.energy.total_pj() +
                    static_energy_pj(chip_.sub_accelerators[sub], chip_.technology, score.latency_cycles);
  return score;
}

std::vector<Mapping> Mapper::enumerate(const Layer& layer, std::size_t s) const {
  const MappingSpace space = templates_[s]->mapping_space(layer, chip_.sub_accelerators[s]);
  std::array<std::vector<std::int64_t>, kMaxMappingLoops> options;
  for (int i = 0; i < space.loop_count; ++i) options[i] = tile_options(space.loops[i]);
  std::vector<Mapping> all;
  for (int spatial = 0; spatial < space.spatial_choices; ++spatial) {
    for (const auto& order : space.orders) {
      for_each_tiling(space, options, [&](const Mapping& tiling) {
        Mapping m = tiling;
        m.order = order;
        m.spatial = spatial;
        all.push_back(m);
      });
    }
  }
  return all;
}

MappingResult Mapper::map(const Layer& layer, std::size_t s, MappingMode mode) const {
  const DataflowTemplate& dataflow = *templates_[s];
  const SubAcceleratorSpec& sub = chip_.sub_accelerators[s];
  const MappingObjective objective = chip_.mapping.objective;
  MappingResult best;
  const auto cost = [&](const TilePlan& plan) {
    LayerProfile profile = this->profile(layer, plan, s);
    const MappingScore score = this->score(profile, s);
    ++best.costed;
    return std::make_pair(std::move(profile), score);
  };
  const auto offer = [&](TilePlan&& plan) {
    if (!plan.feasible) return;
    auto [profile, score] = cost(plan);
    if (!best.plan.feasible || better_score(score, best.score, objective)) {
      best.plan = std::move(plan);
      best.profile = std::move(profile);
      best.score = score;
    }
  };

  const Mapping greedy = dataflow.greedy_mapping(layer, sub);
  best.plan = dataflow.plan(layer, sub, greedy);
  const std::string greedy_reason = best.plan.reason;
  if (best.plan.feasible) {
    auto [profile, score] = cost(best.plan);
    best.profile = std::move(profile);
    best.score = score;
  }
  const MappingSpace space = dataflow.mapping_space(layer, sub);
  std::array<std::vector<std::int64_t>, kMaxMappingLoops> options;
  best.space_size = static_cast<std::int64_t>(space.orders.size()) * space.spatial_choices;
  for (int i = 0; i < space.loop_count; ++i) {
    options[i] = tile_options(space.loops[i]);
    best.space_size *= static_cast<std::int64_t>(options[i].size());
  }
  if (mode == MappingMode::greedy) {
    best.space_size = 1;
    best.exhaustive = true;
    if (!best.plan.feasible) best.profile = profile(layer, best.plan, s);
    return best;
  }

  if (best.space_size <= kExhaustiveLimit) {
    best.exhaustive = true;
    for (const Mapping& m : enumerate(layer, s)) {
      if (m == greedy || !dataflow.fits(layer, sub, m)) continue;
      offer(dataflow.plan(layer, sub, m));
    }
  } else {
    // 1. Tiles of the kept trip counts, the smallest tile and the greedy one.
    for (int i = 0; i < space.loop_count; ++i) {
      const MappingLoop& loop = space.loops[i];
      std::vector<std::int64_t> kept;
      for (std::size_t j = 0; j < options[i].size(); ++j) {
        const std::int64_t tile = options[i][j];
        if (kept_trip_count(trips_of(loop.extent, tile)) || j + 1 == options[i].size()) kept.push_back(tile);
      }
      const std::int64_t greedy_tile = std::min(greedy.tiles[i], loop.extent);
      if (std::find(kept.begin(), kept.end(), greedy_tile) == kept.end()) {
        kept.insert(std::upper_bound(kept.begin(), kept.end(), greedy_tile, std::greater<>()), greedy_tile);
      }
      options[i] = std::move(kept);
    }
    // 2. Maximal fitting tilings: growing any loop's tile to the next kept
    // size would overflow a buffer.
    struct Screened {
      Mapping mapping;
      MappingScore bound;
      std::size_t index = 0;  // enumeration order, for ties
    };
    std::vector<Screened> screened;
    const double bandwidth = bandwidth_[s];
    const auto screen = [&](const TilePlan& plan) {
      MappingScore bound;
      bound.latency_cycles = static_cast<double>(plan.totals.compute_cycles);
      if (bandwidth < kIdealBandwidth) {
        bound.latency_cycles = std::max(bound.latency_cycles, burst_bytes(plan, chip_.dram.burst_bytes) / bandwidth);
      }
      bound.energy_pj = energy_from_totals(plan, sub, chip_.technology, layer.bits) +
                        static_energy_pj(sub, chip_.technology, bound.latency_cycles);
      return bound;
    };
    const auto by_bound = [&](const Screened& a, const Screened& b) {
      if (better_score(a.bound, b.bound, objective)) return true;
      return !better_score(b.bound, a.bound, objective) && a.index < b.index;
    };
    // Spatial choices beyond the greedy one are tried on the winner (4b):
    // screening every tiling under every spatial choice costs their product.
    for (int spatial = greedy.spatial; spatial == greedy.spatial; ++spatial) {
      std::vector<Mapping> maximal;
      // Fitting only shrinks as tiles grow, so along the loop with the most
      // sizes the first that fits, from the largest down, is the one maximal
      // tile: one scan per combination of the other loops instead of a fit
      // test of every combination.
      int free = 0;
      for (int i = 1; i < space.loop_count; ++i) {
        if (options[i].size() > options[free].size()) free = i;
      }
      auto others = options;
      others[free] = {options[free].front()};
      for_each_tiling(space, others, [&](const Mapping& tiling) {
        Mapping m = tiling;
        m.order = space.orders.front();
        m.spatial = spatial;
        bool fits = false;
        for (std::int64_t tile : options[free]) {
          m.tiles[free] = tile;
          if ((fits = dataflow.fits(layer, sub, m))) break;
        }
        if (!fits) return;
        for (int i = 0; i < space.loop_count; ++i) {
          if (i == free) continue;
          const auto& loop_options = options[i];
          const auto at = std::find(loop_options.begin(), loop_options.end(), m.tiles[i]);
          if (at == loop_options.begin()) continue;
          Mapping grown = m;
          grown.tiles[i] = *(at - 1);
          if (dataflow.fits(layer, sub, grown)) return;
        }
        maximal.push_back(m);
      });
      // 3. Screen every order of each by its totals.
      // Orders that differ only in where single-trip loops sit give the same
      // plan; each distinct nest is screened once (the first order of it).
      const auto nest_of = [&](const Mapping& m) {
        std::uint64_t nest = 0;
        for (int i = 0; i < space.loop_count; ++i) {
          const int loop = m.order[static_cast<std::size_t>(i)];
          if (m.tiles[loop] < space.loops[loop].extent) nest = nest * 8 + static_cast<std::uint64_t>(loop + 1);
        }
        return nest;
      };
      std::vector<std::vector<std::uint64_t>> seen(maximal.size());
      for (const auto& order : space.orders) {
        for (std::size_t t = 0; t < maximal.size(); ++t) {
          Mapping m = maximal[t];
          m.order = order;
          const std::uint64_t nest = nest_of(m);
          if (std::find(seen[t].begin(), seen[t].end(), nest) != seen[t].end()) continue;
          seen[t].push_back(nest);
          if (m == greedy) continue;
          const TilePlan plan = dataflow.plan(layer, sub, m);
          if (!plan.feasible) continue;
          screened.push_back({m, screen(plan), screened.size()});
        }
      }
    }
    // 4. The best few by the screen, costed in full.
    const std::size_t finalists = std::min<std::size_t>(kFinalists, screened.size());
    std::partial_sort(screened.begin(), screened.begin() + static_cast<std::ptrdiff_t>(finalists), screened.end(),
                      by_bound);
    for (std::size_t f = 0; f < finalists; ++f) offer(dataflow.plan(layer, sub, screened[f].mapping));
    // 4b. The winner's tiles and order under every other spatial choice,
    // screened; the best few costed in full.
    if (space.spatial_choices > 1 && best.plan.feasible) {
      std::vector<Screened> spatial;
      // At most kSpatialProbes of them: the winner's neighbours in the
      // template's list (templates list similar choices together) and an
      // even sample of the rest.
      std::vector<int> choices;
      const int n = space.spatial_choices, at = best.plan.mapping.spatial;
      for (int choice : {at - 1, at + 1}) {
        if (choice >= 0 && choice < n) choices.push_back(choice);
      }
      const int sample = std::min(n, kSpatialProbes - static_cast<int>(choices.size()));
      for (int i = 0; i < sample; ++i) {
        const int choice = sample > 1 ? static_cast<int>((static_cast<std::int64_t>(i) * (n - 1)) / (sample - 1)) : 0;
        if (std::find(choices.begin(), choices.end(), choice) == choices.end()) choices.push_back(choice);
      }
      for (int choice : choices) {
        Mapping m = best.plan.mapping;
        if (choice == m.spatial) continue;
        m.spatial = choice;
        if (!dataflow.fits(layer, sub, m)) continue;
        const TilePlan plan = dataflow.plan(layer, sub, m);
        if (plan.feasible) spatial.push_back({m, screen(plan), spatial.size()});
      }
      const std::size_t kept = std::min<std::size_t>(kFinalists, spatial.size());
      std::partial_sort(spatial.begin(), spatial.begin() + static_cast<std::ptrdiff_t>(kept), spatial.end(), by_bound);
      for (std::size_t f = 0; f < kept; ++f) offer(dataflow.plan(layer, sub, spatial[f].mapping));
    }
    // 5. Descent from the winner: one kept size smaller or larger along one
    // loop at a time, costed in full, while that improves. Smaller tiles
    // than the maximal ones pipeline loads better, which the screen misses.
    for (int round = 0; round < kDescentRounds && best.plan.feasible; ++round) {
      const Mapping centre = best.plan.mapping;
      for (int i = 0; i < space.loop_count; ++i) {
        const auto& loop_options = options[i];
        const auto at = std::find(loop_options.begin(), loop_options.end(), centre.tiles[i]);
        if (at == loop_options.end()) continue;
        for (const auto next : {at + 1, at - 1}) {
          if (next < loop_options.begin() || next >= loop_options.end()) continue;
          Mapping m = centre;
          m.tiles[i] = *next;
          if (dataflow.fits(layer, sub, m)) offer(dataflow.plan(layer, sub, m));
        }
      }
      if (best.plan.mapping == centre) break;
    }
  }
  if (!best.plan.feasible) {
    best.plan.reason = greedy_reason;
    best.profile = profile(layer, best.plan, s);
  }
  return best;
}

}  // namespace nasaic
