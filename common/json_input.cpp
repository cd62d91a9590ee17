#include "common/json_input.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {

using Json = nlohmann::ordered_json;

namespace detail {

struct JsonSource {
  std::string file;
  int first_line = 0;
  Json root;
  // Line of each value (of its key, for members); empty when the whole text
  // is one line.
  std::unordered_map<const Json*, int> lines;
};

}  // namespace detail

namespace {

std::string number_text(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

// nlohmann's SAX events carry no position, so the input is read through an
// iterator that counts the newlines the lexer has consumed.
struct LineCounter {
  int newlines = 0;
  bool last_was_newline = false;
};

class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* at, LineCounter* counter) : at_(at), counter_(counter) {}
  reference operator*() const { return *at_; }
  CountingIterator& operator++() {
    counter_->last_was_newline = *at_ == '\n';
    counter_->newlines += counter_->last_was_newline ? 1 : 0;
    ++at_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator before = *this;
    ++*this;
    return before;
  }
  friend bool operator==(const CountingIterator& a, const CountingIterator& b) { return a.at_ == b.at_; }
  friend bool operator!=(const CountingIterator& a, const CountingIterator& b) { return a.at_ != b.at_; }

 private:
  const char* at_;
  LineCounter* counter_;
};

// Builds the document as nlohmann's DOM parser does, and also refuses
// duplicate keys and deep nesting, and records each value's line.
class Builder {
 public:
  Builder(detail::JsonSource& source, const std::string& text, const LineCounter& counter, int max_depth,
          bool track_lines)
      : source_(source), text_(text), counter_(counter), max_depth_(max_depth), track_lines_(track_lines) {}

  bool null() { return add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) { return add(Json(value)) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return add(Json(value)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return add(Json(value)) != nullptr; }
  bool number_float(Json::number_float_t value, const std::string& /*text*/) { return add(Json(value)) != nullptr; }
  bool string(std::string& value) { return add(Json(std::move(value))) != nullptr; }
  bool binary(Json::binary_t& value) { return add(Json::binary(std::move(value))) != nullptr; }
  bool start_object(std::size_t /*elements*/) { return open(add(Json::object())); }
  bool start_array(std::size_t /*elements*/) { return open(add(Json::array())); }
  bool end_object() {
    frames_.pop_back();
    return true;
  }
  bool end_array() {
    frames_.pop_back();
    return true;
  }
  bool key(std::string& key) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(key).second) {
      throw InputError(source_.file, current_line(), join(container_path(frames_.size() - 1), key),
                       "duplicate key (JSON would keep only the last of them)");
    }
    frame.key = key;
    frame.key_line = current_line();
    frame.member = &(*frame.node)[key];
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& error) {
    // The lexer has consumed the offending character itself.
    const std::size_t end = std::min(position > 0 ? position - 1 : 0, text_.size());
    const std::size_t line_start = text_.rfind('\n', end > 0 ? end - 1 : 0);
    const std::size_t column = line_start == std::string::npos || end == 0 ? end + 1 : end - line_start;
    const int line = source_.first_line > 0 ? source_.first_line - 1 + line_of_offset(text_, end) : 0;
    if (error.id == 406) {
      throw InputError(source_.file, line, pending_path(), "number " + last_token + " is beyond the range of a double");
    }
    std::string detail = error.what();
    const std::size_t column_mark = detail.find(", column ");
    const std::size_t colon = detail.find(": ", column_mark == std::string::npos ? 0 : column_mark);
    if (colon != std::string::npos) detail.erase(0, colon + 2);
    throw InputError(source_.file, line, pending_path(),
                     "JSON syntax error at column " + std::to_string(column) + " (byte " + std::to_string(position) +
                         "): " + detail);
  }

  const std::vector<int>& order() const { return order_; }

 private:
  struct Frame {
    Json* node;
    std::unordered_set<std::string> keys;
    std::string key;  // the member being read
    int key_line = 0;
    Json* member = nullptr;
  };

  int current_line() const {
    if (source_.first_line <= 0) return 0;
    // A number is only known to end when the character after it is read.
    return source_.first_line + counter_.newlines - (counter_.last_was_newline ? 1 : 0);
  }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // The path of frames_[depth]'s container: each enclosing container's member
  // being read.
  std::string container_path(std::size_t depth) const {
    std::string path;
    for (std::size_t i = 0; i < depth; ++i) {
      const Frame& frame = frames_[i];
      path = frame.node->is_array() ? path + "[" + std::to_string(frame.node->size() - 1) + "]" : join(path, frame.key);
    }
    return path;
  }

  // The path of the value being read when parsing stopped.
  std::string pending_path() const {
    if (frames_.empty()) return "";
    const Frame& top = frames_.back();
    const std::string path = container_path(frames_.size() - 1);
    if (top.node->is_array()) return path + "[" + std::to_string(top.node->size()) + "]";
    return top.key.empty() ? path : join(path, top.key);
  }

  Json* add(Json value) {
    int line = current_line();
    Json* added = nullptr;
    if (frames_.empty()) {
      source_.root = std::move(value);
      added = &source_.root;
    } else if (Frame& frame = frames_.back(); frame.node->is_array()) {
      frame.node->push_back(std::move(value));
      added = &frame.node->back();
    } else {
      line = frame.key_line;
      *frame.member = std::move(value);
      added = frame.member;
    }
    if (track_lines_) order_.push_back(line);
    return added;
  }

  bool open(Json* node) {
    frames_.push_back({node, {}, {}, 0, nullptr});
    if (static_cast<int>(frames_.size()) > max_depth_) {
      std::string path = container_path(frames_.size() - 1);
      if (path.size() > 80) path = path.substr(0, 80) + "...";
      throw InputError(source_.file, current_line(), path,
                       "nested deeper than " + std::to_string(max_depth_) + " levels of arrays and objects");
    }
    return true;
  }

  detail::JsonSource& source_;
  const std::string& text_;
  const LineCounter& counter_;
  const int max_depth_;
  const bool track_lines_;
  std::vector<Frame> frames_;
  std::vector<int> order_;  // each value's line, in document order
};

