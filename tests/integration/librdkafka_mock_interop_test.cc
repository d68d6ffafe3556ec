// Interop with a broker and a producer we did not write: librdkafka produces keyed records with
// headers and fixed timestamps into its own mock cluster, with every codec; kclient's protocol
// layer negotiates versions with ApiVersions, fetches the raw batches with Fetch, and decodes
// them. With KCLIENT_WRITE_FIXTURES=DIR set, the fetched batches are also written to DIR (this is
// how tests/unit/protocol/testdata/librdkafka_*.bin were captured).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/fetch.h"
#include "protocol/record_batch.h"

namespace kclient {
namespace {

namespace kp = protocol;

constexpr int64_t kBaseTimestamp = 1'700'000'000'000;

struct Sent {
  std::string key;
  std::string value;
  std::string header_value;
};

const Sent kRecords[] = {
    {"order-1", R"({"order":1,"status":"PAID"})", "trace-a"},
    {"order-2", R"({"order":2,"status":"PAID"})", "trace-b"},
    {"order-1", R"({"order":1,"status":"SHIPPED"})", "trace-c"},
};

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};

// Produces kRecords to `topic` partition 0 with librdkafka into its own mock cluster and returns
// the producer (which owns the cluster) and the cluster's bootstrap address.
std::unique_ptr<rd_kafka_t, RdKafkaDeleter> ProduceWithLibrdkafka(const char* codec, const std::string& topic,
                                                                    std::string* bootstrap) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const char* k, const char* v) {
    EXPECT_EQ(rd_kafka_conf_set(conf, k, v, err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
  };
  set("test.mock.num.brokers", "1");
  set("compression.codec", codec);
  set("linger.ms", "50");
  set("enable.idempotence", "true");
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  if (!rk) {
    ADD_FAILURE() << "rd_kafka_new: " << err;
    return nullptr;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(rk.get());
  EXPECT_NE(cluster, nullptr);
  EXPECT_EQ(rd_kafka_mock_topic_create(cluster, topic.c_str(), 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  *bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);
  for (size_t i = 0; i < std::size(kRecords); ++i) {
    const Sent& r = kRecords[i];
    rd_kafka_vu_t vu[7] = {};
    vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[0].u.cstr = topic.c_str();
    vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[1].u.i32 = 0;
    vu[2].vtype = RD_KAFKA_VTYPE_KEY;
    vu[2].u.mem = {const_cast<char*>(r.key.data()), r.key.size()};
    vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[3].u.mem = {const_cast<char*>(r.value.data()), r.value.size()};
    vu[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[4].u.i = RD_KAFKA_MSG_F_COPY;
    vu[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[5].u.i64 = kBaseTimestamp + static_cast<int64_t>(i);
    vu[6].vtype = RD_KAFKA_VTYPE_HEADER;
    vu[6].u.header = {"trace-id", r.header_value.data(), static_cast<ssize_t>(r.header_value.size())};
    rd_kafka_error_t* error = rd_kafka_produceva(rk.get(), vu, std::size(vu));
    EXPECT_EQ(error, nullptr) << rd_kafka_error_string(error);
    if (error != nullptr) rd_kafka_error_destroy(error);
  }
  EXPECT_EQ(rd_kafka_flush(rk.get(), 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  return rk;
}

class LibrdkafkaMockInterop : public ::testing::TestWithParam<const char*> {};

TEST_P(LibrdkafkaMockInterop, FetchesAndDecodesLibrdkafkaBatches) {
  const char* codec = GetParam();
  const std::string topic = std::string("golden-") + codec;
  std::string bootstrap;
  auto producer = ProduceWithLibrdkafka(codec, topic, &bootstrap);
  ASSERT_TRUE(producer);

  testing::BlockingClient client;
  ASSERT_TRUE(client.Connect(bootstrap).ok()) << bootstrap;

  // Version negotiation as every client starts: ApiVersions v0 needs no prior knowledge.
  kp::ApiVersionsRequest versions_request;
  kp::ApiVersionsResponse versions;
  Status s = client.RoundTrip(versions_request, 0, &versions);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(versions.error_code, 0);
  int16_t fetch_version = -1;
  for (const auto& k : versions.api_keys) {
    if (k.api_key == static_cast<int16_t>(kp::ApiKey::kFetch)) {
      fetch_version = std::min<int16_t>(k.max_version, kp::FetchRequest::kMaxStableVersion);
      // Topic ids (v13+) would need a Metadata round trip first; names are enough here.
      fetch_version = std::min<int16_t>(fetch_version, 12);
    }
  }
  ASSERT_GE(fetch_version, 4) << "mock cluster offers no usable Fetch version";

  kp::FetchRequest fetch;
  fetch.replica_id = -1;
  fetch.max_wait_ms = 1000;
  fetch.min_bytes = 1;
  auto& t = fetch.topics.emplace_back();
  t.topic = topic;
  auto& p = t.partitions.emplace_back();
  p.partition = 0;
  p.fetch_offset = 0;
  p.partition_max_bytes = 1 << 20;
  kp::FetchResponse response;
  s = client.RoundTrip(fetch, fetch_version, &response);
  ASSERT_TRUE(s.ok()) << s.ToString() << " (Fetch v" << fetch_version << ")";
  ASSERT_EQ(response.responses.size(), 1u);
  ASSERT_EQ(response.responses[0].partitions.size(), 1u);
  const auto& partition = response.responses[0].partitions[0];
  ASSERT_EQ(partition.error_code, 0);
  EXPECT_EQ(partition.high_watermark, 3);
  ASSERT_TRUE(partition.records.has_value());
  const kp::RecordsView records = *partition.records;

  if (const char* dir = std::getenv("KCLIENT_WRITE_FIXTURES")) {
    std::ofstream(std::string(dir) + "/librdkafka_" + codec + ".bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(records.data), static_cast<std::streamsize>(records.size));
  }

  kp::BatchIterator batches(records.span());
  kp::RecordBatchHeader header;
  kp::ByteSpan batch;
  util::ByteBuffer scratch;
  size_t n = 0;
  while (batches.Next(&header, &batch)) {
    EXPECT_EQ(std::string(CompressionName(header.compression())), codec);
    EXPECT_GE(header.producer_id, 0) << "librdkafka was asked for idempotence";
    kp::RecordIterator it(header, batch, &scratch, 1 << 20);
    kp::Record r;
    while (it.Next(&r)) {
      ASSERT_LT(n, std::size(kRecords));
      const Sent& want = kRecords[n];
      EXPECT_EQ(r.offset, static_cast<int64_t>(n));
      EXPECT_EQ(r.timestamp, kBaseTimestamp + static_cast<int64_t>(n));
      ASSERT_TRUE(r.key && r.value);
      EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r.key->data()), r.key->size()), want.key);
      EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r.value->data()), r.value->size()), want.value);
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].key, "trace-id");
      ASSERT_TRUE(r.headers[0].value);
      EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(r.headers[0].value->data()), r.headers[0].value->size()),
                want.header_value);
      ++n;
    }
    ASSERT_TRUE(it.status().ok()) << it.status().ToString();
  }
  EXPECT_TRUE(batches.status().ok()) << batches.status().ToString();
  EXPECT_EQ(n, std::size(kRecords));
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, LibrdkafkaMockInterop,
                         ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

}  // namespace
}  // namespace kclient
