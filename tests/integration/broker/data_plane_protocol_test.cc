// The broker's data plane at the wire: hand-built Produce, Fetch, ListOffsets, InitProducerId,
// OffsetForLeaderEpoch and DeleteRecords requests against an EmbeddedCluster, for the cases a
// well-behaved client never produces (corrupt, control and oversized batches, stale producer
// epochs, sequence gaps) and for exact answers (KIP-74 sizes, long polls, leader epochs).
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "kclient/embedded_cluster.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace kclient {
namespace {

namespace kp = protocol;
using testing::BlockingClient;
using Bytes = std::vector<uint8_t>;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

int16_t Code(ErrorCode e) { return static_cast<int16_t>(e); }

int64_t NowMs() {
  return std::chrono::duration_cast<Millis>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::unique_ptr<EmbeddedCluster> StartCluster(int brokers, bool auto_create = true) {
  EmbeddedClusterOptions options;
  options.brokers = brokers;
  options.auto_create_topics = auto_create;
  auto started = EmbeddedCluster::Start(options);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started.value()) : nullptr;
}

// "host:port" of broker `id` (all brokers running: bootstrap lists them in id order).
std::string Address(EmbeddedCluster& cluster, int32_t id) {
  std::string list = cluster.bootstrap_servers();
  for (int32_t i = 1; i < id; ++i) list = list.substr(list.find(',') + 1);
  return list.substr(0, list.find(','));
}

std::unique_ptr<BlockingClient> Connect(EmbeddedCluster& cluster, int32_t id) {
  auto c = std::make_unique<BlockingClient>();
  EXPECT_TRUE(c->Connect(Address(cluster, id)).ok());
  return c;
}

struct BatchSpec {
  int count = 3;
  kp::RecordBatchBuilder::Options options;
  int64_t timestamp = 0;              // 0: now; record i gets timestamp + i
  std::vector<int64_t> timestamps;    // explicit per-record timestamps (overrides count)
  bool keys = true;
  size_t value_size = 16;
};

Bytes Batch(const BatchSpec& spec) {
  kp::RecordBatchBuilder b;
  const int64_t base = spec.timestamp != 0 ? spec.timestamp : NowMs();
  const int n = spec.timestamps.empty() ? spec.count : static_cast<int>(spec.timestamps.size());
  for (int i = 0; i < n; ++i) {
    const std::string key = "k" + std::to_string(i);
    const std::string value(spec.value_size, static_cast<char>('a' + i % 26));
    const int64_t ts = spec.timestamps.empty() ? base + i : spec.timestamps[static_cast<size_t>(i)];
    std::optional<kp::ByteSpan> k;
    if (spec.keys) k = kp::ByteSpan(reinterpret_cast<const uint8_t*>(key.data()), key.size());
    b.Append(ts, k, kp::ByteSpan(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  }
  kp::ByteSpan out;
  EXPECT_TRUE(b.Finish(spec.options, &out).ok());
  return Bytes(out.begin(), out.end());
}

Bytes Idempotent(int64_t producer_id, int16_t epoch, int32_t sequence, int count = 3) {
  BatchSpec spec;
  spec.count = count;
  spec.options.producer_id = producer_id;
  spec.options.producer_epoch = epoch;
  spec.options.base_sequence = sequence;
  return Batch(spec);
}

void Reseal(Bytes* batch) {
  util::StoreBE32(batch->data() + kp::kCrcOffset,
                  util::Crc32c(batch->data() + kp::kAttributesOffset, batch->size() - kp::kAttributesOffset));
}

struct ProduceResult {
  Status status;  // transport / decoding
  kp::ProduceResponse::PartitionProduceResponse partition;
  kp::ProduceResponse response;
};

ProduceResult Produce(BlockingClient& c, const std::string& topic, int32_t partition, const Bytes& records,
                      int16_t version = 9, int16_t acks = -1, const Uuid* topic_id = nullptr) {
  kp::ProduceRequest req;
  req.acks = acks;
  req.timeout_ms = 5000;
  auto& t = req.topic_data.emplace_back();
  if (topic_id != nullptr) {
    t.topic_id = *topic_id;
  } else {
    t.name = topic;
  }
  auto& p = t.partition_data.emplace_back();
  p.index = partition;
  p.records = kp::RecordsView(records.data(), records.size());
  ProduceResult r;
  r.status = c.RoundTrip(req, version, &r.response);
  if (r.status.ok() && !r.response.responses.empty() && !r.response.responses[0].partition_responses.empty()) {
    r.partition = r.response.responses[0].partition_responses[0];
  }
  return r;
}

struct FetchSpec {
  int64_t offset = 0;
  int32_t partition = 0;
  int32_t partition_max_bytes = 1 << 20;
  int32_t current_leader_epoch = -1;
};

kp::FetchRequest FetchRequestFor(const std::string& topic, std::vector<FetchSpec> parts, int32_t max_wait_ms = 0,
                                 int32_t min_bytes = 1, int32_t max_bytes = 50 << 20) {
  kp::FetchRequest req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = min_bytes;
  req.max_bytes = max_bytes;
  auto& t = req.topics.emplace_back();
  t.topic = topic;
  for (const FetchSpec& s : parts) {
    auto& p = t.partitions.emplace_back();
    p.partition = s.partition;
    p.fetch_offset = s.offset;
    p.partition_max_bytes = s.partition_max_bytes;
    p.current_leader_epoch = s.current_leader_epoch;
  }
  return req;
}

struct FetchedBatch {
  int64_t base_offset;
  int64_t last_offset;
  int32_t leader_epoch;
  int16_t attributes;
  int64_t max_timestamp;
  bool crc_ok;
};

std::vector<FetchedBatch> Batches(const kp::FetchResponse::PartitionData& p) {
  std::vector<FetchedBatch> out;
  if (!p.records) return out;
  kp::BatchIterator it(p.records->span());
  kp::RecordBatchHeader h;
  kp::ByteSpan bytes;
  while (it.Next(&h, &bytes)) {
    out.push_back({h.base_offset, h.last_offset(), h.partition_leader_epoch, h.attributes, h.max_timestamp,
                   kp::VerifyBatchCrc(bytes)});
  }
  EXPECT_TRUE(it.status().ok()) << it.status().ToString();
  return out;
}

int64_t Latest(BlockingClient& c, const std::string& topic, int32_t partition = 0, int64_t timestamp = -1,
               int16_t* error = nullptr) {
  kp::ListOffsetsRequest req;
  req.replica_id = -1;
  auto& t = req.topics.emplace_back();
  t.name = topic;
  auto& p = t.partitions.emplace_back();
  p.partition_index = partition;
  p.timestamp = timestamp;
  kp::ListOffsetsResponse resp;
  EXPECT_TRUE(c.RoundTrip(req, 7, &resp).ok());
  if (error != nullptr) *error = resp.topics[0].partitions[0].error_code;
  return resp.topics[0].partitions[0].offset;
}

Uuid TopicId(BlockingClient& c, const std::string& topic) {
  kp::MetadataRequest req;
  auto& t = req.topics->emplace_back();
  t.name = topic;
  kp::MetadataResponse resp;
  EXPECT_TRUE(c.RoundTrip(req, 12, &resp).ok());
  return resp.topics.at(0).topic_id;
}

// ---- Produce validation ---------------------------------------------------------------------

TEST(DataPlaneProtocolTest, ProduceRejectsCorruptControlAndOversizedBatchesAndWritesNothing) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("checked", 1, 1, {{"max.message.bytes", "2000"}}).ok());
  auto c = Connect(*cluster, 1);

  Bytes corrupt = Batch({});
  corrupt.back() ^= 0x5a;  // a record byte changes; the CRC no longer matches
  auto r = Produce(*c, "checked", 0, corrupt);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kCorruptMessage));
  EXPECT_EQ(r.partition.base_offset, -1);

  BatchSpec control;
  control.options.control = true;
  r = Produce(*c, "checked", 0, Batch(control));
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kInvalidRecord));

  BatchSpec big;
  big.count = 4;
  big.value_size = 600;
  r = Produce(*c, "checked", 0, Batch(big));
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kMessageTooLarge));

  EXPECT_EQ(Latest(*c, "checked"), 0);  // nothing was written
  r = Produce(*c, "checked", 0, Batch({}));
  EXPECT_EQ(r.partition.error_code, 0);
  EXPECT_EQ(r.partition.base_offset, 0);
  EXPECT_EQ(r.partition.log_append_time_ms, -1);
  EXPECT_EQ(r.partition.log_start_offset, 0);
  EXPECT_EQ(Latest(*c, "checked"), 3);
}

