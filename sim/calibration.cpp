#include "sim/calibration.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>

#include "common/error.hpp"
#include "common/text_file.hpp"
#include "dataflows/dataflow_template.hpp"
#include "models/network_yaml.hpp"
#include "models/zoo.hpp"
#include "sim/simulator.hpp"

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

Layer layer_from_json(const nlohmann::json& j) {
  Layer l;
  l.name = j.at("name").get<std::string>();
  l.type = parse_layer_type(j.at("type").get<std::string>());
  l.N = j.at("N");
  l.C = j.at("C");
  l.H = j.at("H");
  l.W = j.at("W");
  l.K = j.at("K");
  l.R = j.at("R");
  l.S = j.at("S");
  l.stride_h = j.at("stride")[0];
  l.stride_w = j.at("stride")[1];
  l.padding = {j.at("padding")[0], j.at("padding")[1], j.at("padding")[2], j.at("padding")[3]};
  l.groups = j.at("groups");
  l.bits = j.at("bits");
  const std::string problem = l.validate();
  if (!problem.empty()) throw InputError("", 0, l.name, problem);
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

std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
    i = j + 1;
  }
  return rank;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace

nlohmann::ordered_json DesignRanges::to_json() const {
  return {{"seed", seed},
          {"samples", samples},
          {"array_sizes", array_sizes},
          {"buffer_kib", buffer_kib},
          {"dram_bytes_per_cycle", dram_bytes_per_cycle},
          {"max_concurrent_sub_accelerators", max_concurrent},
          {"templates", template_names()},
          {"layers", "zoo layers (resnet18, resnet50, mobilenet_v2, alexnet, vgg16, resnet20) and random shapes"}};
}

