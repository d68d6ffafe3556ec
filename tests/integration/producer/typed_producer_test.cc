// TypedProducer: keys and values serialized by the serde.h / json_serde.h serializers reach the
// broker as those bytes; a serializer failure is the record's outcome and the producer goes on.
#include <cstdint>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kclient/embedded_cluster.h"
#include "kclient/json_serde.h"
#include "kclient/typed_producer.h"
#include "partition_reader.h"

namespace shop {
struct Order {
  std::string id;
  int64_t cents = 0;
};
void to_json(nlohmann::json& j, const Order& o) { j = nlohmann::json{{"id", o.id}, {"cents", o.cents}}; }
void from_json(const nlohmann::json& j, Order& o) {
  j.at("id").get_to(o.id);
  j.at("cents").get_to(o.cents);
}
}  // namespace shop

namespace kclient {
namespace {

TEST(TypedProducerTest, SerializesKeysAndValuesAndReportsSerializerFailures) {
  auto cluster = EmbeddedCluster::Start();
  ASSERT_TRUE(cluster.ok());
  ProducerOptions o;
  o.client.bootstrap_servers = (*cluster)->bootstrap_servers();
  auto producer = Producer::Create(o);
  ASSERT_TRUE(producer.ok());

  TypedProducer<std::string, shop::Order, StringSerializer, JsonSerializer<shop::Order>> orders(**producer);
  TypedRecord<std::string, shop::Order> r;
  r.topic = "orders";
  r.key = "o-1";
  r.value = shop::Order{"o-1", 1250};
  auto sent = orders.Send(r).get();
  ASSERT_TRUE(sent.ok()) << sent.status().ToString();

  r.value = shop::Order{"bad \xFC utf-8", 1};
  Status seen;
  auto refused = orders.Send(r, [&](const Result<RecordMetadata>& m) { seen = m.status(); }).get();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kLocalSerialization);
  EXPECT_EQ(seen.code(), ErrorCode::kLocalSerialization);

  TypedProducer<int64_t, std::string> counters(**producer);
  TypedRecord<int64_t, std::string> c;
  c.topic = "orders";
  c.key = 258;
  c.value = "count";
  ASSERT_TRUE(counters.SendSync(c).ok());

  auto stored = testing::ReadPartition((*cluster)->bootstrap_servers(), "orders", 0);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 2u);
  EXPECT_EQ((*stored)[0].key, "o-1");
  EXPECT_EQ(nlohmann::json::parse(*(*stored)[0].value), nlohmann::json({{"id", "o-1"}, {"cents", 1250}}));
  EXPECT_EQ((*stored)[1].key, std::string("\0\0\0\0\0\0\x01\x02", 8)) << "Java's LongSerializer: big-endian";
}

}  // namespace
}  // namespace kclient
