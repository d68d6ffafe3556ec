// kclient::Producer against librdkafka's mock cluster (rdkafka_mock.h), a Kafka broker we did not
// write: records with keys, binary values, headers and timestamps in every codec, at every
// Produce version the mock serves, read back by librdkafka's consumer; idempotence through the
// mock's InitProducerId; retriable errors injected into Produce, a leader move and a broker
// outage with nothing lost or duplicated; and a non-retriable error reaching the record's
// callback with its code.
//
// What the mock cannot judge (see librdkafka's rdkafka_mock.c, 2.0.x):
//   - It checks sequence numbers only for transactional producers. For an idempotent producer it
//     appends whatever arrives, so it neither drops a resent duplicate nor refuses a batch that
//     overtook an earlier failed one. Kafka does both, and the producer relies on that when it
//     keeps up to 5 requests in flight. So ordering under injected errors is asserted here only
//     with one request in flight; with five, the test asserts no loss and no duplicates (the
//     mock fails a request before appending anything, so no write ever needs deduplicating).
//     The lost-response case (written, answer never seen) needs a broker that deduplicates; it
//     is covered against our broker (producer_test.cc), not here.
//   - It answers an ApiVersions request newer than it serves (v3+) in a format of its own that no
//     version decodes; kclient falls back to v0 then, as the Java client does.
//   - It advertises Metadata v0-v2 only, though its handler encodes v3-v7 correctly (v8's
//     authorized-operations fields are misplaced). kclient asks for v4 or newer (the first that
//     can refuse auto-creation; every broker since Kafka 0.11 serves it), so the mock is told to
//     serve v0-v7 (rd_kafka_mock_set_apiversion); unchanged, the producer never learns the topic.
//   - It answers Produce requests with acks=0, which Kafka never does; kclient closes a connection
//     that sends an unsolicited response, so acks=0 is not tested here.
//   - It reports LogAppendTimeMs=1234 for every append, whatever the topic's timestamp type.
//   - Its Produce v5 response lacks LogStartOffset (see MockProduceVersion below).
//   - Produce stops at v7 and Fetch at v11, so topic ids (Produce v13) are not exercised.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/producer.h"
#include "partition_reader.h"
#include "rdkafka_reader.h"

