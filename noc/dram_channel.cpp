#include "noc/dram_channel.hpp"

#include <algorithm>
#include <cmath>

#include "common/error.hpp"

namespace nasaic {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

// Rates are exact in thousandths of a byte per cycle: a lane moving r bytes per
// cycle advances round(r·1000) ticks per cycle, and a byte takes 1000 ticks.
constexpr std::int64_t kTicksPerByte = 1000;
// Tags count bytes per thousandth of share, times this, to keep them integer.
constexpr std::int64_t kTagScale = 1000;

}  // namespace

DramChannel::DramChannel(const ChipSpec& chip, int dmas)
    : policy_(chip.interconnect.arbitration),
      burst_bytes_(chip.dram.burst_bytes),
      latency_(static_cast<Cycle>(std::llround(chip.dram.latency_cycles))),
      queues_(static_cast<std::size_t>(dmas)),
      lane_of_(static_cast<std::size_t>(dmas), 0),
      outcomes_(static_cast<std::size_t>(dmas)),
      bytes_(static_cast<std::size_t>(dmas), 0),
      tag_(static_cast<std::size_t>(dmas), 0),
      requesting_(static_cast<std::size_t>(dmas), false),
      blocked_ticks_(static_cast<std::size_t>(dmas), 0) {
  NASAIC_CHECK(chip.dram.bytes_per_cycle.has_value(), "an ideal DRAM needs no channel");
  NASAIC_CHECK(dmas <= kMaxDmas, "more DMAs than a ticket can name");
  const double link = chip.interconnect.link_bytes_per_cycle;
  const auto lane_for = [&](double rate) {
    Lane lane;
    lane.ticks_per_cycle = std::max<std::int64_t>(1, std::llround(std::min(rate, link) * kTicksPerByte));
    lane.burst_ticks = burst_bytes_ * kTicksPerByte;
    return lane;
  };
  for (int d = 0; d < dmas; ++d) {
    share_permille_.push_back(std::max<std::int64_t>(
        1, std::llround(chip.sub_accelerators[static_cast<std::size_t>(d)].bandwidth_share * 1000)));
  }
  if (policy_ == Arbitration::static_partition) {
    for (int d = 0; d < dmas; ++d) {
      lanes_.push_back(
          lane_for(*chip.dram.bytes_per_cycle * chip.sub_accelerators[static_cast<std::size_t>(d)].bandwidth_share));
      lanes_.back().dmas = {d};
      lane_of_[static_cast<std::size_t>(d)] = d;
    }
  } else {
    lanes_.push_back(lane_for(*chip.dram.bytes_per_cycle));
    for (int d = 0; d < dmas; ++d) lanes_.back().dmas.push_back(d);
  }
}

std::int64_t DramChannel::post(int dma, std::int64_t bytes, Cycle now) {
  Outcomes& outcomes = outcomes_[static_cast<std::size_t>(dma)];
  const std::int64_t ticket = outcomes.next++ * kMaxDmas + dma;
  outcomes.ready.push_back(kNoCycle);
  outcomes.released.push_back(false);
  const std::int64_t bursts = std::max<std::int64_t>(1, ceil_div(bytes, burst_bytes_));
  queues_[static_cast<std::size_t>(dma)].push_back(Transfer{ticket, bursts, now});
  return ticket;
}

std::pair<std::size_t, std::size_t> DramChannel::locate(std::int64_t ticket) const {
  const auto dma = static_cast<std::size_t>(ticket % kMaxDmas);
  const Outcomes& outcomes = outcomes_[dma];
  const std::int64_t index = ticket / kMaxDmas - outcomes.first;
  NASAIC_CHECK(index >= 0 && index < static_cast<std::int64_t>(outcomes.ready.size()) &&
                   !outcomes.released[static_cast<std::size_t>(index)],
               "a ticket used after its release");
  return {dma, static_cast<std::size_t>(index)};
}

