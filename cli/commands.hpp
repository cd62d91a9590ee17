#pragma once
// Each subcommand registers its options on the CLI11 app and runs when chosen.
// Commands throw InputError for user mistakes; main() turns those into one
// line on stderr and exit status 2.
#include <CLI/CLI.hpp>
#include <functional>

namespace nasaic::cli {

using Runner = std::function<int()>;

// The same meaning in every command, shown in every --help.
inline constexpr const char* kExitStatusHelp =
    "Exit status: 0 done; 2 bad input or an output that cannot be written (one line on stderr naming the file, "
    "line and key); 3 the workload cannot complete (the schedule deadlocks, or the simulation watchdog fired; "
    "outputs are still written); 70 internal error (a bug in nasaic: please report it).\n";

// Each returns the runner to call when its subcommand (or a sub-subcommand)
// was parsed; they write into the captured option storage.
void add_models_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_hw_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_estimate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_simulate_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_map_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_calibrate_commands(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);

}  // namespace nasaic::cli
