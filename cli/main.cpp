#include <cstring>

#include "cli/app.hpp"
#include "common/version.hpp"

// libsystemc refers to sc_main; nasaic drives SystemC from main() instead,
// so this entry point is never called.
extern "C" int sc_main(int, char*[]) { return 1; }

int main(int argc, char** argv) {
  for (const char* command : nasaic::cli::kTorchCommands)
    if (argc > 1 && std::strcmp(argv[1], command) == 0) return nasaic::cli::exec_torch_commands(argc, argv);
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
      "  nasaic train --space configs/search/fashion-resnet.yaml --arch configs/search/fashion-resnet-reference.yaml\n"
      "  nasaic search configs/search/hardware-only.yaml --out out/search\n"
      "Run 'nasaic SUBCOMMAND --help' for each subcommand's options.");

  std::vector<std::pair<CLI::App*, nasaic::cli::Runner>> runners;
  nasaic::cli::add_models_command(app, runners);
  nasaic::cli::add_hw_command(app, runners);
  nasaic::cli::add_estimate_command(app, runners);
  nasaic::cli::add_simulate_command(app, runners);
  nasaic::cli::add_map_command(app, runners);
  nasaic::cli::add_calibrate_commands(app, runners);
  // Listed for --help only: main() hands `train` and `search` to nasaic-torch before parsing.
  app.add_subcommand("train", "Train an architecture of a search space with LibTorch, or sample architectures");
  app.add_subcommand("search", "Co-search the networks of every task and a heterogeneous chip (specs, controllers, results folder)");

  return nasaic::cli::run_app(app, runners, argc, argv);
}
