// Random search: uniform draws from the space, the baseline every search is
// judged against (Li & Talwalkar, "Random Search and Reproducibility for
// NAS", UAI 2019). A genome already drawn is redrawn, so evaluations are not
// spent twice on one candidate.
#include <set>

#include "search/controller.hpp"

namespace nasaic {
namespace {

class RandomController : public Controller {
 public:
  RandomController(const DesignSpace& space, std::uint64_t seed, int batch)
      : space_(space), random_(seed), batch_(batch) {}
  const char* name() const override { return "random"; }

  std::vector<Genome> ask() override {
    std::vector<Genome> batch;
    for (int i = 0; i < batch_; ++i) {
      Genome genes = random_.genome(space_);
      for (int retry = 0; retry < kRedraws && seen_.count(genes) > 0; ++retry) genes = random_.genome(space_);
      seen_.insert(genes);
      batch.push_back(std::move(genes));
    }
    return batch;
  }
  void tell(const std::vector<Genome>&, const std::vector<Outcome>&) override {}

 private:
  // A space smaller than the evaluation budget runs out of new genomes.
  static constexpr int kRedraws = 100;
  DesignSpace space_;
  ControllerRandom random_;
  int batch_;
  std::set<Genome> seen_;
};

}  // namespace

std::unique_ptr<Controller> make_random_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed) {
  node.expect_map({"name", "batch"});
  int batch = 1;
  if (const auto value = node.optional("batch")) batch = static_cast<int>(value->as_int(1, 4096));
  return std::make_unique<RandomController>(space, seed, batch);
}

}  // namespace nasaic
