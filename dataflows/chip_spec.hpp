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

#include "dataflows/mapping.hpp"
#include "dataflows/technology.hpp"

namespace nasaic {

enum class Arbitration { round_robin, weighted, static_partition };
const char* arbitration_name(Arbitration arbitration);
class ConfigNode;
// "round-robin", "weighted" or "static"; anything else fails at the node.
Arbitration parse_arbitration(const ConfigNode& node);

struct BufferSpec {
  std::int64_t capacity_bytes = 0;
  std::int64_t banks = 1;
  std::int64_t read_ports = 1;   // per bank, per cycle
  std::int64_t write_ports = 1;  // per bank, per cycle
  friend bool operator==(const BufferSpec&, const BufferSpec&) = default;
};

// Row-stationary PE details (Chen et al., "Eyeriss: An Energy-Efficient
// Reconfigurable Accelerator for Deep Convolutional Neural Networks", JSSC
// 52(1), 2017): per-PE scratchpads bound how many filters (p) and channels (q)
// a PE interleaves in one pass, and the multicast networks from the global
// buffer bound how fast passes are fed. Only the eyeriss template reads them.
struct RowStationarySpec {
  // JSSC 2017 §IV: filter spad 224×16b SRAM, ifmap spad 12×16b and psum spad
  // 24×16b registers per PE.
  std::int64_t filter_spad_words = 224;
  std::int64_t ifmap_spad_words = 12;
  std::int64_t psum_spad_words = 24;
  // Words per cycle the global buffer delivers to (psum: takes from) the
  // array on each network. Default one 64-bit GLB bank word (4 × 16 b) per
  // cycle: the GLB is built of 512×64b banks (JSSC 2017 §V-A); the bus widths
  // themselves were not found (reference/dataflows.md §4.2).
  double ifmap_words_per_cycle = 4;
  double filter_words_per_cycle = 4;
  double psum_words_per_cycle = 4;  // each direction: partial sums in, partial sums out
  // Run-length compression of zeros in activations moved to and from DRAM
  // (JSSC 2017 §V-C, Fig. 12): 64-bit words of three (5-bit run, 16-bit level)
  // pairs. Off by default.
  bool rlc = false;
  // The ifmap and ofmap buffers are one global buffer whose banks each layer
  // splits between ifmaps and partial sums: the 108 KB GLB of JSSC 2017 is
  // shared by ifmaps and psums and re-split per layer (§V-A; see
  // reference/silicon.md), built of 512 × 64 b banks. The split follows the mapping's tiles (the fewest banks that
  // double-buffer the ifmap tile; spare banks make the ifmap resident if they
  // can, else go to partial sums). Off: two fixed buffers, as the chip file
  // sizes them. Needs banks of one size in both buffers.
  bool shared_glb = false;
  friend bool operator==(const RowStationarySpec&, const RowStationarySpec&) = default;
};

// Features of an `nvdla` sub-accelerator that the generic PE-array model
// lacks (YAML key `nvdla`, only on nvdla sub-accelerators). Defaults follow
// NVIDIA's nv_full configuration (nvdla/hw spec/defs/nv_large.spec and the
// v1 unit description, nvdla/doc doc/hw/v1/ias/unit_description.rst), so an
// nvdla sub behaves like NVDLA unless a switch is turned off.
struct NvdlaSpec {
  // Winograd F(2x2, 3x3) for 3x3 stride-1 convolutions ("Winograd
  // Convolution": 16 instead of 36 multiplies per 2x2 outputs).
  bool winograd = true;
  // Image-input mode with channel pre- and post-extension for layers of at
  // most 4 input channels ("Convolution with Image Input", "Channel
  // Post-Extension").
  bool channel_extension = true;
  // The ifmap and filter buffers are one convolution buffer (CBUF) whose
  // banks each layer splits between data and weights (D_BANK/W_BANK
  // registers); the split is a mapping choice. Off: two fixed buffers.
  bool shared_cbuf = true;
  // Elements per cycle of the single-point data processor (bias, ReLU,
  // element-wise add) on the convolution output stream: SDP_BS_THROUGHPUT.
  std::int64_t sdp_throughput = 16;
  // Input elements per cycle of the planar data processor (pooling):
  // PDP_THROUGHPUT.
  std::int64_t pdp_throughput = 8;
  // The convolution accumulator (CACC) sums a whole channel operation (all
  // C of an output, "Convolution Accumulator": the first stripe starts from
  // 0, and after a channel operation "the result in convolution accumulator
  // is exactly the convolution result", rounded and sent to the SDP). No
  // partial sum leaves the convolution core or comes back from memory, so a
  // conv tile holds all input channels and the mapper splits rows (P) and
  // kernel groups (K) only. Off: C tiles with partial sums through DRAM.
  bool whole_channel_reduction = true;
  friend bool operator==(const NvdlaSpec&, const NvdlaSpec&) = default;
};

struct SubAcceleratorSpec {
  std::string name;
  std::string dataflow;  // a template name, e.g. "systolic-ws", "nvdla"
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  int bits = 8;  // operand width the PEs compute at
  BufferSpec ifmap, filter, ofmap;
  double bandwidth_share = 0;  // fraction of DRAM bandwidth, in (0, 1]
  RowStationarySpec row_stationary;  // YAML `row_stationary`, optional
  NvdlaSpec nvdla;             // used by the nvdla template only
  // Cycles a layer spends outside its folds on a systolic array (YAML
  // `systolic: {layer_overhead: N cycles}`): configuration and DMA setup
  // between layers that a real array pays and SCALE-Sim does not count, so
  // the default, 0, keeps SCALE-Sim's exact cycles. Systolic templates only.
  std::int64_t systolic_layer_overhead_cycles = 0;

