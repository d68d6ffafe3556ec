// Listener containers against the embedded broker: every ack mode commits only what was done and
// loses nothing when the container stops in the middle of a poll's records (a second container in
// the group picks up from the commit); manual acknowledgements from other threads, out of order;
// MANUAL_IMMEDIATE commits promptly; concurrency with a rebalance mid-run loses nothing; the
// concurrency is capped at the partition count.
#include <algorithm>
#include <deque>
#include <random>

#include "container_test_support.h"

namespace kclient::container::testing {
namespace {

constexpr int32_t kPartitions = 3;
constexpr int kRecords = 300;

class AckModeTest : public ::testing::TestWithParam<AckMode> {};

// Container 1 stops after about half the records, while its listener is in the middle of a poll's
// records (and, in the manual modes, with acknowledgements still held back). Whatever it committed
// must not pass a record it did not finish. Container 2, same group, then finishes: every record
// is processed at least once and the group ends committed at the log end.
TEST_P(AckModeTest, StopMidBatchCommitsOnlyWhatIsDoneAndARestartLosesNothing) {
  const AckMode mode = GetParam();
  auto cluster = StartCluster(kPartitions);
  ASSERT_TRUE(cluster);
  Produce(*cluster, "orders", kRecords);
  const std::string group = std::string("g-") + AckModeName(mode);

  ContainerOptions o = Options(*cluster, group, {"orders"});
  o.ack_mode = mode;
  o.ack_count = 25;
  o.ack_time_ms = 200;
  o.consumer.max_poll_records = 40;
  Ledger done;  // processed (auto modes) or acknowledged (manual modes)
  std::atomic<int> commits{0};
  std::atomic<int> violations{0};  // commits past a record that was not done, at the time
  o.on_commit = [&](const OffsetMap& offsets, const Status& s) {
    if (s.ok()) ++commits;
    for (const auto& [tp, om] : offsets) {
      if (om.offset > done.FirstMissing(tp)) ++violations;
    }
  };

  std::atomic<int> calls{0};
  std::atomic<bool> crashing{false};
  std::mutex acks_mu;
  std::deque<Acknowledgment> held;  // manual modes: acknowledged later, out of order, elsewhere
  std::unique_ptr<ListenerContainer> first;
  std::atomic<ListenerContainer*> first_ptr{nullptr};

  auto listener = [&](const ConsumerRecord& r, Acknowledgment ack) {
    const int n = ++calls;
    if (n == kRecords / 2) {
      // In the manual modes, let the acknowledger catch up first, so there is something to commit.
      if (IsManual(mode)) WaitFor([&] { return done.Distinct() >= kRecords / 4; });
      crashing = true;
      // Hold the poll loop in the middle of its records until Stop has been asked for.
      WaitFor([&] { return first_ptr.load() != nullptr && first_ptr.load()->stopping(); });
    }
    if (IsManual(mode)) {
      std::lock_guard lock(acks_mu);
      held.push_back(ack);
    } else {
      done.Add(r.topic_partition(), r.offset);
    }
    return ListenerResult::Ok();
  };

  // The acknowledger: every few ms, acknowledges what it holds in a shuffled order, except every
  // tenth record, which it never acknowledges; it stops at the crash (what it holds then is never
  // acknowledged either).
  std::atomic<bool> acker_stop{false};
  std::thread acker([&] {
    std::mt19937 rng(7);
    while (!acker_stop && !crashing) {
      std::vector<Acknowledgment> batch;
      {
        std::lock_guard lock(acks_mu);
        batch.assign(held.begin(), held.end());
        held.clear();
      }
      std::shuffle(batch.begin(), batch.end(), rng);
      for (const Acknowledgment& a : batch) {
        if (a.offset() % 10 == 9) continue;
        done.Add(a.partition(), a.offset());
        a.Acknowledge();
      }
      std::this_thread::sleep_for(milliseconds(5));
    }
  });

  first = StartContainer(o, listener);
  ASSERT_TRUE(first);
  first_ptr = first.get();
  ASSERT_TRUE(WaitFor([&] { return crashing.load(); })) << calls.load();
  ASSERT_TRUE(first->Stop().ok());
  acker_stop = true;
  acker.join();
  EXPECT_FALSE(first->running());

  // Nothing committed past a record that was not done.
  const auto after_crash = Committed(*cluster, group);
  int64_t committed_total = 0;
  for (const auto& [tp, offset] : after_crash) {
    EXPECT_LE(offset, done.FirstMissing(tp)) << tp.ToString() << " committed past an unfinished record";
    committed_total += offset;
  }
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(committed_total, 0) << "the first container committed nothing";
  EXPECT_LT(committed_total, kRecords);
  EXPECT_GT(commits.load(), 0);
  if (mode == AckMode::kRecord) {
    EXPECT_GE(commits.load(), static_cast<int>(done.Distinct()) - 1) << "RECORD commits after every record";
  }
  if (mode == AckMode::kCount) {
    EXPECT_LE(commits.load(), static_cast<int>(done.Distinct()) / 25 + 2 * kPartitions + 2);
  }

  // The restart: another container of the group finishes the job.
  Ledger second_seen;
  ContainerOptions o2 = o;
  o2.on_commit = nullptr;
  auto second = StartContainer(o2, [&](const ConsumerRecord& r, Acknowledgment ack) {
    second_seen.Add(r.topic_partition(), r.offset);
    done.Add(r.topic_partition(), r.offset);
    ack.Acknowledge();
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(second);
  ASSERT_TRUE(WaitFor([&] { return done.Distinct() >= static_cast<size_t>(kRecords); }))
      << done.Distinct() << " of " << kRecords;
  const auto ends = EndOffsets(*cluster, "orders", kPartitions);
  // Wait for the commit of the last records (TIME/MANUAL commit at a later loop turn).
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, group) == ends; }));
  ASSERT_TRUE(second->Stop().ok());
  for (int32_t p = 0; p < kPartitions; ++p) {
    const TopicPartition tp{"orders", p};
    EXPECT_EQ(done.FirstMissing(tp), ends.at(tp)) << tp.ToString();
    // The second container started at the first one's commit, not at the beginning.
    if (after_crash.count(tp) > 0 && after_crash.at(tp) > 0) {
      EXPECT_FALSE(second_seen.Has(tp, 0)) << tp.ToString();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllModes, AckModeTest,
                         ::testing::Values(AckMode::kRecord, AckMode::kBatch, AckMode::kTime, AckMode::kCount,
                                           AckMode::kManual, AckMode::kManualImmediate),
                         [](const ::testing::TestParamInfo<AckMode>& info) { return std::string(AckModeName(info.param)); });

// A batch listener in BATCH mode gets each poll's records at once; the poll's records are
// committed together, after the call.
TEST(ListenerContainerTest, BatchListenerGetsPollsAndTheirCommitFollows) {
  auto cluster = StartCluster(2);
  Produce(*cluster, "events", 200);
  ContainerOptions o = Options(*cluster, "batches", {"events"});
  o.consumer.max_poll_records = 50;
  Ledger seen;
  std::atomic<size_t> largest{0};
  auto c = StartContainer(o, BatchListener([&](std::span<const ConsumerRecord> records, std::span<const Acknowledgment>) {
    for (const ConsumerRecord& r : records) seen.Add(r.topic_partition(), r.offset);
    largest = std::max(largest.load(), records.size());
    return ListenerResult::Ok();
  }));
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return seen.Distinct() == 200; }));
  const auto ends = EndOffsets(*cluster, "events", 2);
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "batches") == ends; }));
  EXPECT_GT(largest.load(), 1u);
  EXPECT_LE(largest.load(), 50u);
}

