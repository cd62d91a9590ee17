#pragma once
// A controller proposes candidates and learns from their outcomes (the ask/tell
// interface of Optuna and Nevergrad). One implementation per file in
// controllers/, created by name from a spec's `controller:` map:
//   random     uniform draws, never repeating an evaluated genome;
//   evolution  regularised (aging) evolution, Real et al., AAAI 2019;
//   nsga2      NSGA-II, Deb et al., IEEE TEC 2002, for Pareto searches;
//   rl         NASAIC's LSTM policy trained by REINFORCE (search/torch/).
// A controller is deterministic given its seed and what it is told, so a
// resumed search can rebuild one by replaying the recorded outcomes.
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/config_node.hpp"
#include "search/design_space.hpp"

namespace nasaic {

struct Outcome {
  double reward = 0;                // higher is better: what rl, random and evolution maximise
  bool feasible = false;            // legal and within every spec
  double violation = 0;             // summed relative spec excess (0 when feasible), for nsga2
  std::vector<double> objectives;   // to minimise, for nsga2
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual const char* name() const = 0;
  // The next candidates, at least one. Every candidate asked is told before
  // the next ask.
  virtual std::vector<Genome> ask() = 0;
  virtual void tell(const std::vector<Genome>& candidates, const std::vector<Outcome>& outcomes) = 0;
};

// `node` is the `controller:` map (name and the controller's own keys).
// Throws InputError for an unknown name or key.
std::unique_ptr<Controller> make_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed);
std::vector<std::string> controller_names();

// The plain controllers (search/controllers/); make_controller is the way in.
std::unique_ptr<Controller> make_random_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed);
std::unique_ptr<Controller> make_evolution_controller(const ConfigNode& node, const DesignSpace& space,
                                                      std::uint64_t seed);
std::unique_ptr<Controller> make_nsga2_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed);
std::unique_ptr<Controller> make_rl_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed);

// A portable random source for controllers: the engine's raw output, so draws
// are the same with every standard library.
class ControllerRandom {
 public:
  explicit ControllerRandom(std::uint64_t seed) : engine_(seed) {}
  int below(int n) { return static_cast<int>(engine_() % static_cast<std::uint64_t>(n)); }
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  Genome genome(const DesignSpace& space) {
    Genome genes(space.choices.size());
    for (std::size_t i = 0; i < genes.size(); ++i) genes[i] = below(space.choices[i].options);
    return genes;
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace nasaic