TEST(DataPlaneProtocolTest, ProduceChecksTheRecordsFieldAsKafkaDoes) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("shape", 1, 1).ok());
  auto c = Connect(*cluster, 1);
  const Bytes one = Batch({});

  EXPECT_EQ(Produce(*c, "shape", 0, Bytes{}).partition.error_code, Code(ErrorCode::kInvalidRecord));  // no batch
  Bytes two = one;
  two.insert(two.end(), one.begin(), one.end());
  EXPECT_EQ(Produce(*c, "shape", 0, two).partition.error_code, Code(ErrorCode::kInvalidRecord));  // two batches
  Bytes magic1 = one;
  magic1[kp::kMagicOffset] = 1;
  EXPECT_EQ(Produce(*c, "shape", 0, magic1).partition.error_code, Code(ErrorCode::kInvalidRecord));
  Bytes magic9 = one;
  magic9[kp::kMagicOffset] = 9;
  EXPECT_EQ(Produce(*c, "shape", 0, magic9).partition.error_code, Code(ErrorCode::kCorruptMessage));
  Bytes tiny = one;
  util::StoreBE32(tiny.data() + kp::kBatchLengthOffset, 10);  // below the 14-byte minimum
  EXPECT_EQ(Produce(*c, "shape", 0, tiny).partition.error_code, Code(ErrorCode::kCorruptMessage));
  Bytes count_mismatch = one;
  util::StoreBE32(count_mismatch.data() + 57, 2);  // 2 records declared, lastOffsetDelta says 3
  Reseal(&count_mismatch);
  EXPECT_EQ(Produce(*c, "shape", 0, count_mismatch).partition.error_code, Code(ErrorCode::kInvalidRecord));
  Bytes base_offset = one;
  util::StoreBE64(base_offset.data(), 7);  // outside the CRC
  EXPECT_EQ(Produce(*c, "shape", 0, base_offset).partition.error_code, Code(ErrorCode::kInvalidRecord));
  BatchSpec zstd;
  zstd.options.compression = CompressionType::kZstd;
  EXPECT_EQ(Produce(*c, "shape", 0, Batch(zstd), /*version=*/6).partition.error_code,
            Code(ErrorCode::kUnsupportedCompressionType));
  EXPECT_EQ(Latest(*c, "shape"), 0);

  // Bytes after the batch too short to be one are ignored, as Kafka's log input stream does.
  Bytes trailing = one;
  trailing.insert(trailing.end(), {1, 2, 3, 4, 5});
  auto r = Produce(*c, "shape", 0, trailing);
  EXPECT_EQ(r.partition.error_code, 0);
  EXPECT_EQ(Latest(*c, "shape"), 3);
  // zstd is fine from v7.
  EXPECT_EQ(Produce(*c, "shape", 0, Batch(zstd), /*version=*/7).partition.error_code, 0);
}

TEST(DataPlaneProtocolTest, ProduceValidatesRecordsTimestampsAndKeys) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("times", 1, 1).ok());
  ASSERT_TRUE(cluster->CreateTopic("compacted", 1, 1, {{"cleanup.policy", "compact"}}).ok());
  auto c = Connect(*cluster, 1);

  BatchSpec future;
  future.timestamps = {NowMs(), NowMs() + 2 * 3600 * 1000, NowMs()};  // the second: 2 h ahead
  auto r = Produce(*c, "times", 0, Batch(future));
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kInvalidTimestamp));
  ASSERT_EQ(r.partition.record_errors.size(), 1u);
  EXPECT_EQ(r.partition.record_errors[0].batch_index, 1);
  EXPECT_TRUE(r.partition.error_message.has_value());

  BatchSpec past;
  past.timestamp = 1000;  // 1970: message.timestamp.before.max.ms is unlimited by default
  EXPECT_EQ(Produce(*c, "times", 0, Batch(past)).partition.error_code, 0);

  BatchSpec keyless;
  keyless.keys = false;
  r = Produce(*c, "compacted", 0, Batch(keyless));
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kInvalidRecord));
  EXPECT_EQ(r.partition.record_errors.size(), 3u);
  EXPECT_EQ(Produce(*c, "compacted", 0, Batch({})).partition.error_code, 0);

  // A producer's max timestamp that is not its records' maximum is corrected, with a new CRC.
  BatchSpec explicit_ts;
  explicit_ts.timestamps = {5000, 9000, 7000};
  Bytes wrong_max = Batch(explicit_ts);
  util::StoreBE64(wrong_max.data() + 35, 1234);
  Reseal(&wrong_max);
  r = Produce(*c, "times", 0, wrong_max);
  ASSERT_EQ(r.partition.error_code, 0);
  kp::FetchResponse fr;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("times", {{r.partition.base_offset}}), 11, &fr).ok());
  auto batches = Batches(fr.responses[0].partitions[0]);
  ASSERT_FALSE(batches.empty());
  EXPECT_EQ(batches[0].max_timestamp, 9000);
  EXPECT_TRUE(batches[0].crc_ok);
}

