#pragma once
// Validation against published silicon: a file in configs/validation/ holds a
// paper's table (with its source), the chip that models it and the network at
// the paper's batch and shapes; this runs the surrogate on them and pairs each
// published figure with nasaic's.
//
// Two kinds of file:
//  - `layers` (Eyeriss, JSSC 2017 Table V): one chip, one row per layer of the
//    network, plus a `total` row. Figures: processing latency (the chip with
//    ideal DRAM: no bandwidth limit, no latency), total latency (the chip's
//    own DRAM), DRAM bytes, on-chip energy and MACs.
//  - `configurations` (the NVDLA primer): one chip per row, the whole network
//    each. Figures: frames/s (batch / makespan with the chip's DRAM), on-chip
//    energy per frame and area.
//
// Published energy is power × latency (Eyeriss: × total latency, the time the
// power was measured over; NVDLA: average power / frames/s). Chip power
// excludes DRAM, so nasaic's side is its on-chip energy: everything but the
// DRAM term of the energy breakdown.
//
// The conditions a file states (batch, bits, clock, array size, and per NVDLA
// row its MACs, buffer and bandwidth) are checked against the chip and network
// it names, so the data cannot silently drift from the paper's setup.
#include <string>
#include <vector>

namespace nasaic {

struct SiliconFigure {
  std::string row;     // layer or configuration name, or "total"
  std::string metric;  // e.g. "processing_latency"
  std::string unit;    // e.g. "ms"
  double paper = 0;
  double nasaic = 0;
  double ratio() const { return nasaic / paper; }
};

struct SiliconValidation {
  std::string name;
  std::string source;
  std::string kind;                    // "layers" or "configurations"
  std::vector<std::string> rows;       // in file order; "total" last when there is one
  std::vector<std::string> metrics;    // in a fixed order
  std::vector<SiliconFigure> figures;  // row-major: rows × metrics
  // How each published figure was derived, one sentence per metric.
  std::vector<std::string> notes;

  // The figures of `metric` over the rows that are not "total" (for rank
  // correlation across layers or configurations).
  std::vector<const SiliconFigure*> per_row(const std::string& metric) const;
};

// Reads a validation file and runs the surrogate, uncalibrated or with the
// parameters of `calibration` (a file from nasaic calibrate, checked against
// each chip's technology). Throws InputError naming file, line and key for
// anything malformed, missing or inconsistent with the chip or network it
// names.
SiliconValidation run_silicon_validation(const std::string& path, const std::string& calibration = "");

}  // namespace nasaic
