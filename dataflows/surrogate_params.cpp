#include "dataflows/surrogate_params.hpp"

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

// Each range holds the box fit_parameters (sim/calibration.cpp) searches, so
// every fitted value loads, and stops where the closed form stops meaning
// anything:
//  - compute_scale (0, 10]: a tile cannot compute in no time; ten times its
//    exact count is another template, not a correction (the fit: [0.2, 5]);
//  - tile_overhead [-1e6, 1e6] cycles: beyond any tile switch or control cost
//    (the fit: +-1000); it catches a mistyped value;
//  - dram_efficiency [0.01, 2]: bandwidth divides memory time, so a value near
//    zero sends latencies towards infinity; twice the nominal bandwidth is no
//    longer an efficiency (the fit: [0.2, 2]);
//  - contention [0, 2]: a negative value would let neighbours add bandwidth
//    and can zero the share's denominator (the fit: the same);
//  - overlap [0, 1]: hiding memory time more than fully, or adding it more
//    than serially, is not double buffering (the fit: the same).
std::optional<NumberRange> surrogate_parameter_range(const std::string& name) {
  if (name == "dram_efficiency") return NumberRange::closed(0.01, 2.0);
  if (name == "contention") return NumberRange::closed(0.0, 2.0);
  if (name == "overlap") return NumberRange::closed(0.0, 1.0);
  for (const auto& template_name : template_names()) {
    if (name == "compute_scale." + template_name) return NumberRange::above(0.0, 10.0);
    if (name == "tile_overhead." + template_name) return NumberRange::closed(-1e6, 1e6);
  }
  return std::nullopt;
}

namespace {

std::string known_parameters() {
  std::string known;
  for (const auto& [known_name, unused] : SurrogateParams().named()) known += (known.empty() ? "" : ", ") + known_name;
  return known;
}

}  // namespace

void SurrogateParams::set(const std::string& name, double value) {
  const std::optional<NumberRange> range = surrogate_parameter_range(name);
  if (!range)
    throw InputError("", 0, "parameters." + name, "unknown surrogate parameter; known: " + known_parameters());
  if (!range->contains(value)) {
    throw InputError("", 0, "parameters." + name, "must be in " + range->text() + ", got " + std::to_string(value));
  }
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
    if (name == "compute_scale." + names[t]) compute_scale[t] = value;
    if (name == "tile_overhead." + names[t]) tile_overhead[t] = value;
  }
}

SurrogateParams read_surrogate_params(const JsonValue& root, const std::string& technology_hash) {
  // What nasaic calibrate records besides the parameters.
  root.expect_keys({"model_version", "technology", "technology_hash", "parameters", "design_of_experiments",
                    "points_file", "splits", "errors_on_holdout", "updated_from", "added_points_file"});
  if (const auto version = root.find("model_version")) {
    const std::string name = version->as_string();
    if (name != kSurrogateModelVersion) {
      version->fail("calibrated for surrogate model " + excerpt(name) + ", this is '" + kSurrogateModelVersion +
                    "'; run nasaic calibrate again");
    }
  }
  if (const auto technology = root.find("technology")) technology->as_string();
  if (const auto hash = root.find("technology_hash")) {
    const std::string recorded = hash->as_string();
    if (recorded != technology_hash) {
      hash->fail("calibrated for a technology table with hash " + excerpt(recorded) + ", the chip's table has hash " +
                 technology_hash + "; calibrate for this table");
    }
  }
  if (!root.has("parameters")) {
    root.fail_key("parameters", "missing: a calibration file holds {\"parameters\": {\"name\": value, ...}}");
  }
  SurrogateParams params;
  for (const auto& [name, value] : root.at("parameters").members()) {
    const std::optional<NumberRange> range = surrogate_parameter_range(name);
    if (!range) value.fail("unknown surrogate parameter; known: " + known_parameters());
    params.set(name, value.as_number(*range));
  }
  return params;
}

SurrogateParams load_surrogate_params(const std::string& path, const std::string& technology_hash) {
  return read_surrogate_params(load_json_file(path), technology_hash);
}

}  // namespace nasaic
