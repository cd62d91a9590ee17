#include "dataflows/workload_cost.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "common/error.hpp"

namespace nasaic {

WorkloadGraph::WorkloadGraph(const Workload& w) : workload(&w) {
  for (std::size_t n = 0; n < w.networks.size(); ++n) {
    offset.push_back(static_cast<int>(refs.size()));
    for (std::size_t l = 0; l < w.networks[n].size(); ++l) refs.push_back({static_cast<int>(n), static_cast<int>(l)});
  }
  predecessors.resize(refs.size());
  successors.resize(refs.size());
  sole_producer.assign(refs.size(), -1);
  for (std::size_t n = 0; n < w.networks.size(); ++n) {
    const Network& net = w.networks[n];
    for (std::size_t l = 0; l < net.size(); ++l) {
      const int self = offset[n] + static_cast<int>(l);
      for (std::size_t p : net.predecessors(l))
        predecessors[static_cast<std::size_t>(self)].push_back(offset[n] + static_cast<int>(p));
      const auto producers = net.producers(l);
      if (producers.size() == 1)
        sole_producer[static_cast<std::size_t>(self)] = offset[n] + static_cast<int>(producers[0]);
    }
    orders.push_back(net.topological_order());
  }
  for (std::size_t id = 0; id < refs.size(); ++id) {
    for (int p : predecessors[id]) successors[static_cast<std::size_t>(p)].push_back(static_cast<int>(id));
  }
  std::map<std::array<std::int64_t, Layer::kCostKeyFields>, int> shapes;
  shape.reserve(refs.size());
  for (std::size_t id = 0; id < refs.size(); ++id) {
    const auto [at, added] = shapes.emplace(layer(static_cast<int>(id)).cost_key(), static_cast<int>(shapes.size()));
    if (added) shape_layer.push_back(static_cast<int>(id));
    shape.push_back(at->second);
  }
}

std::shared_ptr<const ShapeProfileCache::Profiles> ShapeProfileCache::find(const MappingCache::SubKey& key) const {
  std::shared_lock lock(mutex_);
  const auto found = map_.find(key);
  return found == map_.end() ? nullptr : found->second;
}

void ShapeProfileCache::insert(const MappingCache::SubKey& key, std::shared_ptr<const Profiles> profiles) {
  std::unique_lock lock(mutex_);
  if (map_.size() < kCapacity) map_.emplace(key, std::move(profiles));
}

std::size_t ShapeProfileCache::size() const {
  std::shared_lock lock(mutex_);
  return map_.size();
}

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// Profiles of (layer shape, sub-accelerator) pairs looked up once per
// evaluation, and what the list schedulers derive from them: a schedule
// search evaluates many candidates over the same pairs, and each candidate of
// a co-search is a new chip, so these lookups are a large share of its cost.
class ProfileTable {
 public:
  // `every_shape`: look up or profile every layer shape on every
  // sub-accelerator now, through the graph's cache (what the default
  // scheduler needs); otherwise each pair when first asked for.
  ProfileTable(const WorkloadGraph& graph, Estimator& estimator, bool every_shape = false)
      : graph_(graph),
        estimator_(estimator),
        subs_(estimator.sub_count()),
        table_(graph.shapes() * subs_),
        forwards_(graph.shapes() * subs_, -1),
        memoised_(subs_ <= kMaxMemoisedSubs) {
    const ChipSpec& chip = estimator.chip();
    for (std::size_t s = 0; s < subs_; ++s)
      static_pj_per_cycle_.push_back(static_energy_pj(chip.sub_accelerators[s], chip.technology, 1.0));
    if (every_shape) {
      for (std::size_t s = 0; s < subs_; ++s) {
        const MappingCache::SubKey& key = estimator.mapper().sub_key(s);
        auto known = graph.shape_profiles->find(key);
        if (!known) {
          auto profiles = std::make_shared<ShapeProfileCache::Profiles>();
          for (int id : graph.shape_layer) profiles->push_back(estimator.mapper().profile(graph.layer(id), s));
          graph.shape_profiles->insert(key, profiles);
          known = std::move(profiles);
        }
        for (std::size_t shape = 0; shape < known->size(); ++shape) table_[shape * subs_ + s] = (*known)[shape];
      }
    }
    if (!memoised_) return;
    const std::size_t masks = std::size_t{1} << subs_;
    bandwidth_.resize(subs_ * masks);
    for (std::size_t s = 0; s < subs_; ++s)
      for (std::uint64_t mask = 0; mask < masks; ++mask) bandwidth_[s * masks + mask] = estimator.bandwidth(s, mask);
    latency_.assign(graph.shapes() * subs_ * 2 * masks, LayerTiming{-1.0, 0.0, 0.0});
  }