namespace kclient {

// Test names and failure messages say "gzip", not "1-byte object <01>".
void PrintTo(CompressionType c, std::ostream* os) { *os << CompressionName(c); }

namespace {

using std::chrono::milliseconds;
using testing::PeerRecord;
using testing::ReadPartition;
using testing::ReadWithLibrdkafka;

constexpr auto kWait = std::chrono::seconds(60);
constexpr int16_t kProduceApi = 0;
constexpr int16_t kMetadataApi = 3;
constexpr int64_t kBaseTimestamp = 1'700'000'000'000;
constexpr int64_t kMockLogAppendTime = 1234;

// A mock cluster of `brokers` brokers (ids 1..brokers). librdkafka keeps it on a handle of its
// own, which does nothing else here.
class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
    // KCLIENT_MOCK_DEBUG=mock,protocol logs what the mock receives and sends.
    if (const char* debug = std::getenv("KCLIENT_MOCK_DEBUG")) {
      rd_kafka_conf_set(conf, "debug", debug, err, sizeof err);
      rd_kafka_conf_set(conf, "log_level", "7", err, sizeof err);
    }
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk_ == nullptr) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return;
    }
    mock_ = rd_kafka_mock_cluster_new(rk_, brokers);
    EXPECT_NE(mock_, nullptr);
    // See the top of the file.
    EXPECT_EQ(rd_kafka_mock_set_apiversion(mock_, kMetadataApi, 0, 7), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ~MockCluster() {
    if (mock_ != nullptr) rd_kafka_mock_cluster_destroy(mock_);
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() const { return mock_; }
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mock_); }
  void CreateTopic(const std::string& name, int partitions, int replication_factor) const {
    ASSERT_EQ(rd_kafka_mock_topic_create(mock_, name.c_str(), partitions, replication_factor),
              RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  // Produce errors still waiting on broker `id`'s error stack.
  size_t PendingProduceErrors(int32_t id) const {
    size_t n = 0;
    EXPECT_EQ(rd_kafka_mock_broker_error_stack_cnt(mock_, id, kProduceApi, &n), RD_KAFKA_RESP_ERR_NO_ERROR);
    return n;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

ProducerOptions Options(const MockCluster& mock) {
  ProducerOptions o;
  o.client.bootstrap_servers = mock.bootstrap();
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

// Record `i` of a rich stream: keys cycling over 5 values (every 17th null), values holding every
// byte value (every 23rd null: a tombstone), headers with an empty value, a null value and a
// repeated name, and an explicit timestamp.
ProducerRecord Rich(const std::string& topic, int i) {
  ProducerRecord r;
  r.topic = topic;
  if (i % 17 != 16) r.key = "key-" + std::to_string(i % 5);
  if (i % 23 != 22) {
    std::string v = "value-" + std::to_string(i) + ":";
    for (int b = 0; b < 256; ++b) v.push_back(static_cast<char>((b + i) & 0xff));
    r.value = std::move(v);
  }
  r.headers = {{"seq", std::to_string(i)}, {"empty", ""}, {"null", std::nullopt}, {"seq", "again"}};
  r.timestamp_ms = kBaseTimestamp + i * 7;
  return r;
}

// A plain record whose value says which one it was, for order checks.
ProducerRecord Numbered(const std::string& topic, int i, int keys) {
  ProducerRecord r;
  r.topic = topic;
  r.key = "k" + std::to_string(i % keys);
  r.value = std::to_string(i);
  return r;
}

// Outcomes by send index; callbacks run on the sender thread.
class Outcomes {
 public:
  explicit Outcomes(size_t n) : results_(n) {}
  DeliveryCallback Callback(size_t index) {
    return [this, index](const Result<RecordMetadata>& r) {
      std::lock_guard lock(mu_);
      results_[index] = r;
      ++done_;
    };
  }
  // Waits until `n` outcomes arrived (or kWait passed).
  bool WaitFor(size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done() >= n) return true;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return done() >= n;
  }
  size_t done() {
    std::lock_guard lock(mu_);
    return done_;
  }
  std::optional<Result<RecordMetadata>> at(size_t i) {
    std::lock_guard lock(mu_);
    return results_[i];
  }
  size_t Failures() {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& r : results_) n += (r && !r->ok()) ? 1 : 0;
    return n;
  }

 private:
  std::mutex mu_;
  std::vector<std::optional<Result<RecordMetadata>>> results_;
  size_t done_ = 0;
};

// Every record of `topic` over all its partitions, read by librdkafka, by partition.
std::map<int32_t, std::vector<PeerRecord>> ReadAll(const MockCluster& mock, const std::string& topic, int partitions) {
  std::map<int32_t, std::vector<PeerRecord>> out;
  for (int32_t p = 0; p < partitions; ++p) {
    auto records = ReadWithLibrdkafka(mock.bootstrap(), topic, p);
    EXPECT_TRUE(records.ok()) << topic << "-" << p << ": " << records.status().ToString();
    if (records.ok()) out[p] = std::move(*records);
  }
  return out;
}

// Checks that the partitions of `stored` hold Numbered records 0..n-1 exactly once each, each on
// its key's murmur2 partition, in send order per partition when `ordered`.
void ExpectExactlyOnce(const std::map<int32_t, std::vector<PeerRecord>>& stored, int n, bool ordered) {
  std::vector<int> seen(static_cast<size_t>(n), 0);
  for (const auto& [partition, records] : stored) {
    int last = -1;
    for (const PeerRecord& r : records) {
      ASSERT_TRUE(r.key.has_value() && r.value.has_value());
      EXPECT_EQ(PartitionForKey(*r.key, static_cast<int32_t>(stored.size())), partition) << *r.key;
      const int v = std::stoi(*r.value);
      ASSERT_GE(v, 0);
      ASSERT_LT(v, n);
      ++seen[static_cast<size_t>(v)];
      if (ordered) {
        EXPECT_GT(v, last) << "partition " << partition << ": record " << v << " after " << last;
      }
      last = std::max(last, v);
    }
  }
  int lost = 0;
  int duplicated = 0;
  for (int count : seen) {
    lost += count == 0 ? 1 : 0;
    duplicated += count > 1 ? 1 : 0;
  }
  EXPECT_EQ(lost, 0) << "records lost";
  EXPECT_EQ(duplicated, 0) << "records duplicated";
}

// --- Content: every codec, every Produce version ------------------------------------------------

// Sends Rich records 0..n-1 to single-partition `topic` and checks what librdkafka reads back and
// the raw batches (codec, producer id, sequences).
void RoundTrip(const MockCluster& mock, const std::string& topic, CompressionType codec, int n) {
  ProducerOptions o = Options(mock);
  o.compression = codec;
  o.linger_ms = 20;
  o.batch_size = 8192;  // several batches
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer);
  Outcomes out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) producer->Produce(Rich(topic, i), out.Callback(static_cast<size_t>(i)));
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_EQ(out.done(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto r = out.at(static_cast<size_t>(i));
    ASSERT_TRUE(r && r->ok()) << "record " << i << ": " << (r ? r->status().ToString() : "no outcome");
    EXPECT_EQ((*r)->partition, 0);
    EXPECT_EQ((*r)->offset, i) << "the mock's offsets, in send order";
    // The mock reports LogAppendTimeMs=1234 for every append (Kafka: -1 unless the topic uses
    // LogAppendTime); the producer, like Java's, reports the broker's append time when given one.
    EXPECT_EQ((*r)->timestamp_ms, kMockLogAppendTime);
  }
  ASSERT_TRUE(producer->Close(milliseconds(10000)).ok());

  auto read = ReadWithLibrdkafka(mock.bootstrap(), topic, 0);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const ProducerRecord want = Rich(topic, i);
    const PeerRecord& got = (*read)[static_cast<size_t>(i)];
    EXPECT_EQ(got.offset, i);
    EXPECT_EQ(got.key, want.key) << "record " << i;
    EXPECT_EQ(got.value, want.value) << "record " << i;
    EXPECT_EQ(got.headers, want.headers) << "record " << i;
    EXPECT_EQ(got.timestamp_ms, *want.timestamp_ms) << "record " << i;
    EXPECT_TRUE(got.create_time);
  }

  // The raw batches, fetched at a version the mock serves: codec, and idempotence stamps from
  // the mock's InitProducerId.
  auto raw = ReadPartition(mock.bootstrap(), topic, 0);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_EQ(raw->size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const auto& r = (*raw)[static_cast<size_t>(i)];
    EXPECT_EQ(r.compression, codec) << "record " << i;
    EXPECT_GE(r.producer_id, 0) << "idempotence is on by default";
    EXPECT_EQ(r.producer_id, raw->front().producer_id);
    EXPECT_EQ(r.sequence, i);
  }
}

