#pragma once
// `nasaic validate --silicon FILE`: nasaic against a published chip's table
// (configs/validation/). A mode of validate, next to the calibration modes.
#include <CLI/CLI.hpp>
#include <string>

namespace nasaic::cli {

struct SiliconOptions {
  std::string file;
  std::string format = "text";
  CLI::Option* format_option = nullptr;  // to refuse --format outside this mode
};

// Registers --silicon and --format on the validate subcommand.
void add_silicon_options(CLI::App* validate, SiliconOptions& options);

// Runs the mode. `calibration` may be empty (the uncalibrated surrogate, as
// `nasaic estimate` uses by default); `out` may be empty (no files).
int run_silicon_validate(const SiliconOptions& options, const std::string& calibration, const std::string& out);

}  // namespace nasaic::cli