  const LayerProfile& at(int id, std::size_t sub) {
    const std::size_t shape = static_cast<std::size_t>(graph_.shape[static_cast<std::size_t>(id)]);
    std::shared_ptr<const LayerProfile>& entry = table_[shape * subs_ + sub];
    if (!entry) entry = estimator_.mapper().profile(graph_.layer(id), sub);
    return *entry;
  }

  // Static energy (clock, leakage, PE control) of `sub` over `cycles`: linear in them.
  double static_pj(std::size_t sub, double cycles) const { return static_pj_per_cycle_[sub] * cycles; }

  // Whether `sub` keeps layer `producer`'s output on chip for the next layer there.
  bool forwards_output(int producer, std::size_t sub) {
    const std::size_t shape = static_cast<std::size_t>(graph_.shape[static_cast<std::size_t>(producer)]);
    signed char& known = forwards_[shape * subs_ + sub];
    if (known < 0)
      known = estimator_.mapper().dataflow(sub).forwards_output(graph_.layer(producer),
                                                                estimator_.chip().sub_accelerators[sub]);
    return known == 1;
  }

  // The bandwidth `sub` gets while the subs in `active` move data.
  double bandwidth(std::size_t sub, std::uint64_t active) const {
    return memoised_ ? bandwidth_[(sub << subs_) + active] : estimator_.bandwidth(sub, active);
  }

  // Layer `id`'s timing on `sub` at bandwidth(sub, active).
  const LayerTiming& timing(int id, std::size_t sub, std::uint64_t active, bool input_on_chip) {
    const auto compute = [&] {
      return layer_latency(at(id, sub), bandwidth(sub, active), estimator_.chip().dram.latency_cycles,
                           estimator_.params(), input_on_chip);
    };
    if (!memoised_) return scratch_ = compute();
    const std::size_t shape = static_cast<std::size_t>(graph_.shape[static_cast<std::size_t>(id)]);
    LayerTiming& cached = latency_[(((shape * subs_ + sub) * 2 + (input_on_chip ? 1 : 0)) << subs_) + active];
    if (cached.cycles < 0) cached = compute();
    return cached;
  }
  double cycles(int id, std::size_t sub, std::uint64_t active, bool input_on_chip) {
    return timing(id, sub, active, input_on_chip).cycles;
  }

 private:
  // Memo tables grow as 2^subs; chips beyond this compute afresh.
  static constexpr std::size_t kMaxMemoisedSubs = 6;

  const WorkloadGraph& graph_;
  Estimator& estimator_;
  std::size_t subs_;
  std::vector<std::shared_ptr<const LayerProfile>> table_;  // per (shape, sub)
  std::vector<signed char> forwards_;                        // per (shape, sub); -1 until known
  std::vector<double> static_pj_per_cycle_;                  // per sub
  bool memoised_;
  std::vector<double> bandwidth_;  // per (sub, active mask)
  std::vector<LayerTiming> latency_;  // per (shape, sub, input on chip, active mask); cycles < 0 until computed
  LayerTiming scratch_;
};

// The running state of a schedule being laid out in start-time order.
struct Timeline {
  explicit Timeline(const WorkloadGraph& graph, std::size_t subs)
      : finish(graph.size(), kNever),
        placed_sub(graph.size(), -1),
        free(subs, 0.0),
        last_start(subs, 0.0),
        last_end(subs, 0.0),
        last_layer(subs, -1) {}

  std::vector<double> finish;
  std::vector<int> placed_sub;
  std::vector<double> free;
  std::vector<double> last_start, last_end;
  std::vector<int> last_layer;

