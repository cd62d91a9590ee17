#pragma once
// A content hash that is the same on every platform and compiler (unlike
// std::hash), so files that record it stay comparable across machines.
#include <cstddef>
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

// A hash of 64-bit fields for in-memory tables (FNV-style, with a shift so
// small integers spread): cache keys of many fields.
// `seed`: the hash of fields that come before these, so a fixed prefix is
// hashed once.
template <class Fields>
std::size_t hash_fields(const Fields& fields, std::size_t seed = 14695981039346656037ull) {
  std::uint64_t hash = seed;
  for (std::int64_t field : fields) {
    hash ^= static_cast<std::uint64_t>(field);
    hash *= 1099511628211ull;
    hash ^= hash >> 29;
  }
  return static_cast<std::size_t>(hash);
}

inline std::string fnv1a_hex(std::string_view text) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fnv1a(text)));
  return buffer;
}

}  // namespace nasaic
