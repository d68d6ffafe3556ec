// kclient's protocol layer against real Apache Kafka (KRaft, started by scripts/kafka.sh through
// the ctest fixtures in tests/CMakeLists.txt). Every message here is encoded by our generated
// code at the newest version both sides speak and decoded from what Kafka really sent, including
// the tagged fields Kafka adds. Record batches are written by librdkafka (a producer we did not
// write) and fetched and decoded by us.
//
// Environment: KCLIENT_KAFKA_BOOTSTRAP_FILE names the file holding bootstrap.servers; when it is
// missing (Kafka could not be fetched) the program prints why and exits 77, which ctest counts as
// skipped.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "target_cluster.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/record_batch.h"

namespace kclient {
namespace {

namespace kp = protocol;

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

std::string FirstBroker() { return Bootstrap().substr(0, Bootstrap().find(',')); }

// What the broker serves, by API key, from a real ApiVersions exchange.
std::map<int16_t, std::pair<int16_t, int16_t>> BrokerVersions(testing::BlockingClient& client) {
  kp::ApiVersionsRequest request;
  request.client_software_name = "kclient-test";
  request.client_software_version = "0.1.0";
  kp::ApiVersionsResponse response;
  // v4 is the newest; Kafka answers ApiVersions with header v0 whatever the version.
  Status s = client.RoundTrip(request, kp::ApiVersionsRequest::kMaxVersion, &response);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(response.error_code, 0);
  std::map<int16_t, std::pair<int16_t, int16_t>> out;
  for (const auto& k : response.api_keys) out[k.api_key] = {k.min_version, k.max_version};
  return out;
}

template <typename Message>
int16_t Negotiate(const std::map<int16_t, std::pair<int16_t, int16_t>>& broker) {
  auto it = broker.find(static_cast<int16_t>(Message::kApiKey));
  if (it == broker.end()) return -1;
  const int16_t v = std::min(it->second.second, Message::kMaxStableVersion);
  return v >= std::max(it->second.first, Message::kMinVersion) ? v : -1;
}

TEST(RealKafkaProtocol, NegotiatesEveryApiWeShareWithTheBroker) {
  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(FirstBroker()).ok());
  const auto broker = BrokerVersions(client);
  ASSERT_FALSE(broker.empty());
  // Each API both sides know must have a common version: our ranges reach back to what Kafka 3.9
  // accepts and up to what 4.1 serves.
  for (const kp::ApiInfo& api : kp::AllApis()) {
    auto it = broker.find(static_cast<int16_t>(api.key));
    if (it == broker.end()) continue;
    EXPECT_LE(api.min_version, it->second.second) << api.name;
    EXPECT_GE(api.max_version, it->second.first) << api.name;
    // Kafka never advertises more than we can decode.
    EXPECT_LE(it->second.second, api.max_version) << api.name << " is served up to v" << it->second.second;
  }
  // Every version of ApiVersions must be answered, including the oldest.
  kp::ApiVersionsRequest named;
  named.client_software_name = "kclient-test";
  named.client_software_version = "0.1.0";
  for (int16_t v = kp::ApiVersionsRequest::kMinVersion; v <= kp::ApiVersionsRequest::kMaxVersion; ++v) {
    kp::ApiVersionsResponse r;
    ASSERT_TRUE(client.RoundTrip(named, v, &r).ok()) << "ApiVersions v" << v;
    EXPECT_EQ(r.error_code, 0);
    EXPECT_FALSE(r.api_keys.empty());
  }
  // From v3 Kafka insists on a well-formed client software name and version.
  kp::ApiVersionsRequest anonymous;
  kp::ApiVersionsResponse refused;
  ASSERT_TRUE(client.RoundTrip(anonymous, 3, &refused).ok());
  EXPECT_EQ(refused.error_code, static_cast<int16_t>(ErrorCode::kInvalidRequest));
  EXPECT_TRUE(refused.api_keys.empty());
}

TEST(RealKafkaProtocol, MetadataAtEveryVersionTheBrokerServes) {
  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(FirstBroker()).ok());
  const auto broker = BrokerVersions(client);
  const auto range = broker.at(static_cast<int16_t>(kp::ApiKey::kMetadata));
  const size_t expected_brokers = static_cast<size_t>(testing::Target().brokers());
  for (int16_t v = range.first; v <= std::min(range.second, kp::MetadataRequest::kMaxStableVersion); ++v) {
    kp::MetadataRequest request;
    if (v == 0) {
      request.topics.emplace();  // v0: an empty list means every topic
    } else {
      request.topics.reset();
    }
    // Versions before 4 cannot say "do not create" (and always allow it).
    if (v >= 4) request.allow_auto_topic_creation = false;
    kp::MetadataResponse response;
    Status s = client.RoundTrip(request, v, &response);
    ASSERT_TRUE(s.ok()) << "Metadata v" << v << ": " << s.ToString();
    EXPECT_EQ(response.brokers.size(), expected_brokers) << "Metadata v" << v;
    if (v >= 2) {
      EXPECT_TRUE(response.cluster_id.has_value());
    }
    if (v >= 1) {
      EXPECT_GE(response.controller_id, 0);
    }
  }
}