const char* kind_of(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::object:
      return "an object";
    default:
      return "binary data";
  }
}

std::string describe(const Json& value) {
  if (value.is_string()) return "the string " + excerpt(value.get<std::string>());
  if (value.is_primitive()) return std::string(kind_of(value)) + " (" + dump_json(value) + ")";
  return kind_of(value);
}

}  // namespace

bool NumberRange::contains(double value) const {
  const bool above_low = low_open ? value > low : value >= low;
  const bool below_high = high_open ? value < high : value <= high;
  return above_low && below_high;
}

std::string NumberRange::text() const {
  return std::string(low_open ? "(" : "[") + number_text(low) + ", " + number_text(high) + (high_open ? ")" : "]");
}

JsonValue::JsonValue(std::shared_ptr<const detail::JsonSource> source, const Json* node, std::string path)
    : source_(std::move(source)), node_(node), path_(std::move(path)) {}

JsonValue JsonValue::child(const Json& node, std::string path) const {
  return JsonValue(source_, &node, std::move(path));
}

const std::string& JsonValue::file() const { return source_->file; }

int JsonValue::line() const {
  const auto found = source_->lines.find(node_);
  return found == source_->lines.end() ? source_->first_line : found->second;
}

std::string JsonValue::key_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

void JsonValue::fail(const std::string& message) const { throw InputError(file(), line(), path_, message); }

void JsonValue::fail_key(const std::string& key, const std::string& message) const {
  throw InputError(file(), line(), key_path(key), message);
}

void JsonValue::expect(bool ok, const char* expected) const {
  if (!ok) fail(std::string("expected ") + expected + ", got " + describe(*node_));
}

bool JsonValue::has(const std::string& key) const {
  expect(node_->is_object(), "an object");
  return node_->contains(key);
}

std::optional<JsonValue> JsonValue::find(const std::string& key) const {
  expect(node_->is_object(), "an object");
  const auto found = node_->find(key);
  if (found == node_->end()) return std::nullopt;
  return child(*found, key_path(key));
}

JsonValue JsonValue::at(const std::string& key) const {
  if (auto found = find(key)) return *found;
  fail_key(key, "missing");
}

std::vector<std::pair<std::string, JsonValue>> JsonValue::members() const {
  expect(node_->is_object(), "an object");
  std::vector<std::pair<std::string, JsonValue>> list;
  for (const auto& [key, value] : node_->items()) list.emplace_back(key, child(value, key_path(key)));
  return list;
}

void JsonValue::expect_keys(std::initializer_list<const char*> known) const {
  for (const auto& [key, value] : members()) {
    if (std::find_if(known.begin(), known.end(), [&](const char* name) { return key == name; }) != known.end()) {
      continue;
    }
    std::string names;
    for (const char* name : known) names += (names.empty() ? "" : ", ") + std::string(name);
    value.fail("unknown key; known: " + names);
  }
}

