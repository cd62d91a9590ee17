#include "search/hardware_space.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/error.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/layer_cost.hpp"

namespace nasaic {
namespace {

// A non-empty list of distinct values, each read by `read`.
template <class T, class Read>
std::vector<T> read_list(const ConfigNode& node, Read read) {
  std::vector<T> values;
  const std::vector<ConfigNode> items = node.sequence();
  if (items.empty()) node.fail("expected at least one value");
  for (const ConfigNode& item : items) {
    T value = read(item);
    if (std::find(values.begin(), values.end(), value) != values.end()) item.fail("appears twice in the list");
    values.push_back(std::move(value));
  }
  return values;
}

}  // namespace

std::vector<Choice> HardwareSpace::choices() const {
  std::vector<Choice> result;
  if (fixed) return result;
  result.push_back({"hw.sub_accelerators", static_cast<int>(sub_counts.size())});
  for (int slot = 0; slot < max_subs(); ++slot) {
    const std::string prefix = "hw.sub" + std::to_string(slot) + ".";
    result.push_back({prefix + "template", static_cast<int>(templates.size())});
    result.push_back({prefix + "pe_array", static_cast<int>(pe_arrays.size())});
    result.push_back({prefix + "buffer", static_cast<int>(buffer_bytes.size())});
    result.push_back({prefix + "bandwidth", static_cast<int>(bandwidth_weights.size())});
  }
  result.push_back({"hw.arbitration", static_cast<int>(arbitrations.size())});
  result.push_back({"hw.bits", static_cast<int>(bits.size())});
  return result;
}

DecodedChip decode_chip(const HardwareSpace& space, const Genome& genes) {
  NASAIC_CHECK(genes.size() == space.gene_count(), "a hardware genome of the wrong length");
  DecodedChip decoded;
  ChipSpec& chip = decoded.chip;
  chip = space.base;
  if (space.fixed) {
    decoded.legal = true;  // validated when it was loaded
    return decoded;
  }
  const auto count = static_cast<std::size_t>(space.sub_counts[static_cast<std::size_t>(genes[0])]);
  const SubAcceleratorSpec& model = space.base.sub_accelerators.front();
  chip.sub_accelerators.assign(count, model);
  double weights = 0;
  std::int64_t pes = 0;
  for (std::size_t slot = 0; slot < count; ++slot) {
    const int* slot_genes = &genes[1 + slot * HardwareSpace::kSlotGenes];
    SubAcceleratorSpec& sub = chip.sub_accelerators[slot];
    sub.dataflow = space.templates[static_cast<std::size_t>(slot_genes[0])];
    sub.name = "sub" + std::to_string(slot) + "-" + sub.dataflow;
    const PeArray& array = space.pe_arrays[static_cast<std::size_t>(slot_genes[1])];
    sub.rows = array.rows;
    sub.cols = array.cols;
    const std::int64_t bytes = space.buffer_bytes[static_cast<std::size_t>(slot_genes[2])];
    for (BufferSpec* buffer : {&sub.ifmap, &sub.filter, &sub.ofmap}) *buffer = BufferSpec{bytes, space.banks, 1, 1};
    sub.bandwidth_share = space.bandwidth_weights[static_cast<std::size_t>(slot_genes[3])];
    weights += sub.bandwidth_share;
    // Template-specific options keep their defaults: the base chip's first
    // sub-accelerator may run another template.
    sub.row_stationary = RowStationarySpec{};
    sub.nvdla = NvdlaSpec{};
    sub.systolic_layer_overhead_cycles = 0;
    sub.bits = space.bits[static_cast<std::size_t>(genes.back())];
    pes += sub.pes();
  }
  for (SubAcceleratorSpec& sub : chip.sub_accelerators) sub.bandwidth_share /= weights;
  chip.interconnect.arbitration = space.arbitrations[static_cast<std::size_t>(genes[genes.size() - 2])];
  if (pes > space.pe_budget) {
    decoded.reason = std::to_string(pes) + " PEs exceed the budget of " + std::to_string(space.pe_budget);
    return decoded;
  }
  const std::vector<SpecProblem> problems = validate(chip);
  if (!problems.empty()) {
    decoded.reason = problems.front().key + ": " + problems.front().message;
    return decoded;
  }
  decoded.legal = true;
  return decoded;
}

HardwareSpace parse_hardware_space(const ConfigNode& node) {
  if (node.has("chip")) {
    node.expect_map({"chip"});
    HardwareSpace space;
    space.fixed = true;
    space.base = load_chip_spec(node.required("chip").as_relative_file("chip"));
    return space;
  }
  node.expect_map({"base", "sub_accelerators", "templates", "pe_budget", "pe_arrays", "buffers", "banks",
                   "bandwidth_shares", "arbitration", "bits"});
  HardwareSpace space;
  const ConfigNode base = node.required("base");
  space.base = load_chip_spec(base.as_relative_file("base chip"));

  space.sub_counts = read_list<std::int64_t>(node.required("sub_accelerators"), [](const ConfigNode& item) {
    return item.as_int(1, HardwareSpace::kMaxSubs);
  });
  std::sort(space.sub_counts.begin(), space.sub_counts.end());
  space.templates = read_list<std::string>(node.required("templates"), [](const ConfigNode& item) {
    const std::string name = item.as_string();
    const std::vector<std::string>& known = template_names();
    if (std::find(known.begin(), known.end(), name) == known.end())
      item.fail("unknown template '" + name + "'; known: " + join(known));
    return name;
  });
  const ConfigNode arrays = node.required("pe_arrays");
  for (const ConfigNode& item : arrays.sequence()) {
    const std::vector<ConfigNode> sides = item.sequence();
    if (sides.size() != 2) item.fail("expected [rows, cols]");
    const PeArray array{sides[0].as_int(1, ChipLimits::max_array_side), sides[1].as_int(1, ChipLimits::max_array_side)};
    for (const PeArray& seen : space.pe_arrays)
      if (seen.rows == array.rows && seen.cols == array.cols) item.fail("appears twice in the list");
    space.pe_arrays.push_back(array);
  }
  if (space.pe_arrays.empty()) arrays.fail("expected at least one [rows, cols]");
  space.pe_budget = node.required("pe_budget").as_int(1, ChipLimits::max_pes);
  std::int64_t smallest = INT64_MAX;
  for (const PeArray& array : space.pe_arrays) smallest = std::min(smallest, array.rows * array.cols);
  if (smallest * space.sub_counts.front() > space.pe_budget) {
    node.required("pe_budget")
        .fail("no chip fits: " + std::to_string(space.sub_counts.front()) + " of the smallest PE array need " +
              std::to_string(smallest * space.sub_counts.front()) + " PEs");
  }
  space.buffer_bytes = read_list<std::int64_t>(node.required("buffers"), [](const ConfigNode& item) {
    const std::int64_t bytes = item.as_whole_quantity(UnitKind::bytes);
    if (bytes > ChipLimits::max_buffer_bytes) item.fail("is larger than " + std::to_string(ChipLimits::max_buffer_bytes) + " B");
    return bytes;
  });
  if (const auto banks = node.optional("banks")) space.banks = banks->as_int(1, ChipLimits::max_banks);
  space.bandwidth_weights = read_list<double>(node.required("bandwidth_shares"), [](const ConfigNode& item) {
    const double weight = item.as_double(0, 1e6);
    if (!(weight > 0)) item.fail("must be positive");
    return weight;
  });
  if (const auto arbitration = node.optional("arbitration")) {
    space.arbitrations = read_list<Arbitration>(*arbitration, [](const ConfigNode& item) { return parse_arbitration(item); });
  } else {
    space.arbitrations = {space.base.interconnect.arbitration};
  }
  if (const auto bits = node.optional("bits")) {
    space.bits = read_list<int>(*bits, [](const ConfigNode& item) {
      const auto value = static_cast<int>(item.as_int(1, 32));
      if (value != 4 && value != 8 && value != 16 && value != 32) item.fail("must be 4, 8, 16 or 32");
      return value;
    });
  } else {
    space.bits = {8};
  }
  return space;
}

}  // namespace nasaic
