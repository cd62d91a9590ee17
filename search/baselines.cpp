#include "search/baselines.hpp"

#include <cstdio>

#include "common/error.hpp"

namespace nasaic {

SearchSpec accuracy_only_spec(const SearchSpec& spec) {
  SearchSpec derived = spec;
  derived.name = spec.name + "-networks";
  derived.text = spec.text + "\n# successive, step 1: the networks for accuracy alone\n";
  derived.hardware.fixed = true;  // the base chip: every network maps, no hardware decision
  derived.makespan_seconds.reset();
  derived.energy_pj.reset();
  derived.area_um2.reset();
  for (TaskSpec& task : derived.tasks) task.latency_seconds.reset();
  derived.objective = ObjectiveKind::accuracy;
  derived.simulator.enabled = false;
  return derived;
}

SearchSpec hardware_only_spec(const SearchSpec& spec, const std::vector<Architecture>& architectures) {
  NASAIC_CHECK(architectures.size() == spec.tasks.size(), "one architecture per task");
  SearchSpec derived = spec;
  derived.name = spec.name + "-hardware";
  derived.text = spec.text + "\n# successive, step 2: the hardware for the chosen networks\n";
  for (std::size_t t = 0; t < derived.tasks.size(); ++t) {
    TaskSpec& task = derived.tasks[t];
    if (!task.space) continue;
    derived.text += "# " + task.name + ":";
    for (const auto& [decision, value] : architectures[t].choices) derived.text += " " + decision + "=" + std::to_string(value);
    derived.text += "\n";
    task.network = task.space->network(architectures[t], task.name);
    task.space.reset();
    task.accuracy.reset();
  }
  derived.objective = ObjectiveKind::minimize;
  derived.minimize = CostMetric::makespan;
  return derived;
}

SuccessiveResult run_successive(const SearchSpec& spec, const AccuracyOracle& accuracy, const ControllerFactory& make,
                                const SearchRunOptions& options) {
  SuccessiveResult result;

  const SearchSpec networks_spec = accuracy_only_spec(spec);
  CoSearchEvaluator networks_evaluator(networks_spec, accuracy);
  std::unique_ptr<Controller> networks_controller = make(networks_evaluator.design_space());
  result.networks = run_search(networks_evaluator, *networks_controller, in_subfolder(options, "networks"));
  if (!result.networks.has_best) throw InputError(spec.file, 0, "tasks", "the networks search found no network that maps");
  const Evaluation chosen = networks_evaluator.evaluate(result.networks.best_genes);

  const SearchSpec hardware_spec = hardware_only_spec(spec, chosen.architectures);
  CoSearchEvaluator hardware_evaluator(hardware_spec, nullptr);
  std::unique_ptr<Controller> hardware_controller = make(hardware_evaluator.design_space());
  result.hardware = run_search(hardware_evaluator, *hardware_controller, in_subfolder(options, "hardware"));
  const Genome& chip_genes = result.hardware.has_best ? result.hardware.best_genes : result.hardware.closest_genes;
  if (chip_genes.empty() && !hardware_evaluator.design_space().choices.empty())
    throw InputError(spec.file, 0, "hardware", "the hardware search found no chip on which the chosen networks map");

  // The chosen networks' genes, then the chosen chip's, judged under the
  // whole spec.
  const CoSearchEvaluator full(spec, accuracy);
  Genome genes = result.networks.best_genes;
  genes.resize(full.hardware_offset());
  genes.insert(genes.end(), chip_genes.begin(), chip_genes.end());
  result.design = full.evaluate(genes);
  if (result.design.legal && !result.design.meets_specs) {
    // A violator is not trained by the evaluator; its networks' accuracy is
    // what the networks search measured.
    result.design.accuracy = chosen.accuracy;
    result.design.weighted_accuracy = chosen.weighted_accuracy;
  }
  result.design_json = evaluation_json(full, result.design, -1, -1);
  return result;
}

std::string comparison_markdown(const SearchSpec& spec, const Evaluation& cosearch, const SuccessiveResult& successive) {
  auto limit = [](const std::optional<double>& value, double scale, const char* unit) {
    if (!value) return std::string("none");
    char text[64];
    std::snprintf(text, sizeof text, "%.4g %s", *value * scale, unit);
    return std::string(text);
  };
  std::string md = "# NASAIC's comparison: `" + spec.name + "`\n\n";
  md += "Specs: makespan " + limit(spec.makespan_seconds, 1e3, "ms") + ", energy " + limit(spec.energy_pj, 1e-6, "uJ") +
        ", area " + limit(spec.area_um2, 1e-6, "mm2") + ".\n\n";
  md += "| design | weighted accuracy | makespan (ms) | energy (uJ) | area (mm2) | specs |\n|---|---|---|---|---|---|\n";
  auto row = [&](const std::string& name, const Evaluation& design) {
    char line[512];
    std::snprintf(line, sizeof line, "| %s | %.4f | %.4g | %.4g | %.4g | %s |\n", name.c_str(), design.weighted_accuracy,
                  design.makespan_seconds * 1e3, design.energy_pj * 1e-6, design.area_um2 * 1e-6,
                  !design.legal ? ("illegal: " + design.reason).c_str()
                  : design.meets_specs ? "all met"
                                       : design.reason.c_str());
    md += line;
  };
  row("co-search", cosearch);
  row("successive", successive.design);
  char line[256];
  std::snprintf(line, sizeof line,
                "\nAccuracy difference (co-search - successive): %+.2f points. Searches: co-search in `cosearch/`, "
                "successive in `successive/networks/` and `successive/hardware/`.\n",
                100 * (cosearch.weighted_accuracy - successive.design.weighted_accuracy));
  md += line;
  return md;
}

}  // namespace nasaic