std::vector<JsonValue> JsonValue::elements() const {
  expect(node_->is_array(), "an array");
  std::vector<JsonValue> list;
  list.reserve(node_->size());
  for (std::size_t i = 0; i < node_->size(); ++i)
    list.push_back(child((*node_)[i], path_ + "[" + std::to_string(i) + "]"));
  return list;
}

std::vector<JsonValue> JsonValue::elements(std::size_t count) const {
  std::vector<JsonValue> list = elements();
  if (list.size() != count) {
    fail("expected " + std::to_string(count) + " elements, got " + std::to_string(list.size()));
  }
  return list;
}

std::string JsonValue::as_string() const {
  expect(node_->is_string(), "a string");
  return node_->get<std::string>();
}

bool JsonValue::as_bool() const {
  expect(node_->is_boolean(), "true or false");
  return node_->get<bool>();
}

double JsonValue::as_number(const NumberRange& range) const {
  expect(node_->is_number(), "a number");
  const double value = node_->get<double>();
  if (!std::isfinite(value)) fail("must be a finite number");
  if (!range.contains(value)) fail("must be in " + range.text() + ", got " + number_text(value));
  return value;
}

std::int64_t JsonValue::as_int(std::int64_t low, std::int64_t high) const {
  expect(node_->is_number(), "a whole number");
  const std::string range = "[" + std::to_string(low) + ", " + std::to_string(high) + "]";
  if (node_->is_number_unsigned()) {
    const auto value = node_->get<std::uint64_t>();
    if (high < 0 || value > static_cast<std::uint64_t>(high) || static_cast<std::int64_t>(value) < low) {
      fail("must be in " + range + ", got " + std::to_string(value));
    }
    return static_cast<std::int64_t>(value);
  }
  if (node_->is_number_integer()) {
    const auto value = node_->get<std::int64_t>();
    if (value < low || value > high) fail("must be in " + range + ", got " + std::to_string(value));
    return value;
  }
  const double value = node_->get<double>();
  if (!std::isfinite(value) || value != std::floor(value)) {
    fail("must be a whole number, got " + number_text(value));
  }
  // Compared as doubles first: casting a double beyond int64 is undefined.
  if (!(value >= -9.0e18 && value <= 9.0e18) || static_cast<std::int64_t>(value) < low ||
      static_cast<std::int64_t>(value) > high) {
    fail("must be in " + range + ", got " + number_text(value));
  }
  return static_cast<std::int64_t>(value);
}

JsonValue parse_json(const std::string& text, const std::string& file, int first_line, int max_depth) {
  auto source = std::make_shared<detail::JsonSource>();
  source->file = file;
  source->first_line = first_line;
  const bool track_lines = first_line > 0 && text.find('\n') != std::string::npos;
  LineCounter counter;
  Builder builder(*source, text, counter, max_depth, track_lines);
  const char* begin = text.data();
  Json::sax_parse(CountingIterator(begin, &counter), CountingIterator(begin + text.size(), &counter), &builder);
  if (track_lines) {
    // Values arrive in document order, which is the DOM's pre-order.
    const std::vector<int>& order = builder.order();
    std::vector<const Json*> stack = {&source->root};
    std::size_t next = 0;
    while (!stack.empty()) {
      const Json* node = stack.back();
      stack.pop_back();
      NASAIC_CHECK(next < order.size(), "a value without a recorded line");
      source->lines.emplace(node, order[next++]);
      if (node->is_structured()) {
        for (auto it = node->rbegin(); it != node->rend(); ++it) stack.push_back(&*it);
      }
    }
    NASAIC_CHECK(next == order.size(), "recorded lines and values differ in number");
  }
  const Json* root = &source->root;
  return JsonValue(std::move(source), root, "");
}

JsonValue load_json_file(const std::string& path) { return parse_json(read_text_file(path), path, 1); }

namespace {

// Inputs are bounded so that every figure stays finite; one that is not is
// our bug, and printing it as JSON's null would hide it.
void check_finite(const Json& json, const std::string& path) {
  if (json.is_number_float() && !std::isfinite(json.get<double>())) {
    throw std::logic_error("a non-finite number at '" + path + "' in output JSON");
  }
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) check_finite(value, path.empty() ? key : path + "." + key);
  } else if (json.is_array()) {
    for (std::size_t i = 0; i < json.size(); ++i) check_finite(json[i], path + "[" + std::to_string(i) + "]");
  }
}

}  // namespace

std::string dump_json(const Json& json, int indent) {
  check_finite(json, "");
  return json.dump(indent, ' ', false, Json::error_handler_t::replace);
}

}  // namespace nasaic
