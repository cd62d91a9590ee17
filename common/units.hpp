#pragma once
// Quantities with units, as written in configs ("64 KiB", "25.6 GB/s", "1 GHz").
// Internally nasaic uses bytes, bytes/s or bytes/cycle, Hz, seconds or cycles,
// pJ, µm², nm and W. A value without a unit is an error: "64" could be bytes or
// KiB, and guessing is how silent mistakes start.
#include <string>
#include <string_view>
#include <vector>

namespace nasaic {

enum class UnitKind {
  bytes,                  // B
  bandwidth,              // B/s
  bandwidth_per_cycle,    // B/cycle
  frequency,              // Hz
  time,                   // s
  cycles,                 // cycles
  energy,                 // pJ
  area,                   // µm²
  length,                 // nm
  power,                  // W (published chip power, e.g. "278 mW")
};

struct Quantity {
  double value = 0;  // in the base unit of kind
  UnitKind kind = UnitKind::bytes;
};

// Parses "<number> <unit>" (the space is optional). Throws InputError without a
// location (callers add it) when the number or unit is malformed, or when the
// unit's kind is not one of `accepted`.
Quantity parse_quantity(std::string_view text, const std::vector<UnitKind>& accepted);

std::string unit_kind_name(UnitKind kind);
// A typical value of the kind, for messages ("64 KiB", "1 GHz").
std::string unit_kind_example(UnitKind kind);

// The shortest decimal text that reads back as exactly `value` ("25.6",
// "1e+09"), so files nasaic writes reload to the same numbers.
std::string shortest_number(double value);

// Formats bytes with a binary prefix when exact ("64 KiB"), else in B.
std::string format_bytes(double bytes);

}  // namespace nasaic
