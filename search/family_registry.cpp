#include <algorithm>
#include <map>

#include "common/error.hpp"
#include "search/families/factories.hpp"
#include "search/network_family.hpp"

namespace nasaic {
namespace {

using Factory = std::unique_ptr<NetworkFamily> (*)(const ConfigNode&);

const std::map<std::string, Factory>& registry() {
  static const std::map<std::string, Factory> factories{
      {"resnet", &make_resnet_family},
      {"unet", &make_unet_family},
  };
  return factories;
}

}  // namespace

std::vector<std::string> family_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

std::unique_ptr<NetworkFamily> make_family(const ConfigNode& node) {
  if (!node.yaml().IsMap()) node.fail("expected a map with the family's name and options");
  const ConfigNode name_node = node.required("name");
  const std::string name = name_node.as_string();
  const auto found = registry().find(name);
  if (found == registry().end()) {
    name_node.fail("unknown family '" + name + "'; known: " + join(family_names()));
  }
  return found->second(node);
}

std::vector<std::int64_t> read_choices(const ConfigNode& node, std::int64_t min, std::int64_t max) {
  std::vector<std::int64_t> values;
  if (node.is_scalar()) {
    values.push_back(node.as_int(min, max));
    return values;
  }
  const std::vector<ConfigNode> items = node.sequence();
  if (items.empty()) node.fail("expected at least one choice");
  for (const ConfigNode& item : items) {
    const std::int64_t value = item.as_int(min, max);
    if (std::find(values.begin(), values.end(), value) != values.end())
      item.fail("choice " + std::to_string(value) + " is listed twice");
    values.push_back(value);
  }
  std::sort(values.begin(), values.end());
  return values;
}

}  // namespace nasaic
