#pragma once
// Helpers shared by the test suites: a scratch folder per test and a way to
// run the nasaic executable and capture what it printed.
#include <filesystem>
#include <string>

namespace nasaic::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `content` to a file in the folder and returns its path.
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `nasaic <arguments>` (a shell-quoted argument string).
CommandResult run_nasaic(const std::string& arguments);

// The whole content of a file ("" if it cannot be read).
std::string slurp(const std::filesystem::path& path);

// Source-tree path of a shipped file, e.g. "configs/chips/hetero-2.yaml".
std::string source_path(const std::string& relative);

// The text of a shipped chip file with its technology made `built-in`, so a
// copy written elsewhere does not depend on the path beside the original.
std::string shipped_chip_text(const std::string& relative);

}  // namespace nasaic::testing
