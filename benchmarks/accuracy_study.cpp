// The accuracy side's figures (issue 11), printed as Markdown tables:
//
//   accuracy_study throughput [--threads N]
//       training images/s of each shipped space's reference architecture
//   accuracy_study ranking --space S [--samples 20] [--seed 1] [--truth-seeds 1] [--threads N]
//       the smallest, the largest and `samples` seeded architectures, trained
//       from scratch with the space's recipe and scored by its supernet; both
//       lists and Kendall's tau between them. With --truth-seeds N the
//       from-scratch figure is the mean over N training seeds, and the tau
//       between the first two seeds shows how well training itself ranks
//   accuracy_study bits --space S --arch A [--recipe R] [--threads N]
//       the architecture at every bit width of the space
//
// Results go through the result cache ($NASAIC_CACHE_DIR or --cache), so a
// rerun prints the same figures at once; delete the cache to measure afresh.
// Bad arguments or input files print one line and exit 2, as nasaic does.
#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/rank_statistics.hpp"
#include "search/accuracy.hpp"
#include "search/torch/ir_module.hpp"
#include "search/torch/training_loop.hpp"

namespace nasaic {
namespace {

struct Arguments {
  std::string space, arch, recipe, cache;
  std::int64_t samples = 20, seed = 1, truth_seeds = 1;
  int threads = 2;
};

TrainingOptions options_of(const Arguments& arguments) {
  TrainingOptions options;
  options.cache_dir = arguments.cache.empty() ? default_cache_dir() : arguments.cache;
  options.threads = arguments.threads;
  return options;
}

std::string choices_text(const Architecture& architecture) {
  std::string text;
  for (const auto& [name, value] : architecture.choices) text += (text.empty() ? "" : " ") + std::to_string(value);
  return text;
}

// Images/s of forward + backward + update on the reference architecture,
// timed over `steps` batches after two warm-up batches.
void throughput(const Arguments& arguments) {
  at::set_num_threads(arguments.threads);
  std::printf("| space | reference | MACs/image | batch | images/s (train, %d threads) | images/s (inference) |\n",
              arguments.threads);
  std::printf("|---|---|---|---|---|---|\n");
  const std::string root = NASAIC_SOURCE_DIR "/configs/search/";
  for (const std::string name : {"fashion-resnet", "nuclei-unet"}) {
    const SearchSpace space = load_search_space(root + name + ".yaml");
    const Architecture architecture = load_architecture(root + name + "-reference.yaml", space);
    const Recipe& recipe = space.recipe(space.default_recipe);
    const Network network = space.network(architecture, space.name);
    torch::manual_seed(1);
    IrModule module(network);
    auto optimizer = make_optimizer(recipe, module->parameters());
    const NetworkShape shape = space.dataset.shape();
    const torch::Tensor images = torch::rand({recipe.batch, shape.input.channels, shape.input.height, shape.input.width});
    const TensorShape output = network.layers().back().output_shape();
    const torch::Tensor targets =
        space.metric == Metric::top1
            ? torch::randint(shape.outputs, {recipe.batch}, torch::kInt64)
            : (torch::rand({recipe.batch, 1, output.height, output.width}) > 0.8).to(torch::kFloat32);
    const int steps = 40;
    double seconds = 0;
    for (int step = 0; step < steps + 2; ++step) {
      const auto start = std::chrono::steady_clock::now();
      optimizer->zero_grad();
      loss_of(space.metric, module->forward(images), targets).backward();
      optimizer->step();
      if (step >= 2) seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    module->eval();
    torch::NoGradGuard no_grad;
    const auto start = std::chrono::steady_clock::now();
    for (int step = 0; step < steps; ++step) module->forward(images);
    const double inference = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("| %s | %s | %.2f M | %lld | %.0f | %.0f |\n", space.name.c_str(), (name + "-reference").c_str(),
                static_cast<double>(ir_counts(network).macs) / 1e6, static_cast<long long>(recipe.batch),
                static_cast<double>(steps * recipe.batch) / seconds,
                static_cast<double>(steps * recipe.batch) / inference);
  }
}

void ranking(const Arguments& arguments) {
  const SearchSpace space = load_search_space(arguments.space);
  TrainingOptions options = options_of(arguments);
  const Recipe& recipe = arguments.recipe.empty() ? space.recipe(space.default_recipe) : space.recipe(arguments.recipe);
  std::vector<std::pair<std::string, Architecture>> candidates = {{"smallest", space.smallest()},
                                                                   {"largest", space.largest()}};
  // Distinct architectures: a repeated one would count as a tie in both lists.
  std::vector<Architecture> drawn;
  for (std::int64_t index = 0; static_cast<std::int64_t>(drawn.size()) < arguments.samples && index < 100000; ++index) {
    const Architecture architecture = space.sample(static_cast<std::uint64_t>(arguments.seed), index);
    if (std::find(drawn.begin(), drawn.end(), architecture) != drawn.end()) continue;
    drawn.push_back(architecture);
    candidates.emplace_back("sample " + std::to_string(index), architecture);
  }

  // One from-scratch evaluator per training seed (the recipe's seed, then the
  // next ones): the seed also redraws the training subset and validation split.
  std::vector<std::unique_ptr<AccuracyEvaluator>> scratch;
  for (std::int64_t k = 0; k < arguments.truth_seeds; ++k) {
    Recipe seeded = recipe;
    seeded.seed = recipe.seed + static_cast<std::uint64_t>(k);
    scratch.push_back(make_accuracy_evaluator(AccuracyMethod::train, space, seeded, options));
  }
  std::int64_t supernet_steps = 0;
  options.progress = [&supernet_steps](std::int64_t, std::int64_t, std::int64_t, double) { ++supernet_steps; };
  const auto supernet_start = std::chrono::steady_clock::now();
  const auto shared = make_accuracy_evaluator(AccuracyMethod::supernet, space,
                                              default_recipe_for(AccuracyMethod::supernet, space), options);
  const double supernet_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - supernet_start).count();

  std::string seed_columns, seed_rule;
  for (std::int64_t k = 0; k < arguments.truth_seeds; ++k) {
    seed_columns += " seed " + std::to_string(recipe.seed + static_cast<std::uint64_t>(k)) + " |";
    seed_rule += "---|";
  }
  std::printf("| candidate | choices (%s) | MACs/image |%s from scratch (test %s%s) | seconds | supernet (validation) | seconds |\n",
              [&] {
                std::string names;
                for (const Decision& d : space.decisions) names += (names.empty() ? "" : " ") + d.name;
                return names;
              }().c_str(),
              arguments.truth_seeds > 1 ? seed_columns.c_str() : "", metric_name(space.metric),
              arguments.truth_seeds > 1 ? ", mean" : "");
  std::printf("|---|---|---|%s---|---|---|---|\n", arguments.truth_seeds > 1 ? seed_rule.c_str() : "");
  std::vector<double> scratch_metrics, supernet_metrics, supernet_times;
  std::vector<std::vector<double>> per_seed(scratch.size());
  for (const auto& [label, architecture] : candidates) {
    double sum = 0, seconds = 0;
    double macs = 0;
    bool cached = true;
    std::string seed_cells;
    std::vector<double> metrics;
    for (const auto& evaluator : scratch) {
      const TrainingResult trained = evaluator->evaluate(architecture);
      sum += trained.test_metric;
      seconds += trained.seconds;
      cached = cached && trained.from_cache;
      metrics.push_back(trained.test_metric);
      macs = static_cast<double>(trained.counts.macs);
      char cell[32];
      std::snprintf(cell, sizeof cell, " %.4f |", trained.test_metric);
      seed_cells += cell;
    }
    const double mean = sum / static_cast<double>(scratch.size());
    const TrainingResult scored = shared->evaluate(architecture);
    std::printf("| %s | %s | %.2f M |%s %.4f | %.1f%s | %.4f | %.2f%s |\n", label.c_str(),
                choices_text(architecture).c_str(), macs / 1e6,
                scratch.size() > 1 ? seed_cells.c_str() : "", mean, seconds, cached ? " (cached)" : "",
                scored.validation_metric, scored.seconds, scored.from_cache ? " (cached)" : "");
    std::fflush(stdout);
    if (label.rfind("sample", 0) == 0) {
      scratch_metrics.push_back(mean);
      for (std::size_t k = 0; k < metrics.size(); ++k) per_seed[k].push_back(metrics[k]);
      supernet_metrics.push_back(scored.validation_metric);
      supernet_times.push_back(scored.seconds);
    }
  }
  const RankAgreement agreement = rank_agreement(supernet_metrics, scratch_metrics);
  std::sort(supernet_times.begin(), supernet_times.end());
  std::printf("\n- %zu distinct seeded samples (seed %lld), supernet against from scratch%s: Kendall tau %.3f, Spearman %.3f, pairs ordered alike %.1f %%\n",
              scratch_metrics.size(), static_cast<long long>(arguments.seed),
              scratch.size() > 1 ? " (mean of the seeds)" : "", agreement.kendall, agreement.spearman,
              100.0 * agreement.pair_agreement);
  if (scratch.size() > 1) {
    for (std::size_t k = 0; k < per_seed.size(); ++k) {
      const RankAgreement single = rank_agreement(supernet_metrics, per_seed[k]);
      std::printf("- supernet against training seed %llu alone: Kendall tau %.3f, Spearman %.3f\n",
                  static_cast<unsigned long long>(recipe.seed + k), single.kendall, single.spearman);
    }
    const RankAgreement noise = rank_agreement(per_seed[1], per_seed[0]);
    std::printf("- training seed %llu against seed %llu (how well from-scratch training ranks itself): Kendall tau %.3f, Spearman %.3f\n",
                static_cast<unsigned long long>(recipe.seed + 1), static_cast<unsigned long long>(recipe.seed),
                noise.kendall, noise.spearman);
  }
  std::printf("- supernet %s in %.1f s on %d threads; a candidate scored in %.2f s median, %.2f s max\n",
              supernet_steps > 0 ? "trained" : "loaded from the cache", supernet_seconds, arguments.threads,
              supernet_times.empty() ? 0.0 : supernet_times[supernet_times.size() / 2],
              supernet_times.empty() ? 0.0 : supernet_times.back());
}

void bits(const Arguments& arguments) {
  const SearchSpace space = load_search_space(arguments.space);
  const Architecture reference = load_architecture(arguments.arch, space);
  const Recipe& recipe = arguments.recipe.empty() ? space.recipe(space.default_recipe) : space.recipe(arguments.recipe);
  const auto scratch = make_accuracy_evaluator(AccuracyMethod::train, space, recipe, options_of(arguments));
  std::printf("| %s, %s recipe | bits | test %s | validation | seconds |\n|---|---|---|---|---|\n", space.name.c_str(),
              recipe.name.c_str(), metric_name(space.metric));
  for (const std::int64_t width : std::vector<std::int64_t>{4, 8, 16}) {
    Architecture architecture = reference;
    for (auto& [name, value] : architecture.choices)
      if (name == "bits") value = width;
    const TrainingResult result = scratch->evaluate(architecture);
    std::printf("| %s | %lld | %.4f | %.4f | %.1f%s |\n", arguments.arch.c_str(), static_cast<long long>(width),
                result.test_metric, result.validation_metric, result.seconds, result.from_cache ? " (cached)" : "");
    std::fflush(stdout);
  }
}

}  // namespace
}  // namespace nasaic

