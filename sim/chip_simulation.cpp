// The SystemC top level: one module per sub-accelerator, one for the shared
// interconnect and DRAM channel, and a watchdog. Each module's process acts
// only at the first delta of a whole cycle and reads only what others wrote
// in earlier cycles, so the outcome does not depend on process order, and
// evaluating every cycle (lockstep) or only when something is due
// (skip-ahead) gives the same cycle counts.
#include <systemc>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <unistd.h>

#include <random>

#include "common/error.hpp"
#include "common/hash.hpp"
#include "sim/simulator.hpp"
#include "sim/sub_accelerator_core.hpp"

namespace nasaic {
namespace {

using sc_core::sc_event;
using sc_core::sc_module;
using sc_core::sc_module_name;
using sc_core::sc_time;

const sc_time kCycle(1, sc_core::SC_NS);

Cycle now_cycle() { return static_cast<Cycle>(sc_core::sc_time_stamp() / kCycle); }

struct Simulation;

// The interconnect and the DRAM channel.
class MemoryModule : public sc_module {
 public:
  MemoryModule(const sc_module_name& name, Simulation& sim, const ChipSpec& chip, int dmas)
      : sc_module(name), channel(chip, dmas), busy("busy"), sim_(sim) {
    SC_METHOD(run);
  }
  SC_HAS_PROCESS(MemoryModule);

  DramChannel channel;
  sc_event wake;
  sc_core::sc_signal<bool> busy;

 private:
  void run();
  Simulation& sim_;
  std::vector<DramChannel::Completion> completed_;
};

class SubAcceleratorModule : public sc_module {
 public:
  SubAcceleratorModule(const sc_module_name& name, Simulation& sim, std::unique_ptr<SubAcceleratorCore> core)
      : sc_module(name), core(std::move(core)), pe_busy("pe_busy"), tile("tile"), layers_done("layers_done"),
        sim_(sim) {
    SC_METHOD(run);
  }
  SC_HAS_PROCESS(SubAcceleratorModule);

  std::unique_ptr<SubAcceleratorCore> core;
  sc_event wake;
  sc_core::sc_signal<bool> pe_busy;
  sc_core::sc_signal<std::int64_t> tile;
  sc_core::sc_signal<std::int64_t> layers_done;

 private:
  void run();
  Simulation& sim_;
};

class Watchdog : public sc_module {
 public:
  Watchdog(const sc_module_name& name, Simulation& sim) : sc_module(name), sim_(sim) { SC_METHOD(run); }
  SC_HAS_PROCESS(Watchdog);

 private:
  void run();
  Simulation& sim_;
  std::int64_t seen_progress_ = -1;
};

struct Simulation {
  Simulation(const ChipSpec& chip, const SimulationOptions& options) : chip(chip), options(options), mapper(chip) {}

  const ChipSpec& chip;
  const SimulationOptions& options;
  Mapper mapper;  // the surrogate's mappings, so the simulator replays what it costed
  SharedProgress progress;
  std::unique_ptr<MemoryModule> memory;
  std::vector<std::unique_ptr<SubAcceleratorModule>> subs;
  std::unique_ptr<Watchdog> watchdog;
  std::int64_t progress_count = 0;  // changes of state, for the watchdog
  std::int64_t activations = 0;
  std::string failure;
  bool done = false;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  double last_report = 0;

