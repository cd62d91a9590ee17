#include "dataflows/layer_cost.hpp"

#include <algorithm>

namespace nasaic {
namespace {

double burst_rounded(std::int64_t bytes, std::int64_t burst) {
  return static_cast<double>((bytes + burst - 1) / burst * burst);
}

double element_energy_pj(const BufferSpec& buffer, const Technology& t, int bits) {
  const double bank_kib = static_cast<double>(buffer.capacity_bytes) / 1024.0 / static_cast<double>(buffer.banks);
  return t.sram_read_pj_per_64b(bank_kib) * bits / 64.0;
}

// A tile's cycles in the PE array: its compute, or longer when the buffer
// ports cannot keep up.
std::int64_t tile_cycles(const TileCost& cost, const SubAcceleratorSpec& sub) {
  return std::max(cost.compute_cycles, tile_port_cycles(cost, sub));
}

// Tiles of class `mask` whose outermost changed loop is `level`. With
// `first_visit_of` set to an operand's indexing loops, only those that are a
// first visit of its tile: every loop above `level` that does not index it is
// still at index 0 (loops below `level` are at 0 anyway).
std::int64_t tiles_at_level(const TilePlan& plan, std::uint32_t mask, int level, std::uint32_t first_visit_of) {
  std::int64_t tiles = 1;
  for (int i = 0; i < plan.loop_count; ++i) {
    const TileLoop& loop = plan.loops[i];
    const bool at_last = mask >> i & 1u;  // a partial loop's last index; else any but it
    const std::int64_t indices = at_last ? 1 : (loop.partial() ? loop.trips() - 1 : loop.trips());
    const std::int64_t with_zero = at_last ? 0 : 1;
    const bool any_index = first_visit_of >> i & 1u;
    if (i < level) {
      tiles *= any_index ? indices : with_zero;
    } else if (i == level) {
      tiles *= any_index ? (at_last ? 1 : indices - 1) : 0;  // the index just moved on from 0
    } else {
      tiles *= with_zero;
    }
  }
  return tiles;
}

// Fills the profile's tile groups and its head and tail tiles, given each
// class's cycles in the PE array (by class index).
void describe_tiles(const TilePlan& plan, const std::array<std::int64_t, kMaxClasses>& class_cycles,
                    std::int64_t burst_bytes, LayerProfile& profile) {
  constexpr std::uint32_t kAllLoops = ~0u;
  std::uint32_t partial_mask = 0;
  int innermost = -1;
  for (int i = 0; i < plan.loop_count; ++i) {
    if (plan.loops[i].partial()) partial_mask |= 1u << i;
    if (plan.loops[i].trips() > 1) innermost = i;
  }
  std::array<int, kOperands> innermost_of{};
  for (int o = 0; o < kOperands; ++o) innermost_of[o] = plan.innermost_loop(o);
  const auto class_index = plan.class_index_by_mask();
  const auto cycles_of = [&](std::uint32_t mask) { return class_cycles[static_cast<std::size_t>(class_index[mask])]; };
  const auto rounded = [&](const TileClass& tile_class, int o) {
    return burst_rounded(tile_class.cost.footprint_bytes[o], burst_bytes);
  };

  // Head: the first tile loads everything it uses; the second (reached by
  // the innermost loop) what that loop indexes. Both are issued at the start.
  const TileClass& first = plan.classes[class_index[0]];
  profile.head[0] = {rounded(first, 0), rounded(first, 1), cycles_of(0)};
  std::uint32_t second_mask = 0;
  if (innermost >= 0) {
    if (plan.loops[innermost].partial() && plan.loops[innermost].trips() == 2) second_mask = 1u << innermost;
    const TileClass& second = plan.classes[class_index[second_mask]];
    profile.head[1] = {innermost_of[0] == innermost ? rounded(second, 0) : 0.0,
                       innermost_of[1] == innermost ? rounded(second, 1) : 0.0, cycles_of(second_mask)};
  }
  // Tail: the last tile's write-back, and when every tile is an output visit
  // of its own, the one before, still in flight while the last tile computes.
  const TileClass& last = plan.classes[class_index[partial_mask]];
  profile.last_store_bytes = rounded(last, 2);
  profile.last_tile_compute_cycles = cycles_of(partial_mask);
  if (innermost >= 0 && innermost_of[2] == innermost) {
    profile.previous_store_bytes = rounded(plan.classes[class_index[partial_mask & ~(1u << innermost)]], 2);
  }

  // The other tiles, by class and level.
  std::vector<TileGroup>& groups = profile.groups;
  std::array<double, kMaxTileGroups> carried{};  // per group: write-back bytes per tile, by its own class
  std::array<std::pair<int, int>, kMaxTileGroups> group_level{};  // per group: its class mask and level
  groups.reserve(static_cast<std::size_t>(plan.class_count * plan.loop_count));  // most groups are not split
  std::array<std::array<int, kMaxLoops>, kMaxMasks> group_at{};
  for (auto& row : group_at) row.fill(-1);
  // Groups in a run first, so that one pass of layer_latency knows each
  // run's stall before the tile after it needs it.
  for (int c = 0; c < 2 * plan.class_count; ++c) {
    const TileClass& tile_class = plan.classes[c % plan.class_count];
    const std::uint32_t mask = tile_class.last_mask;
    for (int level = 0; level < plan.loop_count; ++level) {
      if ((level == innermost) != (c < plan.class_count)) continue;
      const std::int64_t count = tiles_at_level(plan, mask, level, kAllLoops);
      if (count == 0) continue;
      // An operand's tile is visited anew when its innermost indexing loop or
      // one above it changed. A resident operand is loaded on first visits
      // only, so tiles of one class and level can differ in what they load:
      // they are split by which of ifmap (bit 0) and filter (bit 1) they
      // load, lest a load that some of them carry be spread over all.
      const auto visited = [&](int o) { return level <= innermost_of[o]; };
      const auto first_visits = [&](std::uint32_t relevant) { return tiles_at_level(plan, mask, level, relevant); };
      std::array<std::int64_t, 4> by_pattern{};
      const unsigned always = (visited(0) && !plan.resident[0] ? 1u : 0u) | (visited(1) && !plan.resident[1] ? 2u : 0u);
      const bool varies0 = visited(0) && plan.resident[0], varies1 = visited(1) && plan.resident[1];
      if (varies0 && varies1) {
        const std::int64_t both = first_visits(plan.relevant[0] & plan.relevant[1]);
        const std::int64_t ifmap_only = first_visits(plan.relevant[0]) - both;
        const std::int64_t filter_only = first_visits(plan.relevant[1]) - both;
        by_pattern = {count - both - ifmap_only - filter_only, ifmap_only, filter_only, both};
      } else if (varies0) {
        const std::int64_t loading = first_visits(plan.relevant[0]);
        by_pattern[always | 1u] = loading;
        by_pattern[always] = count - loading;
      } else if (varies1) {
        const std::int64_t loading = first_visits(plan.relevant[1]);
        by_pattern[always | 2u] = loading;
        by_pattern[always] = count - loading;
      } else {
        by_pattern[always] = count;
      }
      // Output visits are not split: their write-backs and partial-sum
      // re-reads are spread over the class and level, as before.
      double rereads_per_tile = 0, write_backs_per_tile = 0;
      if (level <= innermost_of[2]) {
        // A new output visit: the previous visit's output tile goes back to
        // DRAM (a resident one only after its last visit: as many as there
        // are output tiles), and partial sums come back on later visits.
        const std::int64_t output_first_visits = first_visits(plan.relevant[2]);
        const std::int64_t rereads = plan.resident[2] ? 0 : count - output_first_visits;
        rereads_per_tile = static_cast<double>(rereads) * rounded(tile_class, 2) / static_cast<double>(count);
        write_backs_per_tile = static_cast<double>(plan.resident[2] ? output_first_visits : count) *
                               rounded(tile_class, 2) / static_cast<double>(count);
      }
      const bool in_run = level == innermost;
      if (in_run && mask == second_mask) {  // the second tile is in the head
        const unsigned second = (innermost_of[0] == innermost ? 1u : 0u) | (innermost_of[1] == innermost ? 2u : 0u);
        if (by_pattern[second] > 0) --by_pattern[second];
      }
      std::int64_t largest = 0;
      for (unsigned pattern = 0; pattern < 4; ++pattern) {
        if (by_pattern[pattern] == 0) continue;
        TileGroup group;
        group.count = by_pattern[pattern];
        group.compute_cycles = cycles_of(mask);
        group.in_run = in_run;
        group.ifmap_bytes = (pattern & 1u) ? rounded(tile_class, 0) : 0.0;
        group.other_bytes = ((pattern & 2u) ? rounded(tile_class, 1) : 0.0) + rereads_per_tile;
        // The most common pattern stands for the class and level when a
        // later tile looks back at this one.
        if (group.count > largest) {
          largest = group.count;
          group_at[static_cast<std::size_t>(mask)][static_cast<std::size_t>(level)] = static_cast<int>(groups.size());
        }
        group_level[groups.size()] = {static_cast<int>(mask), level};
        carried[groups.size()] = write_backs_per_tile;
        groups.push_back(group);
      }
    }
  }
  // A tile carries the write-back of an earlier tile, often of another class
  // (the tile two places back, or the previous output visit): scaled so that
  // with the tail's write-backs they add up to the layer's.
  double carried_total = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) carried_total += carried[g] * static_cast<double>(groups[g].count);
  const double to_carry =
      static_cast<double>(profile.dram_write_bytes) - profile.last_store_bytes - profile.previous_store_bytes;
  if (carried_total > 0 && to_carry > 0) {
    for (std::size_t g = 0; g < groups.size(); ++g) groups[g].other_bytes += carried[g] * to_carry / carried_total;
  }
  // The tile before one at `level` ends the previous run: it shares the loop
  // indices above `level`, is at the last index of every loop below, and was
  // itself reached by a change of the innermost loop.
  for (std::size_t g = 0; g < groups.size(); ++g) {
    TileGroup& group = groups[g];
    if (group.in_run) continue;
    const std::uint32_t mask = static_cast<std::uint32_t>(group_level[g].first);
    const int level = group_level[g].second;
    const std::uint32_t above = (1u << level) - 1u;
    const std::uint32_t previous_mask = (mask & above) | (partial_mask & ~(above | 1u << level));
    group.previous_group = group_at[previous_mask][static_cast<std::size_t>(innermost)];
    group.previous_compute_cycles = cycles_of(previous_mask);
  }
}

}  // namespace

