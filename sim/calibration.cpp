#include "sim/calibration.hpp"

#include <unistd.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <tuple>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "common/rank_statistics.hpp"
#include "common/text_file.hpp"
#include "dataflows/dataflow_template.hpp"
#include "models/network_yaml.hpp"
#include "models/zoo.hpp"
#include "sim/simulation_job.hpp"
#include "sim/simulator_version.hpp"

namespace nasaic {
namespace {

nlohmann::ordered_json layer_to_json(const Layer& l) {
  return {{"name", l.name},
          {"type", layer_type_name(l.type)},
          {"N", l.N},
          {"C", l.C},
          {"H", l.H},
          {"W", l.W},
          {"K", l.K},
          {"R", l.R},
          {"S", l.S},
          {"stride", {l.stride_h, l.stride_w}},
          {"padding", {l.padding.top, l.padding.bottom, l.padding.left, l.padding.right}},
          {"groups", l.groups},
          {"bits", l.bits}};
}

// A points file's chips and layers meet the limits of chip files and
// network files (ChipLimits, Layer::validate); indices stay far inside int.
constexpr std::int64_t kMaxPointIndex = 1'000'000'000;

Layer layer_from_json(const JsonValue& j) {
  j.expect_keys({"name", "type", "N", "C", "H", "W", "K", "R", "S", "stride", "padding", "groups", "bits"});
  Layer l;
  l.name = j.at("name").as_string();
  const JsonValue type = j.at("type");
  try {
    l.type = parse_layer_type(type.as_string());
  } catch (const InputError& e) {
    if (!e.file().empty()) throw;
    type.fail(e.message());
  }
  const auto dimension = [&](const JsonValue& value) { return value.as_int(1, kMaxLayerDimension); };
  l.N = dimension(j.at("N"));
  l.C = dimension(j.at("C"));
  l.H = dimension(j.at("H"));
  l.W = dimension(j.at("W"));
  l.K = dimension(j.at("K"));
  l.R = dimension(j.at("R"));
  l.S = dimension(j.at("S"));
  const auto stride = j.at("stride").elements(2);
  l.stride_h = dimension(stride[0]);
  l.stride_w = dimension(stride[1]);
  const auto padding = j.at("padding").elements(4);
  l.padding = {padding[0].as_int(0, kMaxLayerDimension), padding[1].as_int(0, kMaxLayerDimension),
               padding[2].as_int(0, kMaxLayerDimension), padding[3].as_int(0, kMaxLayerDimension)};
  l.groups = dimension(j.at("groups"));
  l.bits = static_cast<int>(j.at("bits").as_int(1, 64));
  const std::string problem = l.validate();
  if (!problem.empty()) {
    // validate() says "field: what is wrong", naming a gemm's fields M, K, N
    // as a network file does; a points file stores them as H, C, K.
    const std::size_t colon = problem.find(": ");
    if (colon == std::string::npos) j.fail(problem);
    std::string field = problem.substr(0, colon);
    if (l.type == LayerType::gemm) field = field == "M" ? "H" : field == "K" ? "C" : field == "N" ? "K" : field;
    throw InputError(j.file(), j.line(), j.key_path(field), problem.substr(colon + 2));
  }
  return l;
}

Layer random_layer(std::mt19937_64& random) {
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(random);
  };
  Layer l;
  l.name = "random";
  const int kind = static_cast<int>(pick(0, 9));
  l.type = kind < 5   ? LayerType::conv
           : kind < 7 ? LayerType::dwconv
           : kind < 8 ? LayerType::fc
           : kind < 9 ? LayerType::gemm
                      : LayerType::pool;
  if (l.type == LayerType::fc) {
    l.N = pick(1, 8);
    l.C = pick(16, 2048);
    l.K = pick(16, 2048);
    return l;
  }
  if (l.type == LayerType::gemm) {
    l.H = pick(16, 512);
    l.C = pick(16, 1024);
    l.K = pick(16, 1024);
    return l;
  }
  l.C = pick(1, 256);
  l.H = l.W = pick(7, 112);
  l.R = l.S = std::min<std::int64_t>(l.H, pick(0, 2) * 2 + 1);
  l.stride_h = l.stride_w = pick(1, 2);
  const std::int64_t pad = l.R / 2;
  l.padding = {pad, pad, pad, pad};
  l.K = pick(1, 256);
  if (l.type == LayerType::dwconv || l.type == LayerType::pool) {
    l.K = l.groups = l.C;
  }
  return l;
}

const std::vector<Layer>& zoo_layers() {
  static const std::vector<Layer> layers = [] {
    std::vector<Layer> all;
    for (const char* name : {"resnet18", "resnet50", "mobilenet_v2", "alexnet", "vgg16", "resnet20"}) {
      const Network network = zoo_model(name);
      for (const auto& layer : network.layers()) {
        Layer copy = layer;
        copy.inputs.clear();
        if (copy.type == LayerType::add) copy.inputs = {"a", "b"};
        all.push_back(copy);
      }
    }
    return all;
  }();
  return layers;
}

template <class T>
const T& pick_from(const std::vector<T>& items, std::mt19937_64& random) {
  return items[random() % items.size()];
}

}  // namespace