  std::int64_t pes() const { return rows * cols; }
  friend bool operator==(const SubAcceleratorSpec&, const SubAcceleratorSpec&) = default;
};

struct DramSpec {
  // Bytes per cycle of the chip clock. Empty means "ideal": as much bandwidth
  // as the compute needs, SCALE-Sim's CALC interface-bandwidth mode.
  std::optional<double> bytes_per_cycle;
  double latency_cycles = 0;
  std::int64_t burst_bytes = 64;
  friend bool operator==(const DramSpec&, const DramSpec&) = default;
};

struct InterconnectSpec {
  Arbitration arbitration = Arbitration::round_robin;
  double link_bytes_per_cycle = 0;  // per sub-accelerator port
  friend bool operator==(const InterconnectSpec&, const InterconnectSpec&) = default;
};

struct ChipSpec {
  std::string name;
  double clock_hz = 0;
  DramSpec dram;
  InterconnectSpec interconnect;
  std::string technology_file;  // as given, or "built-in"
  Technology technology;
  std::vector<SubAcceleratorSpec> sub_accelerators;
  // How layers are mapped onto every sub-accelerator (YAML `mapping`, optional).
  MappingPolicy mapping;

  // Index by name, or -1.
  std::ptrdiff_t find(const std::string& name) const;
  friend bool operator==(const ChipSpec&, const ChipSpec&) = default;
};

// The limits every chip must meet, whatever it was read from (chip YAML, a
// SCALE-Sim .cfg, a points file) or built by (a search). They keep every
// derived count (cycles, bytes, energy) far from overflow, and they are
// generous: the largest shipped or published design is orders of magnitude
// inside each.
struct ChipLimits {
  static constexpr double min_clock_hz = 1e3;
  static constexpr double max_clock_hz = 1e12;
  // A floor on bandwidth bounds the cycles of moving a layer's largest
  // traffic (2^50 MACs' operands) well inside 64-bit cycle counts.
  static constexpr double min_bytes_per_cycle = 0.01;
  static constexpr double max_dram_bytes_per_cycle = 1 << 20;
  static constexpr double max_dram_latency_cycles = 1e9;
  static constexpr std::int64_t max_burst_bytes = 1 << 20;
  static constexpr double max_link_bytes_per_cycle = 1 << 20;
  static constexpr std::int64_t max_sub_accelerators = 64;
  static constexpr std::int64_t max_array_side = 1 << 16;
  static constexpr std::int64_t max_pes = 1 << 22;
  static constexpr std::int64_t max_buffer_bytes = std::int64_t{1} << 36;  // 64 GiB
  static constexpr std::int64_t max_banks = 1024;
  static constexpr std::int64_t max_ports = 64;
  // Row-stationary scratchpads and network widths: far above any PE's.
  static constexpr std::int64_t max_spad_words = 1 << 20;
  static constexpr double max_noc_words_per_cycle = 1 << 16;
  // Elements per cycle of an NVDLA SDP or PDP (nv_full has 16 and 8).
  static constexpr std::int64_t max_unit_throughput = 1 << 16;
  // A fixed per-layer overhead: far above any array's setup.
  static constexpr std::int64_t max_layer_overhead_cycles = 1'000'000'000;
};

// One thing wrong with a chip: the key path as the chip YAML spells it
// ("sub_accelerators[1].pe_array.rows") and what is wrong.
struct SpecProblem {
  std::string key;
  std::string message;
};

// Every problem found, in the order of the YAML keys; empty when the chip is
// valid. The technology table is checked where it is parsed.
std::vector<SpecProblem> validate(const ChipSpec& chip);

// Parses and validates a chip YAML file. The technology path is relative to
// the chip file. Throws InputError naming file, line and key.
ChipSpec load_chip_spec(const std::string& path);

// The normalised chip as YAML, with every default made explicit and values in
// canonical units. It loads back as the same chip (derived figures are
// comments).
std::string chip_spec_to_yaml(const ChipSpec& chip);
// The same chip as JSON, names kept as strings and numbers as numbers.
std::string chip_spec_to_json(const ChipSpec& chip);

}  // namespace nasaic