TEST(DataPlaneProtocolTest, LogAppendTimeTopicsRewriteTheBatchAndAnswerTheAppendTime) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("lat", 1, 1, {{"message.timestamp.type", "LogAppendTime"}}).ok());
  auto c = Connect(*cluster, 1);
  BatchSpec old;
  old.timestamp = 1000;
  const int64_t before = NowMs();
  auto r = Produce(*c, "lat", 0, Batch(old));
  const int64_t after = NowMs();
  ASSERT_EQ(r.partition.error_code, 0);
  EXPECT_GE(r.partition.log_append_time_ms, before);
  EXPECT_LE(r.partition.log_append_time_ms, after);
  kp::FetchResponse fr;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("lat", {{0}}), 11, &fr).ok());
  auto batches = Batches(fr.responses[0].partitions[0]);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_NE(batches[0].attributes & kp::kTimestampTypeLogAppend, 0);
  EXPECT_EQ(batches[0].max_timestamp, r.partition.log_append_time_ms);
  EXPECT_TRUE(batches[0].crc_ok);
}

TEST(DataPlaneProtocolTest, ProduceAddressingLeadershipAndAcks) {
  auto cluster = StartCluster(3, /*auto_create=*/true);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("led", 1, 3).ok());
  auto leader = cluster->LeaderOf("led", 0);
  ASSERT_TRUE(leader.ok());
  const int32_t follower = *leader % 3 + 1;
  auto to_leader = Connect(*cluster, *leader);
  auto to_follower = Connect(*cluster, follower);

  // Produce never creates topics, even with auto-creation on.
  EXPECT_EQ(Produce(*to_leader, "nobody", 0, Batch({})).partition.error_code, Code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(Produce(*to_leader, "led", 7, Batch({})).partition.error_code, Code(ErrorCode::kUnknownTopicOrPartition));
  int16_t error = 0;
  Latest(*to_leader, "nobody", 0, -1, &error);
  EXPECT_EQ(error, Code(ErrorCode::kUnknownTopicOrPartition));

  EXPECT_EQ(Produce(*to_leader, "led", 0, Batch({}), 9, /*acks=*/2).partition.error_code,
            Code(ErrorCode::kInvalidRequiredAcks));

  auto r = Produce(*to_follower, "led", 0, Batch({}), /*version=*/10);
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(r.partition.current_leader.leader_id, *leader);
  EXPECT_GE(r.partition.current_leader.leader_epoch, 0);
  ASSERT_EQ(r.response.node_endpoints.size(), 1u);
  EXPECT_EQ(r.response.node_endpoints[0].node_id, *leader);
  EXPECT_EQ("127.0.0.1:" + std::to_string(r.response.node_endpoints[0].port), Address(*cluster, *leader));

  // v13 addresses the topic by id.
  const Uuid id = TopicId(*to_leader, "led");
  r = Produce(*to_leader, "", 0, Batch({}), /*version=*/13, -1, &id);
  EXPECT_EQ(r.partition.error_code, 0);
  EXPECT_EQ(r.response.responses[0].topic_id, id);
  const Uuid unknown{1, 2};
  r = Produce(*to_leader, "", 0, Batch({}), /*version=*/13, -1, &unknown);
  EXPECT_EQ(r.partition.error_code, Code(ErrorCode::kUnknownTopicId));

  // Versions 0-2 are advertised (for librdkafka) but refused, by closing the connection.
  auto old = Connect(*cluster, *leader);
  EXPECT_FALSE(Produce(*old, "led", 0, Batch({}), /*version=*/2).status.ok());
}

// ---- min.insync.replicas ---------------------------------------------------------------------
//
// Since Kafka 3.7 (KAFKA-15583) Partition.appendRecordsToLeader refuses acks=all when the ISR is
// smaller than the effective min ISR, min(min.insync.replicas, replication factor); before 3.7 the
// setting was not capped, so a topic with fewer replicas than min.insync.replicas refused every
// acks=all write. Topic creation never compares the two (the config is only checked to be >= 1).

std::unique_ptr<EmbeddedCluster> StartClusterWithMinIsr(int brokers, int32_t min_insync_replicas) {
  EmbeddedClusterOptions options;
  options.brokers = brokers;
  options.min_insync_replicas = min_insync_replicas;
  auto started = EmbeddedCluster::Start(options);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started.value()) : nullptr;
}

// CreateTopics over the wire with min.insync.replicas set and, when `replicas` is not empty, one
// partition on those brokers; the topic's error code.
int16_t CreateTopicWithMinIsr(BlockingClient& c, const std::string& name, int16_t replication_factor,
                              const std::string& min_insync_replicas, std::vector<int32_t> replicas = {}) {
  kp::CreateTopicsRequest req;
  auto& t = req.topics.emplace_back();
  t.name = name;
  t.num_partitions = replicas.empty() ? 1 : -1;
  t.replication_factor = replicas.empty() ? replication_factor : -1;
  if (!replicas.empty()) {
    auto& a = t.assignments.emplace_back();
    a.partition_index = 0;
    a.broker_ids = std::move(replicas);
  }
  auto& config = t.configs.emplace_back();
  config.name = "min.insync.replicas";
  config.value = min_insync_replicas;
  kp::CreateTopicsResponse resp;
  EXPECT_TRUE(c.RoundTrip(req, 7, &resp).ok());
  EXPECT_EQ(resp.topics.size(), 1u);
  return resp.topics.empty() ? int16_t{-1} : resp.topics[0].error_code;
}

