// KafkaTemplate and KafkaEventPublisher against the bundled broker: records reach the given or
// the default topic with default and per-send headers and JSON values; serialization failures
// fail without spooling; domain events choose their own topic, key, payload and headers; a record
// the broker refuses for its size is kept in the spool as a dead letter, and a replay hands it
// back as a rejection. What the broker stored is read back with partition_reader.h.
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kclient/container/event_publisher.h"
#include "kclient/container/json_domain_event.h"
#include "kclient/container/kafka_template.h"
#include "kclient/container/spool.h"
#include "kclient/container/spool_replayer.h"
#include "kclient/embedded_cluster.h"
#include "kclient/json_serde.h"
#include "partition_reader.h"
#include "temp_dir.h"

namespace shop {
struct Order {
  std::string id;
  int64_t cents = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Order, id, cents)

struct OrderPlaced : kclient::container::JsonDomainEvent<OrderPlaced> {
  static constexpr std::string_view kType = "OrderPlaced";
  static constexpr std::string_view kTopic = "shop.order-placed";
  static constexpr int kSchemaVersion = 2;

  std::string order_id;
  int64_t total_cents = 0;

  std::optional<std::string> key() const override { return order_id; }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderPlaced, order_id, total_cents)
}  // namespace shop

namespace kclient::container {
namespace {

using testing::ReadPartition;
using testing::TempDir;

std::unique_ptr<EmbeddedCluster> StartCluster(EmbeddedClusterOptions o = {}) {
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

std::unique_ptr<Producer> MakeProducer(const EmbeddedCluster& cluster) {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.max_block_ms = 30000;
  auto p = Producer::Create(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

std::optional<std::string> HeaderValue(const std::vector<Header>& headers, const std::string& key) {
  for (const auto& h : headers) {
    if (h.key == key) return h.value;
  }
  return std::nullopt;
}

TEST(KafkaTemplateTest, SendsToTheGivenOrDefaultTopicWithDefaultAndPerSendHeaders) {
  auto cluster = StartCluster();
  auto producer = MakeProducer(*cluster);
  TemplateOptions options;
  options.default_topic = "orders";
  options.default_headers = {{"producer", "order-service"}};
  KafkaTemplate<std::string, shop::Order> orders(*producer, options);

  std::promise<SendResult> called;
  auto to_default = orders.Send("o-1", shop::Order{"o-1", 1250}, [&](const SendResult& r) { called.set_value(r); });
  auto to_audit = orders.Send("orders.audit", "o-1", shop::Order{"o-1", 1250}, {{"trace-id", "trace-42"}});
  SendResult first = to_default.get();
  ASSERT_TRUE(first.delivered()) << first.error.ToString();
  EXPECT_EQ(first.metadata.topic, "orders");
  EXPECT_EQ(called.get_future().get().state, DeliveryState::kDelivered) << "the callback runs too";
  SendResult second = to_audit.get();
  ASSERT_TRUE(second.delivered()) << second.error.ToString();
  EXPECT_EQ(second.metadata.topic, "orders.audit");

  auto stored = ReadPartition(cluster->bootstrap_servers(), "orders", 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].key, "o-1");
  EXPECT_EQ(nlohmann::json::parse(*(*stored)[0].value), nlohmann::json({{"id", "o-1"}, {"cents", 1250}}));
  EXPECT_EQ((*stored)[0].headers, (std::vector<Header>{{"producer", "order-service"}}));

  auto audit = ReadPartition(cluster->bootstrap_servers(), "orders.audit", 0);
  ASSERT_TRUE(audit.ok()) << audit.status().ToString();
  ASSERT_EQ(audit->size(), 1u);
  EXPECT_EQ((*audit)[0].headers, (std::vector<Header>{{"producer", "order-service"}, {"trace-id", "trace-42"}}))
      << "default headers first, then the send's own";
}

TEST(KafkaTemplateTest, SerializationFailuresAndMissingDefaultTopicFailWithoutSpooling) {
  auto cluster = StartCluster();
  auto producer = MakeProducer(*cluster);
  TempDir dir("spool");
  SpoolOptions spool_options;
  spool_options.directory = dir.path();
  auto spool = Spool::Open(spool_options);
  ASSERT_TRUE(spool.ok());
  TemplateOptions options;
  options.spool = std::move(*spool);
  KafkaTemplate<std::string, shop::Order> orders(*producer, options);

  Status seen;
  SendResult bad = orders.Send("orders", "o-2", shop::Order{"bad \xFC utf-8", 1}, [&](const SendResult& r) {
                         seen = r.error;
                       }).get();
  EXPECT_EQ(bad.state, DeliveryState::kFailed);
  EXPECT_EQ(bad.error.code(), ErrorCode::kLocalSerialization);
  EXPECT_EQ(seen.code(), ErrorCode::kLocalSerialization);

  SendResult no_topic = orders.Send("o-3", shop::Order{"o-3", 5}).get();
  EXPECT_EQ(no_topic.state, DeliveryState::kFailed);
  EXPECT_EQ(no_topic.error.code(), ErrorCode::kLocalInvalidArgument);
  EXPECT_EQ(options.spool->pending(), 0u) << "nothing a replay could fix is spooled";

  // Typed keys, a tombstone and an explicit partition through the full-control overload.
  KafkaTemplate<int64_t, std::string, Int64Serializer, StringSerializer> counters(*producer);
  TypedRecord<int64_t, std::string> tombstone;
  tombstone.topic = "counters";
  tombstone.partition = 0;
  tombstone.key = 258;
  SendResult deleted = counters.Send(tombstone).get();
  ASSERT_TRUE(deleted.delivered()) << deleted.error.ToString();
  auto stored = ReadPartition(cluster->bootstrap_servers(), "counters", 0);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].key, std::string("\0\0\0\0\0\0\x01\x02", 8));
  EXPECT_FALSE((*stored)[0].value.has_value());
}

TEST(EventPublisherTest, EventsChooseTopicKeyPayloadAndHeaders) {
  auto cluster = StartCluster();
  auto producer = MakeProducer(*cluster);
  TemplateOptions options;
  options.default_headers = {{"producer", "shop"}};
  KafkaEventPublisher kafka(*producer, options);
  EventPublisher& publisher = kafka;  // what service code sees

  shop::OrderPlaced placed;
  placed.order_id = "order-7";
  placed.total_cents = 4250;
  SendResult r = publisher.Publish(placed).get();
  ASSERT_TRUE(r.delivered()) << r.error.ToString();
  EXPECT_EQ(r.metadata.topic, "shop.order-placed");

  placed.order_id = "bad \xFC";
  SendResult refused = publisher.Publish(placed).get();
  EXPECT_EQ(refused.error.code(), ErrorCode::kLocalSerialization);

  auto stored = ReadPartition(cluster->bootstrap_servers(), "shop.order-placed", 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  const auto& record = (*stored)[0];
  EXPECT_EQ(record.key, "order-7");
  EXPECT_EQ(nlohmann::json::parse(*record.value), nlohmann::json({{"order_id", "order-7"}, {"total_cents", 4250}}));
  EXPECT_EQ(HeaderValue(record.headers, "producer"), "shop");
  EXPECT_EQ(HeaderValue(record.headers, "event-type"), "OrderPlaced");
  EXPECT_EQ(HeaderValue(record.headers, "schema-version"), "2");
  EXPECT_EQ(HeaderValue(record.headers, "content-type"), "application/json");
}

TEST(KafkaTemplateTest, ARecordTheBrokerRefusesIsSpooledAndAReplayHandsItBack) {
  EmbeddedClusterOptions cluster_options;
  cluster_options.max_message_bytes = 4096;  // below the producer's max.request.size
  auto cluster = StartCluster(cluster_options);
  auto producer = MakeProducer(*cluster);
  TempDir dir("spool");
  SpoolOptions spool_options;
  spool_options.directory = dir.path();
  auto opened = Spool::Open(spool_options);
  ASSERT_TRUE(opened.ok());
  std::shared_ptr<Spool> spool = std::move(*opened);
  TemplateOptions options;
  options.spool = spool;
  KafkaTemplate<std::string, std::string, StringSerializer, StringSerializer> records(*producer, options);

  SendResult big = records.Send("blobs", "b-1", std::string(10000, 'x')).get();
  EXPECT_EQ(big.state, DeliveryState::kSpooled) << big.error.ToString();
  EXPECT_EQ(big.error.code(), ErrorCode::kMessageTooLarge);
  SendResult small = records.Send("blobs", "b-1", "fits").get();
  ASSERT_TRUE(small.delivered()) << small.error.ToString();
  ASSERT_EQ(spool->pending(), 1u);

  SpoolReplayer replayer(*spool, *producer);
  ReplayReport report = replayer.Replay();
  EXPECT_TRUE(report.stopped_by.ok()) << report.stopped_by.ToString();
  EXPECT_EQ(report.replayed, 0u);
  ASSERT_EQ(report.rejections.size(), 1u);
  EXPECT_EQ(report.rejections[0].error.code(), ErrorCode::kMessageTooLarge);
  EXPECT_EQ(report.rejections[0].entry.spooled.record.value->size(), 10000u);
  EXPECT_EQ(report.rejections[0].entry.spooled.error, ErrorCode::kMessageTooLarge);
  EXPECT_EQ(report.remaining, 0u) << "a rejection is handed back, not replayed forever";
}

TEST(KafkaTemplateTest, ARecordTheSpoolCannotTakeEitherFailsWithBothReasons) {
  EmbeddedClusterOptions cluster_options;
  cluster_options.max_message_bytes = 4096;
  auto cluster = StartCluster(cluster_options);
  auto producer = MakeProducer(*cluster);
  TempDir dir("spool");
  SpoolOptions spool_options;
  spool_options.directory = dir.path();
  spool_options.max_entry_bytes = 2048;  // smaller than the record
  auto opened = Spool::Open(spool_options);
  ASSERT_TRUE(opened.ok());
  TemplateOptions options;
  options.spool = std::move(*opened);
  KafkaTemplate<std::string, std::string, StringSerializer, StringSerializer> records(*producer, options);

  SendResult r = records.Send("blobs", "b-2", std::string(10000, 'y')).get();
  EXPECT_EQ(r.state, DeliveryState::kFailed);
  EXPECT_EQ(r.error.code(), ErrorCode::kMessageTooLarge) << "the delivery error leads";
  EXPECT_NE(r.error.message().find("spool refused"), std::string_view::npos) << r.error.ToString();
  EXPECT_EQ(options.spool->pending(), 0u);
}

}  // namespace
}  // namespace kclient::container
