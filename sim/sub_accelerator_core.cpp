#include "sim/sub_accelerator_core.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace nasaic {

SubAcceleratorCore::SubAcceleratorCore(int index, const ChipSpec& chip, const WorkloadGraph& graph,
                                       std::vector<LayerRef> order, SharedProgress& progress, DramChannel* channel,
                                       Mapper& mapper)
    : index_(index),
      chip_(chip),
      sub_(chip.sub_accelerators[static_cast<std::size_t>(index)]),
      graph_(graph),
      order_(std::move(order)),
      progress_(progress),
      channel_(channel),
      mapper_(mapper) {
  // The surrogate's rule (Timeline::input_on_chip): the sole producer ran
  // just before on this sub-accelerator and the template keeps its output.
  const DataflowTemplate& dataflow = find_template(sub_.dataflow);
  for (std::size_t k = 0; k < order_.size(); ++k) {
    const int producer = graph_.sole_producer[static_cast<std::size_t>(graph_.id(order_[k]))];
    input_on_chip_.push_back(k > 0 && producer >= 0 && producer == graph_.id(order_[k - 1]) &&
                             dataflow.forwards_output(graph_.layer(producer), sub_));
  }
}

Cycle SubAcceleratorCore::dependencies_ready(int id) const {
  Cycle ready = 0;
  for (int p : graph_.predecessors[static_cast<std::size_t>(id)]) {
    const Cycle done = progress_.done[static_cast<std::size_t>(p)];
    if (done == kNoCycle) return kNoCycle;
    const bool here = progress_.placed_sub[static_cast<std::size_t>(p)] == index_;
    ready = std::max(ready, here ? done : done + progress_.handoff_cycles);
  }
  return ready;
}

std::int64_t SubAcceleratorCore::post(std::int64_t bytes, Cycle now) {
  return channel_ ? channel_->post(index_, bytes, now) : -1;
}

void SubAcceleratorCore::release(std::int64_t ticket) {
  if (ticket >= 0) channel_->release(ticket);
}

Cycle SubAcceleratorCore::ready_of(std::int64_t ticket, Cycle ideal_ready) const {
  return ticket < 0 ? ideal_ready : channel_->ready_cycle(ticket);
}

bool SubAcceleratorCore::loads_ready(const TileInFlight& tile, Cycle now) const {
  for (std::int64_t ticket : tile.tickets) {
    if (ready_of(ticket, tile.ready) > now) return false;
  }
  return true;
}

bool SubAcceleratorCore::try_start_layer(Cycle now) {
  if (running_ || next_layer_ >= order_.size()) return false;
  const int id = graph_.id(order_[next_layer_]);
  if (dependencies_ready(id) > now) return false;
  const Layer& layer = graph_.layer(id);
  running_.emplace();
  Running& r = *running_;
  r.id = id;
  r.plan = mapper_.plan(layer, static_cast<std::size_t>(index_));
  NASAIC_CHECK(r.plan.feasible, "the simulator was given a layer its sub-accelerator cannot hold: " + r.plan.reason);
  r.walker = std::make_unique<TileWalker>(r.plan);
  r.stats.ref = order_[next_layer_];
  r.stats.sub = index_;
  r.stats.input_on_chip = input_on_chip_[next_layer_];
  r.stats.start = free_since_;
  r.stats.dependency_stall_cycles = now - free_since_;
  r.stats.report_offset_cycles = r.plan.report_offset_cycles;
  r.stats.macs = layer.macs();
  r.stats.pes = sub_.pes();
  r.waiting_since = now;
  r.contention_at_start = channel_ ? channel_->contention_cycles(index_) : 0;
  return true;
}