int main(int argc, char** argv) {
  nasaic::Arguments arguments;
  CLI::App app("The accuracy side's figures (issue 11), as Markdown tables", "accuracy_study");
  app.require_subcommand(1);
  const auto common_options = [&](CLI::App* mode) {
    mode->add_option("--threads", arguments.threads, "LibTorch threads")->check(CLI::Range(1, 256));
    mode->add_option("--cache", arguments.cache, "Result cache (default $NASAIC_CACHE_DIR)");
  };
  CLI::App* throughput = app.add_subcommand("throughput", "Training images/s of each shipped reference architecture");
  common_options(throughput);
  CLI::App* ranking = app.add_subcommand("ranking", "Supernet scores against from-scratch training");
  ranking->add_option("--space", arguments.space, "Search space file")->required();
  ranking->add_option("--recipe", arguments.recipe, "From-scratch recipe (default: the space's)");
  ranking->add_option("--samples", arguments.samples, "Distinct seeded architectures")->check(CLI::Range(2, 1000));
  ranking->add_option("--seed", arguments.seed, "Seed of the draw")->check(CLI::Range(0, INT32_MAX));
  ranking->add_option("--truth-seeds", arguments.truth_seeds, "Training seeds averaged into the from-scratch figure")
      ->check(CLI::Range(1, 10));
  common_options(ranking);
  CLI::App* bits = app.add_subcommand("bits", "One architecture at every bit width");
  bits->add_option("--space", arguments.space, "Search space file")->required();
  bits->add_option("--arch", arguments.arch, "Architecture file")->required();
  bits->add_option("--recipe", arguments.recipe, "Recipe (default: the space's)");
  common_options(bits);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "accuracy_study: error: %s\n", e.what());
    return 2;
  }
  try {
    if (throughput->parsed()) nasaic::throughput(arguments);
    if (ranking->parsed()) nasaic::ranking(arguments);
    if (bits->parsed()) nasaic::bits(arguments);
  } catch (const nasaic::InputError& error) {
    std::fprintf(stderr, "accuracy_study: error: %s\n", error.what());
    return 2;
  }
  return 0;
}
