// The producer against the bundled broker: every acks level and codec, per-key order, headers and
// timestamps, idempotent retries through injected faults with nothing lost or duplicated, leader
// failover, backpressure, flush, close with no broker reachable, and records that must fail
// alone while the producer goes on. What the broker stored is read back with a plain blocking
// connection (partition_reader.h), not with the code under test.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"
#include "partition_reader.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;
using testing::ReadPartition;
using testing::StoredRecord;

constexpr auto kWait = std::chrono::seconds(60);

std::unique_ptr<EmbeddedCluster> StartCluster(int brokers = 1, int32_t partitions = 1, bool auto_create = true) {
  EmbeddedClusterOptions o;
  o.brokers = brokers;
  o.default_partitions = partitions;
  o.default_replication_factor = static_cast<int16_t>(brokers);
  o.auto_create_topics = auto_create;
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

ProducerOptions Options(const EmbeddedCluster& cluster) {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.client.retry_backoff_ms = 20;
  o.client.retry_backoff_max_ms = 200;
  o.client.reconnect_backoff_ms = 20;
  o.client.reconnect_backoff_max_ms = 200;
  o.client.request_timeout_ms = 5000;
  o.delivery_timeout_ms = 60000;
  o.max_block_ms = 30000;
  return o;
}

std::unique_ptr<Producer> MakeProducer(const ProducerOptions& o) {
  auto p = Producer::Create(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

ProducerRecord Rec(const std::string& topic, std::optional<std::string> key, std::optional<std::string> value) {
  ProducerRecord r;
  r.topic = topic;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

// Collects outcomes from callbacks (which run on the sender thread).
struct Outcomes {
  std::mutex mu;
  std::condition_variable changed;
  std::vector<Result<RecordMetadata>> results;
  std::atomic<int> done{0};

  DeliveryCallback Callback() {
    return [this](const Result<RecordMetadata>& r) {
      {
        std::lock_guard lock(mu);
        results.push_back(r);
        ++done;
      }
      changed.notify_all();
    };
  }
  bool WaitFor(int n) {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, kWait, [&] { return done.load() >= n; });
  }
  std::string FirstFailure() {
    std::lock_guard lock(mu);
    for (const auto& r : results) {
      if (!r.ok()) return r.status().ToString();
    }
    return "";
  }
  int Failures() {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& r : results) n += r.ok() ? 0 : 1;
    return n;
  }
};

std::vector<std::string> Values(const std::vector<StoredRecord>& records) {
  std::vector<std::string> v;
  for (const auto& r : records) v.push_back(r.value.value_or("<null>"));
  return v;
}

TEST(ProducerTest, SendSyncReturnsWhereTheRecordWasWritten) {
  auto cluster = StartCluster();
  auto producer = MakeProducer(Options(*cluster));
  ProducerRecord r = Rec("orders", "order-1", "created");
  r.headers = {{"trace", "abc"}, {"empty", std::nullopt}};
  r.timestamp_ms = 1700000000123;
  auto m = producer->SendSync(r);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->topic, "orders");
  EXPECT_EQ(m->partition, 0);
  EXPECT_EQ(m->offset, 0);
  EXPECT_EQ(m->timestamp_ms, 1700000000123);
  EXPECT_EQ(m->serialized_key_size, 7u);
  EXPECT_EQ(m->serialized_value_size, 7u);
  auto m2 = producer->SendSync(Rec("orders", std::nullopt, std::nullopt));
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_EQ(m2->offset, 1);

  auto stored = ReadPartition(cluster->bootstrap_servers(), "orders", 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].key, "order-1");
  EXPECT_EQ((*stored)[0].value, "created");
  EXPECT_EQ((*stored)[0].timestamp_ms, 1700000000123);
  EXPECT_EQ((*stored)[0].headers, r.headers);
  EXPECT_FALSE((*stored)[1].key.has_value());
  EXPECT_FALSE((*stored)[1].value.has_value());
  EXPECT_GE((*stored)[0].producer_id, 0) << "idempotence is on by default";
  EXPECT_EQ((*stored)[0].sequence, 0);
  EXPECT_EQ((*stored)[1].sequence, 1);
  EXPECT_TRUE(producer->Close(milliseconds(5000)).ok());
}

