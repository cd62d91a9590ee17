#include "dataflows/silicon_validation.hpp"

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "common/config_node.hpp"
#include "common/error.hpp"
#include "common/units.hpp"
#include "dataflows/chip_spec.hpp"
#include "dataflows/workload_cost.hpp"
#include "models/network_yaml.hpp"

namespace nasaic {

std::vector<const SiliconFigure*> SiliconValidation::per_row(const std::string& metric) const {
  std::vector<const SiliconFigure*> figures_of;
  for (const auto& figure : figures) {
    if (figure.metric == metric && figure.row != "total") figures_of.push_back(&figure);
  }
  return figures_of;
}

namespace {

namespace fs = std::filesystem;

// A path in the file, relative to the file's folder; a missing file is the
// validation file's error, at the key that names it (errors inside the named
// file name that file).
std::string named_file(const ConfigNode& node) {
  const fs::path given(node.as_string());
  const fs::path path = given.is_absolute() ? given : fs::path(node.file()).parent_path() / given;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) node.fail("'" + path.string() + "' is not a file");
  return path.lexically_normal().string();
}

bool same(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); }

struct Conditions {
  std::int64_t batch = 1;
  int bits = 8;
  double clock_hz = 0;
  std::optional<std::int64_t> rows, cols;
};

Conditions parse_conditions(const ConfigNode& node) {
  node.expect_map({"batch", "bits", "clock", "pe_array"});
  Conditions c;
  c.batch = node.required("batch").as_int(1, 1 << 20);
  c.bits = static_cast<int>(node.required("bits").as_int(1, 64));
  c.clock_hz = node.required("clock").as_positive_quantity({UnitKind::frequency}).value;
  if (const auto array = node.optional("pe_array")) {
    array->expect_map({"rows", "cols"});
    c.rows = array->required("rows").as_int(1);
    c.cols = array->required("cols").as_int(1);
  }
  return c;
}

// The paper's setup must be the one the chip and network describe: a file
// whose chip runs at another clock would compare other things than it says.
void check_conditions(const Conditions& c, const ConfigNode& node, const ChipSpec& chip, const std::string& chip_file,
                      const Network& network, const std::string& network_file) {
  for (const Layer& layer : network.layers()) {
    if (layer.N != c.batch) {
      node.required("batch").fail("layer '" + layer.name + "' of " + network_file + " has N = " +
                                  std::to_string(layer.N) + ", not the paper's batch " + std::to_string(c.batch));
    }
    if (layer.bits != c.bits) {
      node.required("bits").fail("layer '" + layer.name + "' of " + network_file + " has bits = " +
                                 std::to_string(layer.bits) + ", not the paper's " + std::to_string(c.bits));
    }
  }
  if (!same(chip.clock_hz, c.clock_hz)) {
    node.required("clock").fail(chip_file + " runs at " + shortest_number(chip.clock_hz / 1e6) +
                                " MHz, not the paper's " + shortest_number(c.clock_hz / 1e6) + " MHz");
  }
  for (const SubAcceleratorSpec& sub : chip.sub_accelerators) {
    if (sub.bits != c.bits) {
      node.required("bits").fail("sub-accelerator '" + sub.name + "' of " + chip_file + " computes at " +
                                 std::to_string(sub.bits) + " bits, not the paper's " + std::to_string(c.bits));
    }
    if (c.rows && (sub.rows != *c.rows || sub.cols != *c.cols)) {
      node.required("pe_array")
          .fail("sub-accelerator '" + sub.name + "' of " + chip_file + " has " + std::to_string(sub.rows) + " x " +
                std::to_string(sub.cols) + " PEs, not the paper's array");
    }
  }
}

// What the surrogate gives for one layer, and for the network.
struct LayerFigures {
  double cycles = 0;
  double dram_bytes = 0;
  double on_chip_pj = 0;
};
struct NetworkRun {
  double makespan_cycles = 0;
  std::vector<LayerFigures> layers;  // by the network's layer index
};

