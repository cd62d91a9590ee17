#include "dataflows/chip_spec.hpp"

#include <cstdio>
#include <filesystem>
#include <yaml-cpp/yaml.h>

#include "common/config_node.hpp"
#include "common/error.hpp"
#include "dataflows/dataflow_template.hpp"

namespace nasaic {
namespace {

BufferSpec parse_buffer(const ConfigNode& node) {
  node.expect_map({"capacity", "banks", "read_ports", "write_ports"});
  BufferSpec buffer;
  const ConfigNode capacity = node.required("capacity");
  const double bytes = capacity.as_positive_quantity({UnitKind::bytes}).value;
  if (bytes != static_cast<double>(static_cast<std::int64_t>(bytes))) capacity.fail("must be a whole number of bytes");
  buffer.capacity_bytes = static_cast<std::int64_t>(bytes);
  if (const auto banks = node.optional("banks")) buffer.banks = banks->as_int(1, 1024);
  if (const auto ports = node.optional("read_ports")) buffer.read_ports = ports->as_int(1, 64);
  if (const auto ports = node.optional("write_ports")) buffer.write_ports = ports->as_int(1, 64);
  if (buffer.capacity_bytes % buffer.banks != 0) node.required("banks").fail("must divide the capacity");
  return buffer;
}

SubAcceleratorSpec parse_sub_accelerator(const ConfigNode& node) {
  node.expect_map({"name", "dataflow", "pe_array", "bits", "bandwidth_share", "buffers"});
  SubAcceleratorSpec sub;
  sub.name = node.required("name").as_string();
  const ConfigNode dataflow = node.required("dataflow");
  sub.dataflow = dataflow.as_string();
  bool known = false;
  std::string names;
  for (const auto& name : template_names()) {
    known = known || name == sub.dataflow;
    names += (names.empty() ? "" : ", ") + name;
  }
  if (!known) dataflow.fail("unknown dataflow template '" + sub.dataflow + "'; known: " + names);
  const ConfigNode array = node.required("pe_array");
  array.expect_map({"rows", "cols"});
  sub.rows = array.required("rows").as_int(1, 1 << 16);
  sub.cols = array.required("cols").as_int(1, 1 << 16);
  if (const auto bits = node.optional("bits")) {
    sub.bits = static_cast<int>(bits->as_int(1, 32));
    if (sub.bits != 4 && sub.bits != 8 && sub.bits != 16 && sub.bits != 32) bits->fail("must be 4, 8, 16 or 32");
  }
  const ConfigNode share = node.required("bandwidth_share");
  sub.bandwidth_share = share.as_double(0.0, 1.0);
  if (sub.bandwidth_share <= 0) share.fail("must be greater than 0");
  const ConfigNode buffers = node.required("buffers");
  buffers.expect_map({"ifmap", "filter", "ofmap"});
  sub.ifmap = parse_buffer(buffers.required("ifmap"));
  sub.filter = parse_buffer(buffers.required("filter"));
  sub.ofmap = parse_buffer(buffers.required("ofmap"));
  return sub;
}

double to_cycles(const ConfigNode& node, double clock_hz) {
  const Quantity q = node.as_quantity({UnitKind::time, UnitKind::cycles});
  if (q.value < 0) node.fail("must not be negative");
  return q.kind == UnitKind::cycles ? q.value : q.value * clock_hz;
}

Arbitration parse_arbitration(const ConfigNode& node) {
  const std::string name = node.as_string();
  for (Arbitration a : {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition}) {
    if (name == arbitration_name(a)) return a;
  }
  node.fail("unknown arbitration '" + name + "'; known: round-robin, weighted, static");
}

}  // namespace

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

ChipSpec load_chip_spec(const std::string& path) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map({"name", "clock", "technology", "dram", "interconnect", "sub_accelerators"});
  ChipSpec chip;
  chip.name = root.required("name").as_string();
  chip.clock_hz = root.required("clock").as_positive_quantity({UnitKind::frequency}).value;

