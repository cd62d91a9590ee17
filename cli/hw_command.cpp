#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "dataflows/chip_spec.hpp"
#include "dataflows/scalesim_config.hpp"

namespace nasaic::cli {
namespace {

nlohmann::ordered_json yaml_to_json(const YAML::Node& node) {
  if (node.IsMap()) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (const auto& entry : node) object[entry.first.as<std::string>()] = yaml_to_json(entry.second);
    return object;
  }
  if (node.IsSequence()) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& item : node) array.push_back(yaml_to_json(item));
    return array;
  }
  const std::string text = node.Scalar();
  std::int64_t integer = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
  if (error == std::errc() && end == text.data() + text.size()) return integer;
  try {
    std::size_t used = 0;
    const double number = std::stod(text, &used);
    if (used == text.size()) return number;
  } catch (const std::exception&) {
  }
  return text;
}

}  // namespace

void add_hw_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  CLI::App* hw = app.add_subcommand("hw", "Validate and print hardware descriptions");
  hw->require_subcommand(1);
  CLI::App* show = hw->add_subcommand("show", "Validate a chip description and print it normalised");
  auto file = std::make_shared<std::string>();
  auto scalesim = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("yaml");
  show->add_option("file", *file, "chip description (YAML)");
  show->add_option("--scalesim-config", *scalesim, "read a SCALE-Sim .cfg instead");
  show->add_option("--format", *format, "yaml or json")->capture_default_str();
  show->footer(
      "Examples:\n  nasaic hw show configs/chips/hetero-2.yaml\n"
      "  nasaic hw show --scalesim-config scale.cfg --format json");
  runners.emplace_back(show, [file, scalesim, format] {
    if (file->empty() == scalesim->empty()) throw InputError("give either a chip YAML file or --scalesim-config");
    const ChipSpec chip = scalesim->empty() ? load_chip_spec(*file) : load_scalesim_config(*scalesim).chip;
    const std::string yaml = chip_spec_to_yaml(chip);
    if (*format == "yaml") {
      std::cout << yaml;
    } else if (*format == "json") {
      std::cout << yaml_to_json(YAML::Load(yaml)).dump(2) << "\n";
    } else {
      throw InputError("", 0, "--format", "unknown format '" + *format + "'; known: yaml, json");
    }
    return 0;
  });
}

}  // namespace nasaic::cli