TEST(ProducerTest, EveryAcksLevelDeliversEveryRecord) {
  auto cluster = StartCluster();
  for (Acks acks : {Acks::kNone, Acks::kLeader, Acks::kAll}) {
    const std::string topic = "acks" + std::to_string(static_cast<int>(acks) + 1);
    ProducerOptions o = Options(*cluster);
    o.acks = acks;
    o.enable_idempotence = acks == Acks::kAll;
    auto producer = MakeProducer(o);
    Outcomes out;
    constexpr int kRecords = 500;
    for (int i = 0; i < kRecords; ++i) producer->Produce(Rec(topic, std::nullopt, std::to_string(i)), out.Callback());
    ASSERT_TRUE(producer->Flush(kWait).ok());
    ASSERT_TRUE(out.WaitFor(kRecords));
    EXPECT_EQ(out.Failures(), 0);
    {
      std::lock_guard lock(out.mu);
      for (const auto& r : out.results) {
        if (acks == Acks::kNone) {
          EXPECT_EQ(r->offset, -1) << "acks=0 has no offsets";
        } else {
          EXPECT_GE(r->offset, 0);
        }
      }
    }
    auto stored = ReadPartition(cluster->bootstrap_servers(), topic, 0);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    ASSERT_EQ(stored->size(), static_cast<size_t>(kRecords)) << "acks=" << static_cast<int>(acks);
    for (int i = 0; i < kRecords; ++i) EXPECT_EQ((*stored)[i].value, std::to_string(i));
  }
}

// acks=0 records count as sent once the socket has taken them; Flush and Close must not report
// them done while their bytes still wait in the client (they were lost when Close dropped the
// connection's send queue).
TEST(ProducerTest, AcksZeroRecordsAreAllWrittenAfterFlushAndClose) {
  auto cluster = StartCluster();
  ProducerOptions o = Options(*cluster);
  o.acks = Acks::kNone;
  o.enable_idempotence = false;
  o.linger_ms = 0;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->PartitionsFor("fire-and-forget").ok());
  Outcomes out;
  constexpr int kRecords = 30000;  // ~30 MB: more than a socket buffer takes at once
  for (int i = 0; i < kRecords; ++i) {
    producer->Produce(Rec("fire-and-forget", std::nullopt, std::to_string(i) + std::string(1000, 'x')), out.Callback());
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  EXPECT_EQ(out.done.load(), kRecords);
  EXPECT_EQ(out.Failures(), 0);
  ASSERT_TRUE(producer->Close(milliseconds(5000)).ok());
  // The broker may still be appending what the socket holds: poll its log until it has
  // everything or the deadline passes.
  size_t stored_count = 0;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto stored = ReadPartition(cluster->bootstrap_servers(), "fire-and-forget", 0);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    stored_count = stored->size();
    if (stored_count >= static_cast<size_t>(kRecords)) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_EQ(stored_count, static_cast<size_t>(kRecords));
}

TEST(ProducerTest, EveryCodecRoundTrips) {
  auto cluster = StartCluster();
  for (CompressionType codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                CompressionType::kLz4, CompressionType::kZstd}) {
    const std::string topic = "codec-" + std::string(CompressionName(codec));
    ProducerOptions o = Options(*cluster);
    o.compression = codec;
    if (codec == CompressionType::kZstd) o.compression_level = 7;
    o.linger_ms = 50;
    auto producer = MakeProducer(o);
    std::vector<std::future<Result<RecordMetadata>>> futures;
    for (int i = 0; i < 300; ++i) {
      futures.push_back(producer->Send(Rec(topic, "k" + std::to_string(i % 7), std::string(100, 'a' + i % 26))));
    }
    for (auto& f : futures) ASSERT_TRUE(f.get().ok());
    auto stored = ReadPartition(cluster->bootstrap_servers(), topic, 0);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    ASSERT_EQ(stored->size(), 300u);
    for (int i = 0; i < 300; ++i) {
      EXPECT_EQ((*stored)[i].key, "k" + std::to_string(i % 7));
      EXPECT_EQ((*stored)[i].value, std::string(100, 'a' + i % 26));
      EXPECT_EQ((*stored)[i].compression, codec);
    }
  }
}