  // When `id` could start on `sub`, or kNever if a predecessor is not placed.
  double ready_time(const WorkloadGraph& graph, int id, std::size_t sub, double dram_latency) const {
    double ready = free[sub];
    for (int p : graph.predecessors[static_cast<std::size_t>(id)]) {
      if (placed_sub[static_cast<std::size_t>(p)] < 0) return kNever;
      const double handoff = placed_sub[static_cast<std::size_t>(p)] == static_cast<int>(sub) ? 0.0 : dram_latency;
      ready = std::max(ready, finish[static_cast<std::size_t>(p)] + handoff);
    }
    return ready;
  }

  std::uint64_t active_at(double time) const {
    std::uint64_t mask = 0;
    for (std::size_t s = 0; s < free.size(); ++s) {
      if (last_layer[s] >= 0 && last_start[s] <= time && time < last_end[s]) mask |= std::uint64_t{1} << s;
    }
    return mask;
  }

  bool input_on_chip(const WorkloadGraph& graph, ProfileTable& profiles, int id, std::size_t sub) const {
    const int producer = graph.sole_producer[static_cast<std::size_t>(id)];
    return producer >= 0 && last_layer[sub] == producer && profiles.forwards_output(producer, sub);
  }

  // Runs `id` on `sub` from `start` at the bandwidth it gets then; returns its energy.
  double place(const WorkloadGraph& graph, ProfileTable& profiles, int id, std::size_t sub, double start) {
    const bool on_chip = input_on_chip(graph, profiles, id, sub);
    const LayerProfile& profile = profiles.at(id, sub);
    const double cycles = profiles.cycles(id, sub, active_at(start) | std::uint64_t{1} << sub, on_chip);
    const double end = start + cycles;
    finish[static_cast<std::size_t>(id)] = end;
    placed_sub[static_cast<std::size_t>(id)] = static_cast<int>(sub);
    free[sub] = end;
    last_start[sub] = start;
    last_end[sub] = end;
    last_layer[sub] = id;
    return (on_chip ? profile.energy_input_on_chip : profile.energy).total_pj() + profiles.static_pj(sub, cycles);
  }
};

std::string infeasibility(const WorkloadGraph& graph, Estimator& estimator, int id) {
  std::string reasons;
  for (std::size_t s = 0; s < estimator.sub_count(); ++s) {
    const LayerProfile& profile = estimator.profile(graph.layer(id), s);
    if (!profile.feasible) {
      reasons += (reasons.empty() ? "" : "; ") + estimator.chip().sub_accelerators[s].name + ": " + profile.reason;
    }
  }
  const LayerRef& ref = graph.refs[static_cast<std::size_t>(id)];
  return "layer '" + graph.workload->networks[static_cast<std::size_t>(ref.network)].name() + ":" +
         graph.layer(id).name + "' fits no sub-accelerator (" + reasons + ")";
}

void finish_estimate(WorkloadEstimate& estimate, const ChipSpec& chip) {
  estimate.area_um2 = chip_area_um2(chip);
  estimate.busy_cycles.assign(chip.sub_accelerators.size(), 0.0);
  for (const auto& layer : estimate.layers) {
    estimate.makespan_cycles = std::max(estimate.makespan_cycles, layer.end);
    estimate.energy_pj += layer.energy_pj;
    estimate.busy_cycles[static_cast<std::size_t>(layer.sub)] += layer.end - layer.start;
  }
}

}  // namespace

namespace {

// Why the schedule puts a layer where it cannot fit, or "" if it does not.
std::string misplaced_layer(const WorkloadGraph& graph, ProfileTable& profiles, const Schedule& schedule,
                            const ChipSpec& chip) {
  for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
    for (const LayerRef& ref : schedule.per_sub[s]) {
      const LayerProfile& profile = profiles.at(graph.id(ref), s);
      if (!profile.feasible) {
        return "layer '" + graph.workload->networks[static_cast<std::size_t>(ref.network)].name() + ":" +
               graph.layer(graph.id(ref)).name + "' does not fit sub-accelerator '" + chip.sub_accelerators[s].name +
               "': " + profile.reason;
      }
    }
  }
  return {};
}

