#pragma once
// The surrogate for a whole multi-DNN workload on a heterogeneous chip.
//
// Given a schedule, layers run in order on their sub-accelerator; a layer
// starts when its sub-accelerator is free and its predecessors are done. An
// edge that crosses sub-accelerators goes through DRAM: the consumer waits
// one DRAM latency after its producer ends, and reads the tensor from DRAM.
// An edge within a sub-accelerator, to the very next layer there, whose
// tensor fits the ifmap buffer stays on chip: the consumer skips its ifmap
// loads. Concurrent sub-accelerators contend for DRAM: a layer's bandwidth is
// set by the arbitration policy and the subs active when it starts (see
// Estimator::bandwidth).
//
// The default scheduler tries every mapping of whole networks to
// sub-accelerators, and a greedy earliest-finish-time list schedule over
// single layers (at each step the ready layer and sub-accelerator that finish
// soonest, counting DRAM contention and on-chip reuse), and keeps the
// schedule with the smallest makespan (then energy).
#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "dataflows/estimator.hpp"
#include "dataflows/schedule.hpp"

namespace nasaic {

// The profiles of a workload's layer shapes on each sub-accelerator spec met
// so far. Every candidate of a hardware search is a new chip, but its
// sub-accelerators mostly are not: one lookup per sub-accelerator replaces
// one per layer shape. Safe to share between threads; bounded.
class ShapeProfileCache {
 public:
  using Profiles = std::vector<std::shared_ptr<const LayerProfile>>;  // per shape
  static constexpr std::size_t kCapacity = 1 << 14;

  std::shared_ptr<const Profiles> find(const MappingCache::SubKey& key) const;
  // Past the capacity, entries are no longer kept (the mapping cache still is).
  void insert(const MappingCache::SubKey& key, std::shared_ptr<const Profiles> profiles);
  std::size_t size() const;

 private:
  mutable std::shared_mutex mutex_;
  std::unordered_map<MappingCache::SubKey, std::shared_ptr<const Profiles>, MappingCache::SubKeyHash> map_;
};

// A workload's layers flattened, with their dependencies, built once so that
// evaluating many schedules does no graph work.
struct WorkloadGraph {
  explicit WorkloadGraph(const Workload& workload);

  const Workload* workload;
  std::vector<int> offset;  // first global id of each network
  std::vector<LayerRef> refs;
  std::vector<std::vector<int>> predecessors;  // global ids
  std::vector<std::vector<int>> successors;    // global ids
  std::vector<int> sole_producer;              // the only tensor input, or -1
  std::vector<std::vector<std::size_t>> orders;  // per network, its layers in dependency order
  // Per layer, the index of its cost shape among the workload's distinct
  // ones: layers of one shape share a profile on a given sub-accelerator.
  std::vector<int> shape;
  std::vector<int> shape_layer;  // per shape, a layer of that shape
  // Filled by default_schedule on the chips it is asked about.
  std::shared_ptr<ShapeProfileCache> shape_profiles = std::make_shared<ShapeProfileCache>();

  std::size_t shapes() const { return shape_layer.size(); }

  int id(LayerRef ref) const { return offset[static_cast<std::size_t>(ref.network)] + ref.layer; }
  const Layer& layer(int id) const {
    const LayerRef& ref = refs[static_cast<std::size_t>(id)];
    return workload->networks[static_cast<std::size_t>(ref.network)].layer(static_cast<std::size_t>(ref.layer));
  }
  std::size_t size() const { return refs.size(); }
};

struct ScheduledLayer {
  LayerRef ref;
  int sub = 0;
  double start = 0, end = 0;
  double bandwidth = 0;  // bytes/cycle the layer got
  bool input_on_chip = false;
  LayerTiming timing;
  double energy_pj = 0;
};

struct WorkloadEstimate {
  bool feasible = true;
  // Infeasible because the schedule deadlocks (a valid schedule that cannot
  // complete), not because a layer does not fit where it is placed.
  bool deadlocked = false;
  std::string reason;
  double makespan_cycles = 0;
  double energy_pj = 0;
  double area_um2 = 0;
  std::vector<double> busy_cycles;     // per sub-accelerator
  std::vector<ScheduledLayer> layers;  // in start order
};

WorkloadEstimate evaluate_schedule(const WorkloadGraph& graph, Estimator& estimator, const Schedule& schedule);

struct ScheduleChoice {
  Schedule schedule;
  WorkloadEstimate estimate;
};
ScheduleChoice default_schedule(const WorkloadGraph& graph, Estimator& estimator);

// A local search from `start`: moves one layer at a time to another
// sub-accelerator where it fits (placed among that one's layers by when it
// started), keeping a move when the estimate is better (shorter makespan,
// then less energy). Passes over the layers in id order, first improvement
// per layer, until a pass finds none or `max_evaluations` schedules have been
// estimated; deterministic. The default
// scheduler places whole networks or single layers greedily and can leave a
// sub-accelerator idle that a few moved layers would use.
ScheduleChoice refine_schedule(const WorkloadGraph& graph, Estimator& estimator, ScheduleChoice start,
                               int max_evaluations = 4000);

}  // namespace nasaic
