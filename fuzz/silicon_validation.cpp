#include "dataflows/silicon_validation.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"

namespace nasaic::fuzz {
namespace {

// A validation file names a chip and a network beside it; the target keeps a
// small consistent pair next to the input, so mutations reach the table and
// its checks (the seeds name `chip.yaml` and `net.yaml`). Run whole: the
// surrogate on two small layers per input.
const char* const kChip =
    "name: tiny\nclock: 200 MHz\ntechnology: built-in\n"
    "dram: {bandwidth: 8 B/cycle, latency: 100 cycles, burst: 8 B}\n"
    "interconnect: {arbitration: round-robin, link_width: 8 B/cycle}\n"
    "sub_accelerators:\n  - name: e\n    dataflow: eyeriss\n    pe_array: {rows: 4, cols: 4}\n    bits: 16\n"
    "    bandwidth_share: 1\n    buffers: {ifmap: {capacity: 8 KiB}, filter: {capacity: 8 KiB}, ofmap: {capacity: 8 KiB}}\n";
const char* const kNetwork =
    "name: net\ntask: x\nlayers:\n"
    "  - {name: a, type: conv, inputs: [], N: 2, C: 3, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1, bits: 16}\n"
    "  - {name: b, type: conv, inputs: [], after: [a], N: 2, C: 4, H: 8, W: 8, K: 4, R: 3, S: 3, padding: 1, bits: 16}\n";

}  // namespace

int silicon_validation(std::string_view input) {
  static const bool written = [] {
    scratch_file("chip.yaml", kChip);
    scratch_file("net.yaml", kNetwork);
    return true;
  }();
  (void)written;
  const std::string path = scratch_file("validation.yaml", input);
  return accept_or_reject([&] {
    const SiliconValidation v = run_silicon_validation(path);
    double sum = 0;
    for (const SiliconFigure& figure : v.figures) sum += figure.ratio();
    (void)sum;
  });
}

}  // namespace nasaic::fuzz
