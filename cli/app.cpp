#include "cli/app.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "common/error.hpp"

namespace nasaic::cli {

int run_app(CLI::App& app, const std::vector<std::pair<CLI::App*, Runner>>& runners, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "nasaic: error: " << e.what() << "\n";
    return 2;
  }
  // Exit statuses (README, "Errors and exit statuses"): 0 done; 2 bad input,
  // one line on stderr; 3 the simulation stopped before the end (watchdog);
  // 70 our own bug. Input is validated before use, so anything other than an
  // InputError escaping a command is a bug, reported as one in a single line.
  int status = 0;
  try {
    bool ran = false;
    for (const auto& [command, run] : runners) {
      if (command->parsed()) {
        status = run();
        ran = true;
        break;
      }
    }
    if (!ran) {
      std::cerr << "nasaic: error: no subcommand given; see nasaic --help\n";
      return 2;
    }
  } catch (const nasaic::InputError& e) {
    std::cerr << "nasaic: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "nasaic: internal error: " << nasaic::one_line(e.what()) << "\n";
    return 70;
  } catch (...) {
    std::cerr << "nasaic: internal error: an exception of unknown type\n";
    return 70;
  }
  // A result that never reached its reader is lost: a full disk or a closed
  // pipe on standard output is an error, not a success.
  std::cout.flush();
  if (!std::cout || std::fflush(stdout) != 0) {
    std::cerr << "nasaic: error: standard output: write failed\n";
    return 2;
  }
  return status;
}

int exec_torch_commands(int /*argc*/, char** argv) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  const std::filesystem::path torch = self.parent_path() / "nasaic-torch";
  if (!error) ::execv(torch.c_str(), argv);
  std::cerr << "nasaic: internal error: cannot run " << torch.string()
            << " (the LibTorch commands are installed beside nasaic; rebuild with scripts/build)\n";
  return 70;
}

}  // namespace nasaic::cli
