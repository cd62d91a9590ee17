#pragma once
// What the fuzz targets share: the one exception they accept, a scratch file
// for parsers that only read paths, and derived quantities to compute on
// whatever a parser accepted.
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "dataflows/chip_spec.hpp"
#include "models/network.hpp"

namespace nasaic::fuzz {

// Runs `parse`; an InputError is the parser saying no, so it is swallowed.
// Nothing else is caught.
template <typename Parse>
int accept_or_reject(Parse&& parse) {
  try {
    parse();
  } catch (const InputError&) {
  }
  return 0;
}

// Writes `content` to `name` in a folder private to this process (made on
// first use, removed at exit) and returns the file's path. The folder holds
// nothing else, so a path an input names relative to the file finds nothing.
std::string scratch_file(const std::string& name, std::string_view content);

// Computes every per-layer and per-network quantity the cost models read
// (MACs, ops, tensor elements and bytes, output sizes, totals), so that an
// overflow in them shows up under UBSan while the input is still at hand.
void derive_quantities(const Network& network);
void derive_quantities(const ChipSpec& chip);

}  // namespace nasaic::fuzz
