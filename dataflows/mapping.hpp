#pragma once
// How a layer is mapped onto a sub-accelerator, and the space of legal
// mappings a dataflow template offers. A mapping fixes the tile size of every
// tile loop, the order of those loops, and one of the template's spatial
// choices (which dimensions unroll over the PE array). The mapper
// (dataflows/mapper.hpp) searches the space; the greedy rule is one point of
// it, kept for comparison.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nasaic {

inline constexpr int kMaxMappingLoops = 5;

// What the mapper minimises. `latency` breaks ties on energy, `energy` on
// latency; `edp` is their product.
enum class MappingObjective { latency, energy, edp };
// `search` explores the template's mapping space; `greedy` keeps the fixed
// rule (largest tiles that fit half of each buffer, one loop order), which is
// also SCALE-Sim's mapping for the systolic templates.
enum class MappingMode { search, greedy };

const char* mapping_objective_name(MappingObjective objective);
const char* mapping_mode_name(MappingMode mode);
// False when `name` is not one of the names above.
bool parse_mapping_objective(std::string_view name, MappingObjective& objective);
bool parse_mapping_mode(std::string_view name, MappingMode& mode);
inline constexpr const char* kMappingObjectiveNames = "latency, energy, edp";
inline constexpr const char* kMappingModeNames = "search, greedy";

struct MappingPolicy {
  MappingMode mode = MappingMode::search;
  MappingObjective objective = MappingObjective::latency;
  friend bool operator==(const MappingPolicy&, const MappingPolicy&) = default;
};

// One point of a template's mapping space. Loops are named by their index in
// the space's loop list; `order` lists them outer to inner.
struct Mapping {
  std::array<std::int64_t, kMaxMappingLoops> tiles{};
  std::array<std::int8_t, kMaxMappingLoops> order{};
  int spatial = 0;
  friend bool operator==(const Mapping&, const Mapping&) = default;
};

struct MappingLoop {
  char dim = '?';
  std::int64_t extent = 1;
  // Tiles are multiples of this (or the whole extent); a loop whose tile the
  // template fixes (array folds, groups) has fixed_tile > 0.
  std::int64_t granule = 1;
  std::int64_t fixed_tile = 0;
};

struct MappingSpace {
  int loop_count = 0;
  std::array<MappingLoop, kMaxMappingLoops> loops{};
  // Allowed loop orders, outer to inner; the first is the greedy rule's.
  std::vector<std::array<std::int8_t, kMaxMappingLoops>> orders;
  int spatial_choices = 1;
};

// Tile sizes along one loop that give distinct trip counts, smallest trip
// count (largest tile) first: ceil(extent / trips) rounded up to the granule.
std::vector<std::int64_t> tile_options(const MappingLoop& loop);

}  // namespace nasaic
