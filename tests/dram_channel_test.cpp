#include "noc/dram_channel.hpp"

#include <gtest/gtest.h>

#include <random>

namespace nasaic {
namespace {

ChipSpec chip_with(Arbitration policy, double bytes_per_cycle, double latency, std::vector<double> shares) {
  ChipSpec chip;
  chip.dram.bytes_per_cycle = bytes_per_cycle;
  chip.dram.latency_cycles = latency;
  chip.dram.burst_bytes = 64;
  chip.interconnect.arbitration = policy;
  chip.interconnect.link_bytes_per_cycle = 1e6;
  for (double share : shares) {
    SubAcceleratorSpec sub;
    sub.bandwidth_share = share;
    chip.sub_accelerators.push_back(sub);
  }
  return chip;
}

struct Post {
  int dma;
  std::int64_t bytes;
  Cycle cycle;
};

// Drives a channel through `posts`, acting every cycle (lockstep) or only
// when something is due (skip-ahead); returns each ticket's ready cycle and
// each DMA's contention cycles.
std::vector<std::int64_t> drive(const ChipSpec& chip, const std::vector<Post>& posts, bool lockstep) {
  const int dmas = static_cast<int>(chip.sub_accelerators.size());
  DramChannel channel(chip, dmas);
  std::vector<std::int64_t> tickets;
  std::vector<DramChannel::Completion> completed;
  std::size_t next_post = 0;
  Cycle now = 0;
  while (true) {
    channel.act(now, completed);
    while (next_post < posts.size() && posts[next_post].cycle == now) {
      tickets.push_back(channel.post(posts[next_post].dma, posts[next_post].bytes, now));
      ++next_post;
    }
    if (next_post == posts.size() && channel.idle()) break;
    if (lockstep) {
      ++now;
      continue;
    }
    Cycle next = channel.next_action();
    if (next_post < posts.size()) next = std::min(next, posts[next_post].cycle);
    // A posting is seen by the channel one cycle later.
    if (next_post > 0 && posts[next_post - 1].cycle == now) next = std::min(next, now + 1);
    EXPECT_GT(next, now);
    now = next;
  }
  std::vector<std::int64_t> outcome;
  for (std::int64_t ticket : tickets) outcome.push_back(channel.ready_cycle(ticket));
  for (int d = 0; d < dmas; ++d) outcome.push_back(channel.contention_cycles(d));
  return outcome;
}

TEST(DramChannel, OneTransferTakesItsBurstsAtTheBandwidthPlusLatency) {
  const ChipSpec chip = chip_with(Arbitration::round_robin, 10.0, 100, {1.0});
  // 3520 B = 55 bursts = 3520 B at 10 B/cycle = 352 cycles, from cycle 1.
  const auto outcome = drive(chip, {{0, 3520, 0}}, true);
  EXPECT_EQ(outcome[0], 1 + 352 + 100);
  // A partial burst is a whole burst.
  EXPECT_EQ(drive(chip, {{0, 65, 0}}, true)[0], 1 + 13 + 100);  // 128 B at 10 B/cycle → 12.8 → 13
}

TEST(DramChannel, ReleasedTicketsAreForgottenSoMemoryFollowsTheTransfersInFlight) {
  const ChipSpec chip = chip_with(Arbitration::weighted, 16.0, 10, {0.5, 0.5});
  DramChannel channel(chip, 2);
  std::vector<DramChannel::Completion> completed;
  // DMA 1 holds one long-lived ticket (a write-back waiting for its slot)
  // while DMA 0 streams 10,000 loads and releases each once it has landed.
  const std::int64_t held = channel.post(1, 64, 0);
  std::int64_t last_ready = 0;
  Cycle now = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::int64_t ticket = channel.post(0, 64, now);
    while (channel.ready_cycle(ticket) == kNoCycle) channel.act(++now, completed);
    EXPECT_GT(channel.ready_cycle(ticket), last_ready);
    last_ready = channel.ready_cycle(ticket);
    channel.release(ticket);
    EXPECT_LE(channel.kept_outcomes(), 2u);
  }
  EXPECT_NE(channel.ready_cycle(held), kNoCycle);
  channel.release(held);
  EXPECT_EQ(channel.kept_outcomes(), 0u);
}

TEST(DramChannel, LockstepAndSkipAheadAgreeUnderEveryPolicy) {
  std::mt19937_64 random(99);
  for (Arbitration policy : {Arbitration::round_robin, Arbitration::weighted, Arbitration::static_partition}) {
    for (double rate : {25.6, 7.3, 64.0}) {
      const ChipSpec chip = chip_with(policy, rate, 37, {0.5, 0.3, 0.2});
      std::vector<Post> posts;
      Cycle cycle = 0;
      for (int i = 0; i < 60; ++i) {
        cycle += static_cast<Cycle>(random() % 40);
        posts.push_back({static_cast<int>(random() % 3), static_cast<std::int64_t>(1 + random() % 3000), cycle});
      }
      SCOPED_TRACE(std::string(arbitration_name(policy)) + " " + std::to_string(rate));
      EXPECT_EQ(drive(chip, posts, true), drive(chip, posts, false));
    }
  }
}

TEST(DramChannel, RoundRobinSplitsTheChannelEvenly) {
  const ChipSpec chip = chip_with(Arbitration::round_robin, 16.0, 0, {0.5, 0.5});
  const auto outcome = drive(chip, {{0, 64 * 1000, 0}, {1, 64 * 1000, 0}}, false);
  // 2000 bursts of 4 cycles each, interleaved: both end near 8000 cycles.
  EXPECT_NEAR(static_cast<double>(outcome[0]), 8000, 8);
  EXPECT_NEAR(static_cast<double>(outcome[1]), 8000, 8);
  EXPECT_GT(outcome[2], 3900);  // each waited about half the time
}

TEST(DramChannel, WeightedFollowsTheShares) {
  const ChipSpec chip = chip_with(Arbitration::weighted, 16.0, 0, {0.75, 0.25});
  // Both move 64 KB; the first gets three bursts for each one of the second
  // until it is done, at about 4/3 of its alone time.
  const auto outcome = drive(chip, {{0, 64 * 1024, 0}, {1, 64 * 1024, 0}}, false);
  EXPECT_NEAR(static_cast<double>(outcome[0]), 4096.0 * 4 / 3, 16);
  EXPECT_NEAR(static_cast<double>(outcome[1]), 8192, 8);
}

TEST(DramChannel, WeightedDoesNotBankPriorityForIdleTime) {
  const ChipSpec chip = chip_with(Arbitration::weighted, 16.0, 0, {0.5, 0.5});
  // The first DMA moves 64 KB alone (4096 cycles), then both post 64 KB at
  // cycle 5000. Had the second kept the credit of its idle time, it would
  // take the channel alone until level (ending at 5001 + 4096); sharing it
  // from the start, both end together near 5001 + 8192.
  const auto outcome = drive(chip, {{0, 64 * 1024, 0}, {0, 64 * 1024, 5000}, {1, 64 * 1024, 5000}}, false);
  EXPECT_NEAR(static_cast<double>(outcome[1]), 5001 + 8192, 8);
  EXPECT_NEAR(static_cast<double>(outcome[2]), 5001 + 8192, 8);
}

TEST(DramChannel, StaticPartitionGivesEachItsShareAlone) {
  const ChipSpec chip = chip_with(Arbitration::static_partition, 16.0, 0, {0.5, 0.5});
  const auto alone = drive(chip, {{0, 64 * 1000, 0}}, false);
  EXPECT_NEAR(static_cast<double>(alone[0]), 64000.0 / 8.0, 2);
  const auto together = drive(chip, {{0, 64 * 1000, 0}, {1, 64 * 1000, 0}}, false);
  EXPECT_EQ(together[0], alone[0]);
  EXPECT_EQ(together[2], 0);  // no contention between partitions
}

}  // namespace
}  // namespace nasaic
