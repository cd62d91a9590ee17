// NASAIC's controller (Yang et al., DAC 2020), after the FNAS/HotNAS lineage
// (Jiang et al., DAC 2019): a recurrent policy emits one token per decision,
// the networks of every task and the hardware in one sequence. Each decision
// has its own embedding (of the token chosen before it) and its own softmax
// classifier over the LSTM state. REINFORCE (Williams, 1992) scales the log
// probability of each sampled genome by its advantage, the reward minus an
// exponential moving average of past rewards. Logits pass through
// tanh_constant · tanh(logit / tanh_constant), ENAS's guard against an early
// collapse onto one token (Pham et al., ICML 2018).
//
// Sampling draws from the policy's probabilities with the controller's own
// engine and the policy computes in double precision, so a seed and the
// rewards told fix every genome asked. Log probabilities are recomputed at
// tell() by feeding the told genome back (the parameters have not changed
// since it was asked), so no graph is kept between ask and tell.
#include <torch/torch.h>

#include <cmath>
#include <set>

#include "common/error.hpp"
#include "search/controller.hpp"

namespace nasaic {
namespace {

struct RlSettings {
  int hidden = 35;
  // Defaults measured on benchmarks/search_quality (README: 19 of 20 seeds
  // within 1 % of the optimum in 1,000 evaluations).
  int batch = 4;  // genomes per policy update
  double learning_rate = 0.02;
  std::string optimizer = "adam";  // adam or rmsprop
  int decay_every = 0;             // updates between learning-rate decays; 0 = never
  double decay = 0.5;
  double baseline_decay = 0.9;
  double entropy = 0.0001;
  double tanh_constant = 2.5;       // 0 = raw logits
  // Divide the advantage by a moving root-mean-square of past advantages, so
  // the step does not depend on the reward's scale (a makespan reward's
  // candidates differ by a few per cent, an accuracy reward's by points).
  bool normalize = true;
  // A genome the search has evaluated is drawn again up to this many times:
  // a converging policy keeps emitting its mode, and a repeat costs an
  // evaluation and teaches nothing new (the FNAS lineage likewise redraws
  // hardware that breaks resource limits, up to 10 times).
  int redraws = 100;
};

class Policy : public torch::nn::Module {
 public:
  Policy(const DesignSpace& space, int hidden) : cell_(register_module("cell", torch::nn::LSTMCell(hidden, hidden))) {
    start_ = register_parameter("start", torch::zeros({1, hidden}, torch::kFloat64));
    for (std::size_t i = 0; i < space.choices.size(); ++i) {
      const int options = space.choices[i].options;
      embeddings_.push_back(register_module("embedding" + std::to_string(i), torch::nn::Embedding(options, hidden)));
      classifiers_.push_back(register_module("classifier" + std::to_string(i), torch::nn::Linear(hidden, options)));
    }
    to(torch::kFloat64);
  }

  // The logits of every decision when the genome's tokens are fed back in.
  std::vector<torch::Tensor> logits(const Genome& genes, double tanh_constant) {
    return walk([&](std::size_t i, const torch::Tensor&) { return genes[i]; }, tanh_constant);
  }

  // One token at a time: each decision's logits depend on the tokens chosen
  // before it.
  Genome sample(ControllerRandom& random, double tanh_constant) {
    torch::NoGradGuard no_grad;
    Genome genes;
    walk(
        [&](std::size_t, const torch::Tensor& logit) {
          const torch::Tensor probabilities = torch::softmax(logit, 1).contiguous();
          const double* p = probabilities.data_ptr<double>();
          const double u = random.uniform();
          double sum = 0;
          int token = static_cast<int>(probabilities.size(1)) - 1;
          for (int k = 0; k < probabilities.size(1); ++k) {
            sum += p[k];
            if (u < sum) {
              token = k;
              break;
            }
          }
          genes.push_back(token);
          return token;
        },
        tanh_constant);
    return genes;
  }

 private:
  // Steps through the decisions in order: the LSTM advances on the embedding
  // of the token chosen before, the decision's logits come out, and
  // `choose(i, logits)` picks its token. Returns every decision's logits.
  template <class Choose>
  std::vector<torch::Tensor> walk(Choose choose, double tanh_constant) {
    std::vector<torch::Tensor> result;
    torch::Tensor input = start_;
    std::tuple<torch::Tensor, torch::Tensor> state = {
        torch::zeros({1, start_.size(1)}, torch::kFloat64), torch::zeros({1, start_.size(1)}, torch::kFloat64)};
    for (std::size_t i = 0; i < classifiers_.size(); ++i) {
      state = cell_->forward(input, state);
      torch::Tensor logit = classifiers_[i]->forward(std::get<0>(state));
      if (tanh_constant > 0) logit = tanh_constant * torch::tanh(logit / tanh_constant);
      result.push_back(logit);
      const int token = choose(i, logit);
      if (i + 1 < classifiers_.size()) input = embeddings_[i]->forward(torch::tensor({static_cast<std::int64_t>(token)}));
    }
    return result;
  }

