// Replays every input a fuzzer ever flagged (tests/fuzz_regressions/<target>/)
// and every seed (fuzz/corpus/<target>/) through the same target functions
// libFuzzer runs, built the ordinary way: one test per file, so a failure
// names the input. An input passes when its parser accepts it or rejects it
// with InputError; another exception fails the test, and an abort or a
// sanitizer report fails it by killing the process. Inputs listed in
// tests/fuzz_regressions/open.txt, whose fix has not landed, are registered
// disabled: CTest lists them as not run instead of failing every build.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "fuzz/fuzz_targets.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

namespace fs = std::filesystem;

struct SavedInput {
  std::string target;
  fs::path file;
  std::string test_name;
};

void PrintTo(const SavedInput& input, std::ostream* out) {
  *out << input.target << "/" << input.file.filename().string();
}

// "<target>/<file>" of each open finding.
std::set<std::string> open_findings() {
  std::set<std::string> open;
  std::istringstream lines(testing::slurp(testing::source_path("tests/fuzz_regressions/open.txt")));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    open.insert(line.substr(0, line.find(' ')));
  }
  return open;
}

enum class Which { all, fixed, open };

std::vector<SavedInput> saved_inputs(const std::string& root, Which which = Which::all) {
  const std::set<std::string> open = which == Which::all ? std::set<std::string>() : open_findings();
  std::vector<SavedInput> inputs;
  for (const fuzz::Target& target : fuzz::all_targets()) {
    const fs::path folder = fs::path(testing::source_path(root)) / target.name;
    if (!fs::is_directory(folder)) continue;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(folder)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& file : files) {
      const bool is_open = open.count(std::string(target.name) + "/" + file.filename().string()) > 0;
      if ((which == Which::fixed && is_open) || (which == Which::open && !is_open)) continue;
      std::string name = std::string(target.name) + "_" + file.filename().string();
      std::replace_if(
          name.begin(), name.end(), [](unsigned char c) { return !std::isalnum(c); }, '_');
      inputs.push_back({target.name, file, name});
    }
  }
  return inputs;
}

fuzz::TargetFunction function_of(const std::string& name) {
  for (const fuzz::Target& target : fuzz::all_targets()) {
    if (name == target.name) return target.run;
  }
  return nullptr;
}

class Replay : public ::testing::TestWithParam<SavedInput> {};

TEST_P(Replay, IsAcceptedOrRejectedWithAnInputError) {
  const SavedInput& input = GetParam();
  const fuzz::TargetFunction run = function_of(input.target);
  ASSERT_NE(run, nullptr) << input.target;
  EXPECT_EQ(run(testing::slurp(input.file)), 0) << input.file;
}

std::string test_name(const ::testing::TestParamInfo<SavedInput>& info) { return info.param.test_name; }

INSTANTIATE_TEST_SUITE_P(FuzzRegression, Replay,
                         ::testing::ValuesIn(saved_inputs("tests/fuzz_regressions", Which::fixed)), test_name);
INSTANTIATE_TEST_SUITE_P(DISABLED_FuzzOpenFinding, Replay,
                         ::testing::ValuesIn(saved_inputs("tests/fuzz_regressions", Which::open)), test_name);
INSTANTIATE_TEST_SUITE_P(FuzzSeed, Replay, ::testing::ValuesIn(saved_inputs("fuzz/corpus")), test_name);

// A file left in a folder no target owns would never be replayed.
TEST(FuzzInputFolders, AreNamedAfterATarget) {
  for (const char* root : {"tests/fuzz_regressions", "fuzz/corpus"}) {
    for (const auto& entry : fs::directory_iterator(testing::source_path(root))) {
      if (entry.path().filename() == "README.md" || entry.path().filename() == "open.txt") continue;
      EXPECT_TRUE(entry.is_directory() && function_of(entry.path().filename().string()) != nullptr)
          << entry.path() << " is not the folder of a fuzz target";
    }
  }
}

TEST(FuzzInputFolders, OpenFindingsNameSavedInputs) {
  for (const std::string& finding : open_findings()) {
    EXPECT_TRUE(fs::is_regular_file(testing::source_path("tests/fuzz_regressions/" + finding)))
        << "open.txt lists " << finding << ", which is not in tests/fuzz_regressions/";
  }
}

TEST(FuzzTargets, SwallowInputErrorsAndNothingElse) {
  EXPECT_EQ(fuzz::accept_or_reject([] { throw InputError("f.yaml", 3, "clock", "bad"); }), 0);
  EXPECT_THROW(fuzz::accept_or_reject([] { throw std::out_of_range("vector::at"); }), std::out_of_range);
  EXPECT_THROW(fuzz::accept_or_reject([] { throw std::runtime_error("yaml-cpp"); }), std::runtime_error);
}

}  // namespace
}  // namespace nasaic
