#include "dataflows/mapping.hpp"

#include <algorithm>

namespace nasaic {

const char* mapping_objective_name(MappingObjective objective) {
  switch (objective) {
    case MappingObjective::latency: return "latency";
    case MappingObjective::energy: return "energy";
    case MappingObjective::edp: return "edp";
  }
  return "?";
}

const char* mapping_mode_name(MappingMode mode) {
  switch (mode) {
    case MappingMode::search: return "search";
    case MappingMode::greedy: return "greedy";
  }
  return "?";
}

bool parse_mapping_objective(std::string_view name, MappingObjective& objective) {
  for (MappingObjective o : {MappingObjective::latency, MappingObjective::energy, MappingObjective::edp}) {
    if (name == mapping_objective_name(o)) {
      objective = o;
      return true;
    }
  }
  return false;
}

bool parse_mapping_mode(std::string_view name, MappingMode& mode) {
  for (MappingMode m : {MappingMode::search, MappingMode::greedy}) {
    if (name == mapping_mode_name(m)) {
      mode = m;
      return true;
    }
  }
  return false;
}

std::vector<std::int64_t> tile_options(const MappingLoop& loop) {
  if (loop.fixed_tile > 0) return {std::min(loop.fixed_tile, loop.extent)};
  const std::int64_t granule = std::max<std::int64_t>(1, loop.granule);
  const std::int64_t units = (loop.extent + granule - 1) / granule;
  std::vector<std::int64_t> tiles;
  // Unit counts ceil(units / trips) for trips = 1, 2, ...: each distinct
  // value once, in decreasing order; O(sqrt(units)) of them.
  std::int64_t trips = 1;
  while (trips <= units) {
    const std::int64_t per_tile = (units + trips - 1) / trips;
    tiles.push_back(std::min(per_tile * granule, loop.extent));
    // The next trip count that gives a smaller tile.
    if (per_tile == 1) break;
    trips = (units + per_tile - 2) / (per_tile - 1);
  }
  return tiles;
}

}  // namespace nasaic