Cycle DramChannel::ready_cycle(std::int64_t ticket) const {
  const auto [dma, index] = locate(ticket);
  return outcomes_[dma].ready[index];
}

void DramChannel::release(std::int64_t ticket) {
  const auto [dma, index] = locate(ticket);
  Outcomes& outcomes = outcomes_[dma];
  outcomes.released[index] = true;
  while (!outcomes.released.empty() && outcomes.released.front()) {
    outcomes.released.pop_front();
    outcomes.ready.pop_front();
    ++outcomes.first;
  }
}

std::size_t DramChannel::kept_outcomes() const {
  std::size_t kept = 0;
  for (const Outcomes& outcomes : outcomes_) kept += outcomes.ready.size();
  return kept;
}

bool DramChannel::has_visible_work(int dma, Cycle now) const {
  const auto& queue = queues_[static_cast<std::size_t>(dma)];
  return !queue.empty() && queue.front().posted < now;
}

Cycle DramChannel::decision_cycle(const Lane& lane, std::int64_t k) const {
  // Burst k of a run is decided when the channel is seen free after burst k − 1.
  return k == 0 ? lane.run.decided : ceil_div(lane.run.start + k * lane.burst_ticks, lane.ticks_per_cycle);
}

void DramChannel::commit(Lane& lane, std::int64_t bursts, std::vector<Completion>& completed) {
  Run& run = lane.run;
  Transfer& transfer = queues_[static_cast<std::size_t>(run.dma)].front();
  const std::int64_t end = run.start + bursts * lane.burst_ticks;
  lane.busy_until = end;
  transfer.bursts_left -= bursts;
  bytes_[static_cast<std::size_t>(run.dma)] += bursts * burst_bytes_;
  const std::int64_t burst_tag = burst_bytes_ * kTagScale / share_permille_[static_cast<std::size_t>(run.dma)];
  tag_[static_cast<std::size_t>(run.dma)] += bursts * burst_tag;
  lane.virtual_time = tag_[static_cast<std::size_t>(run.dma)] - burst_tag;
  if (transfer.bursts_left == 0) {
    const Cycle last_decided = decision_cycle(lane, bursts - 1);
    const Cycle ready = std::max(ceil_div(end, lane.ticks_per_cycle) + latency_, last_decided + 1);
    const auto [dma, index] = locate(transfer.ticket);
    outcomes_[dma].ready[index] = ready;
    completed.push_back({run.dma, ready});
    queues_[static_cast<std::size_t>(run.dma)].pop_front();
  }
  run = Run{};
}

void DramChannel::settle(Lane& lane, Cycle now, std::vector<Completion>& completed) {
  Run& run = lane.run;
  if (run.dma < 0) return;
  bool contested = false;
  for (int d : lane.dmas) contested = contested || (d != run.dma && has_visible_work(d, now));
  if (contested && run.bursts > 1) {
    // Bursts decided before `now` stand; the rest are arbitrated again.
    std::int64_t kept = 1;
    while (kept < run.bursts && decision_cycle(lane, kept) < now) ++kept;
    commit(lane, kept, completed);
    return;
  }
  if (decision_cycle(lane, run.bursts) <= now) commit(lane, run.bursts, completed);
}

int DramChannel::pick(const Lane& lane, Cycle now) const {
  std::vector<int> candidates;
  for (int d : lane.dmas) {
    if (has_visible_work(d, now)) candidates.push_back(d);
  }
  if (candidates.empty()) return -1;
  if (candidates.size() == 1 || policy_ == Arbitration::static_partition) return candidates.front();
  if (policy_ == Arbitration::round_robin) {
    for (int d : candidates) {
      if (d > lane.last_served) return d;
    }
    return candidates.front();
  }
  // Least tag; equal tags go round-robin from the last DMA served.
  std::rotate(candidates.begin(), std::upper_bound(candidates.begin(), candidates.end(), lane.last_served),
              candidates.end());
  int best = candidates.front();
  for (int d : candidates) {
    if (tag_[static_cast<std::size_t>(d)] < tag_[static_cast<std::size_t>(best)]) best = d;
  }
  return best;
}

