// A typed event publisher: the small wrapper a service puts around kclient::Producer so that the
// rest of its code publishes domain events, not bytes.
//
//   EventPublisher<OrderPlaced> order_placed(producer);
//   auto written = order_placed.Publish(event);   // std::future<Result<RecordMetadata>>
//
// Each event type says which topic it goes to, its schema version, and which entity it is about
// (its aggregate id). The aggregate id is the record key, so all events of one order land in one
// partition, in order. The value is JSON written by kclient::JsonSerializer<Event> through the
// event's to_json; consumers read it back with JsonDeserializer<Event> and from_json. Headers
// carry the event type and schema version, so consumers can route and upgrade without parsing.
//
// The publisher is part of this example, not of kclient: topic names, header names and
// versioning are each service's own conventions.
//
//   kclient-example-json-publisher                         # starts a broker in this process
//   kclient-example-json-publisher --bootstrap host:port   # uses yours
//
// Exits non-zero unless every valid event is written and the one that cannot be serialized is
// refused with kLocalSerialization.
#include <chrono>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kclient/embedded_cluster.h"
#include "kclient/json_serde.h"
#include "example_cluster.h"
#include "kclient/producer.h"

// --- The events ---------------------------------------------------------------------------------
// A named namespace, so that nlohmann finds to_json/from_json by argument-dependent lookup.
namespace shop {

struct OrderPlaced {
  static constexpr std::string_view kType = "OrderPlaced";
  static constexpr std::string_view kTopic = "shop.order-placed";
  static constexpr int kSchemaVersion = 2;  // v2 added `items`

  std::string order_id;
  std::string customer;
  int64_t total_cents = 0;
  std::vector<std::string> items;

  const std::string& aggregate_id() const { return order_id; }
};

// Written out to show the mapping; the JSON names are the wire contract with consumers, so they do
// not follow renames in C++.
void to_json(nlohmann::json& j, const OrderPlaced& e) {
  j = {{"order_id", e.order_id}, {"customer", e.customer}, {"total_cents", e.total_cents}, {"items", e.items}};
}
void from_json(const nlohmann::json& j, OrderPlaced& e) {
  j.at("order_id").get_to(e.order_id);
  j.at("customer").get_to(e.customer);
  j.at("total_cents").get_to(e.total_cents);
  e.items = j.value("items", std::vector<std::string>{});  // absent in v1 events
}

struct PaymentReceived {
  static constexpr std::string_view kType = "PaymentReceived";
  static constexpr std::string_view kTopic = "shop.payment-received";
  static constexpr int kSchemaVersion = 1;

  std::string payment_id;
  std::string order_id;
  int64_t amount_cents = 0;

  // A payment is about its order: keyed by the order id, it sits in the order's partition of its
  // own topic, behind the order's earlier payments.
  const std::string& aggregate_id() const { return order_id; }
};
// The same two functions, generated from the member names.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PaymentReceived, payment_id, order_id, amount_cents)

}  // namespace shop

// --- The publisher --------------------------------------------------------------------------------

// What EventPublisher needs from an event type.
template <typename E>
concept DomainEvent = requires(const E& event) {
  { E::kType } -> std::convertible_to<std::string_view>;
  { E::kTopic } -> std::convertible_to<std::string_view>;
  { E::kSchemaVersion } -> std::convertible_to<int>;
  { event.aggregate_id() } -> std::convertible_to<std::string_view>;
};

// Publishes events of one type. Thread-safe, as Producer and JsonSerializer are. Publishers are
// cheap: a service makes one per event type, all sharing its one Producer (one producer per
// process batches best and keeps one set of connections).
template <DomainEvent Event>
class EventPublisher {
 public:
  using Outcome = kclient::Result<kclient::RecordMetadata>;

  explicit EventPublisher(kclient::Producer& producer) : producer_(producer) {}