bool SubAcceleratorCore::post_loads(Cycle now) {
  if (!running_) return false;
  Running& r = *running_;
  bool changed = false;
  const std::int64_t burst = chip_.dram.burst_bytes;
  while (r.window.size() < 2 && !r.walker->done()) {
    TileInFlight tile;
    tile.step = r.walker->next();
    tile.ready = now;
    const auto& footprint = tile.step.tile_class->cost.footprint_bytes;
    const std::array<std::int64_t, 3> bytes = {
        tile.step.load_ifmap && !r.stats.input_on_chip ? footprint[0] : 0,
        tile.step.load_filter ? footprint[1] : 0,
        tile.step.ofmap_reread ? footprint[2] : 0};
    for (int o = 0; o < 3; ++o) {
      if (bytes[o] <= 0) continue;
      tile.tickets[o] = post(bytes[o], now);
      r.stats.activity.dram_read_bytes[o] += (bytes[o] + burst - 1) / burst * burst;
    }
    if (tile.step.ofmap_visit_start) ++r.visits;
    tile.visit = r.visits - 1;
    r.window.push_back(tile);
    changed = true;
  }
  return changed;
}

bool SubAcceleratorCore::start_compute(Cycle now) {
  if (!running_) return false;
  Running& r = *running_;
  if (r.computing || r.window.empty()) return false;
  const TileInFlight& tile = r.window.front();
  if (!loads_ready(tile, now)) return false;
  // Double-buffered output: a new visit needs the buffer half that the visit
  // two before it used, so that visit's write-back must be done.
  if (tile.step.ofmap_visit_start && tile.visit >= 2) {
    const std::size_t slot = static_cast<std::size_t>(tile.visit % 2);
    if (ready_of(r.write_tickets[slot], r.write_ready[slot]) > now) {
      return false;
    }
  }
  const TileCost& cost = tile.step.tile_class->cost;
  const std::int64_t duration = std::max(cost.compute_cycles, tile_port_cycles(cost, sub_));
  r.stats.dram_stall_cycles += now - r.waiting_since;
  if (record_phases_) {
    if (now > r.waiting_since) {
      phases_.push_back({PhaseRecord::Kind::dram_wait, index_, r.stats.ref, r.computed, r.waiting_since, now});
    }
    phases_.push_back({PhaseRecord::Kind::compute, index_, r.stats.ref, r.computed, now, now + duration});
  }
  r.stats.compute_cycles += cost.compute_cycles;
  r.stats.port_stall_cycles += duration - cost.compute_cycles;
  r.stats.ops += cost.ops;
  ++r.stats.tiles;
  for (int o = 0; o < kOperands; ++o) {
    r.stats.activity.buffer_reads[o] += cost.buffer_reads[o];
    r.stats.activity.buffer_writes[o] += cost.buffer_writes[o];
  }
  r.compute_end = now + duration;
  r.computing = true;
  return true;
}

bool SubAcceleratorCore::finish_compute(Cycle now) {
  if (!running_) return false;
  Running& r = *running_;
  if (!r.computing || r.compute_end > now) return false;
  r.computing = false;
  const TileInFlight tile = r.window.front();
  r.window.erase(r.window.begin());
  for (std::int64_t ticket : tile.tickets) release(ticket);
  ++r.computed;
  r.waiting_since = r.compute_end;
  if (tile.step.ofmap_visit_end && tile.step.ofmap_write_back) {
    const std::int64_t bytes = tile.step.tile_class->cost.footprint_bytes[2];
    const std::size_t slot = static_cast<std::size_t>(tile.visit % 2);
    const std::int64_t burst = chip_.dram.burst_bytes;
    release(r.write_tickets[slot]);  // checked done when this visit started
    r.write_tickets[slot] = bytes > 0 ? post(bytes, now) : -1;
    r.write_ready[slot] = now;
    r.stats.activity.dram_write_bytes += (bytes + burst - 1) / burst * burst;
  }
  return true;
}

