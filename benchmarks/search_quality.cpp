// Search quality on a hardware-only co-search small enough to enumerate
// (configs/search/hardware-only.yaml: fixed networks, the surrogate as the
// objective; benchmarks/search_speed times the same space). Each controller
// runs `--evaluations` candidates for each of `--seeds` seeds; a run succeeds
// when its best feasible candidate is within 1 % of the enumerated optimum
// (makespan ≤ 1.01 × the best).
// Prints a table; benchmarks/README.md keeps the measured figures.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "common/error.hpp"
#include "search/controller.hpp"
#include "search/evaluator.hpp"

namespace nasaic {
namespace {

struct Enumerated {
  std::vector<Outcome> outcomes;  // by genome index
  double best_reward = 0;
  std::size_t best_index = 0;
  std::size_t feasible = 0, legal = 0;
};

Enumerated enumerate(const CoSearchEvaluator& evaluator) {
  const DesignSpace& space = evaluator.design_space();
  const auto count = static_cast<std::size_t>(space.size());
  Enumerated result;
  result.outcomes.resize(count);
  for (std::size_t index = 0; index < count; ++index) {
    const Evaluation evaluation = evaluator.evaluate(space.genome_at(index));
    result.outcomes[index] = evaluation.outcome();
    result.legal += evaluation.legal;
    if (evaluation.legal && evaluation.meets_specs) {
      ++result.feasible;
      if (evaluation.reward > result.best_reward) {
        result.best_reward = evaluation.reward;
        result.best_index = index;
      }
    }
  }
  return result;
}

struct Run {
  bool reached = false;
  std::int64_t evaluations_to_reach = 0;
  double final_gap = 0;  // best makespan / optimum - 1
};

Run run_controller(const std::string& options, const Enumerated& table, const DesignSpace& space, std::uint64_t seed,
                   std::int64_t budget) {
  const ConfigNode node = ConfigNode::load_string(options, "controller");
  std::unique_ptr<Controller> controller = make_controller(node, space, seed);
  Run run;
  double best = -1e300;
  std::int64_t used = 0;
  while (used < budget) {
    const std::vector<Genome> asked = controller->ask();
    std::vector<Outcome> outcomes;
    for (const Genome& genes : asked) {
      const Outcome& outcome = table.outcomes[space.index_of(genes)];
      outcomes.push_back(outcome);
      if (used < budget) {
        ++used;
        if (outcome.feasible) best = std::max(best, outcome.reward);
        if (!run.reached && best >= table.best_reward / 1.01) {
          run.reached = true;
          run.evaluations_to_reach = used;
        }
      }
    }
    controller->tell(asked, outcomes);
  }
  run.final_gap = best > 0 ? table.best_reward / best - 1 : 1e9;
  return run;
}

}  // namespace
}  // namespace nasaic

int main(int argc, char** argv) {
  using namespace nasaic;
  CLI::App app{"Search quality and evaluation speed on an enumerable hardware-only co-search"};
  std::string spec_path = std::string(NASAIC_SOURCE_DIR) + "/configs/search/hardware-only.yaml";
  int seeds = 10;
  std::int64_t budget = 1000;
  std::vector<std::string> controllers = {"{name: rl}", "{name: evolution}", "{name: random}"};
  app.add_option("--spec", spec_path, "the search spec (fixed networks, minimize objective)")->check(CLI::ExistingFile);
  app.add_option("--seeds", seeds, "seeds per controller")->check(CLI::Range(1, 1000));
  app.add_option("--evaluations", budget, "evaluations per run")->check(CLI::Range(1, 10'000'000));
  app.add_option("--controller", controllers, "a controller map, e.g. '{name: evolution, population: 32}' (repeatable)");
  CLI11_PARSE(app, argc, argv);
  try {
    const SearchSpec spec = load_search_spec(spec_path);
    const CoSearchEvaluator evaluator(spec, nullptr);
    const DesignSpace& space = evaluator.design_space();
    const Enumerated table = enumerate(evaluator);
    std::printf("space: %s, %.0f chips (%zu legal, %zu within the specs)\n", spec_path.c_str(), space.size(),
                table.legal, table.feasible);
    if (table.feasible == 0) {
      std::printf("no chip meets the specs: nothing to search\n");
      return 0;
    }
    std::printf("optimum: genome %zu, reward %.6g\n\n", table.best_index, table.best_reward);
    std::printf("%-44s %14s %22s %16s\n", "controller", "within 1 %", "evaluations to 1 %", "mean final gap");
    for (const std::string& options : controllers) {
      int reached = 0;
      std::vector<std::int64_t> to_reach;
      double gaps = 0;
      for (int seed = 1; seed <= seeds; ++seed) {
        const Run run = run_controller(options, table, space, static_cast<std::uint64_t>(seed), budget);
        reached += run.reached;
        if (run.reached) to_reach.push_back(run.evaluations_to_reach);
        gaps += run.final_gap;
      }
      std::sort(to_reach.begin(), to_reach.end());
      const std::string median = to_reach.empty() ? "-" : "median " + std::to_string(to_reach[to_reach.size() / 2]);
      std::printf("%-44s %8d of %-3d %22s %15.2f%%\n", options.c_str(), reached, seeds, median.c_str(), 100 * gaps / seeds);
    }
  } catch (const InputError& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 2;
  }
  return 0;
}
