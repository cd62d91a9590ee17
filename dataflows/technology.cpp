#include "dataflows/technology.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <yaml-cpp/yaml.h>

#include "common/config_node.hpp"
#include "common/hash.hpp"
#include "common/text_file.hpp"
#include "dataflows/builtin_technology.hpp"

namespace nasaic {

namespace {

// Below 8 bits a MAC is scaled from the table's 8-bit entry part by part,
// by Horowitz's width laws ("Computing's Energy Problem", ISSCC 2014, 45 nm):
// a multiplier grows with the square of its width (8-bit 0.2 pJ, 32-bit
// 3.1 pJ: 15.5× for 4× the width), an adder about linearly (0.03, 0.1 pJ:
// 3.3×). The default table's 8-bit MAC is an 8-bit multiply (0.2 pJ) and a
// 32-bit accumulate (0.1 pJ), so the multiplier is two thirds of it, and the
// accumulator keeps 4× the operand width. A 4-bit MAC thus costs
// 2/3 × 1/4 + 1/3 × 1/2 = 1/3 of an 8-bit one. Area follows the same split:
// an array multiplier has b² partial-product cells, a ripple adder b.
constexpr double kMultiplierShareAt8Bits = 0.2 / (0.2 + 0.1);

double below_8_bits(double at_8_bits, int bits) {
  const double ratio = bits / 8.0;
  return at_8_bits * (kMultiplierShareAt8Bits * ratio * ratio + (1.0 - kMultiplierShareAt8Bits) * ratio);
}

}  // namespace

double Technology::mac_energy_pj(int bits) const {
  if (bits < 8) return below_8_bits(mac_energy_int8_pj, bits);
  if (bits == 8) return mac_energy_int8_pj;
  if (bits <= 16) return mac_energy_int16_pj;
  // Above 16 bits the multiplier dominates: the square of the width.
  return mac_energy_int16_pj * (bits * bits) / 256.0;
}

double Technology::mac_area_um2(int bits) const {
  if (bits < 8) return below_8_bits(mac_area_int8_um2, bits);
  if (bits == 8) return mac_area_int8_um2;
  if (bits <= 16) return mac_area_int16_um2;
  return mac_area_int16_um2 * (bits * bits) / 256.0;
}

double Technology::sram_read_pj_per_64b(double kib) const {
  return sram_read_base_pj + sram_read_sqrt_pj * std::sqrt(kib);
}

Technology parse_technology(const ConfigNode& root) {
  root.expect_map({"name", "node", "mac", "register_file", "sram", "interconnect", "dram", "static"});
  Technology t;
  t.name = root.required("name").as_string();
  // Bounds far outside any real table (1 uJ per access, 10^4 mm^2 per
  // component) keep every energy and area total finite.
  const auto bounded = [](const ConfigNode& node, const char* key, UnitKind kind, double max, const char* max_text) {
    const ConfigNode value = node.required(key);
    const double quantity = value.as_positive_quantity({kind}).value;
    if (quantity > max) value.fail(excerpt(value.as_string()) + " is out of range; at most " + max_text);
    return quantity;
  };
  t.node_nm = bounded(root, "node", UnitKind::length, 1e6, "1000000 nm");
  const auto energy = [&](const ConfigNode& node, const char* key) {
    return bounded(node, key, UnitKind::energy, 1e6, "1 uJ");
  };
  const auto area = [&](const ConfigNode& node, const char* key) {
    return bounded(node, key, UnitKind::area, 1e10, "10000 mm2");
  };

  const ConfigNode mac = root.required("mac");
  mac.expect_map({"energy_int8", "energy_int16", "area_int8", "area_int16", "pe_area_factor"});
  t.mac_energy_int8_pj = energy(mac, "energy_int8");
  t.mac_energy_int16_pj = energy(mac, "energy_int16");
  t.mac_area_int8_um2 = area(mac, "area_int8");
  t.mac_area_int16_um2 = area(mac, "area_int16");
  t.pe_area_factor = mac.required("pe_area_factor").as_double(1.0, 100.0);

  const ConfigNode rf = root.required("register_file");
  rf.expect_map({"read_energy_per_16b", "write_energy_per_16b"});
  t.rf_read_pj_per_16b = energy(rf, "read_energy_per_16b");
  t.rf_write_pj_per_16b = energy(rf, "write_energy_per_16b");

  const ConfigNode sram = root.required("sram");
  sram.expect_map({"read_energy_base_per_64b", "read_energy_sqrt_per_64b", "write_to_read_ratio", "area_per_kib"});
  t.sram_read_base_pj = energy(sram, "read_energy_base_per_64b");
  t.sram_read_sqrt_pj = energy(sram, "read_energy_sqrt_per_64b");
  t.sram_write_to_read = sram.required("write_to_read_ratio").as_double(0.01, 100.0);
  t.sram_area_um2_per_kib = area(sram, "area_per_kib");

  const ConfigNode noc = root.required("interconnect");
  noc.expect_map({"energy_per_byte", "area_per_port"});
  t.interconnect_pj_per_byte = energy(noc, "energy_per_byte");
  t.interconnect_area_um2_per_port = area(noc, "area_per_port");

  const ConfigNode dram = root.required("dram");
  dram.expect_map({"energy_per_byte"});
  t.dram_pj_per_byte = energy(dram, "energy_per_byte");

  if (const auto stat = root.optional("static")) {
    stat->expect_map({"clock_energy_per_mm2_cycle", "leakage_energy_per_mm2_cycle", "control_energy_per_pe_cycle"});
    // Zero is allowed (a table that leaves a term out), negative is not.
    const auto per_cycle = [&](const char* key, double& value) {
      if (const auto item = stat->optional(key)) {
        const Quantity q = item->as_quantity({UnitKind::energy});
        if (q.value < 0) item->fail("must not be negative");
        if (q.value > 1e6) item->fail(excerpt(item->as_string()) + " is out of range; at most 1 uJ");
        value = q.value;
      }
    };
    per_cycle("clock_energy_per_mm2_cycle", t.clock_pj_per_mm2_cycle);
    per_cycle("leakage_energy_per_mm2_cycle", t.leakage_pj_per_mm2_cycle);
    per_cycle("control_energy_per_pe_cycle", t.control_pj_per_pe_cycle);
  }

  // The hash covers the normalised values, so reformatting a file keeps it.
  t.hash = fnv1a_hex(technology_to_yaml(t));
  return t;
}

Technology load_technology(const std::string& path) { return parse_technology(ConfigNode::load_file(path)); }

Technology builtin_technology() {
  static const Technology technology =
      parse_technology(ConfigNode::load_string(kBuiltinTechnologyYaml, "built-in technology"));
  return technology;
}

std::uint64_t technology_fingerprint(const Technology& t) {
  // Every numeric field; the assertion fails when one is added to Technology
  // without being added here.
  static_assert(sizeof(Technology) == 2 * sizeof(std::string) + 18 * sizeof(double));
  const double values[] = {t.node_nm,
                           t.mac_energy_int8_pj,
                           t.mac_energy_int16_pj,
                           t.mac_area_int8_um2,
                           t.mac_area_int16_um2,
                           t.pe_area_factor,
                           t.rf_read_pj_per_16b,
                           t.rf_write_pj_per_16b,
                           t.sram_read_base_pj,
                           t.sram_read_sqrt_pj,
                           t.sram_write_to_read,
                           t.sram_area_um2_per_kib,
                           t.interconnect_pj_per_byte,
                           t.interconnect_area_um2_per_port,
                           t.dram_pj_per_byte,
                           t.clock_pj_per_mm2_cycle,
                           t.leakage_pj_per_mm2_cycle,
                           t.control_pj_per_pe_cycle};
  std::array<std::int64_t, std::size(values)> bits{};
  for (std::size_t i = 0; i < bits.size(); ++i) std::memcpy(&bits[i], &values[i], sizeof bits[i]);
  return hash_fields(bits);
}

std::string technology_to_yaml(const Technology& t) {
  YAML::Emitter out;
  out.SetDoublePrecision(10);
  const auto with_unit = [](double value, const char* unit) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.10g %s", value, unit);
    return std::string(buffer);
  };
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  emit_yaml_string(out, t.name);
  out << YAML::Key << "node" << YAML::Value << with_unit(t.node_nm, "nm");
  out << YAML::Key << "mac" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "energy_int8" << YAML::Value << with_unit(t.mac_energy_int8_pj, "pJ");
  out << YAML::Key << "energy_int16" << YAML::Value << with_unit(t.mac_energy_int16_pj, "pJ");
  out << YAML::Key << "area_int8" << YAML::Value << with_unit(t.mac_area_int8_um2, "um2");
  out << YAML::Key << "area_int16" << YAML::Value << with_unit(t.mac_area_int16_um2, "um2");
  out << YAML::Key << "pe_area_factor" << YAML::Value << t.pe_area_factor << YAML::EndMap;
  out << YAML::Key << "register_file" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "read_energy_per_16b" << YAML::Value << with_unit(t.rf_read_pj_per_16b, "pJ");
  out << YAML::Key << "write_energy_per_16b" << YAML::Value << with_unit(t.rf_write_pj_per_16b, "pJ") << YAML::EndMap;
  out << YAML::Key << "sram" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "read_energy_base_per_64b" << YAML::Value << with_unit(t.sram_read_base_pj, "pJ");
  out << YAML::Key << "read_energy_sqrt_per_64b" << YAML::Value << with_unit(t.sram_read_sqrt_pj, "pJ");
  out << YAML::Key << "write_to_read_ratio" << YAML::Value << t.sram_write_to_read;
  out << YAML::Key << "area_per_kib" << YAML::Value << with_unit(t.sram_area_um2_per_kib, "um2") << YAML::EndMap;
  out << YAML::Key << "interconnect" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "energy_per_byte" << YAML::Value << with_unit(t.interconnect_pj_per_byte, "pJ");
  out << YAML::Key << "area_per_port" << YAML::Value << with_unit(t.interconnect_area_um2_per_port, "um2")
      << YAML::EndMap;
  out << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "energy_per_byte" << YAML::Value << with_unit(t.dram_pj_per_byte, "pJ") << YAML::EndMap;
  // Written only when set, so tables without static energy keep their hash.
  if (t.clock_pj_per_mm2_cycle > 0 || t.leakage_pj_per_mm2_cycle > 0 || t.control_pj_per_pe_cycle > 0) {
    out << YAML::Key << "static" << YAML::Value << YAML::BeginMap;
    out << YAML::Key << "clock_energy_per_mm2_cycle" << YAML::Value << with_unit(t.clock_pj_per_mm2_cycle, "pJ");
    out << YAML::Key << "leakage_energy_per_mm2_cycle" << YAML::Value << with_unit(t.leakage_pj_per_mm2_cycle, "pJ");
    out << YAML::Key << "control_energy_per_pe_cycle" << YAML::Value << with_unit(t.control_pj_per_pe_cycle, "pJ");
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nasaic