  // Queues `event` and returns at once; the future says where it was written, or why it was not.
  // An event that cannot be serialized never reaches the producer: its future is ready at once
  // with kLocalSerialization, so callers handle every failure in the same place.
  std::future<Outcome> Publish(const Event& event) {
    kclient::ProducerRecord record;
    record.topic = Event::kTopic;
    if (kclient::Status s = serializer_.Serialize(record.topic, event, &record.value.emplace()); !s.ok()) {
      std::promise<Outcome> failed;
      failed.set_value(s);
      return failed.get_future();
    }
    record.key = std::string(event.aggregate_id());
    record.headers = {
        {"event-type", std::string(Event::kType)},
        {"schema-version", std::to_string(Event::kSchemaVersion)},
        {"content-type", "application/json"},
    };
    return producer_.Send(record);
  }

 private:
  kclient::Producer& producer_;
  kclient::JsonSerializer<Event> serializer_;
};

// --- A service using it -----------------------------------------------------------------------------

int main(int argc, char** argv) {
  // Without --bootstrap, a one-broker cluster in this process, kept alive until main returns.
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(
      argc, argv, {{std::string(shop::OrderPlaced::kTopic), 3}, {std::string(shop::PaymentReceived::kTopic), 3}},
      &exit_code);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();

  auto created = kclient::Producer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"client.id", "shop-service"},
  });
  if (!created.ok()) {
    std::fprintf(stderr, "invalid producer configuration: %s\n", created.status().ToString().c_str());
    return 1;
  }
  EventPublisher<shop::OrderPlaced> order_placed(**created);
  EventPublisher<shop::PaymentReceived> payment_received(**created);

  // Publish without waiting, then check every outcome: the events travel together meanwhile.
  std::vector<std::pair<std::string, std::future<kclient::Result<kclient::RecordMetadata>>>> pending;
  pending.emplace_back("OrderPlaced order-7", order_placed.Publish({"order-7", "alice", 4250, {"book", "lamp"}}));
  pending.emplace_back("OrderPlaced order-8", order_placed.Publish({"order-8", "bob", 990, {"pen"}}));
  pending.emplace_back("PaymentReceived order-7", payment_received.Publish({"pay-301", "order-7", 4250}));
  pending.emplace_back("PaymentReceived order-8", payment_received.Publish({"pay-302", "order-8", 990}));

  int failures = 0;
  for (auto& [what, future] : pending) {
    kclient::Result<kclient::RecordMetadata> written = future.get();
    if (written.ok()) {
      std::printf("%-24s -> %s-%d @ offset %lld\n", what.c_str(), written->topic.c_str(), written->partition,
                  static_cast<long long>(written->offset));
    } else {
      std::printf("%-24s FAILED: %s\n", what.c_str(), written.status().ToString().c_str());
      ++failures;
    }
  }

  // A customer name copied from a Latin-1 system: "Müller, Zürich" with ü as the single byte 0xFC,
  // which is not UTF-8. JSON text must be UTF-8, so the serializer refuses it, and nothing is sent. A
  // service would log it and park the event (a dead-letter table), not retry: it will never fit.
  shop::OrderPlaced garbled{"order-9", "M\xfcller, Z\xfcrich", 1500, {"mug"}};
  kclient::Result<kclient::RecordMetadata> refused = order_placed.Publish(garbled).get();
  if (!refused.ok() && refused.status().code() == kclient::ErrorCode::kLocalSerialization) {
    std::printf("%-24s refused as expected: %s\n", "OrderPlaced order-9", refused.status().ToString().c_str());
  } else {
    std::printf("OrderPlaced order-9 should have been refused with LOCAL_SERIALIZATION, got %s\n",
                refused.status().ToString().c_str());
    ++failures;
  }

  if (kclient::Status s = (*created)->Close(std::chrono::seconds(5)); !s.ok()) {
    std::printf("close: %s\n", s.ToString().c_str());
    ++failures;
  }
  std::printf("%s\n", failures == 0 ? "OK" : "FAILED");
  return failures == 0 ? 0 : 1;
}
