#include "search/search_space.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "common/error.hpp"

namespace nasaic {
namespace {

std::string join_values(const std::vector<std::int64_t>& values) {
  std::string text;
  for (const std::int64_t value : values) text += (text.empty() ? "" : ", ") + std::to_string(value);
  return text;
}

// The keys of a map, each once (expect_map reports a repeated key).
std::vector<std::string> map_keys(const ConfigNode& node) {
  if (!node.yaml().IsMap()) node.fail("expected a map");
  std::vector<std::string> keys;
  for (const auto& entry : node.yaml())
    if (entry.first.IsScalar()) keys.push_back(entry.first.Scalar());
  node.expect_map(keys);
  return keys;
}

template <typename Enum>
Enum parse_name(const ConfigNode& node, const std::vector<std::pair<const char*, Enum>>& names) {
  const std::string text = node.as_string();
  std::vector<std::string> known;
  for (const auto& [name, value] : names) {
    if (text == name) return value;
    known.emplace_back(name);
  }
  node.fail("unknown value '" + text + "'; known: " + join(known));
}

Recipe parse_recipe(const std::string& name, const ConfigNode& node, const DatasetSpec& dataset) {
  node.expect_map({"epochs", "batch", "optimizer", "learning_rate", "momentum", "weight_decay", "schedule",
                   "train_subset", "validation", "seed"});
  Recipe recipe;
  recipe.name = name;
  recipe.epochs = node.required("epochs").as_int(1, 100000);
  recipe.batch = node.required("batch").as_int(1, 65536);
  recipe.optimizer =
      parse_name<Optimizer>(node.required("optimizer"), {{"sgd", Optimizer::sgd}, {"adam", Optimizer::adam}});
  recipe.learning_rate = node.required("learning_rate").as_double(1e-9, 10.0);
  if (node.has("momentum")) {
    if (recipe.optimizer != Optimizer::sgd) node.required("momentum").fail("momentum applies to sgd only");
    recipe.momentum = node.required("momentum").as_double(0.0, 0.999);
  }
  if (node.has("weight_decay")) recipe.weight_decay = node.required("weight_decay").as_double(0.0, 1.0);
  recipe.schedule = parse_name<LearningRateSchedule>(
      node.required("schedule"), {{"constant", LearningRateSchedule::constant},
                                  {"cosine", LearningRateSchedule::cosine},
                                  {"step", LearningRateSchedule::step}});
  const ConfigNode train = node.required("train_subset");
  recipe.train_subset = train.as_int(1, dataset.max_train_images());
  const ConfigNode validation = node.required("validation");
  recipe.validation = validation.as_int(1, dataset.max_train_images());
  if (dataset.kind == DatasetKind::fashion_mnist && recipe.train_subset + recipe.validation > dataset.max_train_images())
    validation.fail("train_subset + validation is " + std::to_string(recipe.train_subset + recipe.validation) +
                    "; " + dataset.name() + " has " + std::to_string(dataset.max_train_images()) +
                    " training images");
  recipe.seed = static_cast<std::uint64_t>(node.required("seed").as_int(0));
  return recipe;
}

const char* optimizer_name(Optimizer optimizer) { return optimizer == Optimizer::sgd ? "sgd" : "adam"; }

const char* schedule_name(LearningRateSchedule schedule) {
  switch (schedule) {
    case LearningRateSchedule::constant: return "constant";
    case LearningRateSchedule::cosine: return "cosine";
    case LearningRateSchedule::step: return "step";
  }
  return "?";
}

// %.17g reads back to the same double, so equal text means an equal recipe.
std::string exact(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

bool has_recipe(const SearchSpace& space, const std::string& name) {
  for (const Recipe& recipe : space.recipes)
    if (recipe.name == name) return true;
  return false;
}

// The images a count asks for must exist in the recipe it scores with: a
// larger count would silently mean fewer.
void parse_supernet(const ConfigNode& node, SearchSpace& space) {
  node.expect_map({"recipe", "sandwich", "random", "distill", "calibration", "evaluation", "finetune"});
  SupernetSettings& settings = space.supernet;
  if (node.has("recipe")) {
    const ConfigNode recipe = node.required("recipe");
    settings.recipe = recipe.as_string();
    if (!has_recipe(space, settings.recipe)) recipe.fail("no recipe named '" + settings.recipe + "' under recipes");
  }
  if (node.has("sandwich")) settings.sandwich = node.required("sandwich").as_switch();
  if (node.has("random")) settings.random = node.required("random").as_int(0, 64);
  if (!settings.sandwich && settings.random == 0)
    node.fail("with sandwich: false, random must be at least 1, or no candidate trains");
  if (node.has("distill")) {
    const ConfigNode distill = node.required("distill");
    settings.distill = distill.as_switch();
    if (settings.distill && !settings.sandwich)
      distill.fail("distillation learns from the largest candidate, which trains only with sandwich: true");
  }
  const Recipe& recipe = space.recipe(settings.recipe);
  if (node.has("calibration")) settings.calibration = node.required("calibration").as_int(1, recipe.train_subset);
  if (node.has("evaluation")) settings.evaluation = node.required("evaluation").as_int(1, recipe.validation);
  // Fine-tuning batches are drawn in order from the training images, and do not wrap.
  if (node.has("finetune"))
    settings.finetune = node.required("finetune").as_int(0, recipe.train_subset / std::max<std::int64_t>(1, recipe.batch));
}

}  // namespace

const char* metric_name(Metric metric) { return metric == Metric::top1 ? "top1" : "iou"; }

AccuracyMethod parse_accuracy_method(const std::string& name) {
  if (name == "train") return AccuracyMethod::train;
  if (name == "supernet") return AccuracyMethod::supernet;
  throw InputError("", 0, "accuracy", "unknown accuracy method '" + name + "'; known: train, supernet");
}

const char* accuracy_method_name(AccuracyMethod method) {
  return method == AccuracyMethod::train ? "train" : "supernet";
}

std::string Recipe::canonical() const {
  return "epochs=" + std::to_string(epochs) + " batch=" + std::to_string(batch) +
         " optimizer=" + optimizer_name(optimizer) + " lr=" + exact(learning_rate) + " momentum=" + exact(momentum) +
         " weight_decay=" + exact(weight_decay) + " schedule=" + schedule_name(schedule) +
         " train=" + std::to_string(train_subset) + " validation=" + std::to_string(validation) +
         " seed=" + std::to_string(seed);
}

std::string SupernetSettings::training_canonical() const {
  // "distill" is named only when on, so supernets trained before it existed keep their keys.
  return "sandwich=" + std::string(sandwich ? "yes" : "no") + " random=" + std::to_string(random) +
         (distill ? " distill=yes" : "");
}

std::int64_t Architecture::at(const std::string& decision) const {
  for (const auto& [name, value] : choices)
    if (name == decision) return value;
  NASAIC_CHECK(false, "the architecture has no decision '" + decision + "'");
  return 0;
}

const Recipe& SearchSpace::recipe(const std::string& recipe_name) const {
  std::vector<std::string> names;
  for (const Recipe& each : recipes) {
    if (each.name == recipe_name) return each;
    names.push_back(each.name);
  }
  throw InputError(file, 0, "recipe", "no recipe '" + recipe_name + "' in the space; it has: " + join(names));
}

Network SearchSpace::network(const Architecture& architecture, const std::string& network_name) const {
  return family->build(architecture, dataset.shape(), static_cast<int>(architecture.at("bits")), network_name, task);
}

Architecture SearchSpace::sample(std::uint64_t seed, std::int64_t index) const {
  // One engine per (seed, index): the k-th draw does not depend on how many
  // come before it. The engine's raw output keeps draws portable.
  std::seed_seq sequence{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                         static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32)};
  std::mt19937_64 engine(sequence);
  Architecture architecture;
  for (const Decision& decision : decisions) {
    const auto pick = engine() % decision.values.size();
    architecture.choices.emplace_back(decision.name, decision.values[pick]);
  }
  return architecture;
}

Architecture SearchSpace::smallest() const {
  Architecture architecture;
  for (const Decision& decision : decisions) architecture.choices.emplace_back(decision.name, decision.values.front());
  return architecture;
}

Architecture SearchSpace::largest() const {
  Architecture architecture;
  for (const Decision& decision : decisions) architecture.choices.emplace_back(decision.name, decision.values.back());
  return architecture;
}

std::optional<double> SearchSpace::least_cost(const std::function<double(const Network&)>& cost) const {
  std::vector<std::size_t> varied;  // decisions tried at every value
  std::int64_t combinations = 1;
  for (std::size_t d = 0; d < decisions.size(); ++d) {
    if (decisions[d].larger_costs_more) continue;
    varied.push_back(d);
    combinations *= static_cast<std::int64_t>(decisions[d].values.size());
    if (combinations > kLeastCostCombinations) return std::nullopt;
  }
  Architecture architecture = smallest();
  std::optional<double> least;
  for (std::int64_t index = 0; index < combinations; ++index) {
    std::int64_t rest = index;
    for (const std::size_t d : varied) {
      const auto& values = decisions[d].values;
      architecture.choices[d].second = values[static_cast<std::size_t>(rest % static_cast<std::int64_t>(values.size()))];
      rest /= static_cast<std::int64_t>(values.size());
    }
    try {
      const double value = cost(network(architecture, name));
      if (!least || value < *least) least = value;
    } catch (const InputError&) {
      // Does not fit the input: not a network of the space.
    }
  }
  return least;
}

SearchSpace load_search_space(const std::string& path) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map(
      {"name", "task", "dataset", "metric", "family", "bits", "accuracy", "supernet", "recipe", "recipes"});
  SearchSpace space;
  space.file = path;
  space.name = root.required("name").as_string();
  space.task = root.required("task").as_string();
  space.dataset = parse_dataset(root.required("dataset"));
  const ConfigNode family = root.required("family");
  space.family = make_family(family);
  if (space.family->output_kind() != space.dataset.output_kind()) {
    family.fail(std::string("family '") + space.family->name() + "' produces " +
                (space.family->output_kind() == OutputKind::class_scores ? "class scores" : "a pixel mask") +
                ", but data set '" + space.dataset.name() + "' needs " +
                (space.dataset.output_kind() == OutputKind::class_scores ? "class scores" : "a pixel mask"));
  }
  const ConfigNode metric = root.required("metric");
  space.metric = parse_name<Metric>(metric, {{"top1", Metric::top1}, {"iou", Metric::iou}});
  const Metric expected = space.dataset.output_kind() == OutputKind::class_scores ? Metric::top1 : Metric::iou;
  if (space.metric != expected)
    metric.fail(std::string("data set '") + space.dataset.name() + "' is scored by " + metric_name(expected));
  space.decisions = space.family->decisions();
  const ConfigNode bits = root.required("bits");
  std::vector<std::int64_t> widths = read_choices(bits, 1, 32);
  for (const std::int64_t width : widths)
    if (width != 4 && width != 8 && width != 16)
      bits.fail("bit width " + std::to_string(width) + " is not one of 4, 8, 16");
  // Bits change no MAC count but every energy per MAC: least_cost tries each.
  space.decisions.push_back({"bits", widths, false});
  if (root.has("accuracy")) {
    const ConfigNode accuracy = root.required("accuracy");
    space.accuracy = parse_name<AccuracyMethod>(
        accuracy, {{"train", AccuracyMethod::train}, {"supernet", AccuracyMethod::supernet}});
  }
  const ConfigNode recipes = root.required("recipes");
  for (const std::string& name : map_keys(recipes))
    space.recipes.push_back(parse_recipe(name, recipes.required(name), space.dataset));
  if (space.recipes.empty()) recipes.fail("expected at least one recipe");
  const ConfigNode chosen = root.required("recipe");
  space.default_recipe = chosen.as_string();
  if (!has_recipe(space, space.default_recipe))
    chosen.fail("no recipe named '" + space.default_recipe + "' under recipes");
  space.supernet.recipe = space.default_recipe;
  if (root.has("supernet")) parse_supernet(root.required("supernet"), space);
  // The default calibration count, where the recipe has fewer training images.
  space.supernet.calibration =
      std::min(space.supernet.calibration, space.recipe(space.supernet.recipe).train_subset);
  // Every architecture must build: the smallest and the largest bound the
  // shapes (strides and depth), so a space that cannot hold them fails here.
  for (const Architecture& bound : {space.smallest(), space.largest()}) {
    try {
      space.network(bound, space.name);
    } catch (const InputError& error) {
      family.fail(std::string("the space holds a network that cannot be built: ") + error.what());
    }
  }
  return space;
}