TEST(DataPlaneProtocolTest, MinInsyncReplicasAboveTheReplicationFactorIsCappedAtIt) {
  auto cluster = StartClusterWithMinIsr(3, /*min_insync_replicas=*/2);
  ASSERT_NE(cluster, nullptr);
  auto admin = Connect(*cluster, 1);

  // Accepted, as Kafka accepts it: one replica, min.insync.replicas 2 (set, and the default).
  ASSERT_EQ(CreateTopicWithMinIsr(*admin, "rf1-min2", 1, "2"), 0);
  ASSERT_TRUE(cluster->CreateTopic("rf1-default", 1, 1).ok());
  for (const std::string topic : {"rf1-min2", "rf1-default"}) {
    auto leader = cluster->LeaderOf(topic, 0);
    ASSERT_TRUE(leader.ok());
    auto c = Connect(*cluster, *leader);
    // The effective min ISR is 1: the leader alone satisfies acks=all, and acks=1.
    auto all = Produce(*c, topic, 0, Batch({}), 9, /*acks=*/-1);
    EXPECT_EQ(all.partition.error_code, 0) << topic;
    EXPECT_EQ(all.partition.base_offset, 0) << topic;
    auto one = Produce(*c, topic, 0, Batch({}), 9, /*acks=*/1);
    EXPECT_EQ(one.partition.error_code, 0) << topic;
    EXPECT_EQ(one.partition.base_offset, 3) << topic;
    EXPECT_EQ(Latest(*c, topic), 6) << topic;
  }

  // The cap does not waive the check: two replicas and min.insync.replicas 3 still need both.
  ASSERT_EQ(CreateTopicWithMinIsr(*admin, "rf2-min3", -1, "3", {2, 3}), 0);
  auto leader = cluster->LeaderOf("rf2-min3", 0);
  ASSERT_TRUE(leader.ok());
  ASSERT_EQ(*leader, 2);
  auto c = Connect(*cluster, 2);
  EXPECT_EQ(Produce(*c, "rf2-min3", 0, Batch({}), 9, -1).partition.error_code, 0);
  ASSERT_TRUE(cluster->StopBroker(3).ok());
  auto refused = Produce(*c, "rf2-min3", 0, Batch({}), 9, -1);
  EXPECT_EQ(refused.partition.error_code, Code(ErrorCode::kNotEnoughReplicas));
  EXPECT_EQ(refused.partition.base_offset, -1);
  EXPECT_EQ(Latest(*c, "rf2-min3"), 3);  // nothing was appended
  EXPECT_EQ(Produce(*c, "rf2-min3", 0, Batch({}), 9, 1).partition.base_offset, 3);
  ASSERT_TRUE(cluster->StartBroker(3).ok());
  auto again = Produce(*c, "rf2-min3", 0, Batch({}), 9, -1);
  EXPECT_EQ(again.partition.error_code, 0);
  EXPECT_EQ(again.partition.base_offset, 6);
}

TEST(DataPlaneProtocolTest, AcksAllIsRefusedOnceTheIsrShrinksBelowMinInsyncReplicas) {
  auto cluster = StartClusterWithMinIsr(3, /*min_insync_replicas=*/2);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("shrinking", 1, 3).ok());
  auto leader = cluster->LeaderOf("shrinking", 0);
  ASSERT_TRUE(leader.ok());
  std::vector<int32_t> followers;
  for (int32_t id : cluster->broker_ids()) {
    if (id != *leader) followers.push_back(id);
  }
  ASSERT_EQ(followers.size(), 2u);
  auto c = Connect(*cluster, *leader);

  // ISR 3, then 2: at or above min.insync.replicas.
  EXPECT_EQ(Produce(*c, "shrinking", 0, Batch({}), 9, -1).partition.base_offset, 0);
  ASSERT_TRUE(cluster->StopBroker(followers[0]).ok());
  EXPECT_EQ(Produce(*c, "shrinking", 0, Batch({}), 9, -1).partition.base_offset, 3);

  // ISR 1: acks=all is refused before anything is written; acks=1 is not affected.
  ASSERT_TRUE(cluster->StopBroker(followers[1]).ok());
  for (int16_t version : {int16_t{3}, int16_t{9}, int16_t{13}}) {
    const Uuid id = TopicId(*c, "shrinking");
    auto refused = Produce(*c, "shrinking", 0, Batch({}), version, -1, version >= 13 ? &id : nullptr);
    EXPECT_EQ(refused.partition.error_code, Code(ErrorCode::kNotEnoughReplicas)) << "v" << version;
    EXPECT_EQ(refused.partition.base_offset, -1) << "v" << version;
  }
  EXPECT_EQ(Latest(*c, "shrinking"), 6);
  auto relaxed = Produce(*c, "shrinking", 0, Batch({}), 9, /*acks=*/1);
  EXPECT_EQ(relaxed.partition.error_code, 0);
  EXPECT_EQ(relaxed.partition.base_offset, 6);

  // A follower back in sync makes acks=all succeed again.
  ASSERT_TRUE(cluster->StartBroker(followers[1]).ok());
  auto again = Produce(*c, "shrinking", 0, Batch({}), 9, -1);
  EXPECT_EQ(again.partition.error_code, 0);
  EXPECT_EQ(again.partition.base_offset, 9);
}

// ---- Idempotent producers -------------------------------------------------------------------

TEST(DataPlaneProtocolTest, IdempotentProduceDeduplicatesAndChecksSequencesAndEpochs) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("idem", 1, 1).ok());
  auto c = Connect(*cluster, 1);
  kp::InitProducerIdRequest init;
  init.transactional_id.reset();
  kp::InitProducerIdResponse pid;
  ASSERT_TRUE(c->RoundTrip(init, 4, &pid).ok());
  ASSERT_EQ(pid.error_code, 0);
  EXPECT_EQ(pid.producer_epoch, 0);
  const int64_t id = pid.producer_id;

  std::vector<Bytes> batches;
  for (int i = 0; i < 7; ++i) batches.push_back(Idempotent(id, 0, i * 3));
  std::vector<int64_t> offsets;
  for (const Bytes& b : batches) {
    auto r = Produce(*c, "idem", 0, b);
    ASSERT_EQ(r.partition.error_code, 0);
    offsets.push_back(r.partition.base_offset);
  }
  EXPECT_EQ(Latest(*c, "idem"), 21);
  // A retry of the last batch, or of one of the five before it, is acknowledged with its
  // original offset and not written again (modern Kafka does not answer DUPLICATE_SEQUENCE).
  for (size_t i : {size_t{6}, size_t{4}, size_t{2}}) {
    auto r = Produce(*c, "idem", 0, batches[i]);
    EXPECT_EQ(r.partition.error_code, 0) << "batch " << i;
    EXPECT_EQ(r.partition.base_offset, offsets[i]) << "batch " << i;
  }
  EXPECT_EQ(Latest(*c, "idem"), 21);
  // Older than the last five: no longer recognisable, and out of sequence.
  EXPECT_EQ(Produce(*c, "idem", 0, batches[1]).partition.error_code, Code(ErrorCode::kOutOfOrderSequenceNumber));
  // A gap.
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id, 0, 25)).partition.error_code,
            Code(ErrorCode::kOutOfOrderSequenceNumber));
  // A new epoch must start at sequence 0; after it, the old epoch is fenced.
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id, 1, 5)).partition.error_code,
            Code(ErrorCode::kOutOfOrderSequenceNumber));
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id, 1, 0)).partition.error_code, 0);
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id, 0, 21)).partition.error_code, Code(ErrorCode::kInvalidProducerEpoch));
  // A producer id the partition has never seen may start at any sequence (KIP-360).
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id + 100, 0, 42)).partition.error_code, 0);
  // An idempotent batch without a sequence is invalid.
  EXPECT_EQ(Produce(*c, "idem", 0, Idempotent(id + 200, 0, -1)).partition.error_code, Code(ErrorCode::kInvalidRecord));
  EXPECT_EQ(Latest(*c, "idem"), 27);
}

