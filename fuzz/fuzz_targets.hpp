#pragma once
// The parsers' fuzz targets, one per input format and one file each. A target
// feeds its input to the parser the CLI uses for that format and, when the
// input is accepted, computes what the CLI derives from it. An input rejected
// with nasaic::InputError is a correct answer; anything else that escapes (an
// exception of another type, an abort from NASAIC_CHECK, a sanitizer report,
// a hang) is a finding. libFuzzer calls these from libfuzzer_entry.cpp;
// tests/fuzz_regression_test.cpp replays saved inputs through the same
// functions in the ordinary builds.
#include <span>
#include <string_view>

namespace nasaic::fuzz {

// Returns 0, as libFuzzer wants, whenever it returns.
using TargetFunction = int (*)(std::string_view input);

struct Target {
  const char* name;  // also the folder of its corpus and of its regressions
  TargetFunction run;
};

// Every target, in a stable order.
std::span<const Target> all_targets();

int scalesim_topology(std::string_view input);
int scalesim_config(std::string_view input);
int chip_yaml(std::string_view input);
int technology_yaml(std::string_view input);
int network_yaml(std::string_view input);
int schedule_yaml(std::string_view input);
int calibration_json(std::string_view input);
int points_jsonl(std::string_view input);
int silicon_validation(std::string_view input);

}  // namespace nasaic::fuzz