std::string DesignRanges::id(const std::string& technology_hash) const {
  const nlohmann::ordered_json identity = {{"seed", seed},
                                           {"array_sizes", array_sizes},
                                           {"buffer_kib", buffer_kib},
                                           {"dram_bytes_per_cycle", dram_bytes_per_cycle},
                                           {"max_concurrent_sub_accelerators", max_concurrent},
                                           {"templates", template_names()},
                                           {"technology_hash", technology_hash}};
  return fnv1a_hex(identity.dump());
}

nlohmann::ordered_json DesignRanges::to_json(const std::string& technology_hash) const {
  return {{"id", id(technology_hash)},
          {"seed", seed},
          {"samples", samples},
          {"array_sizes", array_sizes},
          {"buffer_kib", buffer_kib},
          {"dram_bytes_per_cycle", dram_bytes_per_cycle},
          {"max_concurrent_sub_accelerators", max_concurrent},
          {"templates", template_names()},
          {"layers", "zoo layers (resnet18, resnet50, mobilenet_v2, alexnet, vgg16, resnet20) and random shapes"},
          {"technology_hash", technology_hash}};
}

std::vector<DesignPoint> draw_design(const DesignRanges& ranges, const Technology& technology) {
  std::vector<DesignPoint> points;
  const auto& templates = template_names();
  const std::string design = ranges.id(technology.hash);
  for (int index = 0; index < ranges.samples; ++index) {
    // Each point depends only on the seed and its index, so a run can grow.
    std::mt19937_64 random(ranges.seed * 1000003u + static_cast<std::uint64_t>(index));
    DesignPoint point;
    point.design = design;
    point.index = index;
    point.dram_bytes_per_cycle = pick_from(ranges.dram_bytes_per_cycle, random);
    const Arbitration policies[] = {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition};
    point.arbitration = policies[random() % 3];
    const int subs = 1 + static_cast<int>(random() % static_cast<std::uint64_t>(ranges.max_concurrent));
    for (int s = 0; s < subs; ++s) {
      DesignPoint::Sub sub;
      for (int attempt = 0; attempt < 50; ++attempt) {
        sub.dataflow = pick_from(templates, random);
        sub.rows = pick_from(ranges.array_sizes, random);
        sub.cols = pick_from(ranges.array_sizes, random);
        sub.buffer_bytes = pick_from(ranges.buffer_kib, random) * 1024;
        sub.layer = random() % 2 ? pick_from(zoo_layers(), random) : random_layer(random);
        sub.layer.name = "l";
        DesignPoint alone;
        alone.dram_bytes_per_cycle = point.dram_bytes_per_cycle;
        alone.arbitration = point.arbitration;
        alone.subs = {sub};
        const ChipSpec chip = chip_of(alone, technology);
        if (find_template(sub.dataflow).plan(sub.layer, chip.sub_accelerators[0]).feasible) break;
        sub.dataflow.clear();
      }
      if (!sub.dataflow.empty()) point.subs.push_back(sub);
    }
    if (point.subs.empty()) point.failure = "no feasible layer and sub-accelerator drawn";
    points.push_back(point);
  }
  return points;
}

ChipSpec chip_of(const DesignPoint& point, const Technology& technology) {
  ChipSpec chip;
  chip.name = "point" + std::to_string(point.index);
  chip.clock_hz = 1e9;
  chip.technology_file = "built-in";
  chip.technology = technology;
  chip.dram.bytes_per_cycle = point.dram_bytes_per_cycle;
  chip.dram.latency_cycles = 100;
  chip.dram.burst_bytes = 64;
  chip.interconnect.arbitration = point.arbitration;
  chip.interconnect.link_bytes_per_cycle = 64;
  for (std::size_t s = 0; s < point.subs.size(); ++s) {
    SubAcceleratorSpec sub;
    sub.name = "s" + std::to_string(s);
    sub.dataflow = point.subs[s].dataflow;
    sub.rows = point.subs[s].rows;
    sub.cols = point.subs[s].cols;
    sub.bandwidth_share = std::floor(1000.0 / static_cast<double>(point.subs.size())) / 1000.0;
    sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = point.subs[s].buffer_bytes;
    chip.sub_accelerators.push_back(sub);
  }
  return chip;
}

Workload workload_of(const DesignPoint& point) {
  Workload workload;
  for (std::size_t s = 0; s < point.subs.size(); ++s) {
    Network network("p" + std::to_string(point.index) + "_s" + std::to_string(s), "calibration");
    Layer layer = point.subs[s].layer;
    layer.inputs.clear();
    network.add(layer);
    workload.networks.push_back(std::move(network));
  }
  return workload;
}