// The network alone on the chip, scheduled as `nasaic estimate` does.
NetworkRun run_network(const ChipSpec& chip, const Network& network, const SurrogateParams& params,
                       const ConfigNode& chip_node) {
  const Workload workload{{network}};
  const WorkloadGraph graph(workload);
  Estimator estimator(chip, params);
  const ScheduleChoice choice = default_schedule(graph, estimator);
  if (!choice.estimate.feasible) {
    chip_node.fail("the surrogate cannot run " + network.name() + " on this chip: " + choice.estimate.reason);
  }
  NetworkRun run;
  run.makespan_cycles = choice.estimate.makespan_cycles;
  run.layers.resize(network.size());
  for (const ScheduledLayer& row : choice.estimate.layers) {
    const Layer& layer = graph.layer(graph.id(row.ref));
    const LayerProfile& profile = estimator.profile(layer, static_cast<std::size_t>(row.sub));
    const EnergyBreakdown& energy = row.input_on_chip ? profile.energy_input_on_chip : profile.energy;
    LayerFigures& figures = run.layers[static_cast<std::size_t>(row.ref.layer)];
    figures.cycles = row.end - row.start;
    figures.dram_bytes =
        static_cast<double>((row.input_on_chip ? 0 : profile.dram_read_bytes[0]) + profile.dram_read_bytes[1] +
                            profile.dram_read_bytes[2] + profile.dram_write_bytes);
    // Chip power excludes DRAM, so nasaic's side leaves its DRAM term out.
    figures.on_chip_pj = row.energy_pj - energy.dram_pj;
  }
  return run;
}

// The chip with ideal DRAM: what a chip does when it never waits for memory,
// the paper's "processing latency".
ChipSpec with_ideal_dram(ChipSpec chip) {
  chip.dram.bytes_per_cycle.reset();
  chip.dram.latency_cycles = 0;
  return chip;
}

SurrogateParams params_for(const std::string& calibration, const ChipSpec& chip) {
  return calibration.empty() ? SurrogateParams() : load_surrogate_params(calibration, chip.technology.hash);
}

struct PaperLayer {
  double power_w = 0, total_s = 0, processing_s = 0, macs = 0, dram_bytes = 0;
};

PaperLayer parse_paper_layer(const ConfigNode& node, bool named) {
  std::vector<std::string> keys = {"power",      "total_latency",   "processing_latency", "macs",
                                   "active_pes", "ifmap_zeros_pct", "glb_accesses",       "dram_accesses"};
  if (named) keys.insert(keys.begin(), "layer");
  node.expect_map(keys);
  PaperLayer p;
  p.power_w = node.required("power").as_positive_quantity({UnitKind::power}).value;
  p.total_s = node.required("total_latency").as_positive_quantity({UnitKind::time}).value;
  p.processing_s = node.required("processing_latency").as_positive_quantity({UnitKind::time}).value;
  if (p.processing_s > p.total_s) {
    node.required("processing_latency").fail("exceeds total_latency (processing excludes the DRAM wait)");
  }
  p.macs = node.required("macs").as_double(1, 1e18);
  // Published but not compared yet (nasaic has no zero skipping, and its
  // buffer accesses are not the GLB's): read so that the table stays whole
  // and checked.
  node.required("active_pes").as_int(1);
  node.required("ifmap_zeros_pct").as_double(0, 100);
  node.required("glb_accesses").as_positive_quantity({UnitKind::bytes});
  p.dram_bytes = node.required("dram_accesses").as_positive_quantity({UnitKind::bytes}).value;
  return p;
}

void add(SiliconValidation& v, const std::string& row, const std::string& metric, const std::string& unit, double paper,
         double nasaic) {
  v.figures.push_back({row, metric, unit, paper, nasaic});
}