  const ConfigNode technology = root.required("technology");
  chip.technology_file = technology.as_string();
  if (chip.technology_file == "built-in") {
    chip.technology = builtin_technology();
  } else {
    const std::filesystem::path technology_path =
        std::filesystem::path(path).parent_path() / std::filesystem::path(chip.technology_file);
    if (!std::filesystem::exists(technology_path)) {
      technology.fail("technology file '" + technology_path.string() + "' does not exist");
    }
    chip.technology = load_technology(technology_path.string());
  }

  const ConfigNode dram = root.required("dram");
  dram.expect_map({"bandwidth", "latency", "burst"});
  const ConfigNode bandwidth = dram.required("bandwidth");
  if (!(bandwidth.is_scalar() && bandwidth.as_string() == "ideal")) {
    const Quantity q = bandwidth.as_positive_quantity({UnitKind::bandwidth, UnitKind::bandwidth_per_cycle});
    chip.dram.bytes_per_cycle = q.kind == UnitKind::bandwidth ? q.value / chip.clock_hz : q.value;
  }
  chip.dram.latency_cycles = to_cycles(dram.required("latency"), chip.clock_hz);
  const ConfigNode burst = dram.required("burst");
  chip.dram.burst_bytes = static_cast<std::int64_t>(burst.as_positive_quantity({UnitKind::bytes}).value);
  if (chip.dram.burst_bytes < 1) burst.fail("must be at least 1 B");

  const ConfigNode interconnect = root.required("interconnect");
  interconnect.expect_map({"arbitration", "link_width"});
  chip.interconnect.arbitration = parse_arbitration(interconnect.required("arbitration"));
  const ConfigNode link = interconnect.required("link_width");
  chip.interconnect.link_bytes_per_cycle = link.as_positive_quantity({UnitKind::bandwidth_per_cycle}).value;

  const ConfigNode subs = root.required("sub_accelerators");
  double share_sum = 0;
  for (const auto& item : subs.sequence()) {
    SubAcceleratorSpec sub = parse_sub_accelerator(item);
    if (chip.find(sub.name) >= 0) item.required("name").fail("duplicate sub-accelerator name '" + sub.name + "'");
    share_sum += sub.bandwidth_share;
    if (share_sum > 1.0 + 1e-9) {
      char text[160];
      std::snprintf(text, sizeof text, "bandwidth shares of the sub-accelerators sum to %.6g, more than 1", share_sum);
      item.required("bandwidth_share").fail(text);
    }
    chip.sub_accelerators.push_back(std::move(sub));
  }
  if (chip.sub_accelerators.empty()) subs.fail("a chip needs at least one sub-accelerator");
  return chip;
}

std::string chip_spec_to_yaml(const ChipSpec& chip) {
  const auto quantity = [](double value, const char* unit) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g %s", value, unit);
    return std::string(buffer);
  };
  YAML::Emitter out;
  out.SetDoublePrecision(10);
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << chip.name;
  out << YAML::Key << "clock" << YAML::Value << quantity(chip.clock_hz / 1e6, "MHz");
  out << YAML::Key << "technology" << YAML::Value << chip.technology_file;
  out << YAML::Key << "technology_hash" << YAML::Value << chip.technology.hash;
  out << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  if (chip.dram.bytes_per_cycle) {
    out << YAML::Key << "bandwidth" << YAML::Value << quantity(*chip.dram.bytes_per_cycle, "B/cycle");
    out << YAML::Key << "bandwidth_total" << YAML::Value
        << quantity(*chip.dram.bytes_per_cycle * chip.clock_hz / 1e9, "GB/s");
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
  out << YAML::Key << "sub_accelerators" << YAML::Value << YAML::BeginSeq;
  for (const auto& sub : chip.sub_accelerators) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << sub.name;
    out << YAML::Key << "dataflow" << YAML::Value << sub.dataflow;
    out << YAML::Key << "pe_array" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key << "rows"
        << YAML::Value << sub.rows << YAML::Key << "cols" << YAML::Value << sub.cols << YAML::EndMap;
    out << YAML::Key << "pes" << YAML::Value << sub.pes();
    out << YAML::Key << "bits" << YAML::Value << sub.bits;
    out << YAML::Key << "bandwidth_share" << YAML::Value << sub.bandwidth_share;
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
    out << YAML::EndMap << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nasaic