Schedule schedule_of(const DesignPoint& point) {
  Schedule schedule;
  schedule.per_sub.resize(point.subs.size());
  for (std::size_t s = 0; s < point.subs.size(); ++s) schedule.per_sub[s].push_back({static_cast<int>(s), 0});
  return schedule;
}

SimulationJob simulation_job_of(const DesignPoint& point, const std::string& technology_yaml) {
  SimulationJob job;
  job.chip = chip_of(point, builtin_technology());
  job.technology_yaml = technology_yaml;
  job.workload = workload_of(point);
  job.schedule = schedule_of(point);
  return job;
}

void take_simulated_figures(DesignPoint& point, const SimulationJobResult& result) {
  const std::string what = "the simulation of point " + std::to_string(point.index);
  if (!result.ok) throw InputError(what, 0, "completed", result.failure);
  const Workload workload = workload_of(point);
  std::vector<bool> seen(point.subs.size(), false);
  std::vector<double> cycles(point.subs.size()), energy(point.subs.size());
  for (const SimulatedLayer& layer : result.layers) {
    std::size_t sub = 0;
    while (sub < workload.networks.size() && workload.networks[sub].name() != layer.network) ++sub;
    if (sub == workload.networks.size())
      throw InputError(what, 0, "layers.network", "names no network of this point: " + excerpt(layer.network));
    if (seen[sub]) throw InputError(what, 0, "layers.network", "reported twice: " + excerpt(layer.network));
    seen[sub] = true;
    // A layer's cycles run from when it could start: dependency waits aside.
    cycles[sub] = static_cast<double>(layer.cycles() - layer.stall_dependency_cycles);
    if (!(cycles[sub] > 0)) throw InputError(what, 0, "layers.cycles", "no cycles left once dependency waits are taken off");
    if (!(layer.energy_pj > 0 && std::isfinite(layer.energy_pj)))
      throw InputError(what, 0, "layers.energy_pJ", "not a positive, finite energy");
    energy[sub] = layer.energy_pj;
  }
  for (std::size_t sub = 0; sub < seen.size(); ++sub) {
    if (!seen[sub]) throw InputError(what, 0, "layers", "reports no layer of " + workload.networks[sub].name());
  }
  point.cycles = std::move(cycles);
  point.energy_pj = std::move(energy);
}

void read_simulation_report(DesignPoint& point, const std::string& report) {
  take_simulated_figures(point,
                         read_simulation_result(report, "the simulation report of point " + std::to_string(point.index)));
}

