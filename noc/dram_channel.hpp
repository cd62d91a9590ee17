#pragma once
// The off-chip DRAM channel and the interconnect's arbitration, as a
// deterministic cycle-level state machine (the SystemC module in
// memory_module.hpp drives it).
//
// DMAs post transfers; a transfer moves ceil(bytes / burst) whole bursts. The
// channel serves one burst at a time at min(DRAM, link) bytes per cycle
// (kept as an exact rational: 1/1000 byte per cycle steps), so a burst may end
// mid-cycle and the next one starts right there. Whenever the channel is free
// at a cycle boundary, the arbiter picks among DMAs with a transfer posted in
// an earlier cycle:
//   round-robin  the next requesting DMA after the last one served;
//   weighted     start-time fair queueing (Goyal, Vin and Cheng, SIGCOMM
//                1996): the requesting DMA with the least bytes served per
//                unit of its bandwidth share, where a DMA that comes back
//                after a spell without requests starts no lower than the
//                tag of the burst last served, so idle time does not bank
//                priority over the others;
//   static       no sharing: each DMA has its own lane at its share of the
//                bandwidth.
// Data is usable DRAM latency cycles after its last burst, and never in the
// cycle the outcome was decided (registered hand-off).
//
// Time advances two ways with identical results: act() at every cycle
// (lockstep), or only at next_action() and at cycles where a DMA's posting
// becomes visible (skip-ahead). While one DMA alone has work, act() decides
// its whole transfer at once, and takes back the bursts not yet decided if a
// competitor appears, exactly as burst-by-burst arbitration would.
#include <cstdint>
#include <deque>
#include <limits>
#include <vector>

#include "dataflows/chip_spec.hpp"

namespace nasaic {

using Cycle = std::int64_t;
inline constexpr Cycle kNoCycle = std::numeric_limits<Cycle>::max();
// DMAs per channel; ChipLimits allows at most this many sub-accelerators.
inline constexpr int kMaxDmas = 64;

class DramChannel {
 public:
  DramChannel(const ChipSpec& chip, int dmas);

  // Posts a transfer of `bytes` from DMA `dma` at cycle `now`; it competes
  // from now + 1. Returns its ticket, valid until released.
  std::int64_t post(int dma, std::int64_t bytes, Cycle now);
  // The cycle from which the transfer's data is usable; kNoCycle until known.
  Cycle ready_cycle(std::int64_t ticket) const;
  // The poster no longer asks about this ticket. Outcomes are kept from each
  // DMA's oldest unreleased ticket on, so memory follows the transfers in
  // flight, not the length of the run.
  void release(std::int64_t ticket);
  // Outcomes kept for unreleased tickets and those behind them.
  std::size_t kept_outcomes() const;

  struct Completion {
    int dma;
    Cycle ready;
  };
  // Does everything due at `now`. Transfers whose ready cycle became known
  // are appended to `completed`.
  void act(Cycle now, std::vector<Completion>& completed);
  // The next cycle at which act() has something to do on its own.
  Cycle next_action() const;

  // Cycles a DMA's requests waited while the channel served another DMA.
  std::int64_t contention_cycles(int dma) const;
  std::int64_t bytes_moved(int dma) const { return bytes_[static_cast<std::size_t>(dma)]; }
  bool idle() const;

 private:
  struct Transfer {
    std::int64_t ticket;
    std::int64_t bursts_left;
    Cycle posted;
  };
  // A run of bursts of one DMA's head transfer, decided at `decided` and
  // laid back to back from tick `start`; bursts decided after a competitor
  // appears are taken back.
  struct Run {
    int dma = -1;
    std::int64_t bursts = 0;
    std::int64_t start = 0;
    Cycle decided = 0;
  };
  struct Lane {
    std::int64_t ticks_per_cycle = 1;
    std::int64_t burst_ticks = 1;
    std::int64_t busy_until = 0;  // ticks
    Run run;
    std::vector<int> dmas;  // DMAs this lane serves
    int last_served = -1;
    std::int64_t virtual_time = 0;  // weighted: the tag at which the last burst started
  };

  Cycle decision_cycle(const Lane& lane, std::int64_t k) const;
  void settle(Lane& lane, Cycle now, std::vector<Completion>& completed);
  void arbitrate(Lane& lane, Cycle now);
  void commit(Lane& lane, std::int64_t bursts, std::vector<Completion>& completed);
  bool has_visible_work(int dma, Cycle now) const;
  int pick(const Lane& lane, Cycle now) const;
  void level_returning_dmas(Lane& lane, Cycle now);

  Arbitration policy_;
  std::int64_t burst_bytes_;
  Cycle latency_;
  std::vector<std::int64_t> share_permille_;
  std::vector<std::deque<Transfer>> queues_;
  std::vector<int> lane_of_;
  std::vector<Lane> lanes_;
  // Per DMA: the ready cycles of its tickets from sequence number `first` on.
  // A ticket is sequence · kMaxDmas + DMA.
  struct Outcomes {
    std::int64_t first = 0;
    std::int64_t next = 0;
    std::deque<Cycle> ready;
    std::deque<bool> released;
  };
  std::pair<std::size_t, std::size_t> locate(std::int64_t ticket) const;  // (DMA, index) of a live ticket
  std::vector<Outcomes> outcomes_;
  std::vector<std::int64_t> bytes_;
  // Weighted arbitration's tags: bytes served per unit share (scaled), and
  // whether each DMA requested at its lane's last decision.
  std::vector<std::int64_t> tag_;
  std::vector<bool> requesting_;
  std::vector<std::int64_t> blocked_ticks_;
};

}  // namespace nasaic
