#include "common/units.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {
namespace {

struct UnitDef {
  UnitKind kind;
  double scale;  // multiply by this to get the base unit
};

const std::map<std::string, UnitDef, std::less<>>& unit_table() {
  static const std::map<std::string, UnitDef, std::less<>> table = {
      {"B", {UnitKind::bytes, 1}},
      {"kB", {UnitKind::bytes, 1e3}},
      {"MB", {UnitKind::bytes, 1e6}},
      {"GB", {UnitKind::bytes, 1e9}},
      {"KiB", {UnitKind::bytes, 1024.0}},
      {"MiB", {UnitKind::bytes, 1024.0 * 1024}},
      {"GiB", {UnitKind::bytes, 1024.0 * 1024 * 1024}},
      {"B/s", {UnitKind::bandwidth, 1}},
      {"kB/s", {UnitKind::bandwidth, 1e3}},
      {"MB/s", {UnitKind::bandwidth, 1e6}},
      {"GB/s", {UnitKind::bandwidth, 1e9}},
      {"TB/s", {UnitKind::bandwidth, 1e12}},
      {"KiB/s", {UnitKind::bandwidth, 1024.0}},
      {"MiB/s", {UnitKind::bandwidth, 1024.0 * 1024}},
      {"GiB/s", {UnitKind::bandwidth, 1024.0 * 1024 * 1024}},
      {"B/cycle", {UnitKind::bandwidth_per_cycle, 1}},
      {"Hz", {UnitKind::frequency, 1}},
      {"kHz", {UnitKind::frequency, 1e3}},
      {"MHz", {UnitKind::frequency, 1e6}},
      {"GHz", {UnitKind::frequency, 1e9}},
      {"s", {UnitKind::time, 1}},
      {"ms", {UnitKind::time, 1e-3}},
      {"us", {UnitKind::time, 1e-6}},
      {"µs", {UnitKind::time, 1e-6}},
      {"ns", {UnitKind::time, 1e-9}},
      {"ps", {UnitKind::time, 1e-12}},
      {"cycle", {UnitKind::cycles, 1}},
      {"cycles", {UnitKind::cycles, 1}},
      {"fJ", {UnitKind::energy, 1e-3}},
      {"pJ", {UnitKind::energy, 1}},
      {"nJ", {UnitKind::energy, 1e3}},
      {"uJ", {UnitKind::energy, 1e6}},
      {"um2", {UnitKind::area, 1}},
      {"µm²", {UnitKind::area, 1}},
      {"mm2", {UnitKind::area, 1e6}},
      {"mm²", {UnitKind::area, 1e6}},
      {"nm", {UnitKind::length, 1}},
      {"uW", {UnitKind::power, 1e-6}},
      {"µW", {UnitKind::power, 1e-6}},
      {"mW", {UnitKind::power, 1e-3}},
      {"W", {UnitKind::power, 1}},
  };
  return table;
}

std::string units_of(const std::vector<UnitKind>& kinds) {
  std::string list;
  for (const auto& [name, def] : unit_table()) {
    for (UnitKind kind : kinds) {
      if (def.kind == kind) list += (list.empty() ? "" : ", ") + name;
    }
  }
  return list;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string unit_kind_example(UnitKind kind) {
  switch (kind) {
    case UnitKind::bytes: return "64 KiB";
    case UnitKind::bandwidth: return "25.6 GB/s";
    case UnitKind::bandwidth_per_cycle: return "16 B/cycle";
    case UnitKind::frequency: return "1 GHz";
    case UnitKind::time: return "100 ns";
    case UnitKind::cycles: return "100 cycles";
    case UnitKind::energy: return "0.2 pJ";
    case UnitKind::area: return "282 um2";
    case UnitKind::length: return "45 nm";
    case UnitKind::power: return "278 mW";
  }
  return "1 B";
}

std::string unit_kind_name(UnitKind kind) {
  switch (kind) {
    case UnitKind::bytes: return "a size";
    case UnitKind::bandwidth: return "a bandwidth";
    case UnitKind::bandwidth_per_cycle: return "a bandwidth per cycle";
    case UnitKind::frequency: return "a frequency";
    case UnitKind::time: return "a time";
    case UnitKind::cycles: return "a cycle count";
    case UnitKind::energy: return "an energy";
    case UnitKind::area: return "an area";
    case UnitKind::length: return "a length";
    case UnitKind::power: return "a power";
  }
  return "a quantity";
}

Quantity parse_quantity(std::string_view text, const std::vector<UnitKind>& accepted) {
  const std::string_view input = trim(text);
  double number = 0;
  const auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), number);
  std::string kinds, examples;
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    const char* separator = i == 0 ? "" : i + 1 == accepted.size() ? " or " : ", ";
    kinds += separator + unit_kind_name(accepted[i]);
    examples += separator + ("'" + unit_kind_example(accepted[i]) + "'");
  }
  const std::string expected = "expected " + kinds + " such as " + examples + ", with one of: " + units_of(accepted);
  if (error != std::errc() || !std::isfinite(number)) {
    throw InputError(excerpt(std::string(input)) + " is not a number with a unit; " + expected);
  }
  const std::string_view unit = trim(std::string_view(end, input.data() + input.size() - end));
  if (unit.empty()) throw InputError(excerpt(std::string(input)) + " has no unit; " + expected);
  if (unit == "KB") {
    throw InputError(excerpt(std::string(input)) + " is ambiguous: write KiB (1024 B) or kB (1000 B)");
  }
  const auto found = unit_table().find(unit);
  if (found == unit_table().end()) {
    throw InputError("unknown unit " + excerpt(std::string(unit)) + " in " + excerpt(std::string(input)) + "; " + expected);
  }
  for (UnitKind kind : accepted) {
    if (found->second.kind != kind) continue;
    const double value = number * found->second.scale;
    // 1e305 GHz is a finite number but an infinite frequency.
    if (!std::isfinite(value)) throw InputError(excerpt(std::string(input)) + " is too large to represent");
    return Quantity{value, kind};
  }
  throw InputError(excerpt(std::string(input)) + " is " + unit_kind_name(found->second.kind) + "; " + expected);
}

std::string shortest_number(double value) {
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : std::string("nan");
}

std::string format_bytes(double bytes) {
  static const std::pair<double, const char*> prefixes[] = {
      {1024.0 * 1024 * 1024, "GiB"}, {1024.0 * 1024, "MiB"}, {1024.0, "KiB"}};
  for (const auto& [scale, name] : prefixes) {
    const double scaled = bytes / scale;
    if (bytes >= scale && scaled == std::floor(scaled)) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.0f %s", scaled, name);
      return buffer;
    }
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.15g B", bytes);
  return buffer;
}

}  // namespace nasaic
