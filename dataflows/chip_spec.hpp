#pragma once
// The chip description shared by the surrogate, the simulator and the search:
// a clock, one DRAM channel, an interconnect, a technology table and a list of
// sub-accelerators (a PE array running one dataflow template, with its own
// buffers and share of off-chip bandwidth). Specs are immutable values, parsed
// and validated once.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dataflows/technology.hpp"

namespace nasaic {

enum class Arbitration { round_robin, weighted, static_partition };
const char* arbitration_name(Arbitration arbitration);

struct BufferSpec {
  std::int64_t capacity_bytes = 0;
  std::int64_t banks = 1;
  std::int64_t read_ports = 1;   // per bank, per cycle
  std::int64_t write_ports = 1;  // per bank, per cycle
};

struct SubAcceleratorSpec {
  std::string name;
  std::string dataflow;  // a template name, e.g. "systolic-ws", "nvdla"
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  int bits = 8;  // operand width the PEs compute at
  BufferSpec ifmap, filter, ofmap;
  double bandwidth_share = 0;  // fraction of DRAM bandwidth, in (0, 1]

  std::int64_t pes() const { return rows * cols; }
};

struct DramSpec {
  // Bytes per cycle of the chip clock. Empty means "ideal": as much bandwidth
  // as the compute needs, SCALE-Sim's CALC interface-bandwidth mode.
  std::optional<double> bytes_per_cycle;
  double latency_cycles = 0;
  std::int64_t burst_bytes = 64;
};

struct InterconnectSpec {
  Arbitration arbitration = Arbitration::round_robin;
  double link_bytes_per_cycle = 0;  // per sub-accelerator port
};

struct ChipSpec {
  std::string name;
  double clock_hz = 0;
  DramSpec dram;
  InterconnectSpec interconnect;
  std::string technology_file;  // as given, or "built-in"
  Technology technology;
  std::vector<SubAcceleratorSpec> sub_accelerators;

  // Index by name, or -1.
  std::ptrdiff_t find(const std::string& name) const;
};

// Parses and validates a chip YAML file. The technology path is relative to
// the chip file. Throws InputError naming file, line and key.
ChipSpec load_chip_spec(const std::string& path);

// The normalised chip as YAML, with every default made explicit and values in
// canonical units.
std::string chip_spec_to_yaml(const ChipSpec& chip);

}  // namespace nasaic