Architecture parse_architecture(const ConfigNode& root, const SearchSpace& space) {
  root.expect_map({"space", "choices"});
  const ConfigNode name = root.required("space");
  if (name.as_string() != space.name)
    name.fail("this architecture belongs to space '" + name.as_string() + "', not '" + space.name + "'");
  const ConfigNode choices = root.required("choices");
  std::vector<std::string> names;
  for (const Decision& decision : space.decisions) names.push_back(decision.name);
  choices.expect_map(names);
  Architecture architecture;
  for (const Decision& decision : space.decisions) {
    if (!choices.has(decision.name))
      throw InputError(choices.file(), choices.line(), choices.path() + "." + decision.name,
                       "missing decision; every decision of the space needs a value");
    const ConfigNode value_node = choices.required(decision.name);
    const std::int64_t value = value_node.as_int(INT64_MIN);
    if (std::find(decision.values.begin(), decision.values.end(), value) == decision.values.end())
      value_node.fail(std::to_string(value) + " is outside the space; choices: " + join_values(decision.values));
    architecture.choices.emplace_back(decision.name, value);
  }
  return architecture;
}

Architecture load_architecture(const std::string& path, const SearchSpace& space) {
  return parse_architecture(ConfigNode::load_file(path), space);
}

std::string architecture_to_yaml(const Architecture& architecture, const SearchSpace& space) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "space" << YAML::Value;
  emit_yaml_string(out, space.name);
  out << YAML::Key << "choices" << YAML::Value << YAML::BeginMap;
  for (const auto& [name, value] : architecture.choices) out << YAML::Key << name << YAML::Value << value;
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nasaic
