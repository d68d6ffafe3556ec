// ProducerStateManager and ProducerIdManager on their own: Kafka's duplicate window, sequence and
// epoch rules, sequence wrap-around, rebuilding from a log, and transactional-id epochs.
#include "broker/producer_state.h"

#include <limits>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "broker/log/partition_log.h"
#include "protocol/record_batch.h"

namespace kclient::broker {
namespace {

constexpr Uuid kTopic{7, 9};

ProducerStateManager::BatchMetadata Meta(int32_t first_seq, int32_t last_seq, int64_t first_offset) {
  ProducerStateManager::BatchMetadata m;
  m.first_seq = first_seq;
  m.last_seq = last_seq;
  m.first_offset = first_offset;
  m.last_offset = first_offset + (last_seq - first_seq);
  m.timestamp = 1000 + first_offset;
  return m;
}

TEST(ProducerStateTest, KeepsTheLastFiveBatchesForDuplicates) {
  ProducerStateManager m;
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(m.Check(kTopic, 0, 5, 0, i * 2, i * 2 + 1).error, ErrorCode::kNone);
    m.OnAppend(kTopic, 0, 5, 0, Meta(i * 2, i * 2 + 1, i * 2));
  }
  for (int i = 2; i < 7; ++i) {
    auto v = m.Check(kTopic, 0, 5, 0, i * 2, i * 2 + 1);
    ASSERT_TRUE(v.duplicate.has_value()) << i;
    EXPECT_EQ(v.duplicate->first_offset, i * 2);
  }
  EXPECT_EQ(m.Check(kTopic, 0, 5, 0, 2, 3).error, ErrorCode::kOutOfOrderSequenceNumber);  // evicted
  EXPECT_EQ(m.Check(kTopic, 0, 5, 0, 12, 14).error, ErrorCode::kOutOfOrderSequenceNumber);  // overlaps
  EXPECT_EQ(m.Check(kTopic, 0, 5, 0, 14, 20).error, ErrorCode::kNone);
  // Other partitions and producers are separate.
  EXPECT_EQ(m.Check(kTopic, 1, 5, 0, 77, 80).error, ErrorCode::kNone);
  EXPECT_EQ(m.Check(kTopic, 0, 6, 0, 77, 80).error, ErrorCode::kNone);
}

TEST(ProducerStateTest, EpochsFenceOldProducersAndRestartSequences) {
  ProducerStateManager m;
  m.OnAppend(kTopic, 0, 5, 3, Meta(0, 9, 0));
  EXPECT_EQ(m.Check(kTopic, 0, 5, 2, 10, 10).error, ErrorCode::kInvalidProducerEpoch);
  EXPECT_EQ(m.Check(kTopic, 0, 5, 4, 10, 10).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(m.Check(kTopic, 0, 5, 4, 0, 0).error, ErrorCode::kNone);
  m.OnAppend(kTopic, 0, 5, 4, Meta(0, 0, 10));
  // The new epoch dropped the old epoch's batches: the old range is no longer a duplicate.
  EXPECT_FALSE(m.Check(kTopic, 0, 5, 4, 0, 9).duplicate.has_value());
  EXPECT_EQ(m.Check(kTopic, 0, 5, 3, 10, 10).error, ErrorCode::kInvalidProducerEpoch);
}

TEST(ProducerStateTest, SequencesWrapPastInt32Max) {
  constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(ProducerStateManager::LastSequence(kMax - 1, 3), 1);
  EXPECT_EQ(ProducerStateManager::LastSequence(kMax, 0), kMax);
  EXPECT_EQ(ProducerStateManager::LastSequence(10, 4), 14);
  ProducerStateManager m;
  m.OnAppend(kTopic, 0, 5, 0, Meta(kMax - 1, kMax, 0));
  EXPECT_EQ(m.Check(kTopic, 0, 5, 0, 0, 4).error, ErrorCode::kNone);
}

TEST(ProducerStateTest, RebuildsFromTheLogOnce) {
  PartitionLog log;
  for (int i = 0; i < 3; ++i) {
    protocol::RecordBatchBuilder b;
    const uint8_t v = 'x';
    b.Append(1000, std::nullopt, protocol::ByteSpan(&v, 1));
    b.Append(1001, std::nullopt, protocol::ByteSpan(&v, 1));
    protocol::RecordBatchBuilder::Options o;
    o.producer_id = 42;
    o.producer_epoch = 1;
    o.base_sequence = i * 2;
    protocol::ByteSpan batch;
    ASSERT_TRUE(b.Finish(o, &batch).ok());
    log.Append(batch, 0);
  }
  ProducerStateManager m;
  m.EnsureLoaded(kTopic, 0, log);
  auto dup = m.Check(kTopic, 0, 42, 1, 2, 3);
  ASSERT_TRUE(dup.duplicate.has_value());
  EXPECT_EQ(dup.duplicate->first_offset, 2);
  EXPECT_EQ(m.Check(kTopic, 0, 42, 1, 8, 9).error, ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(m.Check(kTopic, 0, 42, 0, 6, 7).error, ErrorCode::kInvalidProducerEpoch);
  m.OnAppend(kTopic, 0, 42, 1, Meta(6, 7, 6));
  m.EnsureLoaded(kTopic, 0, log);  // a second call does not replay the log again
  EXPECT_TRUE(m.Check(kTopic, 0, 42, 1, 6, 7).duplicate.has_value());
  EXPECT_EQ(m.Check(kTopic, 0, 42, 1, 8, 9).error, ErrorCode::kNone);
}

TEST(ProducerIdManagerTest, TransactionalIdsBumpEpochsAndFenceStaleProducers) {
  ProducerIdManager ids;
  const int64_t a = ids.Next();
  EXPECT_NE(ids.Next(), a);
  auto first = ids.InitTransactional("t", 1000, -1, -1);
  ASSERT_EQ(first.error, ErrorCode::kNone);
  EXPECT_EQ(first.producer_epoch, 0);
  auto second = ids.InitTransactional("t", 1000, first.producer_id, 0);
  EXPECT_EQ(second.producer_id, first.producer_id);
  EXPECT_EQ(second.producer_epoch, 1);
  EXPECT_EQ(ids.InitTransactional("t", 1000, first.producer_id, 0).producer_epoch, 1);  // a retry
  EXPECT_EQ(ids.InitTransactional("t", 1000, first.producer_id + 1, 1).error, ErrorCode::kProducerFenced);
  EXPECT_EQ(ids.InitTransactional("t", 0, -1, -1).error, ErrorCode::kInvalidTransactionTimeout);
  EXPECT_EQ(ids.InitTransactional("t", kTransactionMaxTimeoutMs + 1, -1, -1).error,
            ErrorCode::kInvalidTransactionTimeout);
  EXPECT_EQ(ids.InitTransactional("u", 1000, -1, -1).producer_epoch, 0);
}

TEST(ProducerIdManagerTest, AnExhaustedEpochRotatesTheProducerId) {
  ProducerIdManager ids;
  auto r = ids.InitTransactional("t", 1000, -1, -1);
  const int64_t original = r.producer_id;
  while (r.producer_epoch < std::numeric_limits<int16_t>::max() - 1) {
    r = ids.InitTransactional("t", 1000, r.producer_id, r.producer_epoch);
    ASSERT_EQ(r.error, ErrorCode::kNone);
  }
  EXPECT_EQ(r.producer_id, original);
  auto rotated = ids.InitTransactional("t", 1000, r.producer_id, r.producer_epoch);
  ASSERT_EQ(rotated.error, ErrorCode::kNone);
  EXPECT_NE(rotated.producer_id, original);
  EXPECT_EQ(rotated.producer_epoch, 0);
  // The old producer, retrying at its exhausted epoch, is told the new id rather than fenced.
  auto retry = ids.InitTransactional("t", 1000, original, r.producer_epoch);
  EXPECT_EQ(retry.error, ErrorCode::kNone);
}

}  // namespace
}  // namespace kclient::broker