// What each sub-accelerator waits for when no layer can start.
std::string deadlock_reason(const WorkloadGraph& graph, const Schedule& schedule, const std::vector<std::size_t>& next,
                            const ChipSpec& chip) {
  std::string waits;
  for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
    if (next[s] >= schedule.per_sub[s].size()) continue;
    waits += (waits.empty() ? "" : "; ") + chip.sub_accelerators[s].name + " waits to run '" +
             graph.layer(graph.id(schedule.per_sub[s][next[s]])).name + "'";
  }
  return "the schedule deadlocks: " + waits + ", whose predecessors are queued behind them";
}

WorkloadEstimate evaluate(const WorkloadGraph& graph, Estimator& estimator, ProfileTable& profiles,
                          const Schedule& schedule) {
  const ChipSpec& chip = estimator.chip();
  const std::size_t subs = chip.sub_accelerators.size();
  WorkloadEstimate estimate;
  estimate.reason = misplaced_layer(graph, profiles, schedule, chip);
  if (!estimate.reason.empty()) {
    estimate.feasible = false;
    return estimate;
  }
  std::size_t remaining = 0;
  for (const auto& order : schedule.per_sub) remaining += order.size();
  // A fluid model of the layers in flight: each progresses at 1 / (its
  // latency at the bandwidth it gets now), and the bandwidth is re-shared
  // whenever a layer starts or ends.
  struct Running {
    int id = -1;
    double start = 0, progress = 0;
    // Until then the layer loads its first tile and demands DRAM all the
    // time; afterwards, its average share of time spent moving data.
    double prologue_end = 0;
    double average_demand = 0;
    const LayerProfile* profile = nullptr;
    ScheduledLayer record;
    // The last two timings asked for (its share, and what work-conserving
    // arbitration leaves it): a neighbour's start or end often leaves them
    // as they were.
    std::array<double, 2> timed_bandwidth{-1, -1};
    std::array<LayerTiming, 2> timing;
    int oldest = 0;
  };
  Timeline timeline(graph, subs);
  std::vector<std::size_t> next(subs, 0);
  std::vector<Running> running(subs);
  std::vector<double> demand(subs, 0.0), rate(subs, 0.0), share(subs, 0.0), cycles(subs, 0.0), consumed(subs, 0.0);
  estimate.layers.reserve(remaining);
  double now = 0;
  while (remaining > 0) {
    // Start every layer that can start now.
    double next_ready = kNever;
    for (std::size_t s = 0; s < subs; ++s) {
      if (running[s].id >= 0 || next[s] >= schedule.per_sub[s].size()) continue;
      const int id = graph.id(schedule.per_sub[s][next[s]]);
      const double ready = timeline.ready_time(graph, id, s, chip.dram.latency_cycles);
      if (ready <= now) {
        Running& r = running[s];
        r.id = id;
        r.start = now;
        r.progress = 0;
        r.profile = &profiles.at(id, s);
        r.record.ref = graph.refs[static_cast<std::size_t>(id)];
        r.record.sub = static_cast<int>(s);
        r.record.start = now;
        r.record.input_on_chip = timeline.input_on_chip(graph, profiles, id, s);
        r.record.energy_pj = (r.record.input_on_chip ? r.profile->energy_input_on_chip : r.profile->energy).total_pj();
        ++next[s];
      } else {
        next_ready = std::min(next_ready, ready);
      }
    }
    bool any = false;
    for (const auto& r : running) any = any || r.id >= 0;
    if (!any) {
      if (next_ready == kNever) {
        estimate.feasible = false;
        estimate.deadlocked = true;
        estimate.reason = deadlock_reason(graph, schedule, next, chip);
        return estimate;
      }
      now = next_ready;
      continue;
    }
    // A layer's demand for DRAM: all the time while it loads its first tile,
    // then the share of its time it moves data, judged when it starts with
    // every running neighbour competing.
    std::uint64_t busy = 0;
    for (std::size_t j = 0; j < subs; ++j) busy |= running[j].id >= 0 ? std::uint64_t{1} << j : 0;
    for (std::size_t s = 0; s < subs; ++s) {
      Running& r = running[s];
      if (r.id < 0 || r.progress > 0 || r.record.bandwidth > 0) continue;
      const double bandwidth = profiles.bandwidth(s, busy);
      const LayerTiming timing = profiles.timing(r.id, s, busy, r.record.input_on_chip);
      r.record.timing = timing;
      r.record.bandwidth = bandwidth;
      r.average_demand = std::min(1.0, timing.memory_cycles / std::max(timing.cycles, 1e-9));
      const double first =
          r.profile->head[0].load_bytes(r.record.input_on_chip) + r.profile->head[1].load_bytes(r.record.input_on_chip);
      r.prologue_end = std::isinf(bandwidth) ? now : now + chip.dram.latency_cycles + first / bandwidth;
    }
    for (std::size_t s = 0; s < subs; ++s) {
      demand[s] = running[s].id < 0 ? 0.0 : now < running[s].prologue_end ? 1.0 : running[s].average_demand;
    }
    const auto latency_at = [&](std::size_t s, double bandwidth) {
      Running& r = running[s];
      for (int k = 0; k < 2; ++k)
        if (r.timed_bandwidth[k] == bandwidth) return r.timing[k];
      const int k = r.oldest;
      r.oldest = 1 - k;
      r.timing[k] =
          layer_latency(*r.profile, bandwidth, chip.dram.latency_cycles, estimator.params(), r.record.input_on_chip);
      r.timed_bandwidth[k] = bandwidth;
      return r.timing[k];
    };
    for (std::size_t s = 0; s < subs; ++s) {
      consumed[s] = 0;
      if (running[s].id < 0) continue;
      share[s] = estimator.bandwidth(s, demand);
      const LayerTiming timing = latency_at(s, share[s]);
      cycles[s] = timing.cycles;
      const bool in_prologue = now < running[s].prologue_end;
      consumed[s] =
          share[s] * (in_prologue ? 1.0 : std::min(1.0, timing.memory_cycles / std::max(timing.cycles, 1e-9)));
    }
    for (std::size_t s = 0; s < subs; ++s) {
      if (running[s].id < 0) continue;
      // Arbitration is work-conserving: what the others do not consume is
      // there for a sub-accelerator that would move more.
      double others = 0;
      for (std::size_t k = 0; k < subs; ++k) {
        if (k != s) others += consumed[k];
      }
      const double leftover = estimator.unclaimed_bandwidth(others);
      if (leftover > share[s]) cycles[s] = latency_at(s, leftover).cycles;
      rate[s] = 1.0 / std::max(cycles[s], 1e-9);
    }
    double step = next_ready - now;
    for (std::size_t s = 0; s < subs; ++s) {
      if (running[s].id < 0) continue;
      step = std::min(step, (1.0 - running[s].progress) / rate[s]);
      if (running[s].prologue_end > now) step = std::min(step, running[s].prologue_end - now);
    }
    now += step;
    for (std::size_t s = 0; s < subs; ++s) {
      Running& r = running[s];
      if (r.id < 0) continue;
      r.progress += rate[s] * step;
      if (r.progress < 1.0 - 1e-9) continue;
      r.record.end = now;
      r.record.energy_pj += profiles.static_pj(s, now - r.record.start);
      timeline.finish[static_cast<std::size_t>(r.id)] = now;
      timeline.placed_sub[static_cast<std::size_t>(r.id)] = static_cast<int>(s);
      timeline.free[s] = now;
      timeline.last_layer[s] = r.id;
      estimate.layers.push_back(r.record);
      r = Running{};
      --remaining;
    }
  }
  std::stable_sort(estimate.layers.begin(), estimate.layers.end(),
                   [](const ScheduledLayer& a, const ScheduledLayer& b) { return a.start < b.start; });
  finish_estimate(estimate, chip);
  return estimate;
}