LayerProfile profile_layer(const Layer& layer, const SubAcceleratorSpec& sub, const Technology& technology,
                           std::int64_t burst_bytes, const DataflowTemplate& dataflow, int template_index) {
  return profile_plan(layer, dataflow.plan(layer, sub), sub, technology, burst_bytes, template_index);
}

LayerProfile profile_plan(const Layer& layer, const TilePlan& plan, const SubAcceleratorSpec& sub,
                          const Technology& technology, std::int64_t burst_bytes, int template_index) {
  LayerProfile profile;
  profile.template_index = template_index;
  profile.pes = sub.pes();
  if (!plan.feasible) {
    profile.feasible = false;
    profile.reason = plan.reason;
    return profile;
  }
  profile.fixed_cycles = plan.fixed_cycles;
  profile.report_offset_cycles = plan.report_offset_cycles;
  profile.tiles = plan.totals.tiles;
  profile.compute_cycles = plan.totals.compute_cycles;
  profile.ops = plan.totals.ops;
  profile.macs = layer.macs();
  profile.mapping_efficiency = plan.mapping_efficiency;
  profile.compute_utilization = plan.compute_utilization;
  profile.buffer_reads = plan.totals.buffer_reads;
  profile.buffer_writes = plan.totals.buffer_writes;
  std::array<std::int64_t, kMaxClasses> class_cycles{};
  for (int c = 0; c < plan.class_count; ++c) {
    const TileClass& tile_class = plan.classes[c];
    const auto& fp = tile_class.cost.footprint_bytes;
    class_cycles[static_cast<std::size_t>(c)] = tile_cycles(tile_class.cost, sub);
    profile.dram_read_bytes[0] += static_cast<std::int64_t>(tile_class.loads[0] * burst_rounded(fp[0], burst_bytes));
    profile.dram_read_bytes[1] += static_cast<std::int64_t>(tile_class.loads[1] * burst_rounded(fp[1], burst_bytes));
    profile.dram_read_bytes[2] +=
        static_cast<std::int64_t>(tile_class.ofmap_rereads * burst_rounded(fp[2], burst_bytes));
    profile.dram_write_bytes += static_cast<std::int64_t>(tile_class.loads[2] * burst_rounded(fp[2], burst_bytes));
    profile.port_stall_cycles +=
        tile_class.count * (class_cycles[static_cast<std::size_t>(c)] - tile_class.cost.compute_cycles);
  }
  describe_tiles(plan, class_cycles, burst_bytes, profile);

  ActivityCounts counts;
  counts.ops = profile.ops;
  counts.buffer_reads = profile.buffer_reads;
  counts.buffer_writes = profile.buffer_writes;
  counts.dram_read_bytes = profile.dram_read_bytes;
  counts.dram_write_bytes = profile.dram_write_bytes;
  profile.energy = energy_of(counts, sub, technology, layer.bits);
  counts.dram_read_bytes[0] = 0;
  profile.energy_input_on_chip = energy_of(counts, sub, technology, layer.bits);
  return profile;
}