  bool all_finished() const {
    for (const auto& sub : subs) {
      if (!sub->core->finished()) return false;
    }
    return !memory || memory->channel.idle();
  }
  void wait_for(sc_event& wake, Cycle next) {
    if (options.mode == TimeMode::lockstep) {
      sc_core::next_trigger(kCycle);
    } else if (next == kNoCycle) {
      sc_core::next_trigger(wake);
    } else {
      NASAIC_CHECK(next > now_cycle(), "a module asked to act again in the same or an earlier cycle");
      sc_core::next_trigger(static_cast<double>(next - now_cycle()) * kCycle, wake);
    }
  }
  void report_progress(Cycle now) {
    if (!options.progress) return;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (elapsed - last_report < 0.25) return;
    last_report = elapsed;
    const double expected = std::max(options.expected_cycles, 1.0);
    const double fraction = std::min(1.0, static_cast<double>(now) / expected);
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f %%  cycle %lld  ETA %.1f s ", filled, "==============================",
                 width - filled, "", 100 * fraction, static_cast<long long>(now), eta);
  }
};

void MemoryModule::run() {
  const Cycle now = now_cycle();
  ++sim_.activations;
  completed_.clear();
  channel.act(now, completed_);
  for (const auto& completion : completed_) {
    sim_.subs[static_cast<std::size_t>(completion.dma)]->wake.notify(
        static_cast<double>(completion.ready - now) * kCycle);
  }
  if (!completed_.empty()) ++sim_.progress_count;
  busy.write(!channel.idle());
  sim_.wait_for(wake, channel.next_action());
}

void SubAcceleratorModule::run() {
  if (sim_.done) return;
  const Cycle now = now_cycle();
  ++sim_.activations;
  const std::int64_t layers_before = core->layers_done();
  if (core->act(now)) {
    ++sim_.progress_count;
    // Whatever was posted competes from the next cycle.
    if (sim_.memory) sim_.memory->wake.notify(kCycle);
    if (core->layers_done() != layers_before) {
      const Cycle visible = core->visible_to_others(core->layer_stats().back().end);
      for (auto& other : sim_.subs) {
        if (other.get() != this) other->wake.notify(static_cast<double>(visible - now) * kCycle);
      }
    }
    pe_busy.write(core->pe_busy(now));
    tile.write(core->current_tile());
    layers_done.write(core->layers_done());
    sim_.report_progress(now);
    if (sim_.all_finished()) {
      sim_.done = true;
      sc_core::sc_stop();
      return;
    }
  }
  sim_.wait_for(wake, core->next_action(now));
}

void Watchdog::run() {
  const Cycle now = now_cycle();
  if (now > 0 && seen_progress_ == sim_.progress_count && !sim_.all_finished()) {
    sim_.failure = "watchdog: no module made progress for " + std::to_string(sim_.options.watchdog_cycles) +
                   " cycles (at cycle " + std::to_string(now) + ")";
    sc_core::sc_stop();
    return;
  }
  seen_progress_ = sim_.progress_count;
  sc_core::next_trigger(static_cast<double>(sim_.options.watchdog_cycles) * kCycle);
}

}  // namespace