// A quick estimate that fixes each layer's bandwidth when it starts: used to
// rank candidate schedules before the fluid evaluation of the best ones. Its
// figures only (makespan, energy, area), no per-layer records; the caller
// places each layer where it fits.
WorkloadEstimate quick_evaluate(const WorkloadGraph& graph, Estimator& estimator, ProfileTable& profiles,
                                const Schedule& schedule) {
  const ChipSpec& chip = estimator.chip();
  const std::size_t subs = chip.sub_accelerators.size();
  WorkloadEstimate estimate;
  Timeline timeline(graph, subs);
  std::vector<std::size_t> next(subs, 0);
  std::size_t remaining = 0;
  for (const auto& order : schedule.per_sub) remaining += order.size();
  while (remaining > 0) {
    std::size_t best_sub = subs;
    double best_start = kNever;
    for (std::size_t s = 0; s < subs; ++s) {
      if (next[s] >= schedule.per_sub[s].size()) continue;
      const double start =
          timeline.ready_time(graph, graph.id(schedule.per_sub[s][next[s]]), s, chip.dram.latency_cycles);
      if (start < best_start) {
        best_start = start;
        best_sub = s;
      }
    }
    if (best_sub == subs) {
      estimate.feasible = false;
      estimate.deadlocked = true;
      estimate.reason = deadlock_reason(graph, schedule, next, chip);
      return estimate;
    }
    const int id = graph.id(schedule.per_sub[best_sub][next[best_sub]++]);
    estimate.energy_pj += timeline.place(graph, profiles, id, best_sub, best_start);
    estimate.makespan_cycles = std::max(estimate.makespan_cycles, timeline.finish[static_cast<std::size_t>(id)]);
    --remaining;
  }
  estimate.area_um2 = chip_area_um2(chip);
  return estimate;
}

}  // namespace

