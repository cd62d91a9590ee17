#include "common/error.hpp"
#include "search/controller.hpp"

namespace nasaic {
namespace {

using Factory = std::unique_ptr<Controller> (*)(const ConfigNode&, const DesignSpace&, std::uint64_t);

struct Entry {
  const char* name;
  Factory make;
};

constexpr Entry kControllers[] = {
    {"evolution", make_evolution_controller},
    {"nsga2", make_nsga2_controller},
    {"random", make_random_controller},
    {"rl", make_rl_controller},
};

}  // namespace

std::vector<std::string> controller_names() {
  std::vector<std::string> names;
  for (const Entry& entry : kControllers) names.emplace_back(entry.name);
  return names;
}

std::unique_ptr<Controller> make_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed) {
  const ConfigNode name = node.required("name");
  const std::string text = name.as_string();
  for (const Entry& entry : kControllers)
    if (text == entry.name) return entry.make(node, space, seed);
  name.fail("unknown controller '" + text + "'; known: " + join(controller_names()));
}

}  // namespace nasaic