EnergyBreakdown energy_of(const ActivityCounts& counts, const SubAcceleratorSpec& sub, const Technology& t, int bits) {
  // DRAM bytes are packed (two 4-bit elements per byte), so a byte fills
  // 8 / bits buffer elements.
  const double bytes_per_element = bits / 8.0;
  EnergyBreakdown e;
  e.mac_pj = static_cast<double>(counts.ops) * t.mac_energy_pj(bits);
  // Each MAC reads two operands from and updates one accumulator in PE registers.
  e.register_file_pj =
      static_cast<double>(counts.ops) * (2 * t.rf_read_pj_per_16b + t.rf_write_pj_per_16b) * bits / 16.0;
  const BufferSpec* buffers[] = {&sub.ifmap, &sub.filter, &sub.ofmap};
  for (int o = 0; o < kOperands; ++o) {
    // The array's reads and writes, plus DRAM fills written into the buffer
    // and write-backs read out of it.
    const double fills = static_cast<double>(counts.dram_read_bytes[o]) / bytes_per_element;
    const double drains = o == 2 ? static_cast<double>(counts.dram_write_bytes) / bytes_per_element : 0.0;
    const double reads = static_cast<double>(counts.buffer_reads[o]) + drains;
    const double writes = static_cast<double>(counts.buffer_writes[o]) + fills;
    e.sram_pj += (reads + writes * t.sram_write_to_read) * element_energy_pj(*buffers[o], t, bits);
  }
  const double dram_bytes = static_cast<double>(counts.dram_read_bytes[0] + counts.dram_read_bytes[1] +
                                                counts.dram_read_bytes[2] + counts.dram_write_bytes);
  e.dram_pj = dram_bytes * t.dram_pj_per_byte;
  e.interconnect_pj = dram_bytes * t.interconnect_pj_per_byte;
  return e;
}

