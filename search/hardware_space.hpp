#pragma once
// The hardware half of a co-search (NASAIC, Yang et al., DAC 2020: a
// heterogeneous chip built from sub-accelerator templates, with PEs and DRAM
// bandwidth allocated among them). Read from a search spec's `hardware:` map:
//
//   hardware:
//     base: ../chips/hetero-2.yaml   # clock, DRAM, interconnect, technology, mapping policy
//     sub_accelerators: [1, 2, 3]    # how many, 1-4
//     templates: [nvdla, shidiannao, eyeriss, systolic-ws]
//     pe_budget: 2048                # total PEs over all sub-accelerators
//     pe_arrays: [[16, 16], [16, 32], [32, 32]]   # rows x cols
//     buffers: [32 KiB, 64 KiB, 128 KiB]         # each of ifmap, filter and ofmap
//     banks: 1                       # banks per buffer (optional, 1)
//     bandwidth_shares: [1, 2, 3]    # weights, normalised over the sub-accelerators
//     arbitration: [weighted]        # optional; the base chip's otherwise
//     bits: [8]                      # operand width of every PE (optional, 8)
//
// Each sub-accelerator slot takes a template, a PE array, a buffer size and a
// bandwidth weight; slots past the chosen count are inactive.
//
// Or a given chip, for a search of the networks alone (NASAIC's `hw-fixed`
// comparison):
//
//   hardware: {chip: ../chips/hetero-2.yaml}
#include <cstdint>
#include <string>
#include <vector>

#include "common/config_node.hpp"
#include "dataflows/chip_spec.hpp"
#include "search/design_space.hpp"

namespace nasaic {

struct PeArray {
  std::int64_t rows = 0, cols = 0;
};

struct HardwareSpace {
  // A given chip: no hardware decisions, and decode_chip returns it.
  bool fixed = false;
  ChipSpec base;
  std::vector<std::int64_t> sub_counts;  // ascending, within [1, kMaxSubs]
  std::vector<std::string> templates;
  std::vector<PeArray> pe_arrays;
  std::int64_t pe_budget = 0;
  std::vector<std::int64_t> buffer_bytes;
  std::int64_t banks = 1;
  std::vector<double> bandwidth_weights;
  std::vector<Arbitration> arbitrations;
  std::vector<int> bits;

  static constexpr int kMaxSubs = 4;
  // Genes per slot: template, PE array, buffer, bandwidth weight.
  static constexpr int kSlotGenes = 4;

  int max_subs() const { return fixed ? 0 : static_cast<int>(sub_counts.back()); }
  // The decisions, names prefixed "hw.": count, then each slot's, then
  // arbitration and bits.
  std::vector<Choice> choices() const;
  std::size_t gene_count() const { return fixed ? 0 : 1 + kSlotGenes * static_cast<std::size_t>(max_subs()) + 2; }
};

struct DecodedChip {
  bool legal = false;
  std::string reason;  // why not, when illegal
  ChipSpec chip;
};

// `genes` holds gene_count() option indices from choices().
DecodedChip decode_chip(const HardwareSpace& space, const Genome& genes);
// Reads the `hardware:` map; paths are relative to the spec file. Throws
// InputError naming file, line and key.
HardwareSpace parse_hardware_space(const ConfigNode& node);

}  // namespace nasaic