WorkloadEstimate evaluate_schedule(const WorkloadGraph& graph, Estimator& estimator, const Schedule& schedule) {
  ProfileTable profiles(graph, estimator);
  return evaluate(graph, estimator, profiles, schedule);
}

namespace {

Schedule greedy_layer_schedule(const WorkloadGraph& graph, Estimator& estimator, ProfileTable& profiles) {
  const ChipSpec& chip = estimator.chip();
  const std::size_t subs = chip.sub_accelerators.size();
  Schedule schedule;
  schedule.per_sub.resize(subs);
  Timeline timeline(graph, subs);
  std::vector<int> pending(graph.size());
  std::set<int> ready;
  for (std::size_t id = 0; id < graph.size(); ++id) {
    pending[id] = static_cast<int>(graph.predecessors[id].size());
    if (pending[id] == 0) ready.insert(static_cast<int>(id));
  }
  // Real networks have a handful of ready layers at a time; a graph of
  // thousands of independent layers would make list scheduling quadratic, so
  // only the first layers ready (in graph order) compete at each step.
  constexpr std::size_t kMaxCandidates = 64;
  while (!ready.empty()) {
    double best_finish = kNever, best_start = kNever;
    int best_id = -1;
    std::size_t best_sub = 0;
    std::size_t candidates = 0;
    for (int id : ready) {
      if (candidates++ == kMaxCandidates) break;
      for (std::size_t s = 0; s < subs; ++s) {
        const LayerProfile& profile = profiles.at(id, s);
        if (!profile.feasible) continue;
        const double start = timeline.ready_time(graph, id, s, chip.dram.latency_cycles);
        const double finish = start + profiles.cycles(id, s, timeline.active_at(start) | std::uint64_t{1} << s,
                                                      timeline.input_on_chip(graph, profiles, id, s));
        if (finish < best_finish ||
            (finish == best_finish && (start < best_start || (start == best_start && id < best_id)))) {
          best_finish = finish;
          best_start = start;
          best_id = id;
          best_sub = s;
        }
      }
    }
    if (best_id < 0) return {};  // some ready layer fits nowhere; the caller reports it
    timeline.place(graph, profiles, best_id, best_sub, best_start);
    schedule.per_sub[best_sub].push_back(graph.refs[static_cast<std::size_t>(best_id)]);
    ready.erase(best_id);
    for (int consumer : graph.successors[static_cast<std::size_t>(best_id)]) {
      if (--pending[static_cast<std::size_t>(consumer)] == 0) ready.insert(consumer);
    }
  }
  return schedule;
}

// A lower bound on a schedule's makespan under the fluid model: the busiest
// sub-accelerator's layers back to back, each at the latency it has when it
// gets the most bandwidth any arbitration gives it (no neighbour moving data),
// with its input on chip exactly when the schedule keeps it there. Latency
// never falls as bandwidth shrinks, and contention (>= 0) only shrinks it.
class MakespanFloor {
 public:
  MakespanFloor(const WorkloadGraph& graph, ProfileTable& profiles) : graph_(graph), profiles_(profiles) {}