namespace {

nlohmann::ordered_json design_json(const DesignPoint& point) {
  nlohmann::ordered_json json;
  json["design"] = point.design;
  json["index"] = point.index;
  json["dram_bytes_per_cycle"] = point.dram_bytes_per_cycle;
  json["arbitration"] = arbitration_name(point.arbitration);
  nlohmann::ordered_json subs = nlohmann::ordered_json::array();
  for (const auto& sub : point.subs) {
    subs.push_back({{"dataflow", sub.dataflow},
                    {"rows", sub.rows},
                    {"cols", sub.cols},
                    {"buffer_bytes", sub.buffer_bytes},
                    {"layer", layer_to_json(sub.layer)}});
  }
  json["subs"] = subs;
  return json;
}

bool is_design_id(const std::string& text) {
  return text.size() == 16 && std::all_of(text.begin(), text.end(),
                                          [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
}

// A chip's key ("sub_accelerators[1].pe_array.rows") as a points file spells it ("subs[1].rows").
std::string points_key(std::string key) {
  const std::pair<const char*, const char*> renames[] = {{"sub_accelerators[", "subs["},
                                                         {".pe_array.rows", ".rows"},
                                                         {".pe_array.cols", ".cols"},
                                                         {".pe_array", ""},
                                                         {".buffers.ifmap.capacity", ".buffer_bytes"},
                                                         {".buffers.filter.capacity", ".buffer_bytes"},
                                                         {".buffers.ofmap.capacity", ".buffer_bytes"},
                                                         {"dram.bandwidth", "dram_bytes_per_cycle"},
                                                         {"interconnect.arbitration", "arbitration"}};
  for (const auto& [from, to] : renames) {
    if (const std::size_t at = key.find(from); at != std::string::npos) key.replace(at, std::strlen(from), to);
  }
  return key;
}

std::string design_id_of(const JsonValue& value) {
  const std::string id = value.as_string();
  if (!is_design_id(id)) value.fail("expected the 16-hex-digit id of a design of experiments, got " + excerpt(id));
  return id;
}

}  // namespace

bool same_design(const DesignPoint& a, const DesignPoint& b) { return design_json(a) == design_json(b); }

nlohmann::ordered_json point_to_json(const DesignPoint& point) {
  nlohmann::ordered_json json = design_json(point);
  if (!point.failure.empty()) json["failure"] = point.failure;
  if (point.simulated()) {
    json["simulator"] = kSimulatorVersion;
    json["cycles"] = point.cycles;
    json["energy_pJ"] = point.energy_pj;
  }
  return json;
}

DesignPoint point_from_json(const JsonValue& row) {
  row.expect_keys({"design", "index", "dram_bytes_per_cycle", "arbitration", "subs", "failure", "simulator", "cycles",
                   "energy_pJ"});
  DesignPoint point;
  point.line = row.line();
  if (!row.has("design")) {
    row.fail_key("design",
                 "missing: each point names the design of experiments it was drawn from, and this file predates "
                 "that; simulate the points again into a new points file");
  }
  point.design = design_id_of(row.at("design"));
  point.index = static_cast<int>(row.at("index").as_int(0, kMaxPointIndex));
  point.dram_bytes_per_cycle =
      row.at("dram_bytes_per_cycle")
          .as_number(NumberRange::closed(ChipLimits::min_bytes_per_cycle, ChipLimits::max_dram_bytes_per_cycle));
  const JsonValue policy = row.at("arbitration");
  const std::string policy_name = policy.as_string();
  bool known_policy = false;
  for (Arbitration a : {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition}) {
    if (policy_name == arbitration_name(a)) {
      point.arbitration = a;
      known_policy = true;
    }
  }
  if (!known_policy)
    policy.fail("unknown arbitration " + excerpt(policy_name) + "; known: round-robin, weighted, static");
  if (const auto failure = row.find("failure")) point.failure = failure->as_string();
  const auto subs = row.at("subs").elements();
  if (static_cast<std::int64_t>(subs.size()) > ChipLimits::max_sub_accelerators ||
      (subs.empty() && point.failure.empty())) {
    row.at("subs").fail("a point has 1 to " + std::to_string(ChipLimits::max_sub_accelerators) +
                        " sub-accelerators, got " + std::to_string(subs.size()));
  }
  std::string known_templates;
  for (const auto& name : template_names()) known_templates += (known_templates.empty() ? "" : ", ") + name;
  for (const JsonValue& sub : subs) {
    sub.expect_keys({"dataflow", "rows", "cols", "buffer_bytes", "layer"});
    DesignPoint::Sub s;
    const JsonValue dataflow = sub.at("dataflow");
    s.dataflow = dataflow.as_string();
    const auto& names = template_names();
    if (std::find(names.begin(), names.end(), s.dataflow) == names.end()) {
      dataflow.fail("unknown dataflow template " + excerpt(s.dataflow) + "; known: " + known_templates);
    }
    s.rows = sub.at("rows").as_int(1, ChipLimits::max_array_side);
    s.cols = sub.at("cols").as_int(1, ChipLimits::max_array_side);
    s.buffer_bytes = sub.at("buffer_bytes").as_int(1, ChipLimits::max_buffer_bytes);
    s.layer = layer_from_json(sub.at("layer"));
    point.subs.push_back(std::move(s));
  }
  const ChipSpec chip = chip_of(point, builtin_technology());
  if (!point.subs.empty()) {
    // What no single key shows (the PEs of rows x cols), as a chip file is checked.
    const std::vector<SpecProblem> problems = validate(chip);
    if (!problems.empty()) throw InputError(row.file(), row.line(), points_key(problems[0].key), problems[0].message);
  }
  const bool has_results = row.has("cycles") || row.has("energy_pJ") || row.has("simulator");
  if (has_results) {
    if (!point.failure.empty()) row.at("failure").fail("a failed point has no results, yet this one has some");
    if (!row.has("simulator")) {
      row.fail_key("simulator",
                   std::string("missing: simulated by an earlier nasaic, whose timing may differ from this "
                               "simulator's (") +
                       kSimulatorVersion + "); simulate the points again into a new points file");
    }
    const JsonValue simulator = row.at("simulator");
    const std::string version = simulator.as_string();
    if (version != kSimulatorVersion) {
      simulator.fail("simulated by " + excerpt(version) + ", whose timing differs from this simulator's (" +
                     kSimulatorVersion + "); simulate the points again into a new points file");
    }
    for (const JsonValue& value : row.at("cycles").elements(point.subs.size())) {
      point.cycles.push_back(value.as_number(NumberRange::above(0, 1e300)));
    }
    for (const JsonValue& value : row.at("energy_pJ").elements(point.subs.size())) {
      point.energy_pj.push_back(value.as_number(NumberRange::above(0, 1e300)));
    }
    // A simulated layer fitted its sub-accelerator; the surrogate's tiling
    // relies on it.
    for (std::size_t s = 0; s < point.subs.size(); ++s) {
      const TilePlan plan = find_template(point.subs[s].dataflow).plan(point.subs[s].layer, chip.sub_accelerators[s]);
      if (!plan.feasible) subs[s].fail("has results, yet its layer does not fit it: " + plan.reason);
    }
  } else if (point.failure.empty()) {
    row.fail("neither results (simulator, cycles, energy_pJ) nor a failure");
  }
  return point;
}

std::vector<DesignPoint> load_points(const std::string& path) {
  const std::string text = read_text_file(path, std::size_t{1} << 30);
  std::vector<DesignPoint> points;
  std::map<std::pair<std::string, int>, std::size_t> seen;  // (design, index) -> position in points
  std::size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    const bool terminated = end != std::string::npos;
    if (!terminated) end = text.size();
    ++line;
    std::string row = text.substr(start, end - start);
    start = end + 1;
    if (!row.empty() && row.back() == '\r') row.pop_back();
    if (row.find_first_not_of(" \t\r") == std::string::npos) continue;
    DesignPoint point;
    try {
      point = point_from_json(parse_json(row, path, line));
    } catch (const InputError& e) {
      if (terminated || e.message().find("syntax error") == std::string::npos) throw;
      throw InputError(e.file(), e.line(), e.key(),
                       e.message() +
                           " (the last line is cut short: a run stopped while writing it? delete it and "
                           "run again to resume)");
    }
    const auto [found, added] = seen.emplace(std::pair{point.design, point.index}, points.size());
    if (added) {
      points.push_back(std::move(point));
      continue;
    }
    DesignPoint& earlier = points[found->second];
    if (!earlier.failure.empty() && same_design(earlier, point)) {
      earlier = std::move(point);  // a retry of a failed simulation
      continue;
    }
    throw InputError(path, line, "index",
                     "point " + std::to_string(point.index) + " of design " + point.design + " is already on line " +
                         std::to_string(earlier.line) +
                         (same_design(earlier, point) ? "" : ", with another chip or layer"));
  }
  return points;
}

void resume_points(std::vector<DesignPoint>& drawn, const std::vector<DesignPoint>& stored,
                   const std::string& points_path, const std::string& design_id) {
  for (const DesignPoint& done : stored) {
    if (done.design != design_id) {
      throw InputError(points_path, done.line, "design",
                       "this point was drawn from design of experiments " + done.design + ", this run's is " +
                           design_id +
                           " (its --seed, ranges and --technology); give another --points file, or the --seed and "
                           "--technology the file was drawn with");
    }
    if (done.index >= static_cast<int>(drawn.size())) continue;  // a longer run's
    DesignPoint& point = drawn[static_cast<std::size_t>(done.index)];
    if (!same_design(point, done)) {
      throw InputError(points_path, done.line, "subs",
                       "point " + std::to_string(done.index) + " differs from what this design draws at index " +
                           std::to_string(done.index) +
                           " (the model zoo or the templates changed since); simulate into a new points file");
    }
    if (done.simulated()) point = done;
  }
}

void simulate_points(std::vector<DesignPoint>& points, const PointsSimulation& run) {
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].failure.empty() && !points[i].simulated()) pending.push_back(i);
  }
  if (pending.empty()) return;
  std::ofstream points_file(run.points_file, std::ios::app | std::ios::binary);
  if (!points_file) {
    throw InputError(run.points_file, 0, "", std::string("cannot append to the points file: ") + std::strerror(errno));
  }
  const auto started = std::chrono::steady_clock::now();
  const std::size_t batch = static_cast<std::size_t>(std::max(1, run.jobs)) * 8;
  for (std::size_t first = 0; first < pending.size(); first += batch) {
    const std::size_t last = std::min(pending.size(), first + batch);
    // One runner per batch: its scratch folder with the batch's input files goes with it.
    SimulationRunner runner(run.executable, run.jobs, run.timeout_seconds);
    for (std::size_t k = first; k < last; ++k) runner.submit(simulation_job_of(points[pending[k]], run.technology_yaml));
    runner.wait_all();
    for (std::size_t k = first; k < last; ++k) {
      DesignPoint& point = points[pending[k]];
      const SimulationJobResult result = runner.result(k - first);
      try {
        if (!result.ok) point.failure = result.failure;
        else take_simulated_figures(point, result);
      } catch (const InputError& e) {
        point.failure = std::string("unusable simulation report: ") + e.what();
      }
      points_file << dump_json(point_to_json(point)) << "\n";
    }
    // A full disk shows only when the buffer reaches the file.
    points_file.flush();
    if (!points_file) {
      throw InputError(run.points_file, 0, "",
                       std::string("could not append the simulated points: ") + std::strerror(errno));
    }
    if (run.progress) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      const double fraction = static_cast<double>(last) / static_cast<double>(pending.size());
      std::fprintf(stderr, "\rsimulated %zu/%zu points  %.0f s elapsed  ETA %.0f s ", last, pending.size(), elapsed,
                   elapsed * (1 - fraction) / fraction);
    }
  }
  if (run.progress) std::fprintf(stderr, "\n");
  points_file.close();
  if (points_file.fail()) {
    throw InputError(run.points_file, 0, "", std::string("could not close the points file: ") + std::strerror(errno));
  }
}

