// libFuzzer's entry point for one target, chosen at compile time by
// NASAIC_FUZZ_TARGET (see CMakeLists.txt): one executable per target.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return nasaic::fuzz::NASAIC_FUZZ_TARGET(std::string_view(reinterpret_cast<const char*>(data), size));
}
