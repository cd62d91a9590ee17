// nasaic train: trains (or scores) one architecture of a search space, or draws
// architectures from it for studies. Runs in nasaic-torch (cli/app.hpp).
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/app.hpp"
#include "cli/training_progress.hpp"
#include "common/error.hpp"
#include "common/table.hpp"
#include "common/text_file.hpp"
#include "models/network_yaml.hpp"
#include "search/network_counts.hpp"
#include "search/accuracy.hpp"
#include "search/training.hpp"

namespace nasaic::cli {
namespace {

struct TrainOptions {
  std::string space;
  std::string arch;
  std::int64_t sample = 0;
  std::int64_t seed = 1;
  std::string accuracy;
  std::string recipe;
  std::string out;
  std::string cache;
  int threads = 0;
  bool no_cache = false;
  bool quiet = false;
  std::string format = "text";
};

std::string millions(std::int64_t count) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f M", static_cast<double>(count) / 1e6);
  return text;
}

int run_sample(const TrainOptions& options, const SearchSpace& space, OutputFormat format) {
  if (options.out.empty()) throw InputError("", 0, "--out", "--sample writes files: name a folder with --out");
  check_writable_folder(options.out, "--out");
  Table table;
  table.columns = {"index", "architecture", "network", "macs", "parameters"};
  for (std::int64_t i = 0; i < options.sample; ++i) {
    const Architecture architecture = space.sample(static_cast<std::uint64_t>(options.seed), i);
    char stem[32];
    std::snprintf(stem, sizeof stem, "arch-%03lld", static_cast<long long>(i));
    const std::filesystem::path folder(options.out);
    const std::string arch_file = (folder / (std::string(stem) + ".yaml")).string();
    const std::string network_file = (folder / (std::string(stem) + ".network.yaml")).string();
    const Network network = space.network(architecture, space.name + "-" + stem);
    write_text_file(arch_file, architecture_to_yaml(architecture, space));
    write_text_file(network_file, network_to_yaml(network));
    const NetworkCounts counts = ir_counts(network);
    table.add_row({i, arch_file, network_file, counts.macs, counts.parameters});
  }
  std::cout << table.render(format);
  return 0;
}

int run_train(const TrainOptions& options) {
  const OutputFormat format = parse_output_format(options.format);
  if (options.arch.empty() == (options.sample == 0))
    throw InputError("", 0, "--arch", "give either --arch FILE (train one) or --sample K (draw K)");
  const SearchSpace space = load_search_space(options.space);
  if (options.sample > 0) return run_sample(options, space, format);

  const Architecture architecture = load_architecture(options.arch, space);
  const AccuracyMethod method = options.accuracy.empty() ? space.accuracy : parse_accuracy_method(options.accuracy);
  const Recipe& recipe = options.recipe.empty() ? default_recipe_for(method, space) : space.recipe(options.recipe);
  if (!options.out.empty()) check_writable_folder(options.out, "--out");
  TrainingOptions training;
  training.cache_dir = options.cache.empty() ? default_cache_dir() : options.cache;
  training.use_cache = !options.no_cache;
  training.threads = options.threads;
  check_writable_folder(training.cache_dir, options.cache.empty() ? "NASAIC_CACHE_DIR" : "--cache");
  TrainingProgress bar(recipe.epochs);
  if (!options.quiet)
    training.progress = [&bar](std::int64_t epoch, std::int64_t step, std::int64_t steps, double loss) {
      bar.update(epoch, step, steps, loss);
    };
  const auto evaluator = make_accuracy_evaluator(method, space, recipe, training);
  const TrainingResult result = evaluator->evaluate(architecture);

  std::string network_file;
  if (!options.out.empty()) {
    const std::filesystem::path folder(options.out);
    network_file = (folder / "network.yaml").string();
    write_text_file(network_file, network_to_yaml(space.network(architecture, space.name)));
    write_text_file((folder / "architecture.yaml").string(), architecture_to_yaml(architecture, space));
    write_text_file((folder / "result.json").string(), training_result_json(result) + "\n");
  }
  if (format == OutputFormat::json) {
    std::cout << training_result_json(result) << "\n";
    return 0;
  }
  Table table;
  table.columns = {"space", "method", "recipe", "metric", "test", "validation", "validation_images", "macs",
                   "parameters", "seconds", "images_per_s", "threads", "cached", "network_file"};
  table.add_row({space.name, std::string(accuracy_method_name(method)), recipe.name,
                 std::string(metric_name(result.metric)),
                 result.has_test_metric ? Cell(result.test_metric) : Cell(std::string("-")), result.validation_metric,
                 result.validation_images, result.counts.macs, result.counts.parameters, result.seconds,
                 result.images_per_second, static_cast<std::int64_t>(result.threads),
                 std::string(result.from_cache ? "yes" : "no"), network_file.empty() ? "-" : network_file});
  if (format == OutputFormat::csv) {
    std::cout << table.to_csv();
    return 0;
  }
  if (method == AccuracyMethod::supernet) {
    std::printf("%s on %s (weights from the supernet trained with the %s recipe)\n", options.arch.c_str(),
                space.name.c_str(), recipe.name.c_str());
    std::printf("  %s validation %.4f on %lld images\n", metric_name(result.metric), result.validation_metric,
                static_cast<long long>(result.validation_images));
  } else {
    std::printf("%s on %s (%s recipe: %lld epochs, %lld images)\n", options.arch.c_str(), space.name.c_str(),
                recipe.name.c_str(), static_cast<long long>(recipe.epochs),
                static_cast<long long>(recipe.train_subset));
    std::printf("  %s test %.4f, validation %.4f\n", metric_name(result.metric), result.test_metric,
                result.validation_metric);
  }
  std::printf("  MACs %s per image, parameters %lld\n", millions(result.counts.macs).c_str(),
              static_cast<long long>(result.counts.parameters));
  if (method == AccuracyMethod::supernet)
    std::printf("  scored in %.2f s on %d threads%s\n", result.seconds, result.threads,
                result.from_cache ? " (from the result cache)" : "");
  else
    std::printf("  training %.1f s, %.0f images/s on %d threads%s\n", result.seconds, result.images_per_second,
                result.threads, result.from_cache ? " (from the result cache)" : "");
  if (!network_file.empty()) std::printf("  network %s\n", network_file.c_str());
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, std::vector<std::pair<CLI::App*, Runner>>& runners) {
  auto options = std::make_shared<TrainOptions>();
  CLI::App* train = app.add_subcommand(
      "train", "Train an architecture of a search space with LibTorch (from scratch with the space's recipe) and "
               "report its test metric, MACs and parameters; or draw architectures with --sample");
  train->add_option("--space", options->space, "Search space file (configs/search/*.yaml)")->required();
  train->add_option("--arch", options->arch, "Architecture file of that space");
  train->add_option("--sample", options->sample, "Draw this many architectures and write their files to --out")
      ->check(CLI::Range(1, 100000));
  train->add_option("--seed", options->seed, "Seed of --sample's draw")->check(CLI::Range(0, INT32_MAX));
  train->add_option("--accuracy", options->accuracy, "train (from scratch) or supernet (weights inherited from the space's supernet, trained once and cached); default: the space's 'accuracy'");
  train->add_option("--recipe", options->recipe, "Recipe name in the space; default: the space's 'recipe' (train) or 'supernet.recipe' (supernet)");
  train->add_option("--out", options->out, "Folder for network.yaml (for estimate/simulate), architecture.yaml, "
                                           "result.json; with --sample, the drawn files");
  train->add_option("--cache", options->cache,
                    "Cache folder for results and data (default $NASAIC_CACHE_DIR, $XDG_CACHE_HOME/nasaic or "
                    "~/.cache/nasaic)");
  train->add_option("--threads", options->threads,
                    "LibTorch threads (default: OMP_NUM_THREADS, else all cores); results are bit-identical per count")
      ->check(CLI::Range(1, 256));
  train->add_flag("--no-cache", options->no_cache, "Train even if the result is cached, and do not store it");
  train->add_flag("--quiet", options->quiet, "No progress bar");
  train->add_option("--format", options->format, "text, csv or json");
  train->footer(kExitStatusHelp);
  runners.emplace_back(train, [options] { return run_train(*options); });
}

}  // namespace nasaic::cli