TEST(ProducerTest, SameKeySamePartitionInOrderWithCallbacksInOrder) {
  auto cluster = StartCluster(1, 6);
  ProducerOptions o = Options(*cluster);
  o.batch_size = 2048;  // many batches per partition
  auto producer = MakeProducer(o);
  std::mutex mu;
  std::map<int32_t, int64_t> last_offset;
  std::atomic<int> out_of_order{0};
  std::atomic<int> done{0};
  constexpr int kRecords = 3000;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "customer-" + std::to_string(i % 25);
    producer->Produce(Rec("payments", key, key + ":" + std::to_string(i)), [&](const Result<RecordMetadata>& r) {
      std::lock_guard lock(mu);
      if (r.ok()) {
        auto [it, first] = last_offset.emplace(r->partition, r->offset);
        if (!first) {
          if (r->offset <= it->second) ++out_of_order;
          it->second = r->offset;
        }
      }
      ++done;
    });
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  EXPECT_EQ(done.load(), kRecords);
  EXPECT_EQ(out_of_order.load(), 0) << "callbacks of a partition run in offset order";

  std::map<std::string, std::vector<int>> seen;  // key -> sequence numbers in log order
  size_t total = 0;
  for (int32_t p = 0; p < 6; ++p) {
    auto stored = ReadPartition(cluster->bootstrap_servers(), "payments", p);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    total += stored->size();
    for (const auto& r : *stored) {
      EXPECT_EQ(PartitionForKey(*r.key, 6), p) << "Java's murmur2 placement for " << *r.key;
      seen[*r.key].push_back(std::stoi(r.value->substr(r.value->find(':') + 1)));
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kRecords));
  for (const auto& [key, order] : seen) {
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end())) << key;
    EXPECT_EQ(order.size(), static_cast<size_t>(kRecords / 25)) << key;
  }
}

// Lost responses and dropped connections make the producer resend batches the broker may
// already have; sequence numbers must turn those into neither duplicates nor gaps.
TEST(ProducerTest, IdempotentRetriesThroughLostResponsesLoseAndDuplicateNothing) {
  auto cluster = StartCluster(1, 3);
  ProducerOptions o = Options(*cluster);
  o.batch_size = 1024;
  o.linger_ms = 2;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->SendSync(Rec("ledger", std::nullopt, "warm-up")).ok());

  Fault lost;
  lost.kind = Fault::Kind::kDropResponse;
  lost.api_key = 0;  // Produce
  lost.count = 4;
  auto lost_handle = cluster->InjectFault(lost);
  ASSERT_TRUE(lost_handle.ok());
  Fault dropped;
  dropped.kind = Fault::Kind::kDropConnection;
  dropped.api_key = 0;
  dropped.count = 2;
  auto dropped_handle = cluster->InjectFault(dropped);
  ASSERT_TRUE(dropped_handle.ok());

  Outcomes out;
  constexpr int kRecords = 2000;
  for (int i = 0; i < kRecords; ++i) {
    producer->Produce(Rec("ledger", "k" + std::to_string(i % 3), std::to_string(i)), out.Callback());
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_TRUE(out.WaitFor(kRecords));
  EXPECT_EQ(out.Failures(), 0);
  EXPECT_EQ(lost_handle->times_fired(), 4);
  EXPECT_EQ(dropped_handle->times_fired(), 2);

  size_t total = 0;
  for (int32_t p = 0; p < 3; ++p) {
    auto stored = ReadPartition(cluster->bootstrap_servers(), "ledger", p);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    int last = -1;
    for (const auto& r : *stored) {
      if (r.value == "warm-up") continue;
      const int v = std::stoi(*r.value);
      EXPECT_GT(v, last) << "partition " << p << ": duplicate or reordered record";
      last = v;
      ++total;
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kRecords)) << "every record exactly once";
}