  double of(const Schedule& schedule) {
    double floor = 0;
    for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
      double busy = 0;
      int previous = -1;
      for (const LayerRef& ref : schedule.per_sub[s]) {
        const int id = graph_.id(ref);
        const int producer = graph_.sole_producer[static_cast<std::size_t>(id)];
        const bool on_chip = producer >= 0 && producer == previous && profiles_.forwards_output(producer, s);
        busy += profiles_.cycles(id, s, std::uint64_t{1} << s, on_chip);
        previous = id;
      }
      floor = std::max(floor, busy);
    }
    return floor;
  }

 private:
  const WorkloadGraph& graph_;
  ProfileTable& profiles_;
};

bool better(const WorkloadEstimate& a, const WorkloadEstimate& b) {
  if (!a.feasible) return false;
  if (!b.feasible) return true;
  if (a.makespan_cycles != b.makespan_cycles) return a.makespan_cycles < b.makespan_cycles;
  return a.energy_pj < b.energy_pj;
}

}  // namespace

ScheduleChoice default_schedule(const WorkloadGraph& graph, Estimator& estimator) {
  const Workload& workload = *graph.workload;
  const std::size_t subs = estimator.sub_count();
  ProfileTable profiles(graph, estimator, /*every_shape=*/true);
  for (std::size_t id = 0; id < graph.size(); ++id) {
    bool fits = false;
    for (std::size_t s = 0; s < subs; ++s) fits = fits || profiles.at(static_cast<int>(id), s).feasible;
    if (!fits) {
      ScheduleChoice none;
      none.estimate.feasible = false;
      none.estimate.reason = infeasibility(graph, estimator, static_cast<int>(id));
      return none;
    }
  }
  const auto& orders = graph.orders;

  // Candidates are ranked by the quick estimate; the best few are evaluated
  // with the fluid model, which re-shares DRAM as layers start and end.
  std::vector<Schedule> schedules;

  // Whole networks on one sub-accelerator each, every assignment (bounded).
  std::size_t combinations = 1;
  for (std::size_t n = 0; n < workload.networks.size() && combinations <= 4096; ++n) combinations *= subs;
  if (combinations <= 4096) {
    for (std::size_t code = 0; code < combinations; ++code) {
      Schedule schedule;
      schedule.per_sub.resize(subs);
      std::size_t rest = code;
      bool fits = true;
      for (std::size_t n = 0; n < workload.networks.size() && fits; ++n) {
        const std::size_t sub = rest % subs;
        rest /= subs;
        for (std::size_t l : orders[n]) {
          const LayerRef ref{static_cast<int>(n), static_cast<int>(l)};
          fits = fits && profiles.at(graph.id(ref), sub).feasible;
          schedule.per_sub[sub].push_back(ref);
        }
      }
      if (fits) schedules.push_back(std::move(schedule));
    }
  }
  Schedule greedy = greedy_layer_schedule(graph, estimator, profiles);
  if (!greedy.per_sub.empty()) schedules.push_back(std::move(greedy));

  constexpr std::size_t kFinalists = 3;
  MakespanFloor floor(graph, profiles);
  // The floor bounds the quick estimate too, so a schedule whose floor is
  // above the kFinalists-th best quick makespan found cannot be a finalist:
  // visiting schedules by rising floor lets most poor ones go unestimated.
  std::vector<double> floors;
  for (const Schedule& schedule : schedules) floors.push_back(floor.of(schedule));
  std::vector<std::size_t> by_floor(schedules.size());
  for (std::size_t i = 0; i < by_floor.size(); ++i) by_floor[i] = i;
  std::stable_sort(by_floor.begin(), by_floor.end(), [&](std::size_t a, std::size_t b) { return floors[a] < floors[b]; });
  std::vector<std::pair<WorkloadEstimate, std::size_t>> candidates;  // quick estimate, index in `schedules`
  std::vector<double> leading;                                       // the best quick makespans, ascending
  for (std::size_t i : by_floor) {
    if (leading.size() == kFinalists && floors[i] > leading.back()) continue;
    WorkloadEstimate quick = quick_evaluate(graph, estimator, profiles, schedules[i]);
    if (!quick.feasible) continue;
    leading.insert(std::upper_bound(leading.begin(), leading.end(), quick.makespan_cycles), quick.makespan_cycles);
    if (leading.size() > kFinalists) leading.pop_back();
    candidates.emplace_back(std::move(quick), i);
  }
  // Ties keep the order the schedules were built in.
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
    if (better(a.first, b.first)) return true;
    if (better(b.first, a.first)) return false;
    return a.second < b.second;
  });
  ScheduleChoice best;
  best.estimate.feasible = false;
  best.estimate.reason = "no candidate schedule";
  for (std::size_t i = 0; i < std::min(kFinalists, candidates.size()); ++i) {
    // A finalist that cannot beat the best one even with every layer at its
    // uncontended latency is skipped: the choice stays what evaluating it
    // would give, at a fraction of the fluid model's cost.
    const std::size_t index = candidates[i].second;
    if (best.estimate.feasible && floors[index] > best.estimate.makespan_cycles) continue;
    WorkloadEstimate estimate = evaluate(graph, estimator, profiles, schedules[index]);
    if (better(estimate, best.estimate)) best = ScheduleChoice{std::move(schedules[index]), std::move(estimate)};
  }
  return best;
}

