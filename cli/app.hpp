#pragma once
// What both executables do around their commands: parse, run the chosen one,
// and turn every failure into one line and an exit status (kExitStatusHelp).
#include "cli/commands.hpp"

namespace nasaic::cli {

int run_app(CLI::App& app, const std::vector<std::pair<CLI::App*, Runner>>& runners, int argc, char** argv);

// Commands that need LibTorch live in a second executable, nasaic-torch, because
// loading LibTorch costs about 0.7 s per process and every other command stays
// fast without it. `nasaic train ...` replaces itself with `nasaic-torch train ...`
// (beside the nasaic binary); returns only if that fails, with the exit status.
int exec_torch_commands(int argc, char** argv);
inline constexpr const char* kTorchCommands[] = {"train", "search"};

void add_train_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);
void add_search_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners);

}  // namespace nasaic::cli
