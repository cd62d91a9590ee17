#include <iostream>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "dataflows/chip_spec.hpp"
#include "dataflows/scalesim_config.hpp"

namespace nasaic::cli {

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
  show->footer(std::string(kExitStatusHelp) + 
      "Examples:\n  nasaic hw show configs/chips/hetero-2.yaml\n"
      "  nasaic hw show --scalesim-config scale.cfg --format json");
  runners.emplace_back(show, [file, scalesim, format] {
    if (file->empty() == scalesim->empty()) throw InputError("give either a chip YAML file or --scalesim-config");
    const ChipSpec chip = scalesim->empty() ? load_chip_spec(*file) : load_scalesim_config(*scalesim).chip;
    if (*format == "yaml") {
      std::cout << chip_spec_to_yaml(chip);
    } else if (*format == "json") {
      std::cout << chip_spec_to_json(chip);
    } else {
      throw InputError("", 0, "--format", "unknown format '" + *format + "'; known: yaml, json");
    }
    return 0;
  });
}

}  // namespace nasaic::cli