std::vector<DesignPoint> draw_design(const DesignRanges& ranges, const Technology& technology) {
  std::vector<DesignPoint> points;
  const auto& templates = template_names();
  for (int index = 0; index < ranges.samples; ++index) {
    // Each point depends only on the seed and its index, so a run can grow.
    std::mt19937_64 random(ranges.seed * 1000003u + static_cast<std::uint64_t>(index));
    DesignPoint point;
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
        const ChipSpec chip =
            chip_of(DesignPoint{0, point.dram_bytes_per_cycle, point.arbitration, {sub}, {}, {}, {}}, technology);
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

std::vector<std::string> write_simulation_inputs(const DesignPoint& point, const std::string& folder) {
  const ChipSpec chip = chip_of(point, builtin_technology());
  std::string yaml = "name: " + chip.name + "\nclock: 1 GHz\ntechnology: built-in\ndram: {bandwidth: " +
                     std::to_string(point.dram_bytes_per_cycle) + " B/cycle, latency: 100 cycles, burst: 64 B}\n" +
                     "interconnect: {arbitration: " + arbitration_name(point.arbitration) +
                     ", link_width: 64 B/cycle}\nsub_accelerators:\n";
  for (const auto& sub : chip.sub_accelerators) {
    const std::string buffer = std::to_string(sub.ifmap.capacity_bytes) + " B";
    yaml += "  - {name: " + sub.name + ", dataflow: " + sub.dataflow +
            ", pe_array: {rows: " + std::to_string(sub.rows) + ", cols: " + std::to_string(sub.cols) +
            "}, bandwidth_share: " + std::to_string(sub.bandwidth_share) + ", buffers: {ifmap: {capacity: " + buffer +
            "}, filter: {capacity: " + buffer + "}, ofmap: {capacity: " + buffer + "}}}\n";
  }
  const std::string prefix = folder + "/point" + std::to_string(point.index);
  write_text_file(prefix + "_chip.yaml", yaml);
  const Workload workload = workload_of(point);
  std::vector<std::string> arguments = {"simulate", "--hw", prefix + "_chip.yaml"};
  for (const auto& network : workload.networks) {
    const std::string path = prefix + "_" + network.name() + ".yaml";
    write_text_file(path, network_to_yaml(network));
    arguments.insert(arguments.end(), {"--model", path});
  }
  write_text_file(prefix + "_schedule.yaml", schedule_to_yaml(schedule_of(point), workload, chip));
  arguments.insert(arguments.end(), {"--schedule", prefix + "_schedule.yaml", "--format", "json", "--quiet"});
  return arguments;
}

namespace {

nlohmann::ordered_json design_json(const DesignPoint& point) {
  nlohmann::ordered_json json;
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

DesignPoint point_from_json(const nlohmann::json& json) {
  DesignPoint point;
  point.index = json.at("index");
  point.dram_bytes_per_cycle = json.at("dram_bytes_per_cycle");
  const std::string policy = json.at("arbitration");
  for (Arbitration a : {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition}) {
    if (policy == arbitration_name(a)) point.arbitration = a;
  }
  for (const auto& sub : json.at("subs")) {
    point.subs.push_back(DesignPoint::Sub{sub.at("dataflow"), sub.at("rows"), sub.at("cols"), sub.at("buffer_bytes"),
                                          layer_from_json(sub.at("layer"))});
    find_template(point.subs.back().dataflow);
  }
  if (json.contains("failure")) point.failure = json.at("failure");
  if (json.contains("cycles")) {
    const std::string simulator = json.value("simulator", std::string("an earlier nasaic"));
    if (simulator != kSimulatorVersion) {
      throw InputError("", 0, "simulator",
                       "simulated by " + simulator + ", whose timing differs from this simulator's (" +
                           kSimulatorVersion + "); simulate the points again into a new points file");
    }
    point.cycles = json.at("cycles").get<std::vector<double>>();
    point.energy_pj = json.at("energy_pJ").get<std::vector<double>>();
  }
  return point;
}

std::vector<DesignPoint> load_points(const std::string& path) {
  const std::string text = read_text_file(path, std::size_t{1} << 30);
  std::vector<DesignPoint> points;
  std::size_t start = 0;
  int line = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    const std::string row = text.substr(start, end - start);
    start = end + 1;
    if (row.empty()) continue;
    try {
      points.push_back(point_from_json(nlohmann::json::parse(row)));
    } catch (const InputError& e) {
      throw InputError(path, line, e.key(), e.message());
    } catch (const std::exception& e) {
      throw InputError(path, line, "", std::string("not a design point: ") + e.what());
    }
  }
  return points;
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
  summary.spearman = pearson(ranks(estimate), ranks(truth));
  // Kendall's tau-b and the fraction of pairs ordered alike.
  double concordant = 0, discordant = 0, ties_estimate = 0, ties_truth = 0, agree = 0, pairs = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (std::size_t j = i + 1; j < truth.size(); ++j) {
      const double a = estimate[i] - estimate[j], b = truth[i] - truth[j];
      const int sa = (a > 0) - (a < 0), sb = (b > 0) - (b < 0);
      pairs += 1;
      agree += sa == sb;
      if (sa == 0 && sb == 0) continue;
      if (sa == 0) {
        ties_estimate += 1;
      } else if (sb == 0) {
        ties_truth += 1;
      } else if (sa == sb) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  }
  const double denominator =
      std::sqrt((concordant + discordant + ties_estimate) * (concordant + discordant + ties_truth));
  summary.kendall = denominator > 0 ? (concordant - discordant) / denominator : 0.0;
  summary.pair_agreement = pairs > 0 ? agree / pairs : 1.0;
  return summary;
}

SurrogateParams fit_parameters(const std::vector<DesignPoint>& training, const Technology& technology,
                               const SurrogateParams& start) {
  // The parameters the data exercises: per-template ones for templates that
  // appear, and the memory-system ones.
  const auto& names = template_names();
  std::vector<bool> used(names.size(), false);
  for (const auto& point : training) {
    for (const auto& sub : point.subs) {
      used[static_cast<std::size_t>(std::find(names.begin(), names.end(), sub.dataflow) - names.begin())] = true;
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
  std::vector<Workload> workloads;
  workloads.reserve(training.size());
  for (const auto& point : training) workloads.push_back(workload_of(point));
  for (std::size_t i = 0; i < training.size(); ++i) {
    estimators.push_back(std::make_unique<Estimator>(chip_of(training[i], technology), params));
    graphs.emplace_back(workloads[i]);
  }
  // The target is the mean absolute relative error (MAPE), fitted by
  // iteratively reweighted least squares: weighting each residual by
  // 1/sqrt(|r|) of the previous round makes Σ (w·r)² ≈ Σ |r|.
  std::vector<double> weights;
  const auto residuals = [&](const SurrogateParams& p) {
    std::vector<double> r;
    for (std::size_t i = 0; i < training.size(); ++i) {
      estimators[i]->set_params(p);
      const WorkloadEstimate estimate = evaluate_schedule(graphs[i], *estimators[i], schedule_of(training[i]));
      for (const auto& layer : estimate.layers) {
        const double truth = training[i].cycles[static_cast<std::size_t>(layer.ref.network)];
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
