#include "common/config_node.hpp"

#include <charconv>
#include <cmath>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& label) {
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsDefined() || root.IsNull()) throw InputError(label, 0, "", "empty document");
    return ConfigNode(root, std::make_shared<const std::string>(label), "");
  } catch (const YAML::Exception& e) {
    throw InputError(label, e.mark.is_null() ? 0 : e.mark.line + 1, "", "YAML syntax error: " + e.msg);
  }
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
  for (const auto& entry : node_) {
    const std::string key = entry.first.as<std::string>();
    bool known = false;
    for (const auto& name : allowed) known = known || name == key;
    if (!known) {
      std::string keys;
      for (const auto& name : allowed) keys += (keys.empty() ? "" : ", ") + name;
      const int line = entry.first.Mark().is_null() ? this->line() : entry.first.Mark().line + 1;
      throw InputError(*file_, line, path_.empty() ? key : path_ + "." + key,
                       "unknown key; allowed here: " + keys);
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

Quantity ConfigNode::as_quantity(const std::vector<UnitKind>& accepted) const {
  const std::string text = scalar_text();
  try {
    return parse_quantity(text, accepted);
  } catch (const InputError& e) {
    fail(e.message());
  }
}

Quantity ConfigNode::as_positive_quantity(const std::vector<UnitKind>& accepted) const {
  const Quantity quantity = as_quantity(accepted);
  if (!(quantity.value > 0)) fail(excerpt(scalar_text()) + " must be positive");
  return quantity;
}

}  // namespace nasaic