// MANUAL_IMMEDIATE: an acknowledgement from another thread is committed promptly, not at the next
// poll timeout (which is long here).
TEST(ListenerContainerTest, ManualImmediateCommitsAnAcknowledgementPromptly) {
  auto cluster = StartCluster(1);
  Produce(*cluster, "jobs", 3);
  ContainerOptions o = Options(*cluster, "immediate", {"jobs"});
  o.ack_mode = AckMode::kManualImmediate;
  o.poll_timeout_ms = 10000;
  std::mutex mu;
  std::vector<Acknowledgment> acks;
  std::atomic<int64_t> committed{-1};
  std::atomic<int64_t> commit_ns{0};
  o.on_commit = [&](const OffsetMap& offsets, const Status& s) {
    if (!s.ok()) return;
    for (const auto& [tp, om] : offsets) committed = om.offset;
    commit_ns = Clock::now().time_since_epoch().count();
  };
  auto c = StartContainer(o, [&](const ConsumerRecord&, Acknowledgment ack) {
    std::lock_guard lock(mu);
    acks.push_back(ack);
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return acks.size() == 3;
  }));
  Acknowledgment second, first;
  {
    std::lock_guard lock(mu);
    first = acks[0];
    second = acks[1];
  }
  second.Acknowledge();  // out of order: nothing may be committed yet
  first.Acknowledge();
  const auto acked = Clock::now();
  ASSERT_TRUE(WaitFor([&] { return committed.load() == 2; }, std::chrono::seconds(30)));
  const auto took = Clock::time_point(Clock::duration(commit_ns.load())) - acked;
  EXPECT_LT(took, std::chrono::seconds(3)) << "committed at a poll timeout, not promptly";
  EXPECT_EQ(Committed(*cluster, "immediate").at({"jobs", 0}), 2) << "offset 2 was never acknowledged";
  ASSERT_TRUE(c->Stop().ok());
  EXPECT_EQ(Committed(*cluster, "immediate").at({"jobs", 0}), 2);
}