TEST(DataPlaneProtocolTest, InitProducerIdAllocatesIdsAndBumpsTransactionalEpochs) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  auto c = Connect(*cluster, 1);
  auto call = [&](std::optional<std::string> txn, int16_t version, int64_t id = -1, int16_t epoch = -1,
                  int32_t timeout = 60000) {
    kp::InitProducerIdRequest req;
    req.transactional_id = std::move(txn);
    req.transaction_timeout_ms = timeout;
    req.producer_id = id;
    req.producer_epoch = epoch;
    kp::InitProducerIdResponse resp;
    EXPECT_TRUE(c->RoundTrip(req, version, &resp).ok());
    return resp;
  };
  auto a = call(std::nullopt, 0);
  auto b = call(std::nullopt, 4, a.producer_id, 0);  // KIP-360: idempotent producers get a new id
  EXPECT_EQ(a.error_code, 0);
  EXPECT_EQ(b.error_code, 0);
  EXPECT_NE(a.producer_id, b.producer_id);
  EXPECT_EQ(b.producer_epoch, 0);

  auto t0 = call("txn", 4);
  auto t1 = call("txn", 4);
  EXPECT_EQ(t0.error_code, 0);
  EXPECT_EQ(t0.producer_epoch, 0);
  EXPECT_EQ(t1.producer_id, t0.producer_id);
  EXPECT_EQ(t1.producer_epoch, 1);
  auto t2 = call("txn", 4, t1.producer_id, 1);
  EXPECT_EQ(t2.producer_epoch, 2);
  auto retry = call("txn", 4, t1.producer_id, 1);  // a retry of the bump that succeeded
  EXPECT_EQ(retry.error_code, 0);
  EXPECT_EQ(retry.producer_epoch, 2);
  EXPECT_EQ(call("txn", 4, t1.producer_id, 0).error_code, Code(ErrorCode::kProducerFenced));
  EXPECT_EQ(call("txn", 3, t1.producer_id, 0).error_code, Code(ErrorCode::kInvalidProducerEpoch));
  EXPECT_EQ(call("txn", 4, t1.producer_id + 1000, 2).error_code, Code(ErrorCode::kProducerFenced));
  EXPECT_EQ(call("txn", 4, -1, 2).error_code, Code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(call("", 4).error_code, Code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(call("txn", 4, -1, -1, 900001).error_code, Code(ErrorCode::kInvalidTransactionTimeout));
  auto failed = call("txn", 4, -1, -1, 0);
  EXPECT_EQ(failed.error_code, Code(ErrorCode::kInvalidTransactionTimeout));
  EXPECT_EQ(failed.producer_id, -1);
  EXPECT_EQ(failed.producer_epoch, -1);
}

// ---- Fetch ------------------------------------------------------------------------------------

TEST(DataPlaneProtocolTest, FetchHonoursKip74SizeLimits) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("sizes", 2, 1).ok());
  auto c = Connect(*cluster, 1);
  BatchSpec spec;
  spec.value_size = 200;
  size_t batch_size = 0;
  for (int32_t p = 0; p < 2; ++p) {
    for (int i = 0; i < 3; ++i) {
      const Bytes b = Batch(spec);
      batch_size = b.size();
      ASSERT_EQ(Produce(*c, "sizes", p, b).partition.error_code, 0);
    }
  }
  // max_bytes below one batch: the first batch still comes back whole, and nothing else.
  kp::FetchResponse r;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("sizes", {{0, 0}, {0, 1}}, 0, 1, /*max_bytes=*/10), 11, &r).ok());
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);
  EXPECT_EQ(r.responses[0].partitions[0].records->size, batch_size);
  EXPECT_TRUE(Batches(r.responses[0].partitions[1]).empty());
  EXPECT_EQ(r.responses[0].partitions[1].high_watermark, 9);

  // partition_max_bytes below one batch: the first non-empty partition gets its first batch,
  // later partitions nothing.
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("sizes", {{0, 0, 10}, {0, 1, 10}}), 11, &r).ok());
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);
  EXPECT_TRUE(Batches(r.responses[0].partitions[1]).empty());

  // Whole batches only, within the limits: two and a half batches' worth gives two.
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("sizes", {{0, 0, static_cast<int32_t>(batch_size * 5 / 2)}}), 11, &r).ok());
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 2u);
  // The request-wide limit is shared: partition 1 gets what partition 0 left.
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("sizes", {{0, 0}, {0, 1}}, 0, 1, static_cast<int32_t>(batch_size * 4)), 11,
                           &r)
                  .ok());
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 3u);
  EXPECT_EQ(Batches(r.responses[0].partitions[1]).size(), 1u);
  // A fetch from the middle of a batch returns that whole batch.
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("sizes", {{4, 0}}), 11, &r).ok());
  auto batches = Batches(r.responses[0].partitions[0]);
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].base_offset, 3);
}