void run_layers(SiliconValidation& v, const ConfigNode& root, const std::string& calibration) {
  root.expect_map({"name", "source", "chip", "network", "conditions", "layers", "total"});
  const ConfigNode chip_node = root.required("chip");
  const ConfigNode network_node = root.required("network");
  const std::string chip_file = named_file(chip_node);
  const std::string network_file = named_file(network_node);
  const ChipSpec chip = load_chip_spec(chip_file);
  const Network network = load_network_yaml(network_file);
  check_conditions(parse_conditions(root.required("conditions")), root.required("conditions"), chip, chip_file, network,
                   network_file);
  const SurrogateParams params = params_for(calibration, chip);
  const NetworkRun real = run_network(chip, network, params, chip_node);
  const NetworkRun ideal = run_network(with_ideal_dram(chip), network, params, chip_node);
  const double clock = chip.clock_hz;

  v.metrics = {"processing_latency", "total_latency", "dram_bytes", "energy", "macs"};
  v.notes = {
      "processing_latency: the paper's (DRAM wait excluded); nasaic: the chip with ideal DRAM (no bandwidth "
      "limit, no latency)",
      "total_latency: the paper's (DRAM wait included); nasaic: the chip's own DRAM, whose bandwidth is an "
      "assumption stated in the chip file",
      "dram_bytes: the paper's DRAM accesses (MB = 1e6 B, zeros run-length compressed); nasaic: DRAM reads "
      "and writes, burst-rounded, run-length coded where the chip file turns it on",
      "energy: paper = chip power x total latency (DRAM excluded); nasaic = on-chip energy, the same way "
      "(MACs, register files, buffers, interconnect, and the technology table's clock-tree, leakage and control "
      "energy; no DRAM)",
      "macs: the paper's count (two significant digits); nasaic: the network file's"};
  const ConfigNode layers = root.required("layers");
  std::set<std::string> seen;
  double dram_sum = 0, energy_sum = 0, macs_sum = 0;
  for (const ConfigNode& item : layers.sequence()) {
    const PaperLayer p = parse_paper_layer(item, true);
    const ConfigNode name_node = item.required("layer");
    const std::string name = name_node.as_string();
    const std::ptrdiff_t index = network.find(name);
    if (index < 0) name_node.fail("'" + name + "' is not a layer of " + network_file);
    if (!seen.insert(name).second) name_node.fail("layer '" + name + "' is listed twice");
    const LayerFigures& r = real.layers[static_cast<std::size_t>(index)];
    const LayerFigures& i = ideal.layers[static_cast<std::size_t>(index)];
    const double macs = static_cast<double>(network.layer(static_cast<std::size_t>(index)).macs());
    v.rows.push_back(name);
    add(v, name, "processing_latency", "ms", p.processing_s * 1e3, i.cycles / clock * 1e3);
    add(v, name, "total_latency", "ms", p.total_s * 1e3, r.cycles / clock * 1e3);
    add(v, name, "dram_bytes", "MB", p.dram_bytes / 1e6, r.dram_bytes / 1e6);
    add(v, name, "energy", "mJ", p.power_w * p.total_s * 1e3, r.on_chip_pj * 1e-9);
    add(v, name, "macs", "G", p.macs / 1e9, macs / 1e9);
    dram_sum += r.dram_bytes;
    energy_sum += r.on_chip_pj;
    macs_sum += macs;
  }
  if (v.rows.empty()) layers.fail("lists no layer");
  if (const auto total = root.optional("total")) {
    const PaperLayer p = parse_paper_layer(*total, false);
    v.rows.push_back("total");
    // End to end: the makespan, which also counts any gap between layers.
    add(v, "total", "processing_latency", "ms", p.processing_s * 1e3, ideal.makespan_cycles / clock * 1e3);
    add(v, "total", "total_latency", "ms", p.total_s * 1e3, real.makespan_cycles / clock * 1e3);
    add(v, "total", "dram_bytes", "MB", p.dram_bytes / 1e6, dram_sum / 1e6);
    add(v, "total", "energy", "mJ", p.power_w * p.total_s * 1e3, energy_sum * 1e-9);
    add(v, "total", "macs", "G", p.macs / 1e9, macs_sum / 1e9);
  }
}