// Creates `name` with our CreateTopics at the negotiated version and waits until Metadata shows
// a leader for every partition.
void CreateTopic(testing::BlockingClient& client, const std::map<int16_t, std::pair<int16_t, int16_t>>& broker,
                 const std::string& name, int32_t partitions, int16_t replication_factor) {
  kp::CreateTopicsRequest request;
  auto& t = request.topics.emplace_back();
  t.name = name;
  t.num_partitions = partitions;
  t.replication_factor = replication_factor;
  auto& c = t.configs.emplace_back();
  c.name = "retention.ms";
  c.value = "3600000";
  request.timeout_ms = 30000;
  kp::CreateTopicsResponse response;
  const int16_t v = Negotiate<kp::CreateTopicsRequest>(broker);
  Status s = client.RoundTrip(request, v, &response);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(response.topics.size(), 1u);
  ASSERT_EQ(response.topics[0].error_code, 0) << response.topics[0].error_message.value_or("");
  if (v >= 5) {
    EXPECT_EQ(response.topics[0].num_partitions, partitions);
    EXPECT_EQ(response.topics[0].replication_factor, replication_factor);
  }
  if (v >= 7) {
    EXPECT_FALSE(response.topics[0].topic_id.is_zero());
  }
}

kp::MetadataResponse::MetadataResponseTopic AwaitTopic(testing::BlockingClient& client, int16_t version,
                                                      const std::string& name) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    kp::MetadataRequest request;
    request.topics.emplace().emplace_back().name = name;
    request.allow_auto_topic_creation = false;
    kp::MetadataResponse response;
    if (client.RoundTrip(request, version, &response).ok() && response.topics.size() == 1 &&
        response.topics[0].error_code == 0 && !response.topics[0].partitions.empty() &&
        std::all_of(response.topics[0].partitions.begin(), response.topics[0].partitions.end(),
                    [](const auto& p) { return p.leader_id >= 0; })) {
      return response.topics[0];
    }
    // Topic creation propagates asynchronously in KRaft and no request waits for it: poll
    // Metadata until the condition holds, pausing briefly between polls.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "topic " << name << " never got leaders";
  return {};
}

TEST(RealKafkaProtocol, CreatesAndDeletesTopics) {
  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(FirstBroker()).ok());
  const auto broker = BrokerVersions(client);
  const int16_t metadata_v = Negotiate<kp::MetadataRequest>(broker);
  CreateTopic(client, broker, "kclient-create-delete", 3, 1);
  const auto topic = AwaitTopic(client, metadata_v, "kclient-create-delete");
  EXPECT_EQ(topic.partitions.size(), 3u);

  kp::DeleteTopicsRequest del;
  const int16_t v = Negotiate<kp::DeleteTopicsRequest>(broker);
  if (v >= 6) {
    del.topics.emplace_back().name = "kclient-create-delete";
  } else {
    del.topic_names.push_back("kclient-create-delete");
  }
  del.timeout_ms = 30000;
  kp::DeleteTopicsResponse response;
  ASSERT_TRUE(client.RoundTrip(del, v, &response).ok());
  ASSERT_EQ(response.responses.size(), 1u);
  EXPECT_EQ(response.responses[0].error_code, 0);
}

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};

class RealKafkaFetch : public ::testing::TestWithParam<const char*> {};

