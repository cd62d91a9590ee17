#pragma once
// A checked reader for JSON input (calibration files, points files, the
// reports of child processes). nlohmann's own accessors throw exceptions that
// name no file (or assert), keep the last of two duplicate keys, and recurse
// in dump() and in its destructor; through this reader every problem is an
// InputError naming the file, the line and the key path
// ("splits.holdout_indices[3]"), which the CLI prints as one line.
//
//   const JsonValue root = load_json_file(path);
//   root.expect_keys({"parameters", "splits"});
//   const double overlap = root.at("parameters").at("overlap").as_number(NumberRange::closed(0, 1));
//   for (const JsonValue& index : root.at("splits").at("holdout_indices").elements()) index.as_int(0, 1000000);
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nasaic {

// Deeper nesting is refused while parsing, so it never reaches nlohmann's
// recursive dump() or a stack of nested destructors.
inline constexpr int kMaxJsonDepth = 64;

// The numbers a value may take: an interval, each end open or closed.
struct NumberRange {
  double low = -std::numeric_limits<double>::max();
  double high = std::numeric_limits<double>::max();
  bool low_open = false;
  bool high_open = false;

  static NumberRange closed(double low, double high) { return {low, high, false, false}; }
  // (low, high]: e.g. a positive value with an upper bound.
  static NumberRange above(double low, double high) { return {low, high, true, false}; }
  bool contains(double value) const;
  std::string text() const;  // "(0, 2]"
};

namespace detail {
struct JsonSource;
}

// One value of a parsed document, with where it came from. Copies are cheap
// and keep the document alive.
class JsonValue {
 public:
  const std::string& file() const;
  // The line the value (or its key) is on; 0 when unknown.
  int line() const;
  // "" for the root.
  const std::string& path() const { return path_; }
  const nlohmann::ordered_json& raw() const { return *node_; }

  bool is_null() const { return node_->is_null(); }
  bool is_object() const { return node_->is_object(); }
  bool is_array() const { return node_->is_array(); }
  bool is_string() const { return node_->is_string(); }
  bool is_number() const { return node_->is_number(); }

  // Objects. at() throws when the key is missing.
  bool has(const std::string& key) const;
  JsonValue at(const std::string& key) const;
  std::optional<JsonValue> find(const std::string& key) const;
  // Members in file order.
  std::vector<std::pair<std::string, JsonValue>> members() const;
  // Throws naming the first key not in `known`.
  void expect_keys(std::initializer_list<const char*> known) const;

  // Arrays.
  std::vector<JsonValue> elements() const;
  // Exactly `count` elements.
  std::vector<JsonValue> elements(std::size_t count) const;

  // Scalars, type-checked ("3" is not a number).
  std::string as_string() const;
  bool as_bool() const;
  // A finite number within `range`.
  double as_number(const NumberRange& range = {}) const;
  // A whole number in [low, high] (3.0 is whole, 3.5 is not).
  std::int64_t as_int(std::int64_t low, std::int64_t high) const;

  // An InputError at this value.
  [[noreturn]] void fail(const std::string& message) const;
  // An InputError about `key` of this object (e.g. that it is missing).
  [[noreturn]] void fail_key(const std::string& key, const std::string& message) const;
  std::string key_path(const std::string& key) const;

 private:
  friend JsonValue parse_json(const std::string&, const std::string&, int, int);
  JsonValue(std::shared_ptr<const detail::JsonSource> source, const nlohmann::ordered_json* node, std::string path);
  JsonValue child(const nlohmann::ordered_json& node, std::string path) const;
  void expect(bool ok, const char* expected) const;

  std::shared_ptr<const detail::JsonSource> source_;
  const nlohmann::ordered_json* node_;
  std::string path_;
};

// Parses `text`. `file` labels errors; `first_line` is the line the text
// starts on (a row of a JSON-lines file), 0 when lines mean nothing (a
// child's output). Syntax errors name the line and byte; duplicate keys,
// numbers beyond double range and nesting deeper than `max_depth` are
// errors too.
JsonValue parse_json(const std::string& text, const std::string& file, int first_line = 1,
                     int max_depth = kMaxJsonDepth);
// read_text_file + parse_json.
JsonValue load_json_file(const std::string& path);

// dump() for every JSON nasaic writes: bytes that are not UTF-8 (text from
// other programs) become U+FFFD instead of an exception, and a non-finite
// number, which JSON would print as null, is a std::logic_error (our bug).
std::string dump_json(const nlohmann::ordered_json& json, int indent = -1);

}  // namespace nasaic
