// The controllers behind make_controller, each on a small problem with a known
// optimum (or Pareto front), plus their determinism and option checking.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "common/error.hpp"
#include "search/controller.hpp"

namespace nasaic {
namespace {

ConfigNode controller_node(const std::string& yaml) { return ConfigNode::load_string(yaml, "controller.yaml"); }

DesignSpace space_of(std::vector<int> options) {
  DesignSpace space;
  for (std::size_t i = 0; i < options.size(); ++i) space.choices.push_back({"d" + std::to_string(i), options[i]});
  return space;
}

// 4^6 = 4,096 genomes; the reward counts genes equal to the target and adds
// a bonus when the first two agree with it together, so a controller must
// learn more than one gene at a time to reach the top.
const Genome kTarget = {3, 1, 2, 0, 3, 2};
double target_reward(const Genome& genes) {
  double reward = 0;
  for (std::size_t i = 0; i < genes.size(); ++i) reward += genes[i] == kTarget[i] ? 1 : 0;
  if (genes[0] == kTarget[0] && genes[1] == kTarget[1]) reward += 2;
  return reward;
}

// Runs `budget` evaluations; returns the evaluation at which the optimum was
// first asked, or 0 when it never was. Every ask must lie in the space.
std::int64_t evaluations_to_optimum(const std::string& yaml, std::uint64_t seed, std::int64_t budget) {
  const DesignSpace space = space_of({4, 4, 4, 4, 4, 4});
  std::unique_ptr<Controller> controller = make_controller(controller_node(yaml), space, seed);
  std::int64_t used = 0;
  while (used < budget) {
    const std::vector<Genome> asked = controller->ask();
    EXPECT_FALSE(asked.empty());
    std::vector<Outcome> outcomes;
    for (const Genome& genes : asked) {
      EXPECT_TRUE(space.contains(genes));
      ++used;
      if (genes == kTarget) return used;
      outcomes.push_back({target_reward(genes), true, 0, {-target_reward(genes)}});
    }
    controller->tell(asked, outcomes);
  }
  return 0;
}

TEST(Controllers, EvolutionFindsTheOptimumFarSoonerThanChance) {
  // Random search needs 4,096 / 2 evaluations on average.
  for (std::uint64_t seed : {1, 2, 3}) {
    const std::int64_t used = evaluations_to_optimum("{name: evolution, population: 20, sample: 5}", seed, 400);
    EXPECT_GT(used, 0) << "seed " << seed;
  }
}

TEST(Controllers, RlLearnsThePolicyThatEmitsTheOptimum) {
  for (std::uint64_t seed : {1, 2, 3}) {
    const std::int64_t used = evaluations_to_optimum("{name: rl, batch: 4, learning_rate: 0.05}", seed, 1000);
    EXPECT_GT(used, 0) << "seed " << seed;
  }
}

TEST(Controllers, RandomSearchDoesNotRepeatAGenomeAndCoversASmallSpace) {
  const DesignSpace space = space_of({3, 3, 3});
  std::unique_ptr<Controller> controller = make_controller(controller_node("{name: random, batch: 3}"), space, 5);
  std::set<Genome> seen;
  for (int round = 0; round < 9; ++round) {
    const std::vector<Genome> asked = controller->ask();
    ASSERT_EQ(asked.size(), 3u);
    for (const Genome& genes : asked) EXPECT_TRUE(seen.insert(genes).second);
    controller->tell(asked, std::vector<Outcome>(asked.size()));
  }
  EXPECT_EQ(seen.size(), 27u);
}

// A converging policy keeps emitting its mode; `redraws` draws again when a
// genome was evaluated before, so the budget goes to new candidates.
TEST(Controllers, RlRedrawsGenomesItHasAlreadyAsked) {
  auto distinct = [](const std::string& yaml) {
    const DesignSpace space = space_of({4, 4, 4, 4, 4, 4});
    std::unique_ptr<Controller> controller = make_controller(controller_node(yaml), space, 4);
    std::set<Genome> seen;
    for (int round = 0; round < 75; ++round) {
      const std::vector<Genome> asked = controller->ask();
      std::vector<Outcome> outcomes;
      for (const Genome& genes : asked) {
        seen.insert(genes);
        outcomes.push_back({target_reward(genes), true, 0, {-target_reward(genes)}});
      }
      controller->tell(asked, outcomes);
    }
    return seen.size();
  };
  const std::size_t with = distinct("{name: rl, learning_rate: 0.05}");
  const std::size_t without = distinct("{name: rl, learning_rate: 0.05, redraws: 0}");
  std::printf("distinct genomes in 300 asks: %zu with redraws, %zu without\n", with, without);
  EXPECT_GE(with, 2 * without);
}

// Two objectives over 4^7 genomes: the first gene trades f1 against f2 and
// every other gene adds to both, so the Pareto front is the four genomes
// whose other genes are all 0.
TEST(Controllers, Nsga2FindsTheWholeParetoFront) {
  const DesignSpace space = space_of({4, 4, 4, 4, 4, 4, 4});
  std::unique_ptr<Controller> controller = make_controller(controller_node("{name: nsga2, population: 24}"), space, 3);
  std::set<int> front_found;
  for (int generation = 0; generation < 30; ++generation) {
    const std::vector<Genome> asked = controller->ask();
    ASSERT_EQ(asked.size(), 24u);
    std::vector<Outcome> outcomes;
    for (const Genome& genes : asked) {
      double rest = 0;
      for (std::size_t i = 1; i < genes.size(); ++i) rest += genes[i];
      outcomes.push_back({0, true, 0, {genes[0] + rest, 3 - genes[0] + rest}});
      if (rest == 0) front_found.insert(genes[0]);
    }
    controller->tell(asked, outcomes);
  }
  EXPECT_EQ(front_found.size(), 4u);
}

TEST(Controllers, Nsga2PrefersTheLeastViolatingCandidatesWhenNoneIsFeasible) {
  // Only the violation says which is better: the search must drive it to 0.
  const DesignSpace space = space_of({8, 8, 8});
  std::unique_ptr<Controller> controller = make_controller(controller_node("{name: nsga2, population: 16}"), space, 2);
  bool reached = false;
  for (int generation = 0; generation < 25 && !reached; ++generation) {
    const std::vector<Genome> asked = controller->ask();
    std::vector<Outcome> outcomes;
    for (const Genome& genes : asked) {
      const double violation = genes[0] + genes[1] + genes[2];
      reached = reached || violation == 0;
      outcomes.push_back({-violation, violation == 0, violation, {0}});
    }
    controller->tell(asked, outcomes);
  }
  EXPECT_TRUE(reached);
}

// The same seed and the same outcomes give the same candidates: what a
// resumed search relies on when it replays its database.
TEST(Controllers, AreDeterministicForASeedAndDifferAcrossSeeds) {
  for (const std::string& name : controller_names()) {
    auto run = [&](std::uint64_t seed) {
      const DesignSpace space = space_of({4, 4, 4, 4, 4, 4});
      std::unique_ptr<Controller> controller = make_controller(controller_node("{name: " + name + "}"), space, seed);
      std::vector<Genome> history;
      for (int round = 0; round < 12; ++round) {
        const std::vector<Genome> asked = controller->ask();
        std::vector<Outcome> outcomes;
        for (const Genome& genes : asked) {
          history.push_back(genes);
          outcomes.push_back({target_reward(genes), true, 0, {-target_reward(genes)}});
        }
        controller->tell(asked, outcomes);
      }
      return history;
    };
    EXPECT_EQ(run(7), run(7)) << name;
    EXPECT_NE(run(7), run(8)) << name;
  }
}

TEST(Controllers, UnknownNamesAndKeysAreInputErrorsNamingTheKey) {
  const DesignSpace space = space_of({2, 2});
  try {
    make_controller(controller_node("{name: bayesian}"), space, 1);
    FAIL() << "an unknown controller was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.key(), "name");
    EXPECT_NE(std::string(error.what()).find("known: evolution, nsga2, random, rl"), std::string::npos) << error.what();
  }
  for (const std::string& name : controller_names()) {
    try {
      make_controller(controller_node("{name: " + name + ", populaton: 4}"), space, 1);
      FAIL() << name << " accepted a misspelt key";
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find("populaton"), std::string::npos) << error.what();
    }
  }
  EXPECT_THROW(make_controller(controller_node("{name: rl, optimizer: sgd}"), space, 1), InputError);
  EXPECT_THROW(make_controller(controller_node("{name: evolution, population: 1}"), space, 1), InputError);
}

}  // namespace
}  // namespace nasaic
