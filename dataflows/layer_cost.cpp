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

}  // namespace

LayerProfile profile_layer(const Layer& layer, const SubAcceleratorSpec& sub, const Technology& technology,
                           std::int64_t burst_bytes, const DataflowTemplate& dataflow, int template_index) {
  LayerProfile profile;
  profile.template_index = template_index;
  profile.pes = sub.pes();
  const TilePlan plan = dataflow.plan(layer, sub);
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
  profile.class_count = plan.class_count;
  profile.classes.resize(static_cast<std::size_t>(plan.class_count));
  std::uint32_t last_mask = 0;
  for (int i = 0; i < plan.loop_count; ++i) {
    if (plan.loops[i].partial()) last_mask |= 1u << i;
  }
  for (int c = 0; c < plan.class_count; ++c) {
    const TileClass& tile_class = plan.classes[c];
    const auto& fp = tile_class.cost.footprint_bytes;
    const double in = tile_class.loads[0] * burst_rounded(fp[0], burst_bytes);
    const double filter = tile_class.loads[1] * burst_rounded(fp[1], burst_bytes);
    const double psums = tile_class.ofmap_rereads * burst_rounded(fp[2], burst_bytes);
    const double out = tile_class.loads[2] * burst_rounded(fp[2], burst_bytes);
    profile.dram_read_bytes[0] += static_cast<std::int64_t>(in);
    profile.dram_read_bytes[1] += static_cast<std::int64_t>(filter);
    profile.dram_read_bytes[2] += static_cast<std::int64_t>(psums);
    profile.dram_write_bytes += static_cast<std::int64_t>(out);
    double class_in = in, class_other = filter + psums + out;
    if (tile_class.last_mask == 0) {  // holds the first tile
      profile.first_load_ifmap_bytes = burst_rounded(fp[0], burst_bytes);
      profile.first_load_bytes = profile.first_load_ifmap_bytes + burst_rounded(fp[1], burst_bytes);
      class_in -= profile.first_load_ifmap_bytes;
      class_other -= burst_rounded(fp[1], burst_bytes);
    }
    if (tile_class.last_mask == last_mask) {  // holds the last tile
      profile.last_store_bytes = burst_rounded(fp[2], burst_bytes);
      class_other -= profile.last_store_bytes;
    }
    ProfileClass& summary = profile.classes[static_cast<std::size_t>(c)];
    const auto loading = [&](bool with_ifmap) {
      // Write-backs count too: an output visit waits for the write-back two
      // visits earlier (the ofmap buffer is double-buffered as well).
      std::int64_t tiles = std::max({fp[1] > 0 ? tile_class.loads[1] : 0, fp[2] > 0 ? tile_class.ofmap_rereads : 0,
                                     fp[2] > 0 ? tile_class.loads[2] : 0});
      if (with_ifmap && fp[0] > 0) tiles = std::max(tiles, tile_class.loads[0]);
      // The first tile's loads belong to the prologue.
      return std::min(tile_class.count, tile_class.last_mask == 0 && tiles > 0 ? tiles - 1 : tiles);
    };
    summary.loading_tiles = loading(true);
    summary.loading_tiles_without_ifmap = loading(false);
    summary.count = tile_class.count;
    const std::int64_t port_cycles = tile_port_cycles(tile_class.cost, sub);
    summary.compute_cycles = std::max(tile_class.cost.compute_cycles, port_cycles);
    profile.port_stall_cycles += tile_class.count * (summary.compute_cycles - tile_class.cost.compute_cycles);
    summary.ifmap_bytes_per_tile = std::max(0.0, class_in) / static_cast<double>(tile_class.count);
    summary.other_bytes_per_tile = std::max(0.0, class_other) / static_cast<double>(tile_class.count);
  }

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
  const double bytes_per_element = static_cast<double>((bits + 7) / 8);
  EnergyBreakdown e;
  e.mac_pj = static_cast<double>(counts.ops) * t.mac_energy_pj(bits);
  // Each MAC reads two operands from and updates one accumulator in PE registers.
  e.register_file_pj = static_cast<double>(counts.ops) * (2 * t.rf_read_pj_per_16b + t.rf_write_pj_per_16b) * bits / 16.0;
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
  double body = 0;
  const auto overlapped = [&](double compute, double memory) {
    return std::max(compute, memory) + (1.0 - params.overlap) * std::min(compute, memory);
  };
  for (int c = 0; c < profile.class_count; ++c) {
    const ProfileClass& tile_class = profile.classes[static_cast<std::size_t>(c)];
    const double compute = scale * static_cast<double>(tile_class.compute_cycles) + overhead;
    const double count = static_cast<double>(tile_class.count);
    timing.compute_cycles += count * compute;
    if (ideal) {
      body += count * compute;
      continue;
    }
    const double bytes =
        count * (tile_class.other_bytes_per_tile + (input_on_chip ? 0.0 : tile_class.ifmap_bytes_per_tile));
    const double loading =
        static_cast<double>(input_on_chip ? tile_class.loading_tiles_without_ifmap : tile_class.loading_tiles);
    timing.memory_cycles += bytes / bandwidth;
    if (loading > 0) {
      // Two tiles are in flight: tile i's loads leave when tile i − 2 is
      // done, so two tiles take compute + transfer + latency when memory
      // bound.
      const double memory = bytes / loading / bandwidth;
      body += loading * std::max(overlapped(compute, memory), (compute + memory + dram_latency_cycles) / 2) +
              (count - loading) * compute;
    } else {
      body += count * overlapped(compute, bytes / count / bandwidth);
    }
  }
  const double fixed = scale * static_cast<double>(profile.fixed_cycles);
  timing.compute_cycles += fixed;
  double edges = 0;
  if (!ideal) {
    const double first = profile.first_load_bytes - (input_on_chip ? profile.first_load_ifmap_bytes : 0.0);
    edges = 2 * dram_latency_cycles + (first + profile.last_store_bytes) / bandwidth;
  }
  timing.cycles = body + fixed + edges;
  return timing;
}

double sub_accelerator_area_um2(const SubAcceleratorSpec& sub, const Technology& t) {
  const double pes = static_cast<double>(sub.pes()) * t.mac_area_um2(sub.bits) * t.pe_area_factor;
  const double kib = static_cast<double>(sub.ifmap.capacity_bytes + sub.filter.capacity_bytes +
                                         sub.ofmap.capacity_bytes) / 1024.0;
  return pes + kib * t.sram_area_um2_per_kib + t.interconnect_area_um2_per_port;
}

double chip_area_um2(const ChipSpec& chip) {
  double area = chip.technology.interconnect_area_um2_per_port;
  for (const auto& sub : chip.sub_accelerators) area += sub_accelerator_area_um2(sub, chip.technology);
  return area;
}

}  // namespace nasaic