void DramChannel::level_returning_dmas(Lane& lane, Cycle now) {
  for (int d : lane.dmas) {
    const bool requesting = has_visible_work(d, now);
    auto& tag = tag_[static_cast<std::size_t>(d)];
    if (requesting && !requesting_[static_cast<std::size_t>(d)]) tag = std::max(tag, lane.virtual_time);
    requesting_[static_cast<std::size_t>(d)] = requesting;
  }
}

void DramChannel::arbitrate(Lane& lane, Cycle now) {
  if (lane.run.dma >= 0 || ceil_div(lane.busy_until, lane.ticks_per_cycle) > now) return;
  // Only real decisions update the tags: lockstep also calls this on idle
  // cycles, which skip-ahead never sees.
  bool any = false;
  for (int d : lane.dmas) any = any || has_visible_work(d, now);
  if (!any) return;
  level_returning_dmas(lane, now);
  const int dma = pick(lane, now);
  const Transfer& head = queues_[static_cast<std::size_t>(dma)].front();
  int competitors = 0;
  for (int d : lane.dmas) competitors += d != dma && has_visible_work(d, now);
  Run& run = lane.run;
  run.dma = dma;
  run.decided = now;
  run.start = std::max(lane.busy_until, (head.posted + 1) * lane.ticks_per_cycle);
  // Alone, the whole transfer is decided now (and taken back in part if a
  // competitor appears); contested, one burst at a time.
  run.bursts = competitors == 0 ? head.bursts_left : 1;
  lane.last_served = dma;
  for (int d : lane.dmas) {
    if (d != dma && has_visible_work(d, now)) blocked_ticks_[static_cast<std::size_t>(d)] += lane.burst_ticks;
  }
}

void DramChannel::act(Cycle now, std::vector<Completion>& completed) {
  for (Lane& lane : lanes_) {
    settle(lane, now, completed);
    arbitrate(lane, now);
    // A burst that fits before the next cycle boundary is both decided and
    // finished at this cycle; settle it so the next decision is made now too.
    while (lane.run.dma >= 0 && decision_cycle(lane, lane.run.bursts) <= now) {
      settle(lane, now, completed);
      arbitrate(lane, now);
    }
  }
}

Cycle DramChannel::next_action() const {
  Cycle next = kNoCycle;
  for (const Lane& lane : lanes_) {
    if (lane.run.dma >= 0) {
      next = std::min(next, decision_cycle(lane, lane.run.bursts));
      continue;
    }
    bool waiting = false;
    for (int d : lane.dmas) waiting = waiting || !queues_[static_cast<std::size_t>(d)].empty();
    if (waiting) {
      // Work posted but not yet visible wakes the channel through its poster;
      // visible work waits for the channel to free at a cycle boundary.
      Cycle earliest = kNoCycle;
      for (int d : lane.dmas) {
        const auto& queue = queues_[static_cast<std::size_t>(d)];
        if (!queue.empty()) earliest = std::min(earliest, queue.front().posted + 1);
      }
      next = std::min(next, std::max(earliest, ceil_div(lane.busy_until, lane.ticks_per_cycle)));
    }
  }
  return next;
}

std::int64_t DramChannel::contention_cycles(int dma) const {
  const Lane& lane = lanes_[static_cast<std::size_t>(lane_of_[static_cast<std::size_t>(dma)])];
  return blocked_ticks_[static_cast<std::size_t>(dma)] / lane.ticks_per_cycle;
}

bool DramChannel::idle() const {
  for (const auto& queue : queues_) {
    if (!queue.empty()) return false;
  }
  return true;
}

}  // namespace nasaic
