#include "dataflows/chip_spec.hpp"
#include "common/json_input.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "common/config_node.hpp"
#include "common/error.hpp"
#include "dataflows/dataflow_template.hpp"

namespace nasaic {
namespace {

BufferSpec parse_buffer(const ConfigNode& node) {
  node.expect_map({"capacity", "banks", "read_ports", "write_ports"});
  BufferSpec buffer;
  buffer.capacity_bytes = node.required("capacity").as_whole_quantity(UnitKind::bytes);
  if (const auto banks = node.optional("banks")) buffer.banks = banks->as_int(1);
  if (const auto ports = node.optional("read_ports")) buffer.read_ports = ports->as_int(1);
  if (const auto ports = node.optional("write_ports")) buffer.write_ports = ports->as_int(1);
  return buffer;
}

// The `row_stationary` block of a sub-accelerator (eyeriss template); every
// key optional, defaults from JSSC 2017 (see RowStationarySpec).
RowStationarySpec parse_row_stationary(const ConfigNode& node) {
  node.expect_map({"filter_spad_words", "ifmap_spad_words", "psum_spad_words", "ifmap_words_per_cycle",
                   "filter_words_per_cycle", "psum_words_per_cycle", "activation_compression", "shared_glb"});
  RowStationarySpec rs;
  const auto words = [&](const char* key, std::int64_t& value) {
    if (const auto item = node.optional(key)) value = item->as_int(1, ChipLimits::max_spad_words);
  };
  words("filter_spad_words", rs.filter_spad_words);
  words("ifmap_spad_words", rs.ifmap_spad_words);
  words("psum_spad_words", rs.psum_spad_words);
  const auto rate = [&](const char* key, double& value) {
    if (const auto item = node.optional(key)) {
      value = item->as_double(ChipLimits::min_bytes_per_cycle, ChipLimits::max_noc_words_per_cycle);
    }
  };
  rate("ifmap_words_per_cycle", rs.ifmap_words_per_cycle);
  rate("filter_words_per_cycle", rs.filter_words_per_cycle);
  rate("psum_words_per_cycle", rs.psum_words_per_cycle);
  if (const auto compression = node.optional("activation_compression")) {
    const std::string name = compression->as_string();
    if (name != "none" && name != "rlc") compression->fail("unknown activation compression '" + name + "'; known: none, rlc");
    rs.rlc = name == "rlc";
  }
  if (const auto v = node.optional("shared_glb")) rs.shared_glb = v->as_switch();
  return rs;
}

// The `nvdla` key of an nvdla sub-accelerator; see NvdlaSpec for sources.
NvdlaSpec parse_nvdla_options(const ConfigNode& node) {
  node.expect_map({"winograd", "channel_extension", "shared_cbuf", "whole_channel_reduction", "sdp_throughput",
                   "pdp_throughput"});
  NvdlaSpec nvdla;
  if (const auto v = node.optional("winograd")) nvdla.winograd = v->as_switch();
  if (const auto v = node.optional("channel_extension")) nvdla.channel_extension = v->as_switch();
  if (const auto v = node.optional("shared_cbuf")) nvdla.shared_cbuf = v->as_switch();
  if (const auto v = node.optional("whole_channel_reduction")) nvdla.whole_channel_reduction = v->as_switch();
  if (const auto v = node.optional("sdp_throughput")) nvdla.sdp_throughput = v->as_int(1);
  if (const auto v = node.optional("pdp_throughput")) nvdla.pdp_throughput = v->as_int(1);
  return nvdla;
}

SubAcceleratorSpec parse_sub_accelerator(const ConfigNode& node) {
  node.expect_map({"name", "dataflow", "pe_array", "bits", "bandwidth_share", "buffers", "row_stationary", "nvdla", "systolic"});
  SubAcceleratorSpec sub;
  sub.name = node.required("name").as_string();
  sub.dataflow = node.required("dataflow").as_string();
  const ConfigNode array = node.required("pe_array");
  array.expect_map({"rows", "cols"});
  sub.rows = array.required("rows").as_int(1);
  sub.cols = array.required("cols").as_int(1);
  if (const auto bits = node.optional("bits")) sub.bits = static_cast<int>(bits->as_int(1, 64));
  sub.bandwidth_share = node.required("bandwidth_share").as_double(0.0, 1.0);
  const ConfigNode buffers = node.required("buffers");
  buffers.expect_map({"ifmap", "filter", "ofmap"});
  sub.ifmap = parse_buffer(buffers.required("ifmap"));
  sub.filter = parse_buffer(buffers.required("filter"));
  sub.ofmap = parse_buffer(buffers.required("ofmap"));
  if (const auto rs = node.optional("row_stationary")) sub.row_stationary = parse_row_stationary(*rs);
  if (const auto systolic = node.optional("systolic")) {
    if (sub.dataflow.rfind("systolic-", 0) != 0) {
      systolic->fail("systolic options apply to systolic sub-accelerators only, not '" + sub.dataflow + "'");
    }
    systolic->expect_map({"layer_overhead"});
    if (const auto overhead = systolic->optional("layer_overhead")) {
      const double cycles = overhead->as_quantity({UnitKind::cycles}).value;
      if (!(cycles >= 0 && cycles <= static_cast<double>(ChipLimits::max_layer_overhead_cycles)) ||
          cycles != std::floor(cycles)) {
        overhead->fail("must be a whole number of cycles in [0, " +
                       std::to_string(ChipLimits::max_layer_overhead_cycles) + "]");
      }
      sub.systolic_layer_overhead_cycles = static_cast<std::int64_t>(cycles);
    }
  }
  if (const auto nvdla = node.optional("nvdla")) {
    if (sub.dataflow != "nvdla") nvdla->fail("nvdla options apply to nvdla sub-accelerators only, not '" + sub.dataflow + "'");
    sub.nvdla = parse_nvdla_options(*nvdla);
  }
  return sub;
}

double to_cycles(const ConfigNode& node, double clock_hz) {
  const Quantity q = node.as_quantity({UnitKind::time, UnitKind::cycles});
  if (q.value < 0) node.fail("must not be negative");
  return q.kind == UnitKind::cycles ? q.value : q.value * clock_hz;
}

MappingPolicy parse_mapping_policy(const ConfigNode& node) {
  node.expect_map({"mode", "objective"});
  MappingPolicy policy;
  if (const auto mode = node.optional("mode")) {
    if (!parse_mapping_mode(mode->as_string(), policy.mode)) {
      mode->fail("unknown mapping mode '" + mode->as_string() + "'; known: " + kMappingModeNames);
    }
  }
  if (const auto objective = node.optional("objective")) {
    if (!parse_mapping_objective(objective->as_string(), policy.objective)) {
      objective->fail("unknown mapping objective '" + objective->as_string() + "'; known: " + kMappingObjectiveNames);
    }
  }
  return policy;
}

}  // namespace

Arbitration parse_arbitration(const ConfigNode& node) {
  const std::string name = node.as_string();
  for (Arbitration a : {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition}) {
    if (name == arbitration_name(a)) return a;
  }
  node.fail("unknown arbitration '" + name + "'; known: round-robin, weighted, static");
}

const char* arbitration_name(Arbitration arbitration) {
  switch (arbitration) {
    case Arbitration::round_robin: return "round-robin";
    case Arbitration::weighted: return "weighted";
    case Arbitration::static_partition: return "static";
  }
  return "?";
}

std::ptrdiff_t ChipSpec::find(const std::string& name) const {
  for (std::size_t i = 0; i < sub_accelerators.size(); ++i) {
    if (sub_accelerators[i].name == name) return static_cast<std::ptrdiff_t>(i);
  }
  return -1;
}

namespace {

std::string number_text(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// Appends a problem when `value` is outside [low, high] (or not finite).
void check_range(std::vector<SpecProblem>& problems, const std::string& key, double value, double low, double high,
                 const char* unit) {
  if (std::isfinite(value) && value >= low && value <= high) return;
  problems.push_back({key, (std::isfinite(value) ? number_text(value) : std::string("an infinite value")) + " " + unit +
                               " is out of range; must be between " + number_text(low) + " and " + number_text(high) +
                               " " + unit});
}

}  // namespace

std::vector<SpecProblem> validate(const ChipSpec& chip) {
  using L = ChipLimits;
  std::vector<SpecProblem> problems;
  if (chip.name.empty()) problems.push_back({"name", "must not be empty"});
  check_range(problems, "clock", chip.clock_hz, L::min_clock_hz, L::max_clock_hz, "Hz");
  // A spec built in code must name its table, or the chip file written from it does not load.
  if (chip.technology_file.empty()) problems.push_back({"technology", "must name a technology file or built-in"});
  if (chip.dram.bytes_per_cycle) {
    const double bandwidth = *chip.dram.bytes_per_cycle;
    if (!(bandwidth > 0)) {
      problems.push_back({"dram.bandwidth", "must be positive"});
    } else {
      check_range(problems, "dram.bandwidth", bandwidth, L::min_bytes_per_cycle, L::max_dram_bytes_per_cycle, "B/cycle");
    }
  }
  check_range(problems, "dram.latency", chip.dram.latency_cycles, 0, L::max_dram_latency_cycles, "cycles");
  check_range(problems, "dram.burst", static_cast<double>(chip.dram.burst_bytes), 1,
              static_cast<double>(L::max_burst_bytes), "B");
  if (!(chip.interconnect.link_bytes_per_cycle > 0)) {
    problems.push_back({"interconnect.link_width", "must be positive"});
  } else {
    check_range(problems, "interconnect.link_width", chip.interconnect.link_bytes_per_cycle, L::min_bytes_per_cycle,
                L::max_link_bytes_per_cycle, "B/cycle");
  }
  if (chip.sub_accelerators.empty()) problems.push_back({"sub_accelerators", "a chip needs at least one sub-accelerator"});
  if (static_cast<std::int64_t>(chip.sub_accelerators.size()) > L::max_sub_accelerators) {
    problems.push_back({"sub_accelerators", std::to_string(chip.sub_accelerators.size()) +
                                                " sub-accelerators; at most " + std::to_string(L::max_sub_accelerators)});
  }
  double share_sum = 0;
  for (std::size_t i = 0; i < chip.sub_accelerators.size(); ++i) {
    const SubAcceleratorSpec& sub = chip.sub_accelerators[i];
    const std::string at = "sub_accelerators[" + std::to_string(i) + "].";
    if (sub.name.empty()) problems.push_back({at + "name", "must not be empty"});
    // What the parser refuses on other dataflows, and the writer would drop.
    if (sub.dataflow != "nvdla" && !(sub.nvdla == NvdlaSpec{}))
      problems.push_back({at + "nvdla", "nvdla options apply to nvdla sub-accelerators only, not '" + sub.dataflow + "'"});
    if (sub.dataflow.rfind("systolic-", 0) != 0 && sub.systolic_layer_overhead_cycles != 0)
      problems.push_back({at + "systolic", "systolic options apply to systolic sub-accelerators only, not '" +
                                               sub.dataflow + "'"});
    for (std::size_t j = 0; j < i; ++j) {
      if (chip.sub_accelerators[j].name == sub.name) {
        problems.push_back({at + "name", "duplicate sub-accelerator name '" + sub.name + "'"});
      }
    }
    const auto& names = template_names();
    if (std::find(names.begin(), names.end(), sub.dataflow) == names.end()) {
      problems.push_back({at + "dataflow", "unknown dataflow template '" + sub.dataflow + "'; known: " + join(names)});
    }
    check_range(problems, at + "pe_array.rows", static_cast<double>(sub.rows), 1,
                static_cast<double>(L::max_array_side), "PEs");
    check_range(problems, at + "pe_array.cols", static_cast<double>(sub.cols), 1,
                static_cast<double>(L::max_array_side), "PEs");
    if (sub.rows > 0 && sub.cols > 0 && sub.rows <= L::max_array_side && sub.cols <= L::max_array_side &&
        sub.pes() > L::max_pes) {
      problems.push_back({at + "pe_array", std::to_string(sub.rows) + "x" + std::to_string(sub.cols) + " = " +
                                               std::to_string(sub.pes()) + " PEs; at most " +
                                               std::to_string(L::max_pes)});
    }
    if (sub.bits != 4 && sub.bits != 8 && sub.bits != 16 && sub.bits != 32) {
      problems.push_back({at + "bits", "must be 4, 8, 16 or 32, got " + std::to_string(sub.bits)});
    }
    if (!(sub.bandwidth_share > 0 && sub.bandwidth_share <= 1)) {
      problems.push_back({at + "bandwidth_share", number_text(sub.bandwidth_share) + " must be in (0, 1]"});
    } else {
      share_sum += sub.bandwidth_share;
      if (share_sum > 1.0 + 1e-9) {
        problems.push_back({at + "bandwidth_share",
                            "bandwidth shares of the sub-accelerators sum to " + number_text(share_sum) +
                                ", more than 1"});
      }
    }
    const std::pair<const char*, const BufferSpec*> buffers[] = {
        {"ifmap", &sub.ifmap}, {"filter", &sub.filter}, {"ofmap", &sub.ofmap}};
    for (const auto& [name, buffer] : buffers) {
      const std::string key = at + "buffers." + name + ".";
      check_range(problems, key + "capacity", static_cast<double>(buffer->capacity_bytes), 1,
                  static_cast<double>(L::max_buffer_bytes), "B");
      check_range(problems, key + "banks", static_cast<double>(buffer->banks), 1, static_cast<double>(L::max_banks),
                  "banks");
      if (buffer->banks >= 1 && buffer->capacity_bytes % buffer->banks != 0) {
        problems.push_back({key + "banks", std::to_string(buffer->banks) + " banks must divide the capacity of " +
                                               std::to_string(buffer->capacity_bytes) + " B"});
      }
      check_range(problems, key + "read_ports", static_cast<double>(buffer->read_ports), 1,
                  static_cast<double>(L::max_ports), "ports");
      check_range(problems, key + "write_ports", static_cast<double>(buffer->write_ports), 1,
                  static_cast<double>(L::max_ports), "ports");
    }
    const RowStationarySpec& rs = sub.row_stationary;
    const std::string rs_key = at + "row_stationary.";
    const std::pair<const char*, std::int64_t> spads[] = {{"filter_spad_words", rs.filter_spad_words},
                                                          {"ifmap_spad_words", rs.ifmap_spad_words},
                                                          {"psum_spad_words", rs.psum_spad_words}};
    for (const auto& [name, value] : spads) {
      check_range(problems, rs_key + name, static_cast<double>(value), 1, static_cast<double>(L::max_spad_words),
                  "words");
    }
    const std::pair<const char*, double> rates[] = {{"ifmap_words_per_cycle", rs.ifmap_words_per_cycle},
                                                    {"filter_words_per_cycle", rs.filter_words_per_cycle},
                                                    {"psum_words_per_cycle", rs.psum_words_per_cycle}};
    for (const auto& [name, value] : rates) {
      check_range(problems, rs_key + name, value, L::min_bytes_per_cycle, L::max_noc_words_per_cycle, "words/cycle");
    }
    check_range(problems, at + "systolic.layer_overhead", static_cast<double>(sub.systolic_layer_overhead_cycles), 0,
                static_cast<double>(L::max_layer_overhead_cycles), "cycles");
    if (rs.shared_glb && sub.ifmap.banks >= 1 && sub.ofmap.banks >= 1 &&
        sub.ifmap.capacity_bytes * sub.ofmap.banks != sub.ofmap.capacity_bytes * sub.ifmap.banks) {
      problems.push_back({rs_key + "shared_glb", "a shared global buffer needs ifmap and ofmap banks of one size (" +
                                                     std::to_string(sub.ifmap.capacity_bytes / sub.ifmap.banks) + " B and " +
                                                     std::to_string(sub.ofmap.capacity_bytes / sub.ofmap.banks) + " B)"});
    }
    check_range(problems, at + "nvdla.sdp_throughput", static_cast<double>(sub.nvdla.sdp_throughput), 1,
                static_cast<double>(L::max_unit_throughput), "elements/cycle");
    check_range(problems, at + "nvdla.pdp_throughput", static_cast<double>(sub.nvdla.pdp_throughput), 1,
                static_cast<double>(L::max_unit_throughput), "elements/cycle");
  }
  return problems;
}

ChipSpec load_chip_spec(const std::string& path) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map({"name", "clock", "technology", "dram", "interconnect", "sub_accelerators", "mapping"});
  ChipSpec chip;
  chip.name = root.required("name").as_string();
  chip.clock_hz = root.required("clock").as_positive_quantity({UnitKind::frequency}).value;
  // Checked before other values are converted with it.
  std::vector<SpecProblem> clock_problems;
  check_range(clock_problems, "clock", chip.clock_hz, ChipLimits::min_clock_hz, ChipLimits::max_clock_hz, "Hz");
  if (!clock_problems.empty()) root.required("clock").fail(clock_problems.front().message);