class MockCodec : public ::testing::TestWithParam<CompressionType> {};

TEST_P(MockCodec, RecordsRoundTripThroughLibrdkafkasConsumer) {
  MockCluster mock(1);
  const std::string topic = "codec-" + std::string(CompressionName(GetParam()));
  mock.CreateTopic(topic, 1, 1);
  RoundTrip(mock, topic, GetParam(), 300);
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, MockCodec,
                         ::testing::Values(CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                           CompressionType::kLz4, CompressionType::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

// The mock is told to serve exactly one Produce version; the producer must speak it.
class MockProduceVersion : public ::testing::TestWithParam<int16_t> {};

TEST_P(MockProduceVersion, ProducerSpeaksIt) {
  MockCluster mock(1);
  ASSERT_EQ(rd_kafka_mock_set_apiversion(mock.get(), kProduceApi, GetParam(), GetParam()), RD_KAFKA_RESP_ERR_NO_ERROR);
  const std::string topic = "produce-v" + std::to_string(GetParam());
  mock.CreateTopic(topic, 1, 1);
  RoundTrip(mock, topic, CompressionType::kLz4, 60);
}

// v3 is the first with record batches (our minimum); v7 the mock's newest. Not v5: the mock's v5
// response leaves out LogStartOffset (it writes it from v6; Kafka's schema has it from v5), so
// kclient rightly finds it truncated.
INSTANTIATE_TEST_SUITE_P(EveryVersionTheMockServes, MockProduceVersion,
                         ::testing::Values<int16_t>(3, 4, 6, 7));

// --- Acks ---------------------------------------------------------------------------------------

TEST(ProducerOnMockCluster, AcksOneAndAllReportOffsets) {
  MockCluster mock(1);
  for (Acks acks : {Acks::kLeader, Acks::kAll}) {
    const std::string topic = "acks" + std::to_string(static_cast<int>(acks));
    mock.CreateTopic(topic, 1, 1);
    ProducerOptions o = Options(mock);
    o.acks = acks;
    o.enable_idempotence = acks == Acks::kAll;
    auto producer = MakeProducer(o);
    ProducerRecord r;
    r.topic = topic;
    r.value = "a";
    auto first = producer->SendSync(r);
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = producer->SendSync(r);
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(first->offset, 0);
    EXPECT_EQ(second->offset, 1);
  }
}

// --- Faults -------------------------------------------------------------------------------------

// Retriable Produce errors (and a dropped connection) injected on the only broker; every record
// arrives exactly once, and in order with one request in flight (see the top of the file).
class MockRetriableErrors : public ::testing::TestWithParam<int> {};

TEST_P(MockRetriableErrors, LoseAndDuplicateNothing) {
  const int in_flight = GetParam();
  MockCluster mock(1);
  mock.CreateTopic("retry", 3, 1);
  ProducerOptions o = Options(mock);
  o.max_in_flight_requests_per_connection = in_flight;
  o.batch_size = 1024;
  o.linger_ms = 2;
  auto producer = MakeProducer(o);
  ASSERT_TRUE(producer->PartitionsFor("retry").ok());

  // Each entry fails one Produce request (every partition in it) before anything is appended.
  ASSERT_EQ(rd_kafka_mock_broker_push_request_error_rtts(
                mock.get(), 1, kProduceApi, 8, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0,
                RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 0, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 0,
                RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, 0, RD_KAFKA_RESP_ERR__TRANSPORT, 0,
                RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, 0, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, 0,
                RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, 0),
            RD_KAFKA_RESP_ERR_NO_ERROR);

  constexpr int kRecords = 1500;
  Outcomes out(kRecords);
  for (int i = 0; i < kRecords; ++i) producer->Produce(Numbered("retry", i, 7), out.Callback(static_cast<size_t>(i)));
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_TRUE(out.WaitFor(kRecords));
  EXPECT_EQ(out.Failures(), 0u);
  EXPECT_EQ(mock.PendingProduceErrors(1), 0u) << "every injected error was met";
  ExpectExactlyOnce(ReadAll(mock, "retry", 3), kRecords, /*ordered=*/in_flight == 1);
}

INSTANTIATE_TEST_SUITE_P(InFlight, MockRetriableErrors, ::testing::Values(1, 5));

// The leader of both partitions moves to other brokers mid-stream; the old leader then answers
// NOT_LEADER_OR_FOLLOWER and the producer follows the metadata.
TEST(ProducerOnMockCluster, LeaderMovesMidStreamAndNothingIsLostOrReordered) {
  MockCluster mock(3);
  mock.CreateTopic("moving", 2, 3);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "moving", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "moving", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ProducerOptions o = Options(mock);
  o.linger_ms = 1;
  o.batch_size = 2048;
  auto producer = MakeProducer(o);
  constexpr int kRecords = 4000;
  Outcomes out(kRecords);
  for (int i = 0; i < kRecords; ++i) {
    producer->Produce(Numbered("moving", i, 2), out.Callback(static_cast<size_t>(i)));
    if (i == kRecords / 2) {
      // Some records acknowledged by broker 1, others still queued or in flight.
      ASSERT_TRUE(out.WaitFor(kRecords / 4));
      ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "moving", 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
      ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "moving", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_TRUE(out.WaitFor(kRecords));
  EXPECT_EQ(out.Failures(), 0u);
  // Leader moves fail whole suffixes of what was in flight to the old leader, never a request in
  // the middle, so even the mock keeps each partition in order.
  ExpectExactlyOnce(ReadAll(mock, "moving", 2), kRecords, /*ordered=*/true);
}

// Broker 1, leader of partition 0, goes down (connections refused; no leader change). Partition
// 1's records, led by broker 2, keep going; partition 0's wait and arrive once broker 1 is back.
TEST(ProducerOnMockCluster, RecordsForADownBrokerWaitAndArriveWhenItIsBack) {
  MockCluster mock(2);
  mock.CreateTopic("outage", 2, 2);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "outage", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(mock.get(), "outage", 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  auto producer = MakeProducer(Options(mock));
  auto to = [](int32_t partition, int i) {
    ProducerRecord r;
    r.topic = "outage";
    r.partition = partition;
    r.value = std::to_string(i);
    return r;
  };
  // Warm up both partitions so connections and metadata exist before the outage.
  ASSERT_TRUE(producer->SendSync(to(0, 0)).ok());
  ASSERT_TRUE(producer->SendSync(to(1, 0)).ok());

  ASSERT_EQ(rd_kafka_mock_broker_set_down(mock.get(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  constexpr int kEach = 200;
  Outcomes p0(kEach);
  Outcomes p1(kEach);
  for (int i = 1; i <= kEach; ++i) {
    producer->Produce(to(0, i), p0.Callback(static_cast<size_t>(i - 1)));
    producer->Produce(to(1, i), p1.Callback(static_cast<size_t>(i - 1)));
  }
  ASSERT_TRUE(p1.WaitFor(kEach)) << "partition 1's leader is up";
  EXPECT_EQ(p1.Failures(), 0u);
  EXPECT_EQ(p0.done(), 0u) << "partition 0's leader is down: nothing can have been delivered";

  ASSERT_EQ(rd_kafka_mock_broker_set_up(mock.get(), 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(producer->Flush(kWait).ok());
  ASSERT_TRUE(p0.WaitFor(kEach));
  EXPECT_EQ(p0.Failures(), 0u);

  auto stored = ReadAll(mock, "outage", 2);
  for (int32_t p = 0; p < 2; ++p) {
    ASSERT_EQ(stored[p].size(), static_cast<size_t>(kEach + 1)) << "partition " << p;
    for (int i = 0; i <= kEach; ++i) EXPECT_EQ(stored[p][static_cast<size_t>(i)].value, std::to_string(i));
  }
}

// A non-retriable error fails exactly the records of that request with the broker's code; the
// producer starts over with a new producer id (the failed sequence left a gap) and goes on.
TEST(ProducerOnMockCluster, NonRetriableErrorReachesTheCallbackWithItsCode) {
  MockCluster mock(1);
  mock.CreateTopic("refused", 1, 1);
  auto producer = MakeProducer(Options(mock));
  ProducerRecord r;
  r.topic = "refused";
  r.value = "before";
  ASSERT_TRUE(producer->SendSync(r).ok());

  rd_kafka_mock_push_request_errors(mock.get(), kProduceApi, 1, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
  r.value = "refused";
  std::promise<Status> seen;
  auto future = producer->Send(r, [&](const Result<RecordMetadata>& m) { seen.set_value(m.status()); });
  auto result = future.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kTopicAuthorizationFailed) << result.status().ToString();
  EXPECT_EQ(seen.get_future().get().code(), ErrorCode::kTopicAuthorizationFailed) << "the callback gets it too";

  r.value = "after";
  auto after = producer->SendSync(r);
  ASSERT_TRUE(after.ok()) << after.status().ToString();

  auto raw = ReadPartition(mock.bootstrap(), "refused", 0);
  ASSERT_TRUE(raw.ok()) << raw.status().ToString();
  ASSERT_EQ(raw->size(), 2u);
  EXPECT_EQ((*raw)[0].value, "before");
  EXPECT_EQ((*raw)[1].value, "after");
  EXPECT_NE((*raw)[0].producer_id, (*raw)[1].producer_id) << "a new producer id after the gap";
  EXPECT_EQ((*raw)[1].sequence, 0);
}

}  // namespace
}  // namespace kclient