// Concurrency 3 over 6 partitions, and a second container (concurrency 2) joining the group in the
// middle: the partitions are shared out again and no record is lost.
TEST(ListenerContainerTest, ConcurrencyWithARebalanceMidRunLosesNothing) {
  auto cluster = StartCluster(6);
  Produce(*cluster, "clicks", 600);
  ContainerOptions o = Options(*cluster, "clicks-group", {"clicks"});
  o.concurrency = 3;
  o.ack_mode = AckMode::kRecord;
  o.consumer.max_poll_records = 20;
  Ledger seen;
  std::atomic<int> violations{0};
  o.on_commit = [&](const OffsetMap& offsets, const Status&) {
    for (const auto& [tp, om] : offsets) {
      if (om.offset > seen.FirstMissing(tp)) ++violations;
    }
  };
  std::atomic<int> in_second{0};
  auto first = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    seen.Add(r.topic_partition(), r.offset);
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(first);
  EXPECT_EQ(first->concurrency(), 3);
  ASSERT_TRUE(WaitFor([&] { return seen.Distinct() >= 150; }));
  ContainerOptions o2 = o;
  o2.concurrency = 2;
  auto second = StartContainer(o2, [&](const ConsumerRecord& r, Acknowledgment) {
    seen.Add(r.topic_partition(), r.offset);
    ++in_second;
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(second);
  ASSERT_TRUE(WaitFor([&] { return !second->Assignment().empty(); }));
  Produce(*cluster, "clicks", 600, 600);
  ASSERT_TRUE(WaitFor([&] { return seen.Distinct() >= 1200; })) << seen.Distinct();
  const auto ends = EndOffsets(*cluster, "clicks", 6);
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "clicks-group") == ends; }));
  EXPECT_GT(in_second.load(), 0) << "the second container never got a record";
  EXPECT_EQ(violations.load(), 0) << "a commit passed a record not yet processed";
  ASSERT_TRUE(first->Stop().ok());
  ASSERT_TRUE(second->Stop().ok());
  for (int32_t p = 0; p < 6; ++p) EXPECT_EQ(seen.FirstMissing({"clicks", p}), ends.at({"clicks", p}));
}

TEST(ListenerContainerTest, ConcurrencyIsCappedAtThePartitionCount) {
  auto cluster = StartCluster(2);
  ASSERT_TRUE(cluster->CreateTopic("small", 2).ok());
  ContainerOptions o = Options(*cluster, "capped", {"small"});
  o.concurrency = 5;
  auto c = StartContainer(o, [](const ConsumerRecord&, Acknowledgment) { return ListenerResult::Ok(); });
  ASSERT_TRUE(c);
  EXPECT_EQ(c->concurrency(), 2);
  EXPECT_TRUE(c->running());
  EXPECT_EQ(c->Start().code(), ErrorCode::kLocalIllegalState);
  EXPECT_TRUE(c->Stop().ok());
  EXPECT_TRUE(c->Stop().ok()) << "Stop is idempotent";
  EXPECT_FALSE(c->running());
}

// A throwing listener is a failure of its record, not of the thread: the record is retried, and the
// container goes on.
TEST(ListenerContainerTest, AThrowingListenerNeverTakesTheThreadDown) {
  auto cluster = StartCluster(1);
  Produce(*cluster, "fragile", 5);
  ContainerOptions o = Options(*cluster, "fragile-group", {"fragile"});
  o.backoff = BackoffPolicy::Fixed(50, 3);
  std::atomic<int> throws{0};
  Ledger seen;
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    if (r.offset == 2 && throws.fetch_add(1) < 2) throw std::runtime_error("flaky");
    seen.Add(r.topic_partition(), r.offset);
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return seen.Distinct() == 5; }));
  EXPECT_EQ(throws.load(), 3);
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "fragile-group")[{"fragile", 0}] == 5; }));
}

}  // namespace
}  // namespace kclient::container::testing
