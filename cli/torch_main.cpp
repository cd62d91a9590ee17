// nasaic-torch: the nasaic commands that need LibTorch (see cli/app.hpp).
// `nasaic train ...` runs this binary with the same arguments.
#include "cli/app.hpp"
#include "common/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"nasaic: co-design neural networks and heterogeneous DNN accelerators (LibTorch commands)"};
  app.name("nasaic");
  app.set_version_flag("--version", std::string("nasaic ") + nasaic::kVersion);
  app.require_subcommand(1);
  app.footer(nasaic::cli::kExitStatusHelp);
  std::vector<std::pair<CLI::App*, nasaic::cli::Runner>> runners;
  nasaic::cli::add_train_command(app, runners);
  nasaic::cli::add_search_command(app, runners);
  return nasaic::cli::run_app(app, runners, argc, argv);
}