TEST(DataPlaneProtocolTest, FetchReportsRangesEpochsSessionsAndTopicIds) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("fetched", 1, 3).ok());
  auto leader = cluster->LeaderOf("fetched", 0);
  ASSERT_TRUE(leader.ok());
  auto c = Connect(*cluster, *leader);
  ASSERT_EQ(Produce(*c, "fetched", 0, Batch({})).partition.error_code, 0);

  kp::FetchResponse r;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("fetched", {{0}}), 4, &r).ok());  // the oldest version served
  ASSERT_EQ(r.responses[0].partitions[0].error_code, 0);
  EXPECT_EQ(r.responses[0].partitions[0].high_watermark, 3);
  EXPECT_EQ(r.responses[0].partitions[0].last_stable_offset, 3);
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);
  EXPECT_FALSE(r.responses[0].partitions[0].aborted_transactions.has_value());

  auto committed = FetchRequestFor("fetched", {{0}});
  committed.isolation_level = 1;
  ASSERT_TRUE(c->RoundTrip(committed, 11, &r).ok());
  ASSERT_TRUE(r.responses[0].partitions[0].aborted_transactions.has_value());
  EXPECT_TRUE(r.responses[0].partitions[0].aborted_transactions->empty());
  EXPECT_EQ(r.session_id, 0);  // no fetch session was created (KIP-227)

  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("fetched", {{4}}), 11, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kOffsetOutOfRange));
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("fetched", {{3}}), 11, &r).ok());  // the log end: empty, fine
  EXPECT_EQ(r.responses[0].partitions[0].error_code, 0);

  auto incremental = FetchRequestFor("fetched", {{0}});
  incremental.session_id = 77;
  incremental.session_epoch = 3;
  ASSERT_TRUE(c->RoundTrip(incremental, 11, &r).ok());
  EXPECT_EQ(r.error_code, Code(ErrorCode::kFetchSessionIdNotFound));
  EXPECT_TRUE(r.responses.empty());

  // Leader epochs (v9+).
  ASSERT_TRUE(cluster->MoveLeader("fetched", 0, *leader).ok());  // bumps the epoch
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("fetched", {{0, 0, 1 << 20, 0}}), 12, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kFencedLeaderEpoch));
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("fetched", {{0, 0, 1 << 20, 99}}), 12, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kUnknownLeaderEpoch));

  // A follower answers NOT_LEADER_OR_FOLLOWER with the leader (v12) and its endpoint (v16).
  const int32_t follower = *leader % 3 + 1;
  auto f = Connect(*cluster, follower);
  ASSERT_TRUE(f->RoundTrip(FetchRequestFor("fetched", {{0}}), 11, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kNotLeaderOrFollower));

  const Uuid id = TopicId(*c, "fetched");
  auto by_id = FetchRequestFor("", {{0}});
  by_id.topics[0].topic_id = id;
  ASSERT_TRUE(f->RoundTrip(by_id, 16, &r).ok());
  EXPECT_EQ(r.responses[0].topic_id, id);
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(r.responses[0].partitions[0].current_leader.leader_id, *leader);
  ASSERT_EQ(r.node_endpoints.size(), 1u);
  EXPECT_EQ(r.node_endpoints[0].node_id, *leader);
  ASSERT_TRUE(c->RoundTrip(by_id, 13, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, 0);
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);
  by_id.topics[0].topic_id = Uuid{5, 6};
  ASSERT_TRUE(c->RoundTrip(by_id, 17, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kUnknownTopicId));
}

// A fetch sent from another thread, so the test thread can act while it waits.
std::future<std::pair<Status, kp::FetchResponse>> FetchAsync(BlockingClient* c, kp::FetchRequest req) {
  return std::async(std::launch::async, [c, req = std::move(req)] {
    kp::FetchResponse r;
    Status s = c->RoundTrip(req, 11, &r);
    return std::make_pair(s, std::move(r));
  });
}

TEST(DataPlaneProtocolTest, LongPollWaitsForDataAndWakesOnAppend) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("poll", 1, 1).ok());
  auto fetcher = Connect(*cluster, 1);
  auto producer = Connect(*cluster, 1);

  // Nothing to read: the fetch waits (up to 20 s).
  auto pending = FetchAsync(fetcher.get(), FetchRequestFor("poll", {{0}}, /*max_wait_ms=*/20000));
  EXPECT_EQ(pending.wait_for(Millis(300)), std::future_status::timeout) << "answered without waiting";
  const auto produced = Clock::now();
  ASSERT_EQ(Produce(*producer, "poll", 0, Batch({})).partition.error_code, 0);
  ASSERT_EQ(pending.wait_for(Millis(10000)), std::future_status::ready) << "the append did not wake the fetch";
  const auto waited = std::chrono::duration_cast<Millis>(Clock::now() - produced);
  EXPECT_LT(waited.count(), 5000);
  auto [status, r] = pending.get();
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);

  // min_bytes beyond what arrives: answered at max_wait with what there is.
  const auto start = Clock::now();
  auto partial = FetchAsync(fetcher.get(), FetchRequestFor("poll", {{0}}, /*max_wait_ms=*/400, /*min_bytes=*/1 << 20));
  ASSERT_EQ(Produce(*producer, "poll", 0, Batch({})).partition.error_code, 0);
  ASSERT_EQ(partial.wait_for(Millis(10000)), std::future_status::ready);
  EXPECT_GE(std::chrono::duration_cast<Millis>(Clock::now() - start).count(), 400);
  auto [status2, r2] = partial.get();
  ASSERT_TRUE(status2.ok());
  EXPECT_EQ(Batches(r2.responses[0].partitions[0]).size(), 2u);

  // A fetch parked for more bytes than there are answers OFFSET_OUT_OF_RANGE as soon as
  // DeleteRecords moves the log start past its offset.
  auto doomed = FetchAsync(fetcher.get(), FetchRequestFor("poll", {{0}}, /*max_wait_ms=*/20000, /*min_bytes=*/1 << 20));
  EXPECT_EQ(doomed.wait_for(Millis(300)), std::future_status::timeout);
  kp::DeleteRecordsRequest del;
  auto& dt = del.topics.emplace_back();
  dt.name = "poll";
  auto& dp = dt.partitions.emplace_back();
  dp.partition_index = 0;
  dp.offset = -1;  // up to the high watermark
  kp::DeleteRecordsResponse dr;
  ASSERT_TRUE(producer->RoundTrip(del, 2, &dr).ok());
  EXPECT_EQ(dr.topics[0].partitions[0].error_code, 0);
  EXPECT_EQ(dr.topics[0].partitions[0].low_watermark, 6);
  ASSERT_EQ(doomed.wait_for(Millis(10000)), std::future_status::ready) << "the deletion did not wake the fetch";
  auto [status3, r3] = doomed.get();
  ASSERT_TRUE(status3.ok());
  EXPECT_EQ(r3.responses[0].partitions[0].error_code, Code(ErrorCode::kOffsetOutOfRange));
}