SimulationResult simulate(const ChipSpec& chip, const Workload& workload, const Schedule& schedule,
                          const SimulationOptions& options) {
  static bool simulated = false;
  NASAIC_CHECK(!simulated, "SystemC elaborates once per process: run one simulation per process");
  simulated = true;
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  // SystemC's informational messages ("simulation stopped by user") would mix
  // into the reports on stdout.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);

  // The DRAM channel counts time in thousandths of a byte at its rate; with
  // a fourfold margin for the surrogate's error, the run must fit 63 bits.
  const double ticks_per_cycle =
      1 + 1000 * std::min(chip.dram.bytes_per_cycle.value_or(0), chip.interconnect.link_bytes_per_cycle);
  const double limit = std::min(kMaxSimulatedCycles, 9.2e18 / 4 / ticks_per_cycle);
  if (!(options.expected_cycles <= limit)) {
    char text[200];
    std::snprintf(text, sizeof text,
                  "the surrogate estimates %.3g cycles, more than the %.3g this chip's simulation can count",
                  options.expected_cycles, limit);
    throw InputError("", 0, "workload", text);
  }
  const WorkloadGraph graph(workload);
  Simulation sim{chip, options};
  // Reject what cannot fit before anything runs.
  for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
    const SubAcceleratorSpec& sub = chip.sub_accelerators[s];
    for (const LayerRef& ref : schedule.per_sub[s]) {
      const TilePlan plan = sim.mapper.plan(graph.layer(graph.id(ref)), s);
      if (!plan.feasible) {
        throw InputError("", 0, workload.networks[static_cast<std::size_t>(ref.network)].name() + ":" +
                                    graph.layer(graph.id(ref)).name,
                         "does not fit sub-accelerator '" + sub.name + "': " + plan.reason);
      }
    }
  }

  sim.progress.done.assign(graph.size(), kNoCycle);
  sim.progress.placed_sub.assign(graph.size(), -1);
  for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
    for (const LayerRef& ref : schedule.per_sub[s]) sim.progress.placed_sub[static_cast<std::size_t>(graph.id(ref))] = static_cast<int>(s);
  }
  sim.progress.handoff_cycles = std::max<Cycle>(1, static_cast<Cycle>(std::llround(chip.dram.latency_cycles)));
  const int subs = static_cast<int>(chip.sub_accelerators.size());
  if (chip.dram.bytes_per_cycle) sim.memory = std::make_unique<MemoryModule>("memory", sim, chip, subs);
  for (int s = 0; s < subs; ++s) {
    auto core = std::make_unique<SubAcceleratorCore>(s, chip, graph, schedule.per_sub[static_cast<std::size_t>(s)],
                                                     sim.progress, sim.memory ? &sim.memory->channel : nullptr, sim.mapper);
    core->record_phases(options.record_phases);
    sim.subs.push_back(std::make_unique<SubAcceleratorModule>(chip.sub_accelerators[static_cast<std::size_t>(s)].name.c_str(),
                                                              sim, std::move(core)));
  }
  sim.watchdog = std::make_unique<Watchdog>("watchdog", sim);

  sc_core::sc_trace_file* vcd = nullptr;
  if (!options.vcd_path.empty()) {
    std::string base = options.vcd_path;
    if (base.size() > 4 && base.substr(base.size() - 4) == ".vcd") base.resize(base.size() - 4);
    vcd = sc_core::sc_create_vcd_trace_file(base.c_str());
    vcd->set_time_unit(1, sc_core::SC_NS);
    if (sim.memory) sc_core::sc_trace(vcd, sim.memory->busy, "memory.busy");
    for (auto& sub : sim.subs) {
      const std::string prefix = std::string(sub->basename()) + ".";
      sc_core::sc_trace(vcd, sub->pe_busy, prefix + "pe_busy");
      sc_core::sc_trace(vcd, sub->tile, prefix + "tile");
      sc_core::sc_trace(vcd, sub->layers_done, prefix + "layers_done");
    }
  }

  const auto started = std::chrono::steady_clock::now();
  sc_core::sc_start();
  if (vcd) sc_core::sc_close_vcd_trace_file(vcd);
  if (options.progress) std::fprintf(stderr, "\n");

  SimulationResult result;
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.activations = sim.activations;
  result.completed = sim.all_finished() && sim.failure.empty();
  if (!result.completed) {
    std::string blocked;
    for (const auto& sub : sim.subs) {
      if (sub->core->finished()) continue;
      blocked += (blocked.empty() ? "" : "; ") + std::string(sub->basename()) + ": " +
                 sub->core->waiting_for(now_cycle());
    }
    result.failure = (sim.failure.empty() ? "deadlock: no module can make progress" : sim.failure) +
                     (blocked.empty() ? "" : "; blocked: " + blocked);
  }
  for (int s = 0; s < subs; ++s) {
    const auto& core = *sim.subs[static_cast<std::size_t>(s)]->core;
    SubAcceleratorStats stats;
    stats.name = chip.sub_accelerators[static_cast<std::size_t>(s)].name;
    for (const auto& layer : core.layer_stats()) {
      result.layers.push_back(layer);
      stats.busy_cycles += layer.cycles();
      stats.contention_cycles += layer.contention_stall_cycles;
    }
    stats.dram_bytes = sim.memory ? sim.memory->channel.bytes_moved(s) : 0;
    result.phases.insert(result.phases.end(), core.phases().begin(), core.phases().end());
    result.subs.push_back(stats);
  }
  std::stable_sort(result.layers.begin(), result.layers.end(), [](const LayerStats& a, const LayerStats& b) {
    return a.start != b.start ? a.start < b.start : a.sub < b.sub;
  });
  for (const auto& layer : result.layers) {
    result.makespan_cycles = std::max(result.makespan_cycles, layer.end);
    result.energy_pj += layer.energy.total_pj();
  }
  result.area_um2 = chip_area_um2(chip);
  if (options.functional) {
    for (auto& layer : result.layers) {
      const Network& net = workload.networks[static_cast<std::size_t>(layer.ref.network)];
      const Layer& shape = net.layer(static_cast<std::size_t>(layer.ref.layer));
      const SubAcceleratorSpec& sub = chip.sub_accelerators[static_cast<std::size_t>(layer.sub)];
      FunctionalTensors tensors;
      std::mt19937_64 random(options.seed ^ fnv1a(net.name() + ":" + shape.name));
      std::uniform_int_distribution<int> value(-128, 127);
      tensors.input.resize(static_cast<std::size_t>(shape.N * shape.C * shape.H * shape.W));
      tensors.weights.resize(static_cast<std::size_t>(shape.filter_elements()));
      for (auto& x : tensors.input) x = static_cast<std::int8_t>(value(random));
      for (auto& w : tensors.weights) w = static_cast<std::int8_t>(value(random));
      tensors.prepare(shape);
      const TilePlan plan = sim.mapper.plan(shape, static_cast<std::size_t>(layer.sub));
      if (!find_template(sub.dataflow).execute(shape, sub, plan, tensors)) continue;
      layer.functional_macs = tensors.macs;
      layer.output_hash = fnv1a(std::string_view(reinterpret_cast<const char*>(tensors.output.data()),
                                                 tensors.output.size() * sizeof(std::int32_t)));
      if (tensors.macs != shape.macs()) {
        result.completed = false;
        result.failure = "functional mode: '" + net.name() + ":" + shape.name + "' performed " +
                         std::to_string(tensors.macs) + " MACs, the layer has " + std::to_string(shape.macs());
      }
    }
  }
  return result;
}

}  // namespace nasaic
