#pragma once
// A content hash that is the same on every platform and compiler (unlike
// std::hash), so files that record it stay comparable across machines.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace nasaic {

// 64-bit FNV-1a.
inline std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char ch : text) {
    hash ^= ch;
    hash *= 1099511628211ull;
  }
  return hash;
}

inline std::string fnv1a_hex(std::string_view text) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return buffer;
}

}  // namespace nasaic