  const ConfigNode technology = root.required("technology");
  chip.technology_file = technology.as_string();
  if (chip.technology_file == "built-in") {
    chip.technology = builtin_technology();
  } else {
    chip.technology = load_technology(technology.as_relative_file("technology file"));
  }

  const ConfigNode dram = root.required("dram");
  dram.expect_map({"bandwidth", "latency", "burst"});
  const ConfigNode bandwidth = dram.required("bandwidth");
  if (!(bandwidth.is_scalar() && bandwidth.as_string() == "ideal")) {
    const Quantity q = bandwidth.as_positive_quantity({UnitKind::bandwidth, UnitKind::bandwidth_per_cycle});
    chip.dram.bytes_per_cycle = q.kind == UnitKind::bandwidth ? q.value / chip.clock_hz : q.value;
  }
  chip.dram.latency_cycles = to_cycles(dram.required("latency"), chip.clock_hz);
  chip.dram.burst_bytes = dram.required("burst").as_whole_quantity(UnitKind::bytes);

  const ConfigNode interconnect = root.required("interconnect");
  interconnect.expect_map({"arbitration", "link_width"});
  chip.interconnect.arbitration = parse_arbitration(interconnect.required("arbitration"));
  const ConfigNode link = interconnect.required("link_width");
  chip.interconnect.link_bytes_per_cycle = link.as_positive_quantity({UnitKind::bandwidth_per_cycle}).value;

