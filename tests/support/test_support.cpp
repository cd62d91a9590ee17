#include "tests/support/test_support.hpp"

#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace nasaic::testing {
std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("nasaic-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const auto file = path_ / name;
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  return file.string();
}

CommandResult run_nasaic(const std::string& arguments) {
  TempDir scratch;
  const auto out = scratch.path() / "stdout";
  const auto err = scratch.path() / "stderr";
  const std::string command = std::string(NASAIC_BINARY) + " " + arguments + " >" + out.string() + " 2>" + err.string() +
                              " </dev/null";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

std::string source_path(const std::string& relative) { return std::string(NASAIC_SOURCE_DIR) + "/" + relative; }

std::string shipped_chip_text(const std::string& relative) {
  std::string text = slurp(source_path(relative));
  const auto technology = text.find("\ntechnology: ");
  if (technology == std::string::npos) return text;
  const auto value = technology + 1;
  text.replace(value, text.find('\n', value) - value, "technology: built-in");
  return text;
}

}  // namespace nasaic::testing

// Suites that link the SystemC simulator need this symbol; they drive SystemC
// through nasaic::simulate or child processes, never through sc_main.
extern "C" int sc_main(int, char*[]) { return 1; }
