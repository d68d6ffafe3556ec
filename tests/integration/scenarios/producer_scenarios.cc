// kclient::Producer scenarios, run against real Apache Kafka (KRaft, started by scripts/kafka.sh
// through the ctest fixtures in tests/CMakeLists.txt; one node, or three with replication factor
// 3 and min.insync.replicas 2) and against kclient-broker the same ways (target_cluster.h). Every acks level with every codec, idempotent by default; per-key order
// and Java's murmur2 placement across three partitions; the Produce version both sides speak
// (v13, with topic ids, on Kafka 4.1). What Kafka stored is fetched back with a plain blocking
// connection (partition_reader.h), and for one codec also read by librdkafka's consumer.
//
// Environment: see target_cluster.h (KCLIENT_TARGET and what goes with it).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "kclient/producer.h"
#include "target_cluster.h"
#include "partition_reader.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "rdkafka_reader.h"

namespace kclient {

// Test names and failure messages say "gzip", not "1-byte object <01>".
void PrintTo(CompressionType c, std::ostream* os) { *os << CompressionName(c); }

namespace {

namespace kp = protocol;
using std::chrono::milliseconds;
using testing::ReadPartition;
using testing::StoredRecord;

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

constexpr auto kWait = std::chrono::seconds(60);
constexpr int32_t kPartitions = 3;
const int64_t kBaseTimestamp = testing::RecentBaseTimestampMs();

bool ThreeNodes() { return testing::Target().brokers() >= 3; }
int16_t ReplicationFactor() { return ThreeNodes() ? 3 : 1; }
std::string FirstBroker() { return Bootstrap().substr(0, Bootstrap().find(',')); }
// Topic names carry the process id, so the program can run twice against one cluster.
std::string Unique(const std::string& name) { return "kclient-producer-" + name + "-" + std::to_string(::getpid()); }

// The broker's [min, max] version of `key`, from ApiVersions v0.
std::pair<int16_t, int16_t> BrokerRange(testing::BlockingClient& client, kp::ApiKey key) {
  kp::ApiVersionsRequest request;
  kp::ApiVersionsResponse response;
  Status s = client.RoundTrip(request, 0, &response);
  EXPECT_TRUE(s.ok()) << s.ToString();
  for (const auto& k : response.api_keys) {
    if (k.api_key == static_cast<int16_t>(key)) return {k.min_version, k.max_version};
  }
  return {-1, -1};
}

// Creates `name` with CreateTopics (or the target's own way, when it serves none) and waits until Metadata shows a leader (and, on three nodes,
// three in-sync replicas) for every partition. Returns the topic's metadata.
kp::MetadataResponse::MetadataResponseTopic CreateTopic(const std::string& name, int32_t partitions) {
  testing::BlockingClient client;
  EXPECT_TRUE(client.Connect(FirstBroker()).ok());
  if (!testing::Target().CreateTopicDirectly(name, partitions, ReplicationFactor())) {
    const auto create_range = BrokerRange(client, kp::ApiKey::kCreateTopics);
    kp::CreateTopicsRequest request;
    auto& t = request.topics.emplace_back();
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = ReplicationFactor();
    request.timeout_ms = 30000;
    kp::CreateTopicsResponse response;
    const int16_t v = std::min(create_range.second, kp::CreateTopicsRequest::kMaxStableVersion);
    Status s = client.RoundTrip(request, v, &response);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(response.topics.size(), 1u);
    if (!response.topics.empty()) {
      EXPECT_EQ(response.topics[0].error_code, 0) << name << ": " << response.topics[0].error_message.value_or("");
    }
  }

  const int16_t metadata_v = std::min<int16_t>(BrokerRange(client, kp::ApiKey::kMetadata).second, 12);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    kp::MetadataRequest mreq;
    mreq.topics.emplace().emplace_back().name = name;
    mreq.allow_auto_topic_creation = false;
    kp::MetadataResponse mresp;
    if (client.RoundTrip(mreq, metadata_v, &mresp).ok() && mresp.topics.size() == 1 &&
        mresp.topics[0].error_code == 0 && mresp.topics[0].partitions.size() == static_cast<size_t>(partitions) &&
        std::all_of(mresp.topics[0].partitions.begin(), mresp.topics[0].partitions.end(), [](const auto& p) {
          return p.leader_id >= 0 && p.isr_nodes.size() == static_cast<size_t>(ReplicationFactor());
        })) {
      return mresp.topics[0];
    }
    // KRaft propagates a new topic asynchronously and no request waits for it: poll Metadata
    // until the condition holds, pausing briefly between polls.
    std::this_thread::sleep_for(milliseconds(50));
  }
  ADD_FAILURE() << "topic " << name << " never got leaders and " << ReplicationFactor() << " in-sync replicas";
  return {};
}

// Every record of `topic`, by partition, once all partitions together hold `expected` records
// (acks=0 records may land after their producer is done) or kWait passed.
std::vector<std::vector<StoredRecord>> ReadTopic(const std::string& topic, size_t expected) {
  std::vector<std::vector<StoredRecord>> out(kPartitions);
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  for (;;) {
    size_t total = 0;
    Status failed;
    for (int32_t p = 0; p < kPartitions && failed.ok(); ++p) {
      auto stored = ReadPartition(Bootstrap(), topic, p);
      if (!stored.ok()) {
        // A leader that moved since the Metadata lookup answers with an error: look again.
        failed = Status(stored.status().code(), topic + "-" + std::to_string(p) + ": " + stored.status().ToString());
        continue;
      }
      out[p] = std::move(*stored);
      total += out[p].size();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      EXPECT_TRUE(failed.ok()) << failed.ToString();
      return out;
    }
    if (failed.ok() && total >= expected) return out;
    std::this_thread::sleep_for(milliseconds(100));  // polling Kafka's log until the condition holds
  }
}

ProducerOptions Options() {
  ProducerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  o.client.retry_backoff_ms = 50;
  o.client.retry_backoff_max_ms = 500;
  o.delivery_timeout_ms = 60000;
  o.max_block_ms = 30000;
  return o;
}

std::unique_ptr<Producer> MakeProducer(const ProducerOptions& o) {
  auto p = Producer::Create(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

// Record i of a producer tagged `tag`: keyed (7 keys), with headers and an explicit timestamp.
ProducerRecord Keyed(const std::string& topic, const std::string& tag, int i) {
  ProducerRecord r;
  r.topic = topic;
  r.key = "key-" + std::to_string(i % 7);
  r.value = tag + ":" + std::to_string(i);
  r.headers = {{"tag", tag}, {"n", std::to_string(i)}, {"null", std::nullopt}};
  r.timestamp_ms = kBaseTimestamp + i;
  return r;
}

// Sends `n` Keyed records tagged `tag` and waits for every outcome; returns the metadata.
std::vector<Result<RecordMetadata>> SendAll(Producer& producer, const std::string& topic, const std::string& tag,
                                            int n) {
  std::vector<std::future<Result<RecordMetadata>>> futures;
  for (int i = 0; i < n; ++i) futures.push_back(producer.Send(Keyed(topic, tag, i)));
  EXPECT_TRUE(producer.Flush(kWait).ok());
  std::vector<Result<RecordMetadata>> out;
  for (auto& f : futures) out.push_back(f.get());
  return out;
}

// Whether the cluster under test has more than one broker.
bool MultiBroker() { return testing::Target().brokers() > 1; }

class ProducerCodecScenario : public ::testing::TestWithParam<CompressionType> {};

// Each acks level writes its own tagged records into one topic per codec; all of them must be
// stored exactly once, where murmur2 puts their key, in send order per key, with their headers
// and timestamps, in batches of the codec, stamped with a producer id only when idempotent. (The
// timestamps the producer reports back are checked by ReportsTheRecordsOwnTimestamp... below.)
TEST_P(ProducerCodecScenario, EveryAcksLevelDeliversEveryRecord) {
  const CompressionType codec = GetParam();
  const std::string topic = Unique(std::string(CompressionName(codec)));
  CreateTopic(topic, kPartitions);
  constexpr int kRecords = 60;
  const std::pair<Acks, std::string> levels[] = {{Acks::kNone, "acks0"}, {Acks::kLeader, "acks1"}, {Acks::kAll, "acksall"}};
  for (const auto& [acks, tag] : levels) {
    ProducerOptions o = Options();
    o.acks = acks;
    o.enable_idempotence = acks == Acks::kAll;  // idempotence needs acks=all
    o.compression = codec;
    o.linger_ms = 10;
    auto producer = MakeProducer(o);
    ASSERT_TRUE(producer);
    auto results = SendAll(*producer, topic, tag, kRecords);
    for (int i = 0; i < kRecords; ++i) {
      ASSERT_TRUE(results[i].ok()) << tag << " record " << i << ": " << results[i].status().ToString();
      EXPECT_EQ(results[i]->partition, PartitionForKey(*Keyed(topic, tag, i).key, kPartitions));
      if (acks == Acks::kNone) {
        EXPECT_EQ(results[i]->offset, -1) << "acks=0 has no offsets";
      } else {
        EXPECT_GE(results[i]->offset, 0);
      }
    }
    ASSERT_TRUE(producer->Close(milliseconds(30000)).ok());
  }

  // Wait for every acknowledged record; acks=0 ones on several brokers may never come (below).
  const auto stored = ReadTopic(topic, (MultiBroker() ? std::size(levels) - 1 : std::size(levels)) * kRecords);
  std::map<std::string, int> count;                    // tag -> records stored
  std::map<std::pair<std::string, std::string>, int> last;  // (tag, key) -> last index seen
  std::map<std::pair<std::string, int32_t>, int32_t> next_sequence;  // (tag, partition) -> expected
  for (int32_t p = 0; p < kPartitions; ++p) {
    for (const StoredRecord& r : stored[p]) {
      ASSERT_TRUE(r.value && r.key);
      const std::string tag = r.value->substr(0, r.value->find(':'));
      const int i = std::stoi(r.value->substr(r.value->find(':') + 1));
      const ProducerRecord want = Keyed(topic, tag, i);
      const std::string where = topic + "-" + std::to_string(p) + "@" + std::to_string(r.offset);
      ++count[tag];
      EXPECT_EQ(r.key, want.key) << where;
      EXPECT_EQ(p, PartitionForKey(*want.key, kPartitions)) << where;
      EXPECT_EQ(r.headers, want.headers) << where;
      EXPECT_EQ(r.timestamp_ms, *want.timestamp_ms) << where;
      EXPECT_FALSE(r.log_append_time) << where;
      EXPECT_EQ(r.compression, codec) << where;
      auto [it, first] = last.emplace(std::make_pair(tag, *r.key), i);
      if (!first) {
        EXPECT_GT(i, it->second) << where << ": duplicate or out of order for " << *r.key;
        it->second = i;
      }
      if (tag == "acksall") {
        EXPECT_GE(r.producer_id, 0) << where << ": idempotent by default";
        int32_t& seq = next_sequence[{tag, p}];
        EXPECT_EQ(r.sequence, seq) << where << ": sequences run 0, 1, 2, ... per partition";
        seq = r.sequence + 1;
      } else {
        EXPECT_EQ(r.producer_id, -1) << where;
      }
    }
  }
  for (const auto& [acks, tag] : levels) {
    if (acks == Acks::kNone && MultiBroker()) {
      // acks=0 promises nothing: right after a topic is created on several brokers, metadata may
      // still name a broker that is not yet (or no longer) the leader, and Kafka drops an acks=0
      // write there by closing the connection. What did arrive was checked above.
      EXPECT_LE(count[tag], kRecords) << tag;
    } else {
      EXPECT_EQ(count[tag], kRecords) << tag;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, ProducerCodecScenario,
                         ::testing::Values(CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                           CompressionType::kLz4, CompressionType::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

// On a CreateTime topic the broker acknowledges without an append time of its own, so the
// metadata of an acknowledged record carries the record's own timestamp (and, as in Java's client,
// the broker's LogAppendTime where it gives one).
TEST(ProducerScenario, ReportsTheRecordsOwnTimestampOnACreateTimeTopic) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kCreateTimeAcks);
  const std::string topic = Unique("create-time");
  CreateTopic(topic, kPartitions);
  for (Acks acks : {Acks::kLeader, Acks::kAll}) {
    ProducerOptions o = Options();
    o.acks = acks;
    o.enable_idempotence = acks == Acks::kAll;
    auto producer = MakeProducer(o);
    ASSERT_TRUE(producer);
    const std::string tag = acks == Acks::kAll ? "acksall" : "acks1";
    auto results = SendAll(*producer, topic, tag, 20);
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(results[i].ok()) << tag << " record " << i << ": " << results[i].status().ToString();
      EXPECT_EQ(results[i]->timestamp_ms, kBaseTimestamp + i) << tag << " record " << i;
    }
    ASSERT_TRUE(producer->Close(milliseconds(30000)).ok());
  }
}

// Many small batches per partition, five requests in flight: callbacks of a partition run in
// offset order, every key stays on its murmur2 partition in send order, nothing is duplicated.
// librdkafka's consumer, a reader we did not write, sees the same log.
TEST(ProducerScenario, PerKeyOrderAcrossThreePartitions) {
  const std::string topic = Unique("order");
  CreateTopic(topic, kPartitions);
  ProducerOptions o = Options();
  o.batch_size = 1024;
  o.linger_ms = 2;
  o.compression = CompressionType::kZstd;
  auto producer = MakeProducer(o);
  std::mutex mu;
  std::map<int32_t, int64_t> last_offset;
  int out_of_order = 0;
  int failed = 0;
  constexpr int kRecords = 3000;
  constexpr int kKeys = 25;
  for (int i = 0; i < kRecords; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = "customer-" + std::to_string(i % kKeys);
    r.value = *r.key + ":" + std::to_string(i);
    producer->Produce(r, [&](const Result<RecordMetadata>& m) {
      std::lock_guard lock(mu);
      if (!m.ok()) {
        ++failed;
        return;
      }
      auto [it, first] = last_offset.emplace(m->partition, m->offset);
      if (!first) {
        if (m->offset <= it->second) ++out_of_order;
        it->second = m->offset;
      }
    });
  }
  ASSERT_TRUE(producer->Flush(kWait).ok());
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(out_of_order, 0) << "callbacks of a partition run in offset order";
  }

  const auto stored = ReadTopic(topic, kRecords);
  std::map<std::string, std::vector<int>> order;
  size_t total = 0;
  for (int32_t p = 0; p < kPartitions; ++p) {
    total += stored[p].size();
    for (const StoredRecord& r : stored[p]) {
      EXPECT_EQ(PartitionForKey(*r.key, kPartitions), p) << *r.key;
      order[*r.key].push_back(std::stoi(r.value->substr(r.value->find(':') + 1)));
    }
    // The second witness: librdkafka reads the partition between its watermarks.
    auto witness = testing::ReadWithLibrdkafka(Bootstrap(), topic, p);
    ASSERT_TRUE(witness.ok()) << witness.status().ToString();
    ASSERT_EQ(witness->size(), stored[p].size()) << "partition " << p;
    for (size_t i = 0; i < witness->size(); ++i) {
      EXPECT_EQ((*witness)[i].offset, stored[p][i].offset);
      EXPECT_EQ((*witness)[i].key, stored[p][i].key);
      EXPECT_EQ((*witness)[i].value, stored[p][i].value);
    }
  }
  EXPECT_EQ(total, static_cast<size_t>(kRecords));
  EXPECT_EQ(order.size(), static_cast<size_t>(kKeys));
  for (const auto& [key, values] : order) {
    EXPECT_TRUE(std::is_sorted(values.begin(), values.end())) << key;
    EXPECT_EQ(values.size(), static_cast<size_t>(kRecords / kKeys)) << key;
  }
}

// The producer asks for the newest Produce version, v13 (topic ids, no names) once it knows the
// topic's id; the connection settles on the newest the broker also serves. kclient offers no view
// of the version a request went out at, so this checks both sides of that choice: what Kafka
// serves (13 from 4.1), that Metadata gave the producer a topic id to send (from Metadata v10; the
// mock serves v7 and names topics only), and that records sent that way are stored where the
// producer says (a v13 response names the topic by id only, so a mix-up there would fail the
// records).
TEST(ProducerScenario, ProducesAtTheNewestVersionBothSpeak) {
  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(FirstBroker()).ok());
  const auto [min_v, max_v] = BrokerRange(client, kp::ApiKey::kProduce);
  const int16_t used = std::min(max_v, kp::ProduceRequest::kMaxStableVersion);
  ::testing::Test::RecordProperty("produce_version", used);
  std::printf("Kafka %s serves Produce v%d-v%d; the producer sends v%d\n",
              testing::Target().kafka_version().empty() ? "(version unknown)" : testing::Target().kafka_version().c_str(), min_v, max_v, used);
  ASSERT_GE(used, 3);
  if (testing::Target().kafka_version().rfind("4.1", 0) == 0) {
    EXPECT_EQ(used, 13) << "Kafka 4.1 serves Produce v13";
  }
  if (testing::Target().kafka_version().rfind("3.9", 0) == 0) {
    EXPECT_EQ(used, 11) << "Kafka 3.9 serves Produce up to v11";
  }

  const std::string topic = Unique("version");
  const auto meta = CreateTopic(topic, kPartitions);
  if (BrokerRange(client, kp::ApiKey::kMetadata).second >= 10) {
    EXPECT_FALSE(meta.topic_id.is_zero()) << "Metadata v10+ gives topic ids";
  }
  ProducerOptions o = Options();
  o.compression = CompressionType::kSnappy;
  auto producer = MakeProducer(o);
  auto results = SendAll(*producer, topic, "v" + std::to_string(used), 90);
  std::map<std::pair<int32_t, int64_t>, int> where;
  for (int i = 0; i < 90; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].status().ToString();
    where[{results[i]->partition, results[i]->offset}] = i;
  }
  const auto stored = ReadTopic(topic, 90);
  size_t total = 0;
  for (int32_t p = 0; p < kPartitions; ++p) {
    for (const StoredRecord& r : stored[p]) {
      auto it = where.find({p, r.offset});
      ASSERT_NE(it, where.end()) << "a record the producer did not report at " << p << "@" << r.offset;
      EXPECT_EQ(r.value, Keyed(topic, "v" + std::to_string(used), it->second).value);
      ++total;
    }
  }
  EXPECT_EQ(total, 90u);
}

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