  const ConfigNode subs = root.required("sub_accelerators");
  for (const auto& item : subs.sequence()) chip.sub_accelerators.push_back(parse_sub_accelerator(item));
  if (const auto mapping = root.optional("mapping")) chip.mapping = parse_mapping_policy(*mapping);
  const auto problems = validate(chip);
  if (!problems.empty()) {
    throw InputError(path, root.line_of(problems.front().key), problems.front().key, problems.front().message);
  }
  return chip;
}

std::string chip_spec_to_yaml(const ChipSpec& chip) {
  const auto quantity = [](double value, const char* unit) {
    return shortest_number(value) + " " + unit;
  };
  // The largest unit in which the clock still reads back exactly.
  std::string clock = quantity(chip.clock_hz, "Hz");
  for (const auto& [scale, unit] : {std::pair{1e3, "kHz"}, std::pair{1e6, "MHz"}, std::pair{1e9, "GHz"}}) {
    if (chip.clock_hz / scale * scale == chip.clock_hz && chip.clock_hz >= scale) clock = quantity(chip.clock_hz / scale, unit);
  }
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  emit_yaml_string(out, chip.name);
  out << YAML::Key << "clock" << YAML::Value << clock;
  out << YAML::Key << "technology" << YAML::Value;
  emit_yaml_string(out, chip.technology_file);
  out << YAML::Comment("table hash " + chip.technology.hash);
  out << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  if (chip.dram.bytes_per_cycle) {
    out << YAML::Key << "bandwidth" << YAML::Value << quantity(*chip.dram.bytes_per_cycle, "B/cycle");
    out << YAML::Comment(quantity(*chip.dram.bytes_per_cycle * chip.clock_hz / 1e9, "GB/s"));
  } else {
    out << YAML::Key << "bandwidth" << YAML::Value << "ideal";
  }
  out << YAML::Key << "latency" << YAML::Value << quantity(chip.dram.latency_cycles, "cycles");
  out << YAML::Key << "burst" << YAML::Value << quantity(static_cast<double>(chip.dram.burst_bytes), "B");
  out << YAML::EndMap;
  out << YAML::Key << "interconnect" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "arbitration" << YAML::Value << arbitration_name(chip.interconnect.arbitration);
  out << YAML::Key << "link_width" << YAML::Value << quantity(chip.interconnect.link_bytes_per_cycle, "B/cycle");
  out << YAML::EndMap;
  out << YAML::Key << "mapping" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "mode" << YAML::Value << mapping_mode_name(chip.mapping.mode);
  out << YAML::Key << "objective" << YAML::Value << mapping_objective_name(chip.mapping.objective);
  out << YAML::EndMap;
  out << YAML::Key << "sub_accelerators" << YAML::Value << YAML::BeginSeq;
  for (const auto& sub : chip.sub_accelerators) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    emit_yaml_string(out, sub.name);
    out << YAML::Key << "dataflow" << YAML::Value << sub.dataflow;
    out << YAML::Key << "pe_array" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rows"
        << YAML::Value << sub.rows << YAML::Key << "cols" << YAML::Value << sub.cols << YAML::EndMap;
    out << YAML::Comment(std::to_string(sub.pes()) + " PEs");
    out << YAML::Key << "bits" << YAML::Value << sub.bits;
    out << YAML::Key << "bandwidth_share" << YAML::Value << shortest_number(sub.bandwidth_share);
    out << YAML::Key << "buffers" << YAML::Value << YAML::BeginMap;
    const std::pair<const char*, const BufferSpec*> buffers[] = {
        {"ifmap", &sub.ifmap}, {"filter", &sub.filter}, {"ofmap", &sub.ofmap}};
    for (const auto& [name, buffer] : buffers) {
      out << YAML::Key << name << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "capacity" << YAML::Value << format_bytes(static_cast<double>(buffer->capacity_bytes));
      out << YAML::Key << "banks" << YAML::Value << buffer->banks;
      out << YAML::Key << "read_ports" << YAML::Value << buffer->read_ports;
      out << YAML::Key << "write_ports" << YAML::Value << buffer->write_ports << YAML::EndMap;
    }
    out << YAML::EndMap;
    // Only the eyeriss template reads these; other subs keep their YAML short.
    if (sub.dataflow == "eyeriss" || sub.row_stationary != RowStationarySpec{}) {
    const RowStationarySpec& rs = sub.row_stationary;
    out << YAML::Key << "row_stationary" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "filter_spad_words" << YAML::Value << rs.filter_spad_words;
    out << YAML::Key << "ifmap_spad_words" << YAML::Value << rs.ifmap_spad_words;
    out << YAML::Key << "psum_spad_words" << YAML::Value << rs.psum_spad_words;
    out << YAML::Key << "ifmap_words_per_cycle" << YAML::Value << shortest_number(rs.ifmap_words_per_cycle);
    out << YAML::Key << "filter_words_per_cycle" << YAML::Value << shortest_number(rs.filter_words_per_cycle);
    out << YAML::Key << "psum_words_per_cycle" << YAML::Value << shortest_number(rs.psum_words_per_cycle);
    out << YAML::Key << "activation_compression" << YAML::Value << (rs.rlc ? "rlc" : "none");
    out << YAML::Key << "shared_glb" << YAML::Value << (rs.shared_glb ? "true" : "false");
    out << YAML::EndMap;
    }
    if (sub.dataflow.rfind("systolic-", 0) == 0) {
      out << YAML::Key << "systolic" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "layer_overhead"
          << YAML::Value << std::to_string(sub.systolic_layer_overhead_cycles) + " cycles" << YAML::EndMap;
    }
    if (sub.dataflow == "nvdla") {
      out << YAML::Key << "nvdla" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "winograd" << YAML::Value << (sub.nvdla.winograd ? "true" : "false");
      out << YAML::Key << "channel_extension" << YAML::Value << (sub.nvdla.channel_extension ? "true" : "false");
      out << YAML::Key << "shared_cbuf" << YAML::Value << (sub.nvdla.shared_cbuf ? "true" : "false");
      out << YAML::Key << "whole_channel_reduction" << YAML::Value
          << (sub.nvdla.whole_channel_reduction ? "true" : "false");
      out << YAML::Key << "sdp_throughput" << YAML::Value << sub.nvdla.sdp_throughput;
      out << YAML::Key << "pdp_throughput" << YAML::Value << sub.nvdla.pdp_throughput << YAML::EndMap;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nasaic

namespace nasaic {

std::string chip_spec_to_json(const ChipSpec& chip) {
  nlohmann::ordered_json json;
  json["name"] = chip.name;
  json["clock_Hz"] = chip.clock_hz;
  json["technology"] = chip.technology_file;
  json["technology_hash"] = chip.technology.hash;
  nlohmann::ordered_json dram;
  if (chip.dram.bytes_per_cycle) {
    dram["bandwidth_B_per_cycle"] = *chip.dram.bytes_per_cycle;
    dram["bandwidth_GB_per_s"] = *chip.dram.bytes_per_cycle * chip.clock_hz / 1e9;
  } else {
    dram["bandwidth_B_per_cycle"] = "ideal";
  }
  dram["latency_cycles"] = chip.dram.latency_cycles;
  dram["burst_B"] = chip.dram.burst_bytes;
  json["dram"] = dram;
  json["interconnect"] = {{"arbitration", arbitration_name(chip.interconnect.arbitration)},
                          {"link_width_B_per_cycle", chip.interconnect.link_bytes_per_cycle}};
  json["mapping"] = {{"mode", mapping_mode_name(chip.mapping.mode)},
                     {"objective", mapping_objective_name(chip.mapping.objective)}};
  nlohmann::ordered_json subs = nlohmann::ordered_json::array();
  for (const auto& sub : chip.sub_accelerators) {
    nlohmann::ordered_json item;
    item["name"] = sub.name;
    item["dataflow"] = sub.dataflow;
    item["pe_array"] = {{"rows", sub.rows}, {"cols", sub.cols}};
    item["pes"] = sub.pes();
    item["bits"] = sub.bits;
    item["bandwidth_share"] = sub.bandwidth_share;
    const std::pair<const char*, const BufferSpec*> buffers[] = {
        {"ifmap", &sub.ifmap}, {"filter", &sub.filter}, {"ofmap", &sub.ofmap}};
    for (const auto& [name, buffer] : buffers) {
      item["buffers"][name] = {{"capacity_B", buffer->capacity_bytes},
                               {"banks", buffer->banks},
                               {"read_ports", buffer->read_ports},
                               {"write_ports", buffer->write_ports}};
    }
    const RowStationarySpec& rs = sub.row_stationary;
    if (sub.dataflow == "eyeriss" || rs != RowStationarySpec{}) item["row_stationary"] = {{"filter_spad_words", rs.filter_spad_words},
                              {"ifmap_spad_words", rs.ifmap_spad_words},
                              {"psum_spad_words", rs.psum_spad_words},
                              {"ifmap_words_per_cycle", rs.ifmap_words_per_cycle},
                              {"filter_words_per_cycle", rs.filter_words_per_cycle},
                              {"psum_words_per_cycle", rs.psum_words_per_cycle},
                              {"activation_compression", rs.rlc ? "rlc" : "none"},
                              {"shared_glb", rs.shared_glb}};
    if (sub.dataflow.rfind("systolic-", 0) == 0) {
      item["systolic"] = {{"layer_overhead_cycles", sub.systolic_layer_overhead_cycles}};
    }
    if (sub.dataflow == "nvdla") {
      item["nvdla"] = {{"winograd", sub.nvdla.winograd},
                       {"channel_extension", sub.nvdla.channel_extension},
                       {"shared_cbuf", sub.nvdla.shared_cbuf},
                       {"whole_channel_reduction", sub.nvdla.whole_channel_reduction},
                       {"sdp_throughput_elements_per_cycle", sub.nvdla.sdp_throughput},
                       {"pdp_throughput_elements_per_cycle", sub.nvdla.pdp_throughput}};
    }
    subs.push_back(item);
  }
  json["sub_accelerators"] = subs;
  return dump_json(json, 2) + "\n";
}

}  // namespace nasaic
