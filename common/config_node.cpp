#include "common/config_node.hpp"

#include <yaml-cpp/eventhandler.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <cmath>
#include <sstream>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

namespace {

// yaml-cpp recurses once per nesting level while parsing; its own guard
// stops at 2000 levels with the message "bad file", by which point an
// instrumented build may already have run out of stack. No nasaic file
// nests more than a handful of levels, so a cheap scan refuses deep files
// with a message that says why. Flow brackets are counted outside quotes and
// comments; block nesting cannot be deeper than the indentation allows.
void check_nesting(const std::string& text, const std::string& label) {
  constexpr int kMax = ConfigNode::kMaxDepth;
  int flow_depth = 0, line = 1;
  bool line_start = true;
  int indent = 0;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (ch == '\n') {
      ++line;
      line_start = true;
      indent = 0;
      quote = 0;  // quoted scalars rarely span lines in a config; an undercount only defers to yaml-cpp's guard
      continue;
    }
    if (line_start) {
      // Compact nested sequences ("- - - x") nest one level per dash.
      if (ch == ' ' || ch == '-' || ch == '?') {
        indent += 1;
        if (indent > 4 * kMax) {
          throw InputError(label, line, "", "nested more than " + std::to_string(kMax) + " levels deep (or indented more than " +
                                                std::to_string(4 * kMax) + " columns)");
        }
        continue;
      }
      line_start = false;
    }
    if (quote != 0) {
      if (ch == quote) quote = 0;
      if (ch == '\\' && quote == '"') ++i;
      continue;
    }
    if (ch == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    const char before = i == 0 ? ' ' : text[i - 1];
    const bool scalar_start = before == ' ' || before == '[' || before == '{' || before == ',' || before == ':';
    if ((ch == '"' || ch == '\'') && scalar_start) {
      quote = ch;
    } else if (ch == '[' || ch == '{') {
      if (++flow_depth > kMax) {
        throw InputError(label, line, "", "nested more than " + std::to_string(kMax) + " levels deep");
      }
    } else if ((ch == ']' || ch == '}') && flow_depth > 0) {
      --flow_depth;
    }
  }
}

// Notes where each document starts; ignores the rest.
class DocumentStarts : public YAML::EventHandler {
 public:
  YAML::Mark last;
  void OnDocumentStart(const YAML::Mark& mark) override { last = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& label) {
  // Files were checked when read; text from elsewhere is checked here.
  if (const auto bad = invalid_utf8_offset(text); bad != std::string::npos) {
    throw InputError(label, line_of_offset(text, bad), "", "not UTF-8");
  }
  check_nesting(text, label);
  YAML::Node root;
  try {
    // Two documents at most are parsed, so a broken second one is reported.
    // Not YAML::LoadAll: yaml-cpp 0.7 loops forever on a stray ',' at the
    // start of a document (found by fuzzing).
    std::istringstream stream(text);
    YAML::Parser parser(stream);
    DocumentStarts starts;
    parser.HandleNextDocument(starts);
    const YAML::Mark first = starts.last;
    if (parser.HandleNextDocument(starts)) {
      const int line = starts.last.is_null() ? 0 : starts.last.line + 1;
      // yaml-cpp "starts" a document again where it could not read on.
      if (starts.last.pos == first.pos) throw InputError(label, line, "", "YAML syntax error: unexpected text");
      throw InputError(label, line, "", "a second YAML document ('---'); a nasaic file holds one");
    }
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(label, e.mark.is_null() ? 0 : e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) throw InputError(label, 0, "", "empty document");
  return ConfigNode(root, std::make_shared<const std::string>(label), "");
}

ConfigNode ConfigNode::load_file(const std::string& path) { return load_string(read_text_file(path), path); }

int ConfigNode::line() const {
  const YAML::Mark mark = node_.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

void ConfigNode::fail(const std::string& message) const { throw InputError(*file_, line(), path_, message); }

void ConfigNode::expect_map(const std::vector<std::string>& allowed) const {
  if (!node_.IsMap()) fail("expected a map with keys: " + [&] {
    std::string keys;
    for (const auto& key : allowed) keys += (keys.empty() ? "" : ", ") + key;
    return keys;
  }());
  std::vector<std::pair<std::string, int>> seen;
  for (const auto& entry : node_) {
    const int line = entry.first.Mark().is_null() ? this->line() : entry.first.Mark().line + 1;
    if (!entry.first.IsScalar()) {
      throw InputError(*file_, line, path_.empty() ? "?" : path_ + ".?", "a key must be a plain name, not a list or map");
    }
    const std::string key = entry.first.Scalar();
    const std::string key_path = path_.empty() ? key : path_ + "." + key;
    for (const auto& [earlier, earlier_line] : seen) {
      if (earlier == key) {
        throw InputError(*file_, line, key_path,
                         "duplicate key; first given on line " + std::to_string(earlier_line));
      }
    }
    seen.emplace_back(key, line);
    bool known = false;
    for (const auto& name : allowed) known = known || name == key;
    if (!known) {
      std::string keys;
      for (const auto& name : allowed) keys += (keys.empty() ? "" : ", ") + name;
      throw InputError(*file_, line, key_path, "unknown key; allowed here: " + keys);
    }
  }
}

bool ConfigNode::has(const std::string& key) const { return node_.IsMap() && node_[key].IsDefined(); }

ConfigNode ConfigNode::required(const std::string& key) const {
  const std::string child_path = path_.empty() ? key : path_ + "." + key;
  if (!node_.IsMap()) fail("expected a map containing '" + key + "'");
  YAML::Node child = node_[key];
  if (!child.IsDefined() || child.IsNull()) throw InputError(*file_, line(), child_path, "missing required key");
  return ConfigNode(child, file_, child_path);
}

std::optional<ConfigNode> ConfigNode::optional(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return required(key);
}

std::vector<ConfigNode> ConfigNode::sequence() const {
  if (!node_.IsSequence()) fail("expected a list");
  std::vector<ConfigNode> items;
  std::size_t index = 0;
  for (const auto& item : node_) {
    items.emplace_back(item, file_, path_ + "[" + std::to_string(index++) + "]");
  }
  return items;
}

std::string ConfigNode::scalar_text() const {
  if (!node_.IsScalar()) fail("expected a single value, not a list or map");
  return node_.Scalar();
}

std::string ConfigNode::as_string() const {
  std::string text = scalar_text();
  if (text.empty()) fail("expected a non-empty string");
  return text;
}

std::int64_t ConfigNode::as_int(std::int64_t min, std::int64_t max) const {
  const std::string text = scalar_text();
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) fail(excerpt(text) + " is not an integer");
  if (value < min || value > max) {
    fail("value " + text + " is out of range; must be " +
         (max == INT64_MAX ? "at least " + std::to_string(min)
                           : "between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return value;
}

bool ConfigNode::as_switch() const {
  const std::string text = as_string();
  if (text == "true" || text == "on") return true;
  if (text == "false" || text == "off") return false;
  fail("'" + text + "' is not a switch; use true or false");
}

double ConfigNode::as_double(double min, double max) const {
  const std::string text = scalar_text();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    fail(excerpt(text) + " is not a number");
  }
  if (value < min || value > max) {
    fail("value " + text + " is out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return value;
}

void emit_yaml_string(YAML::Emitter& out, const std::string& text) {
  std::string lower;
  for (unsigned char ch : text) lower += static_cast<char>(std::tolower(ch));
  static const char* const words[] = {"true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
                                      ".inf", "-.inf", "+.inf", ".nan"};
  bool ambiguous = text.empty();
  for (const char* word : words) ambiguous = ambiguous || lower == word;
  // Anything that starts like a number (or a YAML 1.1 date or sexagesimal).
  const std::size_t first = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (first < text.size() && (std::isdigit(static_cast<unsigned char>(text[first])) || text[first] == '.')) {
    ambiguous = true;
  }
  if (ambiguous) out << YAML::DoubleQuoted;
  out << text;
}

void emit_yaml_strings(YAML::Emitter& out, const std::vector<std::string>& texts) {
  out << YAML::Flow << YAML::BeginSeq;
  for (const auto& text : texts) emit_yaml_string(out, text);
  out << YAML::EndSeq;
}

Quantity ConfigNode::as_quantity(const std::vector<UnitKind>& accepted) const {
  const std::string text = scalar_text();
  try {
    return parse_quantity(text, accepted);
  } catch (const InputError& e) {
    fail(e.message());
  }
}

std::int64_t ConfigNode::as_whole_quantity(UnitKind kind) const {
  const double value = as_positive_quantity({kind}).value;
  // 2^53: the largest range in which every whole double is exact.
  if (value > 9007199254740992.0) fail(excerpt(scalar_text()) + " is too large");
  if (value != std::floor(value)) {
    fail(excerpt(scalar_text()) + " must be a whole number of " +
         (kind == UnitKind::bytes ? std::string("bytes") : unit_kind_name(kind)));
  }
  return static_cast<std::int64_t>(value);
}

std::string ConfigNode::as_relative_file(const std::string& what) const {
  const std::filesystem::path path = std::filesystem::path(*file_).parent_path() / std::filesystem::path(as_string());
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    fail(what + " '" + path.string() +
         (std::filesystem::exists(path, ec) ? "' is not a file" : "' does not exist") + " (a path relative to '" +
         *file_ + "')");
  }
  return path.string();
}

int ConfigNode::line_of(const std::string& key_path) const {
  YAML::Node node = node_;
  int best = line();
  std::size_t at = 0;
  while (at < key_path.size()) {
    if (key_path[at] == '.') ++at;
    if (key_path[at] == '[') {
      const std::size_t close = key_path.find(']', at);
      if (close == std::string::npos || !node.IsSequence()) break;
      std::size_t index = 0;
      const auto [end, error] = std::from_chars(key_path.data() + at + 1, key_path.data() + close, index);
      if (error != std::errc() || index >= node.size()) break;
      node = node[index];
      at = close + 1;
    } else {
      const std::size_t stop = key_path.find_first_of(".[", at);
      const std::string key = key_path.substr(at, stop == std::string::npos ? std::string::npos : stop - at);
      if (!node.IsMap()) break;
      YAML::Node child;
      for (const auto& entry : node) {
        if (entry.first.IsScalar() && entry.first.Scalar() == key) {
          child = entry.second;
          if (!entry.first.Mark().is_null()) best = entry.first.Mark().line + 1;
          break;
        }
      }
      if (!child.IsDefined()) break;
      node = child;
      at = stop == std::string::npos ? key_path.size() : stop;
      continue;
    }
    if (!node.Mark().is_null()) best = node.Mark().line + 1;
  }
  return best;
}

Quantity ConfigNode::as_positive_quantity(const std::vector<UnitKind>& accepted) const {
  const Quantity quantity = as_quantity(accepted);
  if (!(quantity.value > 0)) fail(excerpt(scalar_text()) + " must be positive");
  return quantity;
}

}  // namespace nasaic
