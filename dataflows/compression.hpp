#pragma once
// Run-length coding of zeros in activations moved to and from DRAM, as Eyeriss
// does (Chen et al., JSSC 52(1) 2017, §V-C and Fig. 12): a 64-bit word holds
// three (5-bit run of zeros, 16-bit level) pairs and a 1-bit last-word flag.
// A run longer than 31 zeros spends a pair whose level is itself a zero.
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace nasaic {

inline constexpr int kRlcWordBits = 64;
inline constexpr int kRlcRunBits = 5;

// Expected bytes of `elements` activations of `bits` each, a fraction
// `density` of them non-zero, zeros independent of each other. Each non-zero
// value ends one pair; a run of L zeros before it needs floor(L / 32) more,
// and with zeros independent E[pairs] = elements · density / (1 − (1 −
// density)^32). Never more than the raw bytes: the encoder is bypassed where
// coding would expand the data (dense input images; an assumption, the paper
// reports coding on post-ReLU feature maps).
inline std::int64_t rlc_bytes(std::int64_t elements, double density, int bits) {
  const std::int64_t raw = (elements * bits + 7) / 8;
  const int pair_bits = kRlcRunBits + bits;
  const int pairs_per_word = (kRlcWordBits - 1) / pair_bits;  // one bit marks the last word
  if (pairs_per_word < 1 || density >= 1.0) return raw;
  const double max_run = static_cast<double>(1 << kRlcRunBits);
  const double zero = 1.0 - density;
  const double pairs = static_cast<double>(elements) * density / (1.0 - std::pow(zero, max_run));
  const auto words = static_cast<std::int64_t>(std::ceil(pairs / pairs_per_word));
  return std::min(raw, words * kRlcWordBits / 8);
}

}  // namespace nasaic