CalibrationSplit split_points(const std::vector<DesignPoint>& points, double holdout_fraction, std::uint64_t seed) {
  std::vector<const DesignPoint*> usable;
  for (const auto& point : points) {
    if (point.simulated()) usable.push_back(&point);
  }
  std::mt19937_64 random(seed ^ 0x5eed5eedull);
  std::shuffle(usable.begin(), usable.end(), random);
  const std::size_t holdout = static_cast<std::size_t>(static_cast<double>(usable.size()) * holdout_fraction);
  CalibrationSplit split;
  for (std::size_t i = 0; i < usable.size(); ++i) (i < holdout ? split.holdout : split.training).push_back(*usable[i]);
  return merge_splits(split, {});
}

void refuse_known_points(const std::vector<DesignPoint>& own, const std::string& own_path,
                         const std::vector<DesignPoint>& added, const std::string& added_path) {
  std::map<std::pair<std::string, int>, int> lines;
  for (const auto& point : own) lines.emplace(std::pair{point.design, point.index}, point.line);
  for (const auto& point : added) {
    const auto found = lines.find({point.design, point.index});
    if (found == lines.end()) continue;
    throw InputError(added_path, point.line, "index",
                     "point " + std::to_string(point.index) + " of design " + point.design +
                         " is already among the calibration's points (" + own_path + ":" +
                         std::to_string(found->second) + "); add points it does not have");
  }
}

