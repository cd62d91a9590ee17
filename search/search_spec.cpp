#include "search/search_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "common/error.hpp"
#include "common/text_file.hpp"
#include "common/units.hpp"
#include "dataflows/layer_cost.hpp"
#include "models/network_yaml.hpp"
#include "models/zoo.hpp"
#include "search/spec_floors.hpp"

namespace nasaic {
namespace {

// The smallest area a chip of the space can have: the fewest
// sub-accelerators, each with the smallest PE array and buffers.
double smallest_area_um2(const HardwareSpace& space) {
  if (space.fixed) return chip_area_um2(space.base);
  SubAcceleratorSpec sub = space.base.sub_accelerators.front();
  double smallest = -1;
  for (const PeArray& array : space.pe_arrays) {
    for (int bits : space.bits) {
      sub.rows = array.rows;
      sub.cols = array.cols;
      sub.bits = bits;
      const std::int64_t bytes = *std::min_element(space.buffer_bytes.begin(), space.buffer_bytes.end());
      sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = bytes;
      const double area = sub_accelerator_area_um2(sub, space.base.technology);
      if (smallest < 0 || area < smallest) smallest = area;
    }
  }
  return space.base.technology.interconnect_area_um2_per_port + static_cast<double>(space.sub_counts.front()) * smallest;
}

// Reported before anything is trained: a latency or energy spec below what
// any design of the spec could reach (search/spec_floors.hpp).
void refuse_unreachable_specs(const SearchSpec& spec, const ConfigNode& root) {
  bool latency_specs = false;
  for (const TaskSpec& task : spec.tasks) latency_specs = latency_specs || task.latency_seconds;
  if (!spec.makespan_seconds && !spec.energy_pj && !latency_specs) return;
  const SpecFloors floors = spec_floors(spec);
  // Three digits, rounded down: the bound stays a bound.
  const auto at_least = [](double value) {
    const double unit = std::pow(10.0, std::floor(std::log10(value)) - 2);
    char text[32];
    std::snprintf(text, sizeof text, "%.3g", std::floor(value / unit) * unit);
    return std::string(text);
  };
  const std::string work = " (the fewest multiplies the networks allow, on all " + std::to_string(floors.pes) +
                           " PEs at " + shortest_number(floors.clock_hz * 1e-6) + " MHz)";
  const auto refuse = [](const ConfigNode& node, const std::string& what) {
    node.fail("no design of the space meets it: every design needs at least " + what);
  };
  const std::vector<ConfigNode> tasks = root.required("tasks").sequence();
  for (std::size_t t = 0; t < spec.tasks.size(); ++t) {
    const auto& floor = floors.task_latency_seconds[t];
    if (spec.tasks[t].latency_seconds && floor && *floor > *spec.tasks[t].latency_seconds)
      refuse(tasks[t].required("latency"), at_least(*floor * 1e3) + " ms" + work);
  }
  if (spec.makespan_seconds && floors.makespan_seconds && *floors.makespan_seconds > *spec.makespan_seconds)
    refuse(root.required("specs").required("makespan"), at_least(*floors.makespan_seconds * 1e3) + " ms" + work);
  if (spec.energy_pj && floors.energy_pj && *floors.energy_pj > *spec.energy_pj)
    refuse(root.required("specs").required("energy"),
           at_least(*floors.energy_pj * 1e-6) + " uJ (the MAC and register energy of the fewest multiplies the networks allow)");
}

TaskSpec parse_task(const ConfigNode& node) {
  node.expect_map({"name", "space", "network", "weight", "latency", "accuracy", "recipe"});
  TaskSpec task;
  task.name = node.required("name").as_string();
  const auto space = node.optional("space");
  const auto network = node.optional("network");
  if (space.has_value() == network.has_value()) node.fail("a task takes either a search space or a fixed network");
  if (space) {
    task.space = load_search_space(space->as_relative_file("search space"));
  } else {
    const std::string name = network->as_string();
    task.network = is_zoo_model(name) ? zoo_model(name) : load_model(network->as_relative_file("network file"));
  }
  if (const auto accuracy = node.optional("accuracy")) {
    if (!task.space) accuracy->fail("a fixed network has no accuracy to measure");
    try {
      task.accuracy = parse_accuracy_method(accuracy->as_string());
    } catch (const InputError& error) {
      accuracy->fail(error.message());
    }
  }
  if (const auto recipe = node.optional("recipe")) {
    if (!task.space) recipe->fail("a fixed network is not trained");
    task.recipe = recipe->as_string();
    try {
      task.space->recipe(task.recipe);
    } catch (const InputError& error) {
      recipe->fail(error.message());
    }
  }
  if (const auto weight = node.optional("weight")) {
    task.weight = weight->as_double(0, 1e6);
    if (!(task.weight > 0)) weight->fail("must be positive");
  }
  if (const auto latency = node.optional("latency")) task.latency_seconds = latency->as_positive_quantity({UnitKind::time}).value;
  return task;
}

}  // namespace

const char* cost_metric_name(CostMetric metric) {
  switch (metric) {
    case CostMetric::makespan: return "makespan";
    case CostMetric::energy: return "energy";
    case CostMetric::area: return "area";
    case CostMetric::edp: return "edp";
  }
  return "?";
}

SearchSpec load_search_spec(const std::string& path) {
  SearchSpec spec;
  spec.file = path;
  spec.text = read_text_file(path);
  const ConfigNode root = ConfigNode::load_string(spec.text, path);
  root.expect_map(
      {"name", "seed", "evaluations", "tasks", "hardware", "specs", "objective", "controller", "calibration", "simulator"});
  spec.name = root.required("name").as_string();
  if (const auto seed = root.optional("seed")) spec.seed = static_cast<std::uint64_t>(seed->as_int(0));
  if (const auto evaluations = root.optional("evaluations")) spec.evaluations = evaluations->as_int(1, 100'000'000);

  const ConfigNode tasks = root.required("tasks");
  std::set<std::string> names;
  for (const ConfigNode& item : tasks.sequence()) {
    TaskSpec task = parse_task(item);
    if (!names.insert(task.name).second) item.required("name").fail("task '" + task.name + "' appears twice");
    spec.tasks.push_back(std::move(task));
  }
  if (spec.tasks.empty()) tasks.fail("expected at least one task");

  spec.hardware = parse_hardware_space(root.required("hardware"));
  if (spec.hardware.fixed) {
    if (!spec.searches_networks()) root.required("hardware").fail("a given chip and fixed networks leave nothing to search");
  }

  if (const auto specs = root.optional("specs")) {
    specs->expect_map({"makespan", "energy", "area"});
    if (const auto makespan = specs->optional("makespan")) spec.makespan_seconds = makespan->as_positive_quantity({UnitKind::time}).value;
    if (const auto energy = specs->optional("energy")) spec.energy_pj = energy->as_positive_quantity({UnitKind::energy}).value;
    if (const auto area = specs->optional("area")) {
      spec.area_um2 = area->as_positive_quantity({UnitKind::area}).value;
      // Reported before anything is trained: no candidate could meet it.
      const double smallest = smallest_area_um2(spec.hardware);
      if (smallest > *spec.area_um2)
        area->fail("no chip of the hardware space meets it: the smallest has " + shortest_number(smallest * 1e-6) + " mm2");
    }
  }

  const ConfigNode objective = root.required("objective");
  if (objective.is_scalar()) {
    const std::string kind = objective.as_string();
    if (kind == "accuracy") {
      spec.objective = ObjectiveKind::accuracy;
    } else if (kind == "pareto") {
      spec.objective = ObjectiveKind::pareto;
    } else {
      objective.fail("unknown objective '" + kind + "'; known: accuracy, pareto, {minimize: <metric>}");
    }
  } else {
    objective.expect_map({"minimize"});
    spec.objective = ObjectiveKind::minimize;
    const ConfigNode metric = objective.required("minimize");
    const std::string name = metric.as_string();
    bool known = false;
    for (CostMetric m : {CostMetric::makespan, CostMetric::energy, CostMetric::area, CostMetric::edp}) {
      if (name == cost_metric_name(m)) {
        spec.minimize = m;
        known = true;
      }
    }
    if (!known) metric.fail("unknown metric '" + name + "'; known: makespan, energy, area, edp");
  }
  if (spec.objective != ObjectiveKind::minimize) {
    if (!spec.searches_networks()) objective.fail("an accuracy objective needs at least one task with a search space");
  }

  const ConfigNode controller = root.required("controller");
  // Its keys are the controller's own, checked by make_controller.
  controller.required("name");
  spec.controller = controller;

  if (const auto simulator = root.optional("simulator")) {
    simulator->expect_map({"every", "top", "jobs", "timeout", "recalibrate", "refine"});
    spec.simulator.enabled = true;
    if (const auto every = simulator->optional("every")) spec.simulator.every = every->as_int(1, 100'000'000);
    if (const auto top = simulator->optional("top")) spec.simulator.top = static_cast<int>(top->as_int(1, 1000));
    if (const auto jobs = simulator->optional("jobs")) spec.simulator.jobs = static_cast<int>(jobs->as_int(1, 256));
    if (const auto timeout = simulator->optional("timeout"))
      spec.simulator.timeout_seconds = timeout->as_positive_quantity({UnitKind::time}).value;
    if (const auto recalibrate = simulator->optional("recalibrate")) spec.simulator.recalibrate = recalibrate->as_switch();
    if (const auto refine = simulator->optional("refine")) spec.simulator.refine = refine->as_switch();
  }

  if (const auto calibration = root.optional("calibration")) {
    spec.calibration_file = calibration->as_relative_file("calibration file");
    spec.surrogate = load_surrogate_params(spec.calibration_file, spec.hardware.base.technology.hash);
  }
  refuse_unreachable_specs(spec, root);
  return spec;
}

bool SearchSpec::searches_networks() const {
  for (const TaskSpec& task : tasks)
    if (task.space) return true;
  return false;
}

SpecVerdict check_specs(const SearchSpec& spec, double makespan_seconds, const std::vector<double>& task_latency_seconds,
                        double energy_pj, double area_um2) {
  SpecVerdict verdict;
  auto check = [&](const std::optional<double>& limit, double value, const std::string& what) {
    if (!limit || value <= *limit) return;
    verdict.violation += value / *limit - 1;
    // Three digits say how far off a design is; the violation keeps the exact ratio.
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.3g", value / *limit);
    verdict.reason += (verdict.reason.empty() ? "" : "; ") + what + " " + ratio + "x its spec";
  };
  check(spec.makespan_seconds, makespan_seconds, "makespan");
  for (std::size_t t = 0; t < spec.tasks.size() && t < task_latency_seconds.size(); ++t)
    check(spec.tasks[t].latency_seconds, task_latency_seconds[t], spec.tasks[t].name + " latency");
  check(spec.energy_pj, energy_pj, "energy");
  check(spec.area_um2, area_um2, "area");
  return verdict;
}

}  // namespace nasaic
