// FetchCollector on hand-made fetch data: records come out in order with their positions
// advanced; a batch whose CRC does not match is reported as CORRUPT_MESSAGE naming topic,
// partition and offset, after the records before it, and the position stays on it so the
// application can Seek past; read_committed skips an aborted transaction and its marker.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "consumer/fetch_collector.h"
#include "protocol/record_batch.h"

namespace kclient::consumer {
namespace {

protocol::ByteSpan Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Appends a batch of `values` at `base_offset` to `out`.
void AppendBatch(util::ByteBuffer* out, int64_t base_offset, const std::vector<std::string>& values,
                 protocol::RecordBatchBuilder::Options options = {}) {
  protocol::RecordBatchBuilder b;
  for (const auto& v : values) b.Append(1000, Bytes("k"), Bytes(v));
  options.base_offset = base_offset;
  protocol::ByteSpan batch;
  ASSERT_TRUE(b.Finish(options, &batch).ok());
  out->Append(batch);
}

class FetchCollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    subscriptions_.AssignManually({tp_});
    subscriptions_.SetPosition(tp_, {0, -1});
  }
  void Deliver(util::ByteBuffer bytes, std::vector<AbortedTransaction> aborted = {}) {
    auto frame = std::make_shared<net::ResponseFrame>();
    frame->bytes = std::move(bytes);
    CompletedFetch f;
    f.partition = tp_;
    f.fetch_offset = subscriptions_.position(tp_)->offset;
    f.records = frame->bytes.span();
    f.frame = frame;
    f.aborted_transactions = std::move(aborted);
    buffer_.Add({std::move(f)});
  }
  std::vector<std::string> Values(const ConsumerRecords& records) {
    std::vector<std::string> v;
    for (const auto& r : records) v.emplace_back(*r.value);
    return v;
  }

  TopicPartition tp_{"t", 0};
  ConsumerOptions options_;
  SubscriptionState subscriptions_;
  FetchBuffer buffer_{[] {}};
};

TEST_F(FetchCollectorTest, ACorruptBatchIsReportedAfterTheRecordsBeforeIt) {
  util::ByteBuffer bytes;
  AppendBatch(&bytes, 0, {"a", "b", "c"});
  AppendBatch(&bytes, 3, {"d", "e", "f"});
  bytes.data()[bytes.size() - 2] ^= 0xFF;  // flipped bits in the last record's value
  Deliver(std::move(bytes));
  FetchCollector collector(&subscriptions_, &buffer_, options_);
  ConsumerRecords records;
  Status s = collector.Collect(100, &records);
  EXPECT_EQ(Values(records), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(s.code(), ErrorCode::kCorruptMessage);
  EXPECT_NE(s.message().find("t-0 at offset 3"), std::string_view::npos) << s.ToString();
  EXPECT_EQ(subscriptions_.position(tp_)->offset, 3) << "the position stays on the corrupt batch";
}

TEST_F(FetchCollectorTest, MaxRecordsSplitsAFetchAcrossCallsAndViewsStayValid) {
  util::ByteBuffer bytes;
  protocol::RecordBatchBuilder::Options lz4, zstd;
  lz4.compression = CompressionType::kLz4;
  zstd.compression = CompressionType::kZstd;
  AppendBatch(&bytes, 0, {"a", "b", "c"}, lz4);
  AppendBatch(&bytes, 3, {"d", "e"}, zstd);
  Deliver(std::move(bytes));
  FetchCollector collector(&subscriptions_, &buffer_, options_);
  ConsumerRecords first, second;
  ASSERT_TRUE(collector.Collect(2, &first).ok());
  ASSERT_TRUE(collector.Collect(10, &second).ok());
  EXPECT_EQ(subscriptions_.position(tp_)->offset, 5);
  collector.Reset();
  EXPECT_EQ(Values(first), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Values(second), (std::vector<std::string>{"c", "d", "e"}));
  EXPECT_EQ(second[0].offset, 2);
}

TEST_F(FetchCollectorTest, ReadCommittedSkipsAbortedTransactionsAndMarkers) {
  options_.isolation_level = IsolationLevel::kReadCommitted;
  protocol::RecordBatchBuilder::Options txn;
  txn.transactional = true;
  txn.producer_id = 7;
  txn.producer_epoch = 0;
  txn.base_sequence = 0;
  util::ByteBuffer bytes;
  AppendBatch(&bytes, 0, {"committed-1"});
  AppendBatch(&bytes, 1, {"aborted-1", "aborted-2"}, txn);
  // The abort marker: a control batch whose record key is version 0, type 0 (ABORT).
  {
    protocol::RecordBatchBuilder b;
    const std::string key("\0\0\0\0", 4);
    b.Append(1000, Bytes(key), Bytes(std::string("\0\0\0\0\0\0", 6)));
    protocol::RecordBatchBuilder::Options marker = txn;
    marker.control = true;
    marker.base_offset = 3;
    protocol::ByteSpan batch;
    ASSERT_TRUE(b.Finish(marker, &batch).ok());
    bytes.Append(batch);
  }
  AppendBatch(&bytes, 4, {"committed-2"});
  Deliver(std::move(bytes), {{7, 1}});
  FetchCollector collector(&subscriptions_, &buffer_, options_);
  ConsumerRecords records;
  ASSERT_TRUE(collector.Collect(100, &records).ok());
  EXPECT_EQ(Values(records), (std::vector<std::string>{"committed-1", "committed-2"}));
  EXPECT_EQ(subscriptions_.position(tp_)->offset, 5);
}

TEST_F(FetchCollectorTest, DataFetchedBeforeASeekIsDropped) {
  util::ByteBuffer bytes;
  AppendBatch(&bytes, 0, {"a", "b"});
  Deliver(std::move(bytes));
  subscriptions_.SetPosition(tp_, {1, -1});  // a Seek after the fetch was made from 0
  FetchCollector collector(&subscriptions_, &buffer_, options_);
  ConsumerRecords records;
  ASSERT_TRUE(collector.Collect(100, &records).ok());
  EXPECT_TRUE(records.empty());
  EXPECT_FALSE(buffer_.Holds(tp_)) << "the partition can be fetched again";
}

}  // namespace
}  // namespace kclient::consumer