TEST(DataPlaneProtocolTest, ParkedFetchAnswersWhenLeadershipMovesOrTheOffsetIsDeleted) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("moving", 1, 3).ok());
  auto leader = cluster->LeaderOf("moving", 0);
  ASSERT_TRUE(leader.ok());
  auto fetcher = Connect(*cluster, *leader);
  auto admin = Connect(*cluster, *leader);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Produce(*admin, "moving", 0, Batch({})).partition.error_code, 0);

  // Parked at the log end; the leader moves away.
  auto pending = FetchAsync(fetcher.get(), FetchRequestFor("moving", {{9}}, /*max_wait_ms=*/20000));
  EXPECT_EQ(pending.wait_for(Millis(300)), std::future_status::timeout);
  const int32_t other = *leader % 3 + 1;
  ASSERT_TRUE(cluster->MoveLeader("moving", 0, other).ok());
  ASSERT_EQ(pending.wait_for(Millis(10000)), std::future_status::ready) << "a leader change did not wake the fetch";
  auto [status, r] = pending.get();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kNotLeaderOrFollower));

  // Parked at the log end on the new leader: a DeleteRecords below its offset wakes it, but it
  // has nothing to answer yet (no error, no data), so it stays parked until data arrives.
  auto on_new = Connect(*cluster, other);
  auto admin2 = Connect(*cluster, other);
  auto waiting = FetchAsync(on_new.get(), FetchRequestFor("moving", {{9}}, /*max_wait_ms=*/20000));
  EXPECT_EQ(waiting.wait_for(Millis(300)), std::future_status::timeout);
  kp::DeleteRecordsRequest del;
  auto& dt = del.topics.emplace_back();
  dt.name = "moving";
  auto& dp = dt.partitions.emplace_back();
  dp.partition_index = 0;
  dp.offset = 4;
  kp::DeleteRecordsResponse dr;
  ASSERT_TRUE(admin2->RoundTrip(del, 1, &dr).ok());
  EXPECT_EQ(dr.topics[0].partitions[0].low_watermark, 4);
  EXPECT_EQ(waiting.wait_for(Millis(300)), std::future_status::timeout) << "woke although nothing to read";
  dp.offset = 10;  // beyond the high watermark
  ASSERT_TRUE(admin2->RoundTrip(del, 1, &dr).ok());
  EXPECT_EQ(dr.topics[0].partitions[0].error_code, Code(ErrorCode::kOffsetOutOfRange));
  ASSERT_EQ(Produce(*admin2, "moving", 0, Batch({})).partition.error_code, 0);
  ASSERT_EQ(waiting.wait_for(Millis(10000)), std::future_status::ready);
  auto [status2, r2] = waiting.get();
  ASSERT_TRUE(status2.ok());
  EXPECT_EQ(r2.responses[0].partitions[0].log_start_offset, 4);
  auto batches = Batches(r2.responses[0].partitions[0]);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].base_offset, 9);
  EXPECT_GT(batches[0].leader_epoch, 0);  // written under the new leader's epoch
}

// ---- ListOffsets, OffsetForLeaderEpoch, DeleteRecords ------------------------------------------

TEST(DataPlaneProtocolTest, ListOffsetsFindsEarliestLatestMaxTimestampAndTimes) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("times", 1, 1).ok());
  auto c = Connect(*cluster, 1);
  const int64_t t = NowMs() - 100000;
  BatchSpec first;
  first.timestamps = {t + 10, t + 30, t + 20};  // offsets 0..2
  BatchSpec second;
  second.timestamps = {t + 40, t + 50, t + 50, t + 45};  // offsets 3..6
  BatchSpec compressed = second;
  compressed.timestamps = {t + 5, t + 60, t + 1};  // offsets 7..9
  compressed.options.compression = CompressionType::kGzip;
  ASSERT_EQ(Produce(*c, "times", 0, Batch(first)).partition.error_code, 0);
  ASSERT_EQ(Produce(*c, "times", 0, Batch(second)).partition.error_code, 0);
  ASSERT_EQ(Produce(*c, "times", 0, Batch(compressed)).partition.error_code, 0);

  auto ask = [&](int64_t ts, int16_t version = 7) {
    kp::ListOffsetsRequest req;
    req.replica_id = -1;
    auto& rt = req.topics.emplace_back();
    rt.name = "times";
    auto& rp = rt.partitions.emplace_back();
    rp.timestamp = ts;
    kp::ListOffsetsResponse resp;
    EXPECT_TRUE(c->RoundTrip(req, version, &resp).ok());
    return resp.topics.at(0).partitions.at(0);
  };
  auto latest = ask(-1);
  EXPECT_EQ(latest.offset, 10);
  EXPECT_EQ(latest.timestamp, -1);
  EXPECT_EQ(latest.leader_epoch, 0);
  EXPECT_EQ(ask(-2).offset, 0);
  auto max = ask(-3);
  EXPECT_EQ(max.offset, 8);
  EXPECT_EQ(max.timestamp, t + 60);
  auto by_time = ask(t + 25);  // first record at or after: offset 1 (t+30)
  EXPECT_EQ(by_time.offset, 1);
  EXPECT_EQ(by_time.timestamp, t + 30);
  EXPECT_EQ(ask(t + 50).offset, 4);
  EXPECT_EQ(ask(t + 55).offset, 8);  // inside the compressed batch
  auto none = ask(t + 1000);
  EXPECT_EQ(none.error_code, 0);
  EXPECT_EQ(none.offset, -1);
  EXPECT_EQ(none.timestamp, -1);
  auto v0 = ask(-1, 0);
  ASSERT_EQ(v0.old_style_offsets.size(), 1u);
  EXPECT_EQ(v0.old_style_offsets[0], 10);
  EXPECT_EQ(ask(-2, 1).offset, 0);

  // After DeleteRecords the earliest offset moves, and lookups skip what was deleted.
  kp::DeleteRecordsRequest del;
  auto& dt = del.topics.emplace_back();
  dt.name = "times";
  auto& dp = dt.partitions.emplace_back();
  dp.offset = 2;
  kp::DeleteRecordsResponse dr;
  ASSERT_TRUE(c->RoundTrip(del, 0, &dr).ok());
  EXPECT_EQ(dr.topics[0].partitions[0].low_watermark, 2);
  EXPECT_EQ(ask(-2).offset, 2);
  EXPECT_EQ(ask(t + 25).offset, 3);  // offset 1 (t+30) is gone; the next at or after is t+40
}

