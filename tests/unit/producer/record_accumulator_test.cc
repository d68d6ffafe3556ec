// The RecordAccumulator and BufferPool without a broker: appends fill batches up to batch.size,
// a record bigger than that gets a batch of its own, buffer.memory bounds what is queued, Ready
// honours linger and retry backoff, retried batches go back in sequence order, expiry takes the
// oldest batches, and WaitForCompletion tracks exactly the batches created before it.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "producer/record_accumulator.h"
#include "util/backoff.h"

namespace kclient::producer {
namespace {

using std::chrono::milliseconds;

protocol::ByteSpan Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class AccumulatorTest : public ::testing::Test {
 protected:
  RecordAccumulator::Options Opts(size_t batch_size = 1024, int64_t memory = 1 << 20, int linger_ms = 100) {
    RecordAccumulator::Options o;
    o.batch_size = batch_size;
    o.buffer_memory = memory;
    o.linger = milliseconds(linger_ms);
    return o;
  }

  RecordAccumulator::AppendResult Append(RecordAccumulator& acc, PartitionQueue* q, const std::string& value,
                                         std::optional<SteadyClock::time_point> deadline = std::nullopt) {
    RecordThunk thunk;
    const size_t size = protocol::RecordBatchBuilder::RecordSize(0, 0, std::nullopt, Bytes(value), {});
    return acc.Append(q, 1000, std::nullopt, Bytes(value), {}, size, thunk, deadline);
  }