  torch::nn::LSTMCell cell_;
  torch::Tensor start_;
  std::vector<torch::nn::Embedding> embeddings_;
  std::vector<torch::nn::Linear> classifiers_;
};

class RlController : public Controller {
 public:
  RlController(const DesignSpace& space, std::uint64_t seed, RlSettings settings)
      : space_(space), random_(seed), settings_(std::move(settings)), policy_(std::make_shared<Policy>(space, settings_.hidden)) {
    // ENAS's initialisation, uniform in [-0.1, 0.1], drawn from our own engine
    // so that LibTorch's global generator neither decides nor is disturbed.
    torch::NoGradGuard no_grad;
    for (torch::Tensor& parameter : policy_->parameters()) {
      std::vector<double> values(static_cast<std::size_t>(parameter.numel()));
      for (double& value : values) value = -0.1 + 0.2 * random_.uniform();
      parameter.copy_(torch::tensor(values, torch::kFloat64).reshape(parameter.sizes()));
    }
    if (settings_.optimizer == "rmsprop") {
      optimizer_ = std::make_unique<torch::optim::RMSprop>(policy_->parameters(),
                                                            torch::optim::RMSpropOptions(settings_.learning_rate));
    } else {
      optimizer_ = std::make_unique<torch::optim::Adam>(policy_->parameters(), torch::optim::AdamOptions(settings_.learning_rate));
    }
  }
  const char* name() const override { return "rl"; }

  std::vector<Genome> ask() override {
    std::vector<Genome> batch;
    for (int i = 0; i < settings_.batch; ++i) {
      Genome genes = policy_->sample(random_, settings_.tanh_constant);
      for (int retry = 0; retry < settings_.redraws && seen_.count(genes) > 0; ++retry)
        genes = policy_->sample(random_, settings_.tanh_constant);
      seen_.insert(genes);
      batch.push_back(std::move(genes));
    }
    return batch;
  }

  void tell(const std::vector<Genome>& candidates, const std::vector<Outcome>& outcomes) override {
    NASAIC_CHECK(candidates.size() == outcomes.size(), "one outcome per candidate");
    if (candidates.empty()) return;
    optimizer_->zero_grad();
    torch::Tensor loss = torch::zeros({}, torch::kFloat64);
    for (std::size_t b = 0; b < candidates.size(); ++b) {
      const double reward = outcomes[b].reward;
      if (!has_baseline_) {
        baseline_ = reward;
        has_baseline_ = true;
      }
      double advantage = reward - baseline_;
      baseline_ = settings_.baseline_decay * baseline_ + (1 - settings_.baseline_decay) * reward;
      if (settings_.normalize) {
        spread_ = updates_ == 0 && b == 0 ? advantage * advantage
                                          : settings_.baseline_decay * spread_ + (1 - settings_.baseline_decay) * advantage * advantage;
        advantage = spread_ > 0 ? advantage / std::sqrt(spread_) : 0;
      }
      const std::vector<torch::Tensor> logits = policy_->logits(candidates[b], settings_.tanh_constant);
      torch::Tensor log_probability = torch::zeros({}, torch::kFloat64);
      torch::Tensor entropy = torch::zeros({}, torch::kFloat64);
      for (std::size_t i = 0; i < logits.size(); ++i) {
        const torch::Tensor log_p = torch::log_softmax(logits[i], 1);
        log_probability = log_probability + log_p[0][candidates[b][i]];
        entropy = entropy - (log_p.exp() * log_p).sum();
      }
      loss = loss - advantage * log_probability - settings_.entropy * entropy;
    }
    loss = loss / static_cast<double>(candidates.size());
    loss.backward();
    optimizer_->step();
    ++updates_;
    if (settings_.decay_every > 0 && updates_ % settings_.decay_every == 0) {
      for (auto& group : optimizer_->param_groups()) group.options().set_lr(group.options().get_lr() * settings_.decay);
    }
  }

 private:
  DesignSpace space_;
  ControllerRandom random_;
  RlSettings settings_;
  std::shared_ptr<Policy> policy_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::set<Genome> seen_;
  double baseline_ = 0;
  double spread_ = 0;  // moving mean of squared advantages
  bool has_baseline_ = false;
  std::int64_t updates_ = 0;
};

}  // namespace

std::unique_ptr<Controller> make_rl_controller(const ConfigNode& node, const DesignSpace& space, std::uint64_t seed) {
  node.expect_map({"name", "hidden", "batch", "learning_rate", "optimizer", "decay_every", "decay", "baseline_decay",
                   "entropy", "tanh_constant", "normalize", "redraws"});
  RlSettings settings;
  if (const auto value = node.optional("hidden")) settings.hidden = static_cast<int>(value->as_int(1, 4096));
  if (const auto value = node.optional("batch")) settings.batch = static_cast<int>(value->as_int(1, 4096));
  if (const auto value = node.optional("learning_rate")) {
    settings.learning_rate = value->as_double(0, 10);
    if (!(settings.learning_rate > 0)) value->fail("must be positive");
  }
  if (const auto value = node.optional("optimizer")) {
    settings.optimizer = value->as_string();
    if (settings.optimizer != "adam" && settings.optimizer != "rmsprop")
      value->fail("unknown optimizer '" + settings.optimizer + "'; known: adam, rmsprop");
  }
  if (const auto value = node.optional("decay_every")) settings.decay_every = static_cast<int>(value->as_int(0, 100000000));
  if (const auto value = node.optional("decay")) settings.decay = value->as_double(0, 1);
  if (const auto value = node.optional("baseline_decay")) settings.baseline_decay = value->as_double(0, 1);
  if (const auto value = node.optional("entropy")) settings.entropy = value->as_double(0, 100);
  if (const auto value = node.optional("tanh_constant")) settings.tanh_constant = value->as_double(0, 100);
  if (const auto value = node.optional("normalize")) settings.normalize = value->as_switch();
  if (const auto value = node.optional("redraws")) settings.redraws = static_cast<int>(value->as_int(0, 1000));
  return std::make_unique<RlController>(space, seed, std::move(settings));
}

}  // namespace nasaic