TEST(DataPlaneProtocolTest, OffsetForLeaderEpochAnswersWhereEachEpochEnded) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("epochs", 1, 3).ok());
  auto first = cluster->LeaderOf("epochs", 0);
  ASSERT_TRUE(first.ok());
  const int32_t second = *first % 3 + 1;
  auto c1 = Connect(*cluster, *first);
  auto c2 = Connect(*cluster, second);
  ASSERT_EQ(Produce(*c1, "epochs", 0, Batch({})).partition.error_code, 0);  // epoch 0: 0..2
  ASSERT_TRUE(cluster->MoveLeader("epochs", 0, second).ok());            // epoch 1
  ASSERT_EQ(Produce(*c2, "epochs", 0, Batch({})).partition.error_code, 0);  // epoch 1: 3..5
  ASSERT_EQ(Produce(*c2, "epochs", 0, Batch({})).partition.error_code, 0);  // epoch 1: 6..8
  ASSERT_TRUE(cluster->MoveLeader("epochs", 0, second).ok());            // epoch 2, nothing written
  ASSERT_TRUE(cluster->MoveLeader("epochs", 0, second).ok());            // epoch 3

  auto ask = [&](BlockingClient& c, int32_t epoch, int32_t current = -1, int16_t version = 4) {
    kp::OffsetForLeaderEpochRequest req;
    req.replica_id = -1;
    auto& t = req.topics.emplace_back();
    t.topic = "epochs";
    auto& p = t.partitions.emplace_back();
    p.leader_epoch = epoch;
    p.current_leader_epoch = current;
    kp::OffsetForLeaderEpochResponse resp;
    EXPECT_TRUE(c.RoundTrip(req, version, &resp).ok());
    return resp.topics.at(0).partitions.at(0);
  };
  auto e0 = ask(*c2, 0);
  EXPECT_EQ(e0.error_code, 0);
  EXPECT_EQ(e0.leader_epoch, 0);
  EXPECT_EQ(e0.end_offset, 3);
  auto e1 = ask(*c2, 1);
  EXPECT_EQ(e1.leader_epoch, 1);
  EXPECT_EQ(e1.end_offset, 9);
  auto e2 = ask(*c2, 2);  // no batch in epoch 2: answered as the largest epoch below it
  EXPECT_EQ(e2.leader_epoch, 1);
  EXPECT_EQ(e2.end_offset, 9);
  auto e3 = ask(*c2, 3);  // the current epoch: the log end
  EXPECT_EQ(e3.leader_epoch, 3);
  EXPECT_EQ(e3.end_offset, 9);
  auto unknown = ask(*c2, 4);
  EXPECT_EQ(unknown.leader_epoch, -1);
  EXPECT_EQ(unknown.end_offset, -1);
  EXPECT_EQ(ask(*c2, 0, /*current=*/1).error_code, Code(ErrorCode::kFencedLeaderEpoch));
  EXPECT_EQ(ask(*c2, 0, /*current=*/3).error_code, 0);
  EXPECT_EQ(ask(*c1, 0).error_code, Code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(ask(*c2, 0, -1, /*version=*/0).end_offset, 3);
}

TEST(DataPlaneProtocolTest, DeleteRecordsChecksOffsetsLeadershipAndPolicy) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("del", 1, 3).ok());
  ASSERT_TRUE(cluster->CreateTopic("del-compact", 1, 3, {{"cleanup.policy", "compact"}}).ok());
  auto leader = cluster->LeaderOf("del", 0);
  ASSERT_TRUE(leader.ok());
  auto c = Connect(*cluster, *leader);
  ASSERT_EQ(Produce(*c, "del", 0, Batch({})).partition.error_code, 0);
  auto del = [&](BlockingClient& client, const std::string& topic, int64_t offset) {
    kp::DeleteRecordsRequest req;
    auto& t = req.topics.emplace_back();
    t.name = topic;
    auto& p = t.partitions.emplace_back();
    p.offset = offset;
    kp::DeleteRecordsResponse resp;
    EXPECT_TRUE(client.RoundTrip(req, 2, &resp).ok());
    return resp.topics.at(0).partitions.at(0);
  };
  EXPECT_EQ(del(*c, "del", 4).error_code, Code(ErrorCode::kOffsetOutOfRange));
  EXPECT_EQ(del(*c, "del", -7).error_code, Code(ErrorCode::kOffsetOutOfRange));
  EXPECT_EQ(del(*c, "nope", 0).error_code, Code(ErrorCode::kUnknownTopicOrPartition));
  auto compacted_leader = cluster->LeaderOf("del-compact", 0);
  ASSERT_TRUE(compacted_leader.ok());
  auto cc = Connect(*cluster, *compacted_leader);
  EXPECT_EQ(del(*cc, "del-compact", 0).error_code, Code(ErrorCode::kPolicyViolation));
  auto f = Connect(*cluster, *leader % 3 + 1);
  EXPECT_EQ(del(*f, "del", 1).error_code, Code(ErrorCode::kNotLeaderOrFollower));
  auto ok = del(*c, "del", 1);
  EXPECT_EQ(ok.error_code, 0);
  EXPECT_EQ(ok.low_watermark, 1);
  EXPECT_EQ(del(*c, "del", 0).low_watermark, 1);  // never moves back
  kp::FetchResponse r;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("del", {{0}}), 11, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, Code(ErrorCode::kOffsetOutOfRange));
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("del", {{1}}), 11, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].log_start_offset, 1);
  EXPECT_EQ(Batches(r.responses[0].partitions[0]).size(), 1u);  // the whole batch holding offset 1
}

TEST(DataPlaneProtocolTest, InjectedErrorsApplyPerPartitionAndWriteNothing) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("faulty", 2, 1).ok());
  auto c = Connect(*cluster, 1);
  Fault f;
  f.api_key = 0;
  f.topic = "faulty";
  f.partition = 1;
  f.error = ErrorCode::kNotLeaderOrFollower;
  auto handle = cluster->InjectFault(f);
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ(Produce(*c, "faulty", 0, Batch({})).partition.error_code, 0);
  EXPECT_EQ(Produce(*c, "faulty", 1, Batch({})).partition.error_code, Code(ErrorCode::kNotLeaderOrFollower));
  EXPECT_EQ(Latest(*c, "faulty", 1), 0);
  EXPECT_EQ(Produce(*c, "faulty", 1, Batch({})).partition.error_code, 0);  // count 1: used up
  EXPECT_EQ(handle->times_fired(), 1);

  f.api_key = 1;
  f.error = ErrorCode::kUnknownServerError;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  kp::FetchResponse r;
  ASSERT_TRUE(c->RoundTrip(FetchRequestFor("faulty", {{0, 0}, {0, 1}}, /*max_wait_ms=*/5000), 11, &r).ok());
  EXPECT_EQ(r.responses[0].partitions[0].error_code, 0);
  EXPECT_EQ(r.responses[0].partitions[1].error_code, Code(ErrorCode::kUnknownServerError));
}

}  // namespace
}  // namespace kclient
