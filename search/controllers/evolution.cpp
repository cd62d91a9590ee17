// Regularised (aging) evolution: Real, Aggarwal, Huang & Le, "Regularized
// Evolution for Image Classifier Architecture Search", AAAI 2019. A queue of
// the last `population` candidates; each child mutates the best of `sample`
// members drawn at random, and the oldest member dies, not the worst.
// Children already evaluated are redrawn (a repeat teaches nothing and costs
// an evaluation).
#include <algorithm>
#include <deque>
#include <set>

#include "common/error.hpp"
#include "search/controller.hpp"

namespace nasaic {
namespace {

class EvolutionController : public Controller {
 public:
  struct Settings {
    int population = 50;
    int sample = 10;
    int batch = 1;
    int mutations = 1;  // genes changed per child
  };
  EvolutionController(const DesignSpace& space, std::uint64_t seed, Settings settings)
      : space_(space), random_(seed), settings_(settings) {
    for (std::size_t i = 0; i < space_.choices.size(); ++i)
      if (space_.choices[i].options > 1) mutable_.push_back(i);
  }
  const char* name() const override { return "evolution"; }

  std::vector<Genome> ask() override {
    std::vector<Genome> batch;
    for (int i = 0; i < settings_.batch; ++i) {
      Genome genes = next();
      for (int retry = 0; retry < kRedraws && seen_.count(genes) > 0; ++retry) genes = next();
      seen_.insert(genes);
      batch.push_back(std::move(genes));
    }
    return batch;
  }

  void tell(const std::vector<Genome>& candidates, const std::vector<Outcome>& outcomes) override {
    NASAIC_CHECK(candidates.size() == outcomes.size(), "one outcome per candidate");
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      population_.push_back({candidates[i], outcomes[i].reward});
      seen_.insert(candidates[i]);
      if (population_.size() > static_cast<std::size_t>(settings_.population)) population_.pop_front();
    }
  }

 private:
  struct Member {
    Genome genes;
    double reward;
  };
  static constexpr int kRedraws = 100;

  // Random genomes until the first population is told, then mutated
  // tournament winners.
  Genome next() {
    if (population_.size() < static_cast<std::size_t>(settings_.population) || mutable_.empty())
      return random_.genome(space_);
    const Member* parent = nullptr;
    for (int i = 0; i < settings_.sample; ++i) {
      const Member& member = population_[static_cast<std::size_t>(random_.below(static_cast<int>(population_.size())))];
      if (parent == nullptr || member.reward > parent->reward) parent = &member;
    }
    Genome child = parent->genes;
    for (int m = 0; m < settings_.mutations; ++m) {
      const std::size_t gene = mutable_[static_cast<std::size_t>(random_.below(static_cast<int>(mutable_.size())))];
      const int options = space_.choices[gene].options;
      // Another option than the current one, each equally likely.
      child[gene] = (child[gene] + 1 + random_.below(options - 1)) % options;
    }
    return child;
  }

  DesignSpace space_;
  ControllerRandom random_;
  Settings settings_;
  std::vector<std::size_t> mutable_;  // genes with more than one option
  std::deque<Member> population_;
  std::set<Genome> seen_;
};

}  // namespace

std::unique_ptr<Controller> make_evolution_controller(const ConfigNode& node, const DesignSpace& space,
                                                      std::uint64_t seed) {
  node.expect_map({"name", "population", "sample", "batch", "mutations"});
  EvolutionController::Settings settings;
  if (const auto value = node.optional("population")) settings.population = static_cast<int>(value->as_int(2, 100000));
  settings.sample = std::min(settings.sample, settings.population);
  if (const auto value = node.optional("sample")) settings.sample = static_cast<int>(value->as_int(1, settings.population));
  if (const auto value = node.optional("batch")) settings.batch = static_cast<int>(value->as_int(1, 4096));
  if (const auto value = node.optional("mutations")) settings.mutations = static_cast<int>(value->as_int(1, 64));
  return std::make_unique<EvolutionController>(space, seed, settings);
}

}  // namespace nasaic