TEST(ProducerTest, RetriableBrokerErrorsAreRetriedAndNonRetriableOnesSurface) {
  auto cluster = StartCluster();
  auto producer = MakeProducer(Options(*cluster));
  ASSERT_TRUE(producer->SendSync(Rec("retry", std::nullopt, "first")).ok());
  for (ErrorCode code : {ErrorCode::kNotLeaderOrFollower, ErrorCode::kRequestTimedOut, ErrorCode::kNotEnoughReplicas}) {
    Fault f;
    f.kind = Fault::Kind::kError;
    f.api_key = 0;
    f.error = code;
    f.count = 2;
    auto handle = cluster->InjectFault(f);
    ASSERT_TRUE(handle.ok());
    auto m = producer->SendSync(Rec("retry", std::nullopt, std::string(ErrorName(code))));
    ASSERT_TRUE(m.ok()) << ErrorName(code) << ": " << m.status().ToString();
    EXPECT_EQ(handle->times_fired(), 2);
  }
  // Not retriable: the records fail with the broker's error, and the producer goes on.
  Fault f;
  f.kind = Fault::Kind::kError;
  f.api_key = 0;
  f.error = ErrorCode::kTopicAuthorizationFailed;
  f.count = 1;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  auto refused = producer->SendSync(Rec("retry", std::nullopt, "refused"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kTopicAuthorizationFailed);
  // A sequence error that is not explained by an earlier failure fails its batch; the producer
  // takes a new producer id and continues.
  f.error = ErrorCode::kOutOfOrderSequenceNumber;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  auto gap = producer->SendSync(Rec("retry", std::nullopt, "gap"));
  ASSERT_FALSE(gap.ok());
  EXPECT_EQ(gap.status().code(), ErrorCode::kOutOfOrderSequenceNumber);
  auto after = producer->SendSync(Rec("retry", std::nullopt, "after"));
  ASSERT_TRUE(after.ok()) << after.status().ToString();

  auto stored = ReadPartition(cluster->bootstrap_servers(), "retry", 0);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(Values(*stored), (std::vector<std::string>{"first", "NOT_LEADER_OR_FOLLOWER", "REQUEST_TIMED_OUT",
                                                        "NOT_ENOUGH_REPLICAS", "after"}));
  EXPECT_NE(stored->front().producer_id, stored->back().producer_id) << "a new producer id after the gap";
}

TEST(ProducerTest, LeaderFailoverWithAcksAllLosesNothing) {
  auto cluster = StartCluster(3, 1);
  ASSERT_TRUE(cluster->CreateTopic("failover", 2, 3).ok());
  ProducerOptions o = Options(*cluster);
  o.linger_ms = 1;
  auto producer = MakeProducer(o);
  Outcomes out;
  constexpr int kRecords = 4000;
  int32_t stopped = -1;
  for (int i = 0; i < kRecords; ++i) {
    producer->Produce(Rec("failover", "key-" + std::to_string(i % 2), std::to_string(i)), out.Callback());
    if (i == kRecords / 2) {
      // Stop the leader while records are both acknowledged and still in flight or queued.
      ASSERT_TRUE(out.WaitFor(kRecords / 4));
      auto leader = cluster->LeaderOf("failover", 0);
      ASSERT_TRUE(leader.ok());
      stopped = *leader;
      ASSERT_TRUE(cluster->StopBroker(stopped).ok());
    }
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_TRUE(out.WaitFor(kRecords));
  EXPECT_EQ(out.Failures(), 0);
  auto leader_now = cluster->LeaderOf("failover", 0);
  ASSERT_TRUE(leader_now.ok());
  EXPECT_NE(*leader_now, stopped);

  size_t total = 0;
  for (int32_t p = 0; p < 2; ++p) {
    auto stored = ReadPartition(cluster->bootstrap_servers(), "failover", p);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    int last = -1;
    for (const auto& r : *stored) {
      const int v = std::stoi(*r.value);
      EXPECT_GT(v, last) << "duplicate or reordered across the failover";
      last = v;
    }
    total += stored->size();
  }
  EXPECT_EQ(total, static_cast<size_t>(kRecords));
}

TEST(ProducerTest, FullBufferBlocksUpToMaxBlockThenFailsAndTrySendFailsAtOnce) {
  auto cluster = StartCluster();
  ProducerOptions o = Options(*cluster);
  o.buffer_memory = 64 * 1024;
  o.batch_size = 16 * 1024;
  o.max_block_ms = 300;
  o.delivery_timeout_ms = 120000;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->SendSync(Rec("pressure", std::nullopt, "known")).ok());
  ASSERT_TRUE(cluster->StopBroker(1).ok());  // nothing can leave the buffer now

  Outcomes out;
  const std::string value(1000, 'x');
  int accepted = 0;
  while (producer->TrySend(Rec("pressure", std::nullopt, value), out.Callback()).ok()) {
    ASSERT_LT(++accepted, 1000) << "buffer.memory must bound what is queued";
  }
  EXPECT_GT(accepted, 0);
  Status full = producer->TrySend(Rec("pressure", std::nullopt, value), out.Callback());
  EXPECT_EQ(full.code(), ErrorCode::kLocalBufferExhausted);

  const auto before = std::chrono::steady_clock::now();
  auto blocked_future = producer->Send(Rec("pressure", std::nullopt, value));
  const auto waited = std::chrono::steady_clock::now() - before;
  // Had the record been queued, its future would wait out delivery.timeout.ms: fail fast instead.
  ASSERT_EQ(blocked_future.wait_for(std::chrono::seconds(30)), std::future_status::ready)
      << "a Send that finds no room must fail, not be queued";
  auto blocked = blocked_future.get();
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.status().code(), ErrorCode::kLocalBufferExhausted) << blocked.status().ToString();
  EXPECT_GE(waited, milliseconds(250)) << "Send waits for room up to max.block.ms";

  // Room comes back once the broker does: queued records go out and a waiting Send gets in.
  o.max_block_ms = 60000;
  std::promise<Result<RecordMetadata>> late;
  std::thread waiter([&] {
    auto p2 = producer->Send(Rec("pressure", std::nullopt, "late"));
    late.set_value(p2.get());
  });
  ASSERT_TRUE(cluster->StartBroker(1).ok());
  ASSERT_TRUE(out.WaitFor(accepted));
  EXPECT_EQ(out.Failures(), 0) << out.FirstFailure();
  auto late_result = late.get_future().get();
  waiter.join();
  EXPECT_TRUE(late_result.ok() || late_result.status().code() == ErrorCode::kLocalBufferExhausted)
      << late_result.status().ToString();
}

