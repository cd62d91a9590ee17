#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "common/error.hpp"
#include "common/version.hpp"

// libsystemc refers to sc_main; nasaic drives SystemC from main() instead,
// so this entry point is never called.
extern "C" int sc_main(int, char*[]) { return 1; }

int main(int argc, char** argv) {
  CLI::App app{"nasaic: co-design neural networks and heterogeneous DNN accelerators"};
  app.set_version_flag("--version", std::string("nasaic ") + nasaic::kVersion);
  app.require_subcommand(1);
  app.footer(std::string(nasaic::cli::kExitStatusHelp) + 
      "Examples:\n"
      "  nasaic models list\n"
      "  nasaic models show resnet50 --format csv\n"
      "  nasaic models import Resnet18.csv --out resnet18.yaml\n"
      "  nasaic hw show configs/chips/hetero-2.yaml\n"
      "  nasaic estimate --hw configs/chips/hetero-3.yaml --model resnet18 --model unet\n"
      "  nasaic simulate --hw configs/chips/hetero-3.yaml --model resnet18 --out out/sim\n"
      "  nasaic calibrate --samples 600 --jobs 2 --out calibration.json\n"
      "Run 'nasaic SUBCOMMAND --help' for each subcommand's options.");

  std::vector<std::pair<CLI::App*, nasaic::cli::Runner>> runners;
  nasaic::cli::add_models_command(app, runners);
  nasaic::cli::add_hw_command(app, runners);
  nasaic::cli::add_estimate_command(app, runners);
  nasaic::cli::add_simulate_command(app, runners);
  nasaic::cli::add_map_command(app, runners);
  nasaic::cli::add_calibrate_commands(app, runners);

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
    for (auto& [command, run] : runners) {
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