void run_configurations(SiliconValidation& v, const ConfigNode& root, const std::string& calibration) {
  root.expect_map({"name", "source", "network", "conditions", "configurations"});
  const ConfigNode network_node = root.required("network");
  const std::string network_file = named_file(network_node);
  const Network network = load_network_yaml(network_file);
  const ConfigNode conditions_node = root.required("conditions");
  const Conditions conditions = parse_conditions(conditions_node);
  v.metrics = {"frames_per_second", "energy_per_frame", "area"};
  v.notes = {
      "frames_per_second: the published figure; nasaic: batch / makespan of the network on the chip, with "
      "the chip's DRAM",
      "energy_per_frame: paper = average power (16 nm) / frames per second; nasaic = on-chip energy per "
      "frame, the same way (no DRAM), at the chip's technology node",
      "area: the paper's at 28 nm; nasaic: the chip's area at its technology node"};
  const ConfigNode configurations = root.required("configurations");
  std::set<std::string> seen;
  for (const ConfigNode& item : configurations.sequence()) {
    item.expect_map({"chip", "macs", "convolution_buffer", "sdram_bandwidth", "area_28nm", "area_16nm",
                     "frames_per_second", "power_peak_16nm", "power_average_16nm"});
    const ConfigNode chip_node = item.required("chip");
    const std::string chip_file = named_file(chip_node);
    const ChipSpec chip = load_chip_spec(chip_file);
    check_conditions(conditions, conditions_node, chip, chip_file, network, network_file);
    if (!seen.insert(chip.name).second) chip_node.fail("chip '" + chip.name + "' is listed twice");
    std::int64_t pes = 0, buffer = 0;
    for (const SubAcceleratorSpec& sub : chip.sub_accelerators) {
      pes += sub.pes();
      buffer += sub.ifmap.capacity_bytes + sub.filter.capacity_bytes;
    }
    const ConfigNode macs_node = item.required("macs");
    if (macs_node.as_int(1) != pes) {
      macs_node.fail(chip_file + " has " + std::to_string(pes) + " PEs, not this configuration's MACs");
    }
    // The convolution buffer holds data and weights: the chip's ifmap and
    // filter buffers together.
    const ConfigNode buffer_node = item.required("convolution_buffer");
    if (buffer_node.as_whole_quantity(UnitKind::bytes) != buffer) {
      buffer_node.fail(chip_file + " has " + std::to_string(buffer) + " B of ifmap and filter buffers");
    }
    const ConfigNode bandwidth_node = item.required("sdram_bandwidth");
    const double bandwidth = bandwidth_node.as_positive_quantity({UnitKind::bandwidth}).value;
    if (!chip.dram.bytes_per_cycle || !same(*chip.dram.bytes_per_cycle * chip.clock_hz, bandwidth)) {
      bandwidth_node.fail(chip_file + "'s DRAM bandwidth is " +
                          (chip.dram.bytes_per_cycle
                               ? shortest_number(*chip.dram.bytes_per_cycle * chip.clock_hz / 1e9) + " GB/s"
                               : std::string("ideal")) +
                          ", not this configuration's " + shortest_number(bandwidth / 1e9) + " GB/s");
    }
    const double area_28nm = item.required("area_28nm").as_positive_quantity({UnitKind::area}).value;
    item.required("area_16nm").as_positive_quantity({UnitKind::area});
    const double fps = item.required("frames_per_second").as_double(1e-9, 1e12);
    item.required("power_peak_16nm").as_positive_quantity({UnitKind::power});
    const double power = item.required("power_average_16nm").as_positive_quantity({UnitKind::power}).value;
    const NetworkRun run = run_network(chip, network, params_for(calibration, chip), chip_node);
    double on_chip_pj = 0;
    for (const LayerFigures& layer : run.layers) on_chip_pj += layer.on_chip_pj;
    const double batch = static_cast<double>(conditions.batch);
    v.rows.push_back(chip.name);
    add(v, chip.name, "frames_per_second", "1/s", fps, batch * chip.clock_hz / run.makespan_cycles);
    add(v, chip.name, "energy_per_frame", "mJ", power / fps * 1e3, on_chip_pj / batch * 1e-9);
    add(v, chip.name, "area", "mm2", area_28nm * 1e-6, chip_area_um2(chip) * 1e-6);
  }
  if (v.rows.empty()) configurations.fail("lists no configuration");
}

}  // namespace

SiliconValidation run_silicon_validation(const std::string& path, const std::string& calibration) {
  const ConfigNode root = ConfigNode::load_file(path);
  SiliconValidation v;
  root.expect_map({"name", "source", "chip", "network", "conditions", "layers", "total", "configurations"});
  // The kind decides the other keys; each reader checks them all.
  const bool layers = root.has("layers"), configurations = root.has("configurations");
  if (layers == configurations) {
    root.fail("expected exactly one of 'layers' (one chip, rows per layer) and 'configurations' (one chip per row)");
  }
  v.name = root.required("name").as_string();
  v.source = root.required("source").as_string();
  v.kind = layers ? "layers" : "configurations";
  if (layers) {
    run_layers(v, root, calibration);
  } else {
    run_configurations(v, root, calibration);
  }
  return v;
}

}  // namespace nasaic