TEST(ProducerTest, CloseReturnsWithinItsTimeoutWhenNoBrokerIsReachable) {
  auto cluster = StartCluster();
  ProducerOptions o = Options(*cluster);
  o.linger_ms = 0;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->SendSync(Rec("stranded", std::nullopt, "known")).ok());
  ASSERT_TRUE(cluster->StopBroker(1).ok());
  Outcomes out;
  for (int i = 0; i < 100; ++i) producer->Produce(Rec("stranded", std::nullopt, std::to_string(i)), out.Callback());

  const auto before = std::chrono::steady_clock::now();
  Status closed = producer->Close(milliseconds(500));
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_EQ(closed.code(), ErrorCode::kLocalTimedOut);
  EXPECT_LT(took, std::chrono::seconds(10)) << "close must not hang on unreachable brokers";
  ASSERT_EQ(out.done.load(), 100) << "every record has its outcome when Close returns";
  {
    std::lock_guard lock(out.mu);
    for (const auto& r : out.results) EXPECT_EQ(r.status().code(), ErrorCode::kLocalClosed);
  }
  auto after = producer->Send(Rec("stranded", std::nullopt, "too late")).get();
  EXPECT_EQ(after.status().code(), ErrorCode::kLocalClosed);
  EXPECT_EQ(producer->Close(milliseconds(0)).code(), ErrorCode::kLocalTimedOut) << "Close is idempotent";
}

