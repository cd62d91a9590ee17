#pragma once
// The behaviour of one sub-accelerator, cycle by cycle, as a deterministic
// state machine that the SystemC module in sub_accelerator_module.hpp drives.
//
//  - Controller: takes the scheduled layers in order; a layer starts when its
//    producers are done (plus one DRAM latency of hand-off when a producer ran
//    on another sub-accelerator).
//  - DMA: posts each tile's loads (ifmap, filter, partial sums) and each
//    output tile's write-back to the DRAM channel, as the tile plan says.
//  - Buffers: double-buffered; a tile's loads start once the tile two places
//    earlier has left the PE array, and an output visit starts once the
//    write-back two visits earlier is done.
//  - PE array: runs a tile when its operands have arrived, for the plan's
//    exact compute cycles, or longer when the buffer ports cannot feed it.
//
// act(now) does everything due at cycle `now`; calling it every cycle or
// only at the cycles where something is due gives the same result, which is
// what makes lockstep and skip-ahead agree.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dataflows/dataflow_template.hpp"
#include "dataflows/mapper.hpp"
#include "dataflows/tile_walker.hpp"
#include "dataflows/workload_cost.hpp"
#include "noc/dram_channel.hpp"
#include "sim/statistics.hpp"

namespace nasaic {

// What all sub-accelerators see of each other: when each layer finished.
struct SharedProgress {
  std::vector<Cycle> done;      // per global layer id; kNoCycle until done
  std::vector<int> placed_sub;  // per global layer id
  Cycle handoff_cycles = 0;     // DRAM latency, at least one cycle
};

class SubAcceleratorCore {
 public:
  // Layers run as `mapper` maps them (the surrogate's choice for this chip).
  SubAcceleratorCore(int index, const ChipSpec& chip, const WorkloadGraph& graph, std::vector<LayerRef> order,
                     SharedProgress& progress, DramChannel* channel, Mapper& mapper);

  // Does everything due at `now`. Returns true if anything changed.
  bool act(Cycle now);
  // The next cycle after `now` this sub-accelerator must act by itself (a
  // compute end, a dependency hand-off, a transfer known to land); kNoCycle
  // if it waits only for others.
  Cycle next_action(Cycle now) const;
  bool finished() const { return next_layer_ >= order_.size() && !running_; }
  // What it is waiting for, for the watchdog's report.
  std::string waiting_for(Cycle now) const;

  const std::vector<LayerStats>& layer_stats() const { return stats_; }
  // Tile-level spans (compute, waiting for DRAM), recorded when asked for.
  void record_phases(bool on) { record_phases_ = on; }
  const std::vector<PhaseRecord>& phases() const { return phases_; }
  int index() const { return index_; }
  // For traces.
  bool pe_busy(Cycle now) const { return running_ && running_->compute_end > now; }
  std::int64_t current_tile() const { return running_ ? running_->computed : -1; }
  std::int64_t layers_done() const { return static_cast<std::int64_t>(stats_.size()); }

  // A layer finished at `done` becomes visible to other sub-accelerators at
  // this cycle.
  Cycle visible_to_others(Cycle done) const { return done + progress_.handoff_cycles; }

 private:
  struct TileInFlight {
    TileStep step;
    std::array<std::int64_t, 3> tickets{-1, -1, -1};  // ifmap, filter, partial sums
    Cycle ready = 0;                                   // loads known complete from this cycle (ideal DRAM)
    std::int64_t visit = 0;                            // output visit number
  };
  struct Running {
    int id = 0;
    TilePlan plan;
    std::unique_ptr<TileWalker> walker;
    LayerStats stats;
    std::vector<TileInFlight> window;  // loaded or loading, not yet computed (at most 2)
    Cycle compute_end = 0;             // of the tile in the PE array
    bool computing = false;
    std::int64_t computed = 0;
    std::int64_t visits = 0;  // output visits started
    std::array<std::int64_t, 2> write_tickets{-1, -1};  // last two visits' write-backs (by visit parity)
    std::array<Cycle, 2> write_ready{0, 0};             // ideal DRAM: ready cycle
    Cycle waiting_since = 0;                            // PE idle since
    Cycle finish_at = kNoCycle;                         // set once only the fixed cycles remain
    std::int64_t contention_at_start = 0;
  };

  bool try_start_layer(Cycle now);
  bool post_loads(Cycle now);
  bool finish_compute(Cycle now);
  bool start_compute(Cycle now);
  bool try_finish_layer(Cycle now);
  std::int64_t post(std::int64_t bytes, Cycle now);
  Cycle ready_of(std::int64_t ticket, Cycle ideal_ready) const;
  void release(std::int64_t ticket);  // a no-op for -1 (no transfer)
  bool loads_ready(const TileInFlight& tile, Cycle now) const;
  Cycle dependencies_ready(int id) const;  // kNoCycle if a producer is not done

  int index_;
  const ChipSpec& chip_;
  const SubAcceleratorSpec& sub_;
  const WorkloadGraph& graph_;
  std::vector<LayerRef> order_;
  std::vector<bool> input_on_chip_;
  SharedProgress& progress_;
  DramChannel* channel_;  // null: ideal DRAM
  Mapper& mapper_;
  std::size_t next_layer_ = 0;
  Cycle free_since_ = 0;
  std::optional<Running> running_;
  std::vector<LayerStats> stats_;
  bool record_phases_ = false;
  std::vector<PhaseRecord> phases_;
};

}  // namespace nasaic
