#pragma once
// A YAML node that knows where it came from (file, line, key path), so every
// error names all three. Maps are read with an explicit list of allowed keys,
// which makes unknown keys errors rather than silently ignored typos.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/units.hpp"

namespace nasaic {

class ConfigNode {
 public:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);

  // Parses a YAML file (size-capped, UTF-8, one document, nested at most
  // kMaxDepth levels); syntax errors become InputError with the line.
  static ConfigNode load_file(const std::string& path);
  static ConfigNode load_string(const std::string& text, const std::string& label);
  static constexpr int kMaxDepth = 32;

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  int line() const;
  const YAML::Node& yaml() const { return node_; }

  bool is_scalar() const { return node_.IsScalar(); }

  // Throws if this is not a map, has a key outside `allowed`, a key that is
  // not a plain value, or the same key twice (naming both lines).
  void expect_map(const std::vector<std::string>& allowed) const;
  bool has(const std::string& key) const;
  ConfigNode required(const std::string& key) const;
  std::optional<ConfigNode> optional(const std::string& key) const;
  std::vector<ConfigNode> sequence() const;

  std::string as_string() const;
  std::int64_t as_int(std::int64_t min, std::int64_t max = INT64_MAX) const;
  double as_double(double min, double max) const;
  // true/on or false/off.
  bool as_switch() const;
  // A path relative to the directory of this node's file, which must name an
  // existing regular file; `what` says what kind ("technology file").
  std::string as_relative_file(const std::string& what) const;
  Quantity as_quantity(const std::vector<UnitKind>& accepted) const;
  // A value that must be positive, in the given unit kinds.
  Quantity as_positive_quantity(const std::vector<UnitKind>& accepted) const;
  // A positive quantity that must be a whole number in its base unit
  // ("64.9 B" is refused rather than truncated).
  std::int64_t as_whole_quantity(UnitKind kind) const;

  // Line of the node at `key_path` below this one ("dram.latency",
  // "sub_accelerators[1].pe_array.rows"), or of its deepest existing
  // ancestor: checks made on the parsed value still point at the file.
  int line_of(const std::string& key_path) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string scalar_text() const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
};

// Writes a string so that every YAML reader reads it back as that string:
// names such as "007", "0x10", "1e3", "yes" or "null" are quoted, since
// YAML 1.1 readers (PyYAML) would read them as numbers, booleans or null.
void emit_yaml_string(YAML::Emitter& out, const std::string& text);
void emit_yaml_strings(YAML::Emitter& out, const std::vector<std::string>& texts);  // a flow list

}  // namespace nasaic