TEST(ProducerTest, CloseWithNothingListeningAtAll) {
  // A port that was bound and closed: nothing listens there.
  auto cluster = StartCluster();
  const std::string address = cluster->bootstrap_servers();
  cluster.reset();
  ProducerOptions o;
  o.client.bootstrap_servers = address;
  o.max_block_ms = 300;
  auto producer = MakeProducer(o);
  auto r = producer->Send(Rec("nowhere", std::nullopt, "x")).get();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLocalTimedOut);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(producer->Close(milliseconds(1000)).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(10));
}

TEST(ProducerTest, BadRecordsFailAloneAndTheProducerGoesOn) {
  auto cluster = StartCluster(1, 2, /*auto_create=*/false);
  ASSERT_TRUE(cluster->CreateTopic("good", 2, 1).ok());
  ProducerOptions o = Options(*cluster);
  o.max_request_size = 10000;
  o.max_block_ms = 500;
  auto producer = MakeProducer(o);

  auto too_large = producer->Send(Rec("good", std::nullopt, std::string(20000, 'x'))).get();
  EXPECT_EQ(too_large.status().code(), ErrorCode::kMessageTooLarge);

  ProducerRecord bad_partition = Rec("good", std::nullopt, "x");
  bad_partition.partition = 2;
  Status called;
  auto invalid = producer->Send(bad_partition, [&](const Result<RecordMetadata>& r) { called = r.status(); }).get();
  EXPECT_EQ(invalid.status().code(), ErrorCode::kLocalInvalidArgument);
  EXPECT_EQ(called.code(), ErrorCode::kLocalInvalidArgument) << "the callback runs too";

  auto unknown = producer->Send(Rec("missing", std::nullopt, "x")).get();
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), ErrorCode::kUnknownTopicOrPartition) << unknown.status().ToString();

  ProducerRecord explicit_partition = Rec("good", std::nullopt, "fine");
  explicit_partition.partition = 1;
  auto ok = producer->SendSync(explicit_partition);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->partition, 1);
  auto partitions = producer->PartitionsFor("good");
  ASSERT_TRUE(partitions.ok());
  EXPECT_EQ(*partitions, (std::vector<int32_t>{0, 1}));
}

TEST(ProducerTest, FlushSendsLingeringBatchesAndWaitsForThem) {
  auto cluster = StartCluster();
  ProducerOptions o = Options(*cluster);
  o.linger_ms = 60000;  // only flush can send these in time
  o.delivery_timeout_ms = 120000;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->PartitionsFor("lingering").ok());
  Outcomes out;
  for (int i = 0; i < 50; ++i) producer->Produce(Rec("lingering", std::nullopt, std::to_string(i)), out.Callback());
  EXPECT_EQ(out.done.load(), 0);
  ASSERT_TRUE(producer->Flush(kWait).ok());
  EXPECT_EQ(out.done.load(), 50);
  EXPECT_EQ(out.Failures(), 0);
}

TEST(ProducerTest, ManyThreadsSendConcurrently) {
  auto cluster = StartCluster(1, 4);
  auto producer = MakeProducer(Options(*cluster));
  Outcomes out;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        producer->Produce(Rec("busy", "t" + std::to_string(t), std::to_string(i)), out.Callback());
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(producer->Flush(kWait).ok());
  EXPECT_EQ(out.done.load(), kThreads * kPerThread);
  EXPECT_EQ(out.Failures(), 0);
  size_t total = 0;
  for (int32_t p = 0; p < 4; ++p) {
    auto stored = ReadPartition(cluster->bootstrap_servers(), "busy", p);
    ASSERT_TRUE(stored.ok());
    std::map<std::string, int> last;
    for (const auto& r : *stored) {
      auto [it, first] = last.emplace(*r.key, std::stoi(*r.value));
      if (!first) {
        EXPECT_GT(std::stoi(*r.value), it->second) << "one thread's records stay in order";
        it->second = std::stoi(*r.value);
      }
    }
    total += stored->size();
  }
  EXPECT_EQ(total, static_cast<size_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace kclient
