// Hardware candidates per second through the co-search evaluator's legality
// and surrogate stages (search/evaluator.hpp), one thread, each candidate a
// distinct chip of configs/search/hardware-only.yaml (ResNet-18 and
// MobileNet-V2 on two sub-accelerators). "cold" starts from empty mapping
// caches; "warm" runs every chip again once the caches hold every layer shape
// on every sub-accelerator spec. LibTorch-free, so callgrind can count it
// (benchmarks/callgrind-search).
#include <chrono>
#include <cstdio>

#include "common/error.hpp"
#include "search/evaluator.hpp"

namespace nasaic {

// Evaluates every genome of the space `rounds` times; returns the feasible count.
std::size_t evaluate_every_chip(const CoSearchEvaluator& evaluator, int rounds) {
  const DesignSpace& space = evaluator.design_space();
  std::size_t feasible = 0;
  for (int round = 0; round < rounds; ++round)
    for (std::uint64_t index = 0; index < static_cast<std::uint64_t>(space.size()); ++index)
      feasible += evaluator.evaluate(space.genome_at(index)).outcome().feasible;
  return feasible;
}

}  // namespace nasaic

int main(int argc, char** argv) {
  using namespace nasaic;
  const std::string spec_path =
      argc > 1 ? argv[1] : std::string(NASAIC_SOURCE_DIR) + "/configs/search/hardware-only.yaml";
  const int warm_rounds = argc > 2 ? std::atoi(argv[2]) : 3;
  try {
    const SearchSpec spec = load_search_spec(spec_path);
    const CoSearchEvaluator evaluator(spec, nullptr);
    const double chips = evaluator.design_space().size();
    auto timed = [&](int rounds) {
      const auto start = std::chrono::steady_clock::now();
      evaluate_every_chip(evaluator, rounds);
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };
    const double cold = timed(1);
    const double warm = timed(warm_rounds);
    std::printf("%s: %.0f distinct chips, %zu tasks\n", spec_path.c_str(), chips, spec.tasks.size());
    std::printf("cold mapping caches: %.0f candidates/s\n", chips / cold);
    std::printf("warm mapping caches: %.0f candidates/s (%d rounds)\n", chips * warm_rounds / warm, warm_rounds);
  } catch (const InputError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  }
  return 0;
}