  static size_t QueuedBatches(PartitionQueue* q) {
    std::lock_guard lock(q->mu);
    return q->batches.size();
  }
};

TEST_F(AccumulatorTest, RecordsFillABatchUpToBatchSize) {
  RecordAccumulator acc(Opts(1024));
  PartitionQueue* q = acc.Queue("t", 0);
  auto first = Append(acc, q, std::string(100, 'a'));
  ASSERT_TRUE(first.status.ok());
  EXPECT_TRUE(first.new_batch);
  int appended = 1;
  while (QueuedBatches(q) == 1) {
    auto r = Append(acc, q, std::string(100, 'a'));
    ASSERT_TRUE(r.status.ok());
    ++appended;
  }
  // 61 bytes of header plus records of ~110 bytes: 8 fit in 1024, the 9th starts a new batch.
  EXPECT_EQ(appended, 9);
  std::lock_guard lock(q->mu);
  EXPECT_LE(q->batches.front()->size_bytes(), 1024u);
  EXPECT_EQ(q->batches.front()->record_count(), 8);
}

TEST_F(AccumulatorTest, ALargeRecordGetsABatchOfItsOwn) {
  RecordAccumulator acc(Opts(1024));
  PartitionQueue* q = acc.Queue("t", 0);
  ASSERT_TRUE(Append(acc, q, std::string(5000, 'b')).status.ok());
  ASSERT_TRUE(Append(acc, q, "small").status.ok());
  std::lock_guard lock(q->mu);
  ASSERT_EQ(q->batches.size(), 2u);
  EXPECT_EQ(q->batches.front()->record_count(), 1);
  EXPECT_GE(q->batches.front()->reserved_bytes(), 5000u);
}

TEST_F(AccumulatorTest, BufferMemoryBoundsQueuedBatchesAndReleaseFreesRoom) {
  RecordAccumulator acc(Opts(1024, 4096));
  PartitionQueue* q = acc.Queue("t", 0);
  int batches = 0;
  for (;;) {
    auto r = Append(acc, q, std::string(900, 'c'));  // one record per 1024-byte batch
    if (!r.status.ok()) {
      EXPECT_EQ(r.status.code(), ErrorCode::kLocalBufferExhausted);
      break;
    }
    ++batches;
  }
  EXPECT_EQ(batches, 4);
  // Blocking append gives up at its deadline.
  const auto before = SteadyClock::now();
  auto blocked = Append(acc, q, std::string(900, 'c'), SteadyClock::now() + milliseconds(50));
  EXPECT_EQ(blocked.status.code(), ErrorCode::kLocalBufferExhausted);
  EXPECT_GE(SteadyClock::now() - before, milliseconds(50));
  // A waiting append gets in once a batch is released.
  std::thread waiter([&] {
    auto r = Append(acc, q, std::string(900, 'c'), SteadyClock::now() + std::chrono::seconds(60));
    EXPECT_TRUE(r.status.ok()) << r.status.ToString();
  });
  while (acc.pool().waiters() == 0) std::this_thread::yield();
  auto taken = acc.TakeFront(q, [](const ProducerBatch&) { return true; });
  ASSERT_TRUE(taken);
  acc.Fail(std::move(taken), Status(ErrorCode::kLocalCancelled, "test"));
  waiter.join();
  EXPECT_EQ(QueuedBatches(q), 4u);
}

TEST_F(AccumulatorTest, ABatchReturnsItsMemoryBeforeItsCallbacksRun) {
  // A caller whose record was acknowledged must find the room it took free again: the producer
  // test that fills buffer.memory right after a SendSync depends on it.
  RecordAccumulator acc(Opts(1024, 1024));
  PartitionQueue* q = acc.Queue("t", 0);
  int64_t available_in_callback = -1;
  RecordThunk thunk;
  thunk.callback = [&](const Result<RecordMetadata>&) { available_in_callback = acc.pool().available(); };
  const std::string value(100, 'a');
  const size_t size = protocol::RecordBatchBuilder::RecordSize(0, 0, std::nullopt, Bytes(value), {});
  ASSERT_TRUE(acc.Append(q, 1000, std::nullopt, Bytes(value), {}, size, thunk, std::nullopt).status.ok());
  EXPECT_EQ(acc.pool().available(), 0);
  auto taken = acc.TakeFront(q, [](const ProducerBatch&) { return true; });
  ASSERT_TRUE(taken);
  acc.Complete(std::move(taken), 0, -1);
  EXPECT_EQ(available_in_callback, 1024);
}

TEST_F(AccumulatorTest, ReadyHonoursLingerFullnessAndBackoff) {
  RecordAccumulator acc(Opts(1024, 1 << 20, 100));
  PartitionQueue* q = acc.Queue("t", 0);
  auto leader = [](const PartitionQueue&) { return 7; };
  ASSERT_TRUE(Append(acc, q, "x").status.ok());
  const auto now = SteadyClock::now();
  auto r = acc.Ready(now, leader, false);
  EXPECT_TRUE(r.by_leader.empty()) << "lingering";
  EXPECT_GT(r.next_check, now);
  EXPECT_LE(r.next_check, now + milliseconds(100));
  EXPECT_EQ(acc.Ready(now + milliseconds(101), leader, false).by_leader.count(7), 1u) << "linger over";
  EXPECT_EQ(acc.Ready(now, leader, true).by_leader.count(7), 1u) << "send_now ignores linger";
  acc.BeginFlush();
  EXPECT_EQ(acc.Ready(now, leader, false).by_leader.count(7), 1u) << "flush ignores linger";
  acc.EndFlush();
  EXPECT_TRUE(acc.Ready(now, [](const PartitionQueue&) { return -1; }, true).unknown_leader);

  // A batch back for a retry waits out its backoff, even when sending is forced.
  auto batch = acc.TakeFront(q, [](const ProducerBatch&) { return true; });
  batch->attempts = 1;
  batch->retry_at = now + milliseconds(500);
  acc.Reenqueue(std::move(batch));
  EXPECT_TRUE(acc.Ready(now, leader, true).by_leader.empty());
  EXPECT_EQ(acc.Ready(now + milliseconds(500), leader, false).by_leader.count(7), 1u);
}

TEST_F(AccumulatorTest, RetriedBatchesGoBackInSequenceOrderAheadOfNewOnes) {
  RecordAccumulator acc(Opts(100));
  PartitionQueue* q = acc.Queue("t", 0);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Append(acc, q, std::string(60, 'a' + i)).status.ok());
  std::vector<std::unique_ptr<ProducerBatch>> sent;
  for (int i = 0; i < 3; ++i) {
    sent.push_back(acc.TakeFront(q, [](const ProducerBatch&) { return true; }));
    sent.back()->base_sequence = i;
    sent.back()->producer_generation = 1;
  }
  // Responses come back out of order: 2, then 0, then 1.
  const uint64_t id3 = sent[2]->id(), id1 = sent[0]->id(), id2 = sent[1]->id();
  acc.Reenqueue(std::move(sent[2]));
  acc.Reenqueue(std::move(sent[0]));
  acc.Reenqueue(std::move(sent[1]));
  std::lock_guard lock(q->mu);
  ASSERT_EQ(q->batches.size(), 4u);
  EXPECT_EQ(q->batches[0]->id(), id1);
  EXPECT_EQ(q->batches[1]->id(), id2);
  EXPECT_EQ(q->batches[2]->id(), id3);
  EXPECT_EQ(q->batches[3]->base_sequence, protocol::kNoSequence) << "the never-sent batch stays last";
}

TEST_F(AccumulatorTest, ExpiryTakesOnlyBatchesPastTheirDeadline) {
  RecordAccumulator acc(Opts(100));
  PartitionQueue* q = acc.Queue("t", 0);
  ASSERT_TRUE(Append(acc, q, std::string(60, 'a')).status.ok());
  const auto later = SteadyClock::now() + milliseconds(1000);
  ASSERT_TRUE(Append(acc, q, std::string(60, 'b')).status.ok());
  EXPECT_TRUE(acc.TakeExpired(SteadyClock::now(), milliseconds(1000)).empty());
  auto expired = acc.TakeExpired(later + milliseconds(1), milliseconds(1000));
  EXPECT_GE(expired.size(), 1u);
  for (auto& b : expired) {
    acc.Fail(std::move(b), Status(ErrorCode::kLocalTimedOut, "expired"));
  }
}

TEST_F(AccumulatorTest, WaitForCompletionCoversBatchesCreatedBeforeIt) {
  RecordAccumulator acc(Opts(100));
  PartitionQueue* q = acc.Queue("t", 0);
  ASSERT_TRUE(Append(acc, q, std::string(60, 'a')).status.ok());
  const uint64_t last = acc.LastBatchId();
  ASSERT_TRUE(Append(acc, q, std::string(60, 'b')).status.ok());  // a later batch
  EXPECT_FALSE(acc.WaitForCompletion(last, SteadyClock::now() + milliseconds(10)));
  auto first = acc.TakeFront(q, [](const ProducerBatch&) { return true; });
  acc.Complete(std::move(first), 0, -1);
  EXPECT_TRUE(acc.WaitForCompletion(last, SteadyClock::now())) << "the later batch does not count";
  EXPECT_TRUE(acc.HasIncomplete());
}

TEST_F(AccumulatorTest, CloseRefusesAppendsAndWakesWaiters) {
  RecordAccumulator acc(Opts(1024, 2048));
  PartitionQueue* q = acc.Queue("t", 0);
  ASSERT_TRUE(Append(acc, q, std::string(900, 'a')).status.ok());
  ASSERT_TRUE(Append(acc, q, std::string(900, 'a')).status.ok());
  std::thread waiter([&] {
    auto r = Append(acc, q, std::string(900, 'a'), SteadyClock::now() + std::chrono::seconds(60));
    EXPECT_EQ(r.status.code(), ErrorCode::kLocalClosed);
  });
  while (acc.pool().waiters() == 0) std::this_thread::yield();
  acc.Close();
  waiter.join();
  EXPECT_EQ(Append(acc, q, "x").status.code(), ErrorCode::kLocalClosed);
  for (auto& b : acc.TakeAll()) {
    acc.Fail(std::move(b), Status(ErrorCode::kLocalClosed, "closed"));
  }
}

TEST(ExponentialBackoffTest, DoublesUpToTheMaxWithTwentyPercentJitter) {
  const util::ExponentialBackoff b(100, 1000);
  EXPECT_EQ(b.BackoffMs(0, 0.5), 100);
  EXPECT_EQ(b.BackoffMs(1, 0.5), 200);
  EXPECT_EQ(b.BackoffMs(2, 0.5), 400);
  EXPECT_EQ(b.BackoffMs(3, 0.5), 800);
  EXPECT_EQ(b.BackoffMs(4, 0.5), 1000);
  EXPECT_EQ(b.BackoffMs(30, 0.5), 1000);
  EXPECT_EQ(b.BackoffMs(0, 0.0), 80);
  EXPECT_EQ(b.BackoffMs(4, 0.999999), 1199);
  // Java: a max not above the base means no growth.
  const util::ExponentialBackoff flat(500, 100);
  EXPECT_EQ(flat.BackoffMs(5, 0.9), 500);
}

}  // namespace
}  // namespace kclient::producer
