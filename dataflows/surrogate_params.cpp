#include "dataflows/surrogate_params.hpp"

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "common/text_file.hpp"
#include "dataflows/dataflow_template.hpp"

namespace nasaic {

SurrogateParams::SurrogateParams() {
  compute_scale.fill(1.0);
  tile_overhead.fill(0.0);
}

std::vector<std::pair<std::string, double>> SurrogateParams::named() const {
  std::vector<std::pair<std::string, double>> list = {
      {"dram_efficiency", dram_efficiency}, {"contention", contention}, {"overlap", overlap}};
  const auto& names = template_names();
  for (std::size_t t = 0; t < names.size(); ++t) list.emplace_back("compute_scale." + names[t], compute_scale[t]);
  for (std::size_t t = 0; t < names.size(); ++t) list.emplace_back("tile_overhead." + names[t], tile_overhead[t]);
  return list;
}

void SurrogateParams::set(const std::string& name, double value) {
  if (name == "dram_efficiency") {
    dram_efficiency = value;
    return;
  }
  if (name == "contention") {
    contention = value;
    return;
  }
  if (name == "overlap") {
    overlap = value;
    return;
  }
  const auto& names = template_names();
  for (std::size_t t = 0; t < names.size(); ++t) {
    if (name == "compute_scale." + names[t]) {
      compute_scale[t] = value;
      return;
    }
    if (name == "tile_overhead." + names[t]) {
      tile_overhead[t] = value;
      return;
    }
  }
  std::string known;
  for (const auto& [known_name, unused] : SurrogateParams().named()) known += (known.empty() ? "" : ", ") + known_name;
  throw InputError("", 0, "parameters." + name, "unknown surrogate parameter; known: " + known);
}

SurrogateParams load_surrogate_params(const std::string& path, const std::string& technology_hash) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError(path, 0, "", std::string("JSON syntax error: ") + e.what());
  }
  if (!root.is_object() || !root.contains("parameters") || !root["parameters"].is_object()) {
    throw InputError(path, 0, "parameters", "expected an object with a 'parameters' map");
  }
  if (root.contains("model_version") && root["model_version"] != kSurrogateModelVersion) {
    throw InputError(path, 0, "model_version",
                     "calibrated for surrogate model '" + root["model_version"].dump() + "', this is '" +
                         kSurrogateModelVersion + "'; run nasaic calibrate again");
  }
  if (root.contains("technology_hash") && root["technology_hash"] != technology_hash) {
    throw InputError(path, 0, "technology_hash",
                     "calibrated for a technology table with hash " + root["technology_hash"].dump() +
                         ", the chip's table has hash " + technology_hash + "; calibrate for this table");
  }
  SurrogateParams params;
  for (const auto& [name, value] : root["parameters"].items()) {
    if (!value.is_number()) throw InputError(path, 0, "parameters." + name, "must be a number");
    try {
      params.set(name, value.get<double>());
    } catch (const InputError& e) {
      throw InputError(path, 0, e.key(), e.message());
    }
  }
  return params;
}

}  // namespace nasaic