LayerTiming layer_latency(const LayerProfile& profile, double bytes_per_cycle, double dram_latency_cycles,
                          const SurrogateParams& params, bool input_on_chip) {
  const double scale = params.compute_scale[profile.template_index];
  const double overhead = params.tile_overhead[profile.template_index];
  const double bandwidth = bytes_per_cycle * params.dram_efficiency;
  const bool ideal = !(bandwidth < kIdealBandwidth);
  LayerTiming timing;
  double body = 0, bytes = 0;
  const auto overlapped = [&](double compute, double memory) {
    return std::max(compute, memory) + (1.0 - params.overlap) * std::min(compute, memory);
  };
  std::array<double, kMaxTileGroups> stall;  // per group, written before it is read
  for (std::size_t g = 0; g < profile.groups.size(); ++g) {
    const TileGroup& group = profile.groups[g];
    const double compute = scale * static_cast<double>(group.compute_cycles) + overhead;
    const double count = static_cast<double>(group.count);
    timing.compute_cycles += count * compute;
    stall[g] = 0;
    const double tile_bytes = group.other_bytes + (input_on_chip ? 0.0 : group.ifmap_bytes);
    if (ideal || tile_bytes <= 0) {
      body += count * compute;
      continue;
    }
    bytes += count * tile_bytes;
    const double memory = tile_bytes / bandwidth;
    double time = 0;
    if (group.in_run) {
      time = std::max(overlapped(compute, memory), (compute + memory + dram_latency_cycles) / 2);
    } else {
      const double previous_compute = scale * static_cast<double>(group.previous_compute_cycles) + overhead;
      const double previous_stall =
          group.previous_group >= 0 ? stall[static_cast<std::size_t>(group.previous_group)] : 0.0;
      time = compute + std::max(0.0, memory + dram_latency_cycles - previous_compute -
                                         std::min(previous_stall, dram_latency_cycles));
    }
    stall[g] = time - compute;
    body += count * time;
  }
  if (!ideal) {
    timing.memory_cycles = bytes / bandwidth;
    body = std::max(body, timing.memory_cycles);
  }
  const double fixed = scale * static_cast<double>(profile.fixed_cycles);
  timing.compute_cycles += fixed;
  const auto compute_of = [&](std::int64_t cycles) { return scale * static_cast<double>(cycles) + overhead; };
  const double first_compute = compute_of(profile.head[0].compute_cycles);
  const double second_compute = profile.head[1].compute_cycles > 0 ? compute_of(profile.head[1].compute_cycles) : 0.0;
  timing.compute_cycles += first_compute + second_compute;
  double edges = first_compute + second_compute;
  if (!ideal) {
    // The second tile's loads follow the first's, behind the first tile's compute.
    const double first = profile.head[0].load_bytes(input_on_chip) / bandwidth;
    const double second = profile.head[1].load_bytes(input_on_chip) / bandwidth;
    const double drain = std::max(profile.last_store_bytes / bandwidth,
                                  (profile.previous_store_bytes + profile.last_store_bytes) / bandwidth -
                                      compute_of(profile.last_tile_compute_cycles));
    edges = 2 * dram_latency_cycles + first + std::max(first_compute, second) + second_compute + drain;
  }
  timing.cycles = body + fixed + edges;
  return timing;
}

double static_energy_pj(const SubAcceleratorSpec& sub, const Technology& t, double cycles) {
  const double mm2 = sub_accelerator_area_um2(sub, t) * 1e-6;
  return cycles * (mm2 * (t.clock_pj_per_mm2_cycle + t.leakage_pj_per_mm2_cycle) +
                   static_cast<double>(sub.pes()) * t.control_pj_per_pe_cycle);
}

double sub_accelerator_area_um2(const SubAcceleratorSpec& sub, const Technology& t) {
  const double pes = static_cast<double>(sub.pes()) * t.mac_area_um2(sub.bits) * t.pe_area_factor;
  const double kib =
      static_cast<double>(sub.ifmap.capacity_bytes + sub.filter.capacity_bytes + sub.ofmap.capacity_bytes) / 1024.0;
  return pes + kib * t.sram_area_um2_per_kib + t.interconnect_area_um2_per_port;
}

double chip_area_um2(const ChipSpec& chip) {
  double area = chip.technology.interconnect_area_um2_per_port;
  for (const auto& sub : chip.sub_accelerators) area += sub_accelerator_area_um2(sub, chip.technology);
  return area;
}

}  // namespace nasaic