CalibrationSplit merge_splits(const CalibrationSplit& a, const CalibrationSplit& b) {
  CalibrationSplit merged = a;
  merged.training.insert(merged.training.end(), b.training.begin(), b.training.end());
  merged.holdout.insert(merged.holdout.end(), b.holdout.begin(), b.holdout.end());
  const auto by_id = [](const DesignPoint& x, const DesignPoint& y) {
    return std::tie(x.design, x.index) < std::tie(y.design, y.index);
  };
  std::sort(merged.training.begin(), merged.training.end(), by_id);
  std::sort(merged.holdout.begin(), merged.holdout.end(), by_id);
  return merged;
}

nlohmann::ordered_json holdout_json(const std::vector<DesignPoint>& holdout) {
  std::map<std::string, std::vector<int>> indices;
  for (const auto& point : holdout) indices[point.design].push_back(point.index);
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  for (auto& [design, list] : indices) {
    std::sort(list.begin(), list.end());
    json[design] = list;
  }
  return json;
}

CalibrationRecord load_calibration_record(const std::string& path, const std::string& technology_hash,
                                          CalibrationUse use) {
  const JsonValue root = load_json_file(path);
  CalibrationRecord record;
  record.params = read_surrogate_params(root, technology_hash);
  const std::string needs =
      use == CalibrationUse::refit
          ? "calibrate --update refits on a calibration's own points, split and design, which a file written by "
            "nasaic calibrate records (points_file, splits, design_of_experiments)"
          : "validate --points compares on a calibration's held-out split, which a file written by nasaic "
            "calibrate records (splits.holdout_indices)";
  const auto required = [&](const JsonValue& object, const char* key) {
    if (!object.has(key)) object.fail_key(key, "missing: " + needs);
    return object.at(key);
  };
  if (use == CalibrationUse::refit) {
    const JsonValue points_file = required(root, "points_file");
    record.points_file = points_file.as_string();
    record.points_file_line = points_file.line();
    if (record.points_file.empty()) points_file.fail("is empty: " + needs);
    const JsonValue design = required(root, "design_of_experiments");
    design_id_of(required(design, "id"));
    record.design = design.raw();
  }
  const JsonValue holdout = required(required(root, "splits"), "holdout_indices");
  if (holdout.is_array()) {
    holdout.fail(
        "a list of indices, as calibrations recorded before points named their design of experiments; "
        "run nasaic calibrate again");
  }
  for (const auto& [design, indices] : holdout.members()) {
    const JsonValue& list = indices;
    if (!is_design_id(design)) list.fail("expected the 16-hex-digit id of a design of experiments as the key");
    std::set<std::int64_t> seen;
    for (const JsonValue& value : list.elements()) {
      const std::int64_t index = value.as_int(0, kMaxPointIndex);
      if (!seen.insert(index).second) value.fail("point " + std::to_string(index) + " is held out twice");
      record.holdout.push_back({design, static_cast<int>(index), value.file(), value.path(), value.line()});
    }
  }
  if (record.holdout.empty()) holdout.fail("holds no point: " + needs);
  return record;
}