bool SubAcceleratorCore::try_finish_layer(Cycle now) {
  if (!running_) return false;
  Running& r = *running_;
  if (!r.walker->done() || !r.window.empty() || r.computing) return false;
  if (r.finish_at == kNoCycle) {
    for (std::size_t slot = 0; slot < 2; ++slot) {
      if (ready_of(r.write_tickets[slot], r.write_ready[slot]) > now) return false;
    }
    r.stats.dram_stall_cycles += now - r.waiting_since;
    if (record_phases_ && now > r.waiting_since) {
      phases_.push_back({PhaseRecord::Kind::dram_wait, index_, r.stats.ref, r.computed, r.waiting_since, now});
    }
    r.finish_at = now + r.plan.fixed_cycles;
    r.stats.compute_cycles += r.plan.fixed_cycles;
  }
  if (r.finish_at > now) return false;
  LayerStats stats = r.stats;
  stats.end = r.finish_at;
  if (channel_) {
    const std::int64_t contention = channel_->contention_cycles(index_) - r.contention_at_start;
    stats.contention_stall_cycles = std::min(stats.dram_stall_cycles, contention);
    stats.dram_stall_cycles -= stats.contention_stall_cycles;
  }
  stats.activity.ops = stats.ops;
  stats.energy = energy_of(stats.activity, sub_, chip_.technology, graph_.layer(r.id).bits);
  stats.energy.static_pj = static_energy_pj(sub_, chip_.technology, 
                                           static_cast<double>(stats.cycles() - stats.dependency_stall_cycles));
  progress_.done[static_cast<std::size_t>(r.id)] = stats.end;
  free_since_ = stats.end;
  stats_.push_back(stats);
  for (std::int64_t ticket : r.write_tickets) release(ticket);
  running_.reset();
  ++next_layer_;
  return true;
}

bool SubAcceleratorCore::act(Cycle now) {
  bool any = false;
  bool changed = true;
  while (changed) {
    changed = finish_compute(now);
    changed = try_finish_layer(now) || changed;
    changed = try_start_layer(now) || changed;
    changed = post_loads(now) || changed;
    changed = start_compute(now) || changed;
    any = any || changed;
  }
  return any;
}

Cycle SubAcceleratorCore::next_action(Cycle now) const {
  if (running_) {
    const Running& r = *running_;
    if (r.computing) return r.compute_end;
    if (r.finish_at != kNoCycle) return r.finish_at;
    // Transfers whose outcome is known: wake when the next one lands (the
    // channel also wakes us when an outcome becomes known).
    Cycle next = kNoCycle;
    const auto consider = [&](std::int64_t ticket, Cycle ideal) {
      const Cycle ready = ready_of(ticket, ideal);
      if (ready > now && ready < next) next = ready;
    };
    for (const auto& tile : r.window) {
      for (std::int64_t ticket : tile.tickets) consider(ticket, tile.ready);
    }
    for (std::size_t slot = 0; slot < 2; ++slot) consider(r.write_tickets[slot], r.write_ready[slot]);
    return next;
  }
  if (next_layer_ < order_.size()) return dependencies_ready(graph_.id(order_[next_layer_]));
  return kNoCycle;
}

std::string SubAcceleratorCore::waiting_for(Cycle now) const {
  const auto name_of = [&](int id) {
    const LayerRef& ref = graph_.refs[static_cast<std::size_t>(id)];
    return graph_.workload->networks[static_cast<std::size_t>(ref.network)].name() + ":" + graph_.layer(id).name;
  };
  if (running_) {
    const Running& r = *running_;
    if (r.computing) return "computing tile " + std::to_string(r.computed) + " of '" + name_of(r.id) + "'";
    if (!r.window.empty() && !loads_ready(r.window.front(), now)) {
      return "waiting for DRAM data of tile " + std::to_string(r.computed) + " of '" + name_of(r.id) + "'";
    }
    return "waiting for write-backs of '" + name_of(r.id) + "'";
  }
  if (next_layer_ >= order_.size()) return "finished";
  const int id = graph_.id(order_[next_layer_]);
  std::string missing;
  for (int p : graph_.predecessors[static_cast<std::size_t>(id)]) {
    if (progress_.done[static_cast<std::size_t>(p)] == kNoCycle) missing += (missing.empty() ? "'" : ", '") + name_of(p) + "'";
  }
  return "layer '" + name_of(id) + "' waits for " + (missing.empty() ? std::string("its hand-off") : missing);
}

}  // namespace nasaic
