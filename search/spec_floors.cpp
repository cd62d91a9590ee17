#include "search/spec_floors.hpp"

#include <algorithm>

#include "dataflows/dataflow_template.hpp"

namespace nasaic {
namespace {

constexpr double kWinogradSaving = 36.0 / 16.0;  // F(2x2, 3x3): 16 multiplies for 2x2 outputs instead of 36

// The fewest multiplies a PE array can perform for `layer`: its MACs, or
// Winograd's share of them where an NVDLA-style template could apply it (a
// superset of the layers nvdla.cpp runs in Winograd mode).
double multiplies_floor(const Layer& layer, bool winograd) {
  const double macs = static_cast<double>(layer.macs());
  const bool three_by_three = layer.type == LayerType::conv && layer.R == 3 && layer.S == 3 && layer.groups == 1;
  return winograd && three_by_three ? macs / kWinogradSaving : macs;
}

double energy_per_multiply_pj(const Technology& t, int bits) {
  // layer_cost.cpp's energy_of: a MAC, two operand reads and one accumulator
  // write in the PE's registers.
  return t.mac_energy_pj(bits) + (2 * t.rf_read_pj_per_16b + t.rf_write_pj_per_16b) * bits / 16.0;
}

}  // namespace

SpecFloors spec_floors(const SearchSpec& spec) {
  const HardwareSpace& hardware = spec.hardware;
  const Technology& technology = hardware.base.technology;
  SpecFloors floors;
  floors.clock_hz = hardware.base.clock_hz;
  std::vector<std::string> templates = hardware.templates;
  if (hardware.fixed) {
    templates.clear();
    for (const SubAcceleratorSpec& sub : hardware.base.sub_accelerators) {
      templates.push_back(sub.dataflow);
      floors.pes += sub.pes();
    }
  } else {
    std::int64_t largest = 0;
    for (const PeArray& array : hardware.pe_arrays) largest = std::max(largest, array.rows * array.cols);
    floors.pes = std::min(hardware.pe_budget, largest * hardware.sub_counts.back());
  }
  const bool winograd = std::find(templates.begin(), templates.end(), "nvdla") != templates.end();

  // The surrogate scales each tile's compute cycles and adds a per-tile
  // overhead; a negative overhead could take a layer below any floor.
  double scale = 1.0;
  bool latency_bounded = true;
  const auto& names = template_names();
  for (const std::string& name : templates) {
    const auto t = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    if (t >= names.size() || spec.surrogate.tile_overhead[t] < 0) latency_bounded = false;
    if (t < names.size()) scale = std::min(scale, spec.surrogate.compute_scale[t]);
  }
  const double per_second = static_cast<double>(floors.pes) * floors.clock_hz;
  latency_bounded = latency_bounded && per_second > 0;

  const auto multiplies = [&](const Network& network) {
    double sum = 0;
    for (const Layer& layer : network.layers()) sum += multiplies_floor(layer, winograd);
    return sum;
  };
  const auto energy = [&](const Network& network) {
    double sum = 0;
    for (const Layer& layer : network.layers())
      sum += multiplies_floor(layer, winograd) * energy_per_multiply_pj(technology, layer.bits);
    return sum;
  };
  const auto least = [](const TaskSpec& task, const std::function<double(const Network&)>& cost) {
    return task.space ? task.space->least_cost(cost) : std::optional<double>(cost(*task.network));
  };

  std::optional<double> all_multiplies = 0.0, all_energy = 0.0;
  for (const TaskSpec& task : spec.tasks) {
    const std::optional<double> task_multiplies = least(task, multiplies);
    const std::optional<double> task_energy = least(task, energy);
    floors.task_latency_seconds.push_back(task_multiplies && latency_bounded
                                              ? std::optional<double>(*task_multiplies * scale / per_second)
                                              : std::nullopt);
    all_multiplies = all_multiplies && task_multiplies ? std::optional<double>(*all_multiplies + *task_multiplies) : std::nullopt;
    all_energy = all_energy && task_energy ? std::optional<double>(*all_energy + *task_energy) : std::nullopt;
  }
  // The tasks share the chip's PEs, so the makespan covers all their work.
  if (all_multiplies && latency_bounded) floors.makespan_seconds = *all_multiplies * scale / per_second;
  floors.energy_pj = all_energy;
  return floors;
}

}  // namespace nasaic