CalibrationSplit split_by_record(const std::vector<DesignPoint>& points, const CalibrationRecord& record,
                                 const std::string& points_path) {
  std::map<std::pair<std::string, int>, const DesignPoint*> by_id;
  for (const auto& point : points) by_id[{point.design, point.index}] = &point;
  CalibrationSplit split;
  std::set<const DesignPoint*> held_out;
  for (const auto& h : record.holdout) {
    const auto found = by_id.find({h.design, h.index});
    if (found == by_id.end() || !found->second->simulated()) {
      throw InputError(h.file, h.line, h.key,
                       "held-out point " + std::to_string(h.index) + " of design " + h.design +
                           (found == by_id.end() ? " is not in " : " failed to simulate in ") + points_path +
                           "; give the calibration's points file");
    }
    held_out.insert(found->second);
    split.holdout.push_back(*found->second);
  }
  for (const auto& point : points) {
    if (point.simulated() && !held_out.count(&point)) split.training.push_back(point);
  }
  return merge_splits(split, {});
}

Refit prepare_refit(const std::string& calibration_path, const std::string& technology_hash,
                    const std::vector<DesignPoint>& added, const std::string& added_path, double holdout_fraction,
                    std::uint64_t seed, const std::string& merged_points_file) {
  Refit refit;
  refit.base = load_calibration_record(calibration_path, technology_hash, CalibrationUse::refit);
  const CalibrationRecord& base = refit.base;
  if (!std::filesystem::exists(base.points_file)) {
    throw InputError(calibration_path, base.points_file_line, "points_file",
                     "'" + base.points_file +
                         "' is not there: a refit keeps the calibration's own points, so run it where that file is");
  }
  refit.points = load_points(base.points_file);
  refit.split = split_by_record(refit.points, base, base.points_file);
  refuse_known_points(refit.points, base.points_file, added, added_path);
  refit.split = merge_splits(refit.split, split_points(added, holdout_fraction, seed));
  refit.points.insert(refit.points.end(), added.begin(), added.end());
  std::string merged;
  for (const auto& point : refit.points) merged += dump_json(point_to_json(point)) + "\n";
  write_text_file(merged_points_file, merged);
  return refit;
}

PointEstimate estimate_point(const DesignPoint& point, const Technology& technology, const SurrogateParams& params) {
  const ChipSpec chip = chip_of(point, technology);
  const Workload workload = workload_of(point);
  Estimator estimator(chip, params);
  const WorkloadGraph graph(workload);
  const WorkloadEstimate estimate = evaluate_schedule(graph, estimator, schedule_of(point));
  PointEstimate result;
  result.cycles.assign(point.subs.size(), 0.0);
  result.energy_pj.assign(point.subs.size(), 0.0);
  for (const auto& layer : estimate.layers) {
    result.cycles[static_cast<std::size_t>(layer.ref.network)] = layer.end - layer.start;
    result.energy_pj[static_cast<std::size_t>(layer.ref.network)] = layer.energy_pj;
  }
  return result;
}

nlohmann::ordered_json ErrorSummary::to_json() const {
  return {{"points", points},     {"mape_pct", mape_pct}, {"max_abs_error_pct", max_abs_error_pct},
          {"spearman", spearman}, {"kendall", kendall},   {"pair_agreement", pair_agreement}};
}

ErrorSummary summarize_errors(const std::vector<double>& estimate, const std::vector<double>& truth) {
  NASAIC_CHECK(estimate.size() == truth.size(), "as many estimates as truths");
  for (std::size_t i = 0; i < truth.size(); ++i) {
    NASAIC_CHECK(std::isfinite(truth[i]) && truth[i] > 0, "a truth that is positive and finite");
    NASAIC_CHECK(std::isfinite(estimate[i]), "a finite estimate");
  }
  ErrorSummary summary;
  summary.points = static_cast<int>(truth.size());
  if (truth.empty()) return summary;
  double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double error = 100.0 * std::abs(estimate[i] - truth[i]) / truth[i];
    sum += error;
    summary.max_abs_error_pct = std::max(summary.max_abs_error_pct, error);
  }
  summary.mape_pct = sum / static_cast<double>(truth.size());
  const RankAgreement agreement = rank_agreement(estimate, truth);
  summary.spearman = agreement.spearman;
  summary.kendall = agreement.kendall;
  summary.pair_agreement = agreement.pair_agreement;
  return summary;
}

SurrogateParams fit_parameters(const std::vector<DesignPoint>& training, const Technology& technology,
                               const SurrogateParams& start) {
  std::vector<WorkloadObservation> observations;
  observations.reserve(training.size());
  for (const DesignPoint& point : training) {
    WorkloadObservation observation;
    observation.chip = chip_of(point, technology);
    observation.workload = std::make_shared<const Workload>(workload_of(point));
    observation.schedule = schedule_of(point);
    observation.layer_cycles = point.cycles;  // network i is sub-accelerator i's one layer
    observation.makespan_cycles = *std::max_element(point.cycles.begin(), point.cycles.end());
    observations.push_back(std::move(observation));
  }
  return fit_parameters(observations, start);
}

double makespan_error(const WorkloadObservation& observation, const SurrogateParams& params) {
  Estimator estimator(observation.chip, params);
  const WorkloadEstimate estimate =
      evaluate_schedule(WorkloadGraph(*observation.workload), estimator, observation.schedule);
  NASAIC_CHECK(estimate.feasible, "an observed schedule is one the surrogate can evaluate");
  return estimate.makespan_cycles / observation.makespan_cycles - 1;
}