// librdkafka produces keyed records with headers (acks=all, idempotent); we fetch them from the
// partition leader at the newest Fetch version both sides speak (topic ids from v13) and decode.
TEST_P(RealKafkaFetch, DecodesWhatLibrdkafkaProducedAtTheNewestFetchVersion) {
  const char* codec = GetParam();
  const std::string topic = std::string("kclient-fetch-") + codec;
  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(FirstBroker()).ok());
  const auto broker = BrokerVersions(client);
  const int16_t metadata_v = Negotiate<kp::MetadataRequest>(broker);
  const int16_t fetch_v = Negotiate<kp::FetchRequest>(broker);
  ASSERT_GE(fetch_v, 4);
  const int16_t rf = testing::Target().replication_factor();
  CreateTopic(client, broker, topic, 1, rf);
  const auto meta = AwaitTopic(client, metadata_v, topic);

  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [k, v] : {std::pair{"bootstrap.servers", Bootstrap().c_str()}, {"compression.codec", codec},
                      {"enable.idempotence", "true"}, {"acks", "all"}, {"linger.ms", "20"}}) {
    ASSERT_EQ(rd_kafka_conf_set(conf, k, v, err, sizeof err), RD_KAFKA_CONF_OK) << err;
  }
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  ASSERT_TRUE(rk) << err;
  constexpr int kRecords = 50;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i % 7);
    const std::string value = "value-" + std::to_string(i);
    rd_kafka_vu_t vu[5] = {};
    vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[0].u.cstr = topic.c_str();
    vu[1].vtype = RD_KAFKA_VTYPE_KEY;
    vu[1].u.mem = {const_cast<char*>(key.data()), key.size()};
    vu[2].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[2].u.mem = {const_cast<char*>(value.data()), value.size()};
    vu[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[3].u.i = RD_KAFKA_MSG_F_COPY;
    vu[4].vtype = RD_KAFKA_VTYPE_HEADER;
    vu[4].u.header = {"n", value.data() + 6, static_cast<ssize_t>(value.size() - 6)};
    rd_kafka_error_t* e = rd_kafka_produceva(rk.get(), vu, std::size(vu));
    ASSERT_EQ(e, nullptr) << rd_kafka_error_string(e);
  }
  ASSERT_EQ(rd_kafka_flush(rk.get(), 60000), RD_KAFKA_RESP_ERR_NO_ERROR);

  // Fetch from the leader.
  kp::MetadataResponse brokers_meta;
  {
    kp::MetadataRequest r;
    r.topics.reset();
    ASSERT_TRUE(client.RoundTrip(r, metadata_v, &brokers_meta).ok());
  }
  std::string leader_address;
  for (const auto& b : brokers_meta.brokers) {
    if (b.node_id == meta.partitions[0].leader_id) leader_address = b.host + ":" + std::to_string(b.port);
  }
  ASSERT_FALSE(leader_address.empty());
  testing::BlockingClient leader;
  ASSERT_TRUE(leader.Connect(leader_address).ok());

  int read = 0;
  int64_t next_offset = 0;
  util::ByteBuffer scratch;
  while (read < kRecords) {
    kp::FetchRequest fetch;
    fetch.max_wait_ms = 500;
    fetch.min_bytes = 1;
    fetch.max_bytes = 1 << 20;
    auto& ft = fetch.topics.emplace_back();
    if (fetch_v >= 13) {
      ft.topic_id = meta.topic_id;
    } else {
      ft.topic = topic;
    }
    auto& fp = ft.partitions.emplace_back();
    fp.partition = 0;
    fp.fetch_offset = next_offset;
    fp.partition_max_bytes = 1 << 20;
    fp.current_leader_epoch = meta.partitions[0].leader_epoch;
    kp::FetchResponse response;
    Status s = leader.RoundTrip(fetch, fetch_v, &response);
    ASSERT_TRUE(s.ok()) << "Fetch v" << fetch_v << ": " << s.ToString();
    ASSERT_EQ(response.error_code, 0);
    ASSERT_EQ(response.responses.size(), 1u);
    const auto& pd = response.responses[0].partitions.at(0);
    ASSERT_EQ(pd.error_code, 0);
    EXPECT_EQ(pd.high_watermark, kRecords);
    if (!pd.records || pd.records->empty()) continue;
    kp::BatchIterator batches(pd.records->span());
    kp::RecordBatchHeader h;
    kp::ByteSpan batch;
    while (batches.Next(&h, &batch)) {
      EXPECT_EQ(std::string(CompressionName(h.compression())), codec);
      kp::RecordIterator records(h, batch, &scratch, 8 << 20);
      kp::Record r;
      while (records.Next(&r)) {
        const std::string want = "value-" + std::to_string(read);
        ASSERT_EQ(r.offset, read);
        ASSERT_TRUE(r.value);
        EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r.value->data()), r.value->size()), want);
        ASSERT_EQ(r.headers.size(), 1u);
        ++read;
        next_offset = r.offset + 1;
      }
      ASSERT_TRUE(records.status().ok()) << records.status().ToString();
    }
    ASSERT_TRUE(batches.status().ok());
  }
  EXPECT_EQ(read, kRecords);
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, RealKafkaFetch, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
