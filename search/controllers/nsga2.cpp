// NSGA-II: Deb, Pratap, Agarwal & Meyarivan, "A Fast and Elitist
// Multiobjective Genetic Algorithm: NSGA-II", IEEE TEC 6(2), 2002. Each
// generation breeds `population` children by binary tournament (lower front,
// then larger crowding distance), uniform crossover and per-gene mutation;
// parents and children together are cut back to `population` by front and
// crowding. Constraints dominate as in the paper's §VI: a feasible candidate
// beats an infeasible one, and of two infeasible ones the smaller violation
// wins.
#include <algorithm>
#include <limits>
#include <set>

#include "common/error.hpp"
#include "search/controller.hpp"

namespace nasaic {
namespace {

class Nsga2Controller : public Controller {
 public:
  struct Settings {
    int population = 40;
    double crossover = 0.9;
    double mutation = -1;  // per gene; -1 = 1 / genes
  };
  Nsga2Controller(const DesignSpace& space, std::uint64_t seed, Settings settings)
      : space_(space), random_(seed), settings_(settings) {
    if (settings_.mutation < 0) settings_.mutation = 1.0 / static_cast<double>(std::max<std::size_t>(1, space_.choices.size()));
  }
  const char* name() const override { return "nsga2"; }

  std::vector<Genome> ask() override {
    std::vector<Genome> children;
    for (int i = 0; i < settings_.population; ++i) {
      Genome genes = breed();
      for (int retry = 0; retry < kRedraws && seen_.count(genes) > 0; ++retry) genes = breed();
      seen_.insert(genes);
      children.push_back(std::move(genes));
    }
    return children;
  }

  void tell(const std::vector<Genome>& candidates, const std::vector<Outcome>& outcomes) override {
    NASAIC_CHECK(candidates.size() == outcomes.size(), "one outcome per candidate");
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      seen_.insert(candidates[i]);
      members_.push_back({candidates[i], outcomes[i], 0, 0});
    }
    select();
  }

 private:
  struct Member {
    Genome genes;
    Outcome outcome;
    int front;
    double crowding;
  };
  static constexpr int kRedraws = 100;

  static bool dominates(const Outcome& a, const Outcome& b) {
    if (a.feasible != b.feasible) return a.feasible;
    if (!a.feasible) return a.violation < b.violation;
    bool better = false;
    for (std::size_t k = 0; k < a.objectives.size(); ++k) {
      if (a.objectives[k] > b.objectives[k]) return false;
      better = better || a.objectives[k] < b.objectives[k];
    }
    return better;
  }

  // Fast non-dominated sorting and crowding distance, then the best
  // `population` members survive (stable: ties keep their order).
  void select() {
    const std::size_t n = members_.size();
    std::vector<std::vector<std::size_t>> dominated(n);
    std::vector<int> dominators(n, 0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (i != j && dominates(members_[i].outcome, members_[j].outcome)) {
          dominated[i].push_back(j);
          ++dominators[j];
        }
    std::vector<std::size_t> current;
    for (std::size_t i = 0; i < n; ++i)
      if (dominators[i] == 0) current.push_back(i);
    for (int front = 0; !current.empty(); ++front) {
      std::vector<std::size_t> next;
      for (std::size_t i : current) {
        members_[i].front = front;
        for (std::size_t j : dominated[i])
          if (--dominators[j] == 0) next.push_back(j);
      }
      assign_crowding(current);
      current = std::move(next);
    }
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return better(members_[a], members_[b]); });
    std::vector<Member> survivors;
    for (std::size_t k = 0; k < std::min<std::size_t>(n, static_cast<std::size_t>(settings_.population)); ++k)
      survivors.push_back(members_[order[k]]);
    members_ = std::move(survivors);
  }

  void assign_crowding(const std::vector<std::size_t>& front) {
    for (std::size_t i : front) members_[i].crowding = 0;
    if (front.empty() || members_[front[0]].outcome.objectives.empty()) return;
    for (std::size_t k = 0; k < members_[front[0]].outcome.objectives.size(); ++k) {
      std::vector<std::size_t> sorted = front;
      std::stable_sort(sorted.begin(), sorted.end(), [&](std::size_t a, std::size_t b) {
        return members_[a].outcome.objectives[k] < members_[b].outcome.objectives[k];
      });
      const double low = members_[sorted.front()].outcome.objectives[k];
      const double high = members_[sorted.back()].outcome.objectives[k];
      members_[sorted.front()].crowding = members_[sorted.back()].crowding = std::numeric_limits<double>::infinity();
      if (!(high > low)) continue;
      for (std::size_t i = 1; i + 1 < sorted.size(); ++i) {
        members_[sorted[i]].crowding += (members_[sorted[i + 1]].outcome.objectives[k] -
                                         members_[sorted[i - 1]].outcome.objectives[k]) / (high - low);
      }
    }
  }

  static bool better(const Member& a, const Member& b) {
    if (a.front != b.front) return a.front < b.front;
    return a.crowding > b.crowding;
  }

  const Member& tournament() {
    const Member& a = members_[static_cast<std::size_t>(random_.below(static_cast<int>(members_.size())))];
    const Member& b = members_[static_cast<std::size_t>(random_.below(static_cast<int>(members_.size())))];
    return better(b, a) ? b : a;
  }

  Genome breed() {
    if (members_.empty()) return random_.genome(space_);
    const Member& mother = tournament();
    const Member& father = tournament();
    Genome child = mother.genes;
    const bool cross = random_.uniform() < settings_.crossover;
    for (std::size_t g = 0; g < child.size(); ++g) {
      if (cross && random_.uniform() < 0.5) child[g] = father.genes[g];
      const int options = space_.choices[g].options;
      if (options > 1 && random_.uniform() < settings_.mutation) child[g] = (child[g] + 1 + random_.below(options - 1)) % options;
    }
    return child;
  }

  DesignSpace space_;
  ControllerRandom random_;
  Settings settings_;
  std::vector<Member> members_;
  std::set<Genome> seen_;
};

}  // namespace

std::unique_ptr<Controller> make_nsga2_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed) {
  node.expect_map({"name", "population", "crossover", "mutation"});
  Nsga2Controller::Settings settings;
  if (const auto value = node.optional("population")) settings.population = static_cast<int>(value->as_int(2, 100000));
  if (const auto value = node.optional("crossover")) settings.crossover = value->as_double(0, 1);
  if (const auto value = node.optional("mutation")) settings.mutation = value->as_double(0, 1);
  return std::make_unique<Nsga2Controller>(space, seed, settings);
}

}  // namespace nasaic