SurrogateParams fit_parameters(const std::vector<WorkloadObservation>& training, const SurrogateParams& start) {
  // The parameters the data exercises: per-template ones for templates that
  // run a layer, and the memory-system ones.
  const auto& names = template_names();
  std::vector<bool> used(names.size(), false);
  for (const auto& observation : training) {
    for (std::size_t s = 0; s < observation.schedule.per_sub.size(); ++s) {
      if (observation.schedule.per_sub[s].empty()) continue;
      const std::string& dataflow = observation.chip.sub_accelerators[s].dataflow;
      used[static_cast<std::size_t>(std::find(names.begin(), names.end(), dataflow) - names.begin())] = true;
    }
  }
  struct Parameter {
    double* value;
    double low, high;
  };
  SurrogateParams params = start;
  std::vector<Parameter> free;
  for (std::size_t t = 0; t < names.size(); ++t) {
    if (!used[t]) continue;
    free.push_back({&params.compute_scale[t], 0.2, 5.0});
    free.push_back({&params.tile_overhead[t], -1000.0, 1000.0});
  }
  free.push_back({&params.dram_efficiency, 0.2, 2.0});
  free.push_back({&params.contention, 0.0, 2.0});
  free.push_back({&params.overlap, 0.0, 1.0});

  // Residuals: relative latency errors of every simulated layer.
  std::vector<std::unique_ptr<Estimator>> estimators;
  std::vector<WorkloadGraph> graphs;
  graphs.reserve(training.size());
  for (const auto& observation : training) {
    estimators.push_back(std::make_unique<Estimator>(observation.chip, params));
    graphs.emplace_back(*observation.workload);
  }
  // The target is the mean absolute relative error (MAPE), fitted by
  // iteratively reweighted least squares: weighting each residual by
  // 1/sqrt(|r|) of the previous round makes Σ (w·r)² ≈ Σ |r|.
  std::vector<double> weights;
  const auto residuals = [&](const SurrogateParams& p) {
    std::vector<double> r;
    for (std::size_t i = 0; i < training.size(); ++i) {
      estimators[i]->set_params(p);
      const WorkloadEstimate estimate = evaluate_schedule(graphs[i], *estimators[i], training[i].schedule);
      for (const auto& layer : estimate.layers) {
        const double truth = training[i].layer_cycles[static_cast<std::size_t>(graphs[i].id(layer.ref))];
        r.push_back((layer.end - layer.start - truth) / truth);
      }
    }
    for (std::size_t j = 0; j < r.size() && j < weights.size(); ++j) r[j] *= weights[j];
    return Eigen::Map<Eigen::VectorXd>(r.data(), static_cast<Eigen::Index>(r.size())).eval();
  };
  for (int round = 0; round < 6; ++round) {
    weights.clear();
    Eigen::VectorXd raw = residuals(params);
    for (Eigen::Index j = 0; j < raw.size(); ++j) weights.push_back(1.0 / std::sqrt(std::max(std::abs(raw[j]), 0.005)));
    Eigen::VectorXd r = residuals(params);
    double lambda = 1e-3;
    for (int iteration = 0; iteration < 25; ++iteration) {
      Eigen::MatrixXd jacobian(r.size(), static_cast<Eigen::Index>(free.size()));
      for (std::size_t k = 0; k < free.size(); ++k) {
        const double saved = *free[k].value;
        const double step = 1e-4 * std::max(1.0, std::abs(saved));
        *free[k].value = saved + step;
        jacobian.col(static_cast<Eigen::Index>(k)) = (residuals(params) - r) / step;
        *free[k].value = saved;
      }
      const Eigen::MatrixXd normal = jacobian.transpose() * jacobian;
      const Eigen::VectorXd gradient = jacobian.transpose() * r;
      bool improved = false;
      while (lambda < 1e8) {
        Eigen::MatrixXd damped = normal;
        damped.diagonal() += lambda * (normal.diagonal().array() + 1e-9).matrix();
        const Eigen::VectorXd delta = damped.ldlt().solve(-gradient);
        std::vector<double> saved;
        for (std::size_t k = 0; k < free.size(); ++k) {
          saved.push_back(*free[k].value);
          *free[k].value = std::clamp(saved[k] + delta[static_cast<Eigen::Index>(k)], free[k].low, free[k].high);
        }
        const Eigen::VectorXd candidate = residuals(params);
        if (candidate.squaredNorm() < r.squaredNorm()) {
          r = candidate;
          lambda = std::max(1e-7, lambda / 3);
          improved = true;
          break;
        }
        for (std::size_t k = 0; k < free.size(); ++k) *free[k].value = saved[k];
        lambda *= 4;
      }
      if (!improved) break;
    }
  }
  return params;
}

}  // namespace nasaic
