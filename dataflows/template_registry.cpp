#include <map>
#include <memory>

#include "common/error.hpp"
#include "dataflows/dataflow_template.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

const std::map<std::string, std::unique_ptr<DataflowTemplate>>& registry() {
  static const auto* table = [] {
    auto* templates = new std::map<std::string, std::unique_ptr<DataflowTemplate>>();
    const auto add = [&](std::unique_ptr<DataflowTemplate> implementation) {
      const std::string name(implementation->name());
      templates->emplace(name, std::move(implementation));
    };
    add(make_systolic_template(SystolicDataflow::output_stationary));
    add(make_systolic_template(SystolicDataflow::weight_stationary));
    add(make_systolic_template(SystolicDataflow::input_stationary));
    add(make_nvdla_template());
    add(make_shidiannao_template());
    add(make_eyeriss_template());
    return templates;
  }();
  return *table;
}

}  // namespace

const std::vector<std::string>& template_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> list;
    for (const auto& entry : registry()) list.push_back(entry.first);
    return list;
  }();
  return names;
}

const DataflowTemplate& find_template(const std::string& name) {
  const auto found = registry().find(name);
  if (found == registry().end()) {
    std::string known;
    for (const auto& entry : registry()) known += (known.empty() ? "" : ", ") + entry.first;
    throw InputError("", 0, "dataflow", "unknown dataflow template '" + name + "'; known: " + known);
  }
  return *found->second;
}

}  // namespace nasaic