ScheduleChoice refine_schedule(const WorkloadGraph& graph, Estimator& estimator, ScheduleChoice start,
                               int max_evaluations) {
  if (!start.estimate.feasible) return start;
  ProfileTable profiles(graph, estimator);
  ScheduleChoice best = std::move(start);
  int evaluations = 0;
  const std::size_t subs = best.schedule.per_sub.size();
  bool improved = true;
  while (improved && evaluations < max_evaluations) {
    improved = false;
    // Start times as this pass began: where a moved layer goes among its new neighbours.
    std::vector<double> started(graph.size(), 0.0);
    for (const ScheduledLayer& layer : best.estimate.layers) started[static_cast<std::size_t>(graph.id(layer.ref))] = layer.start;
    for (std::size_t id = 0; id < graph.size() && evaluations < max_evaluations; ++id) {
      const LayerRef ref = graph.refs[id];
      std::size_t from = 0, i = 0;
      for (from = 0; from < subs; ++from) {
        const auto& order = best.schedule.per_sub[from];
        i = static_cast<std::size_t>(std::find(order.begin(), order.end(), ref) - order.begin());
        if (i < order.size()) break;
      }
      NASAIC_CHECK(from < subs, "a feasible schedule places every layer");
      const auto& predecessors = graph.predecessors[id];
      const auto& successors = graph.successors[id];
      for (std::size_t to = 0; to < subs && evaluations < max_evaluations; ++to) {
        if (to == from || !profiles.at(static_cast<int>(id), to).feasible) continue;
        const std::vector<LayerRef>& target = best.schedule.per_sub[to];
        // After its producers on the target and before its consumers; in
        // between, where its start time falls among the target's layers.
        std::size_t low = 0, high = target.size();
        for (std::size_t k = 0; k < target.size(); ++k) {
          const int other = graph.id(target[k]);
          if (std::find(predecessors.begin(), predecessors.end(), other) != predecessors.end()) low = k + 1;
          if (high == target.size() && std::find(successors.begin(), successors.end(), other) != successors.end())
            high = k;
        }
        if (low > high) continue;
        std::size_t at = low;
        while (at < high && started[static_cast<std::size_t>(graph.id(target[at]))] < started[id]) ++at;
        Schedule candidate = best.schedule;
        candidate.per_sub[from].erase(candidate.per_sub[from].begin() + static_cast<std::ptrdiff_t>(i));
        candidate.per_sub[to].insert(candidate.per_sub[to].begin() + static_cast<std::ptrdiff_t>(at), ref);
        ++evaluations;
        WorkloadEstimate estimate = evaluate(graph, estimator, profiles, candidate);
        if (better(estimate, best.estimate)) {
          best = ScheduleChoice{std::move(candidate), std::move(estimate)};
          improved = true;
          break;  // on to the next layer, from where this one now is
        }
      }
    }
  }
  return best;
}

}  // namespace nasaic
