// One step of an order saga: payment. The payment service consumes OrderPlaced events with a
// listener container and, for each order, either charges the customer's balance and publishes
// PaymentCompleted, or (insufficient balance, a business failure) publishes the compensating
// event OrderCancelled, which the order service uses to undo its side. Either way the order is
// answered, so the listener acknowledges it once its event is written: an order is committed only
// when the saga has moved on. Events go through an EventPublisher (KafkaEventPublisher), as JSON
// domain events.
//
//   orders --OrderPlaced--> [payment step] --PaymentCompleted--> payments
//                                          --OrderCancelled----> order-compensations
//
// The charge is idempotent by order id: an order delivered again (at least once) gets the same
// answer, and its event is published again, so the next steps must be idempotent too. An
// OrderPlaced that cannot be read is not an order: non-retriable, to orders-dlt.
//
// At the end the program reads both event topics back and checks: every order answered exactly
// one way, the ones the balances could not cover cancelled and only those (orders of one customer
// are keyed by customer, so they are charged in the order placed), no balance negative and each
// equal to its start minus its payments; the malformed event dead-lettered; the group committed
// everything. It exits non-zero if not.
//
//   kclient-example-order-saga [--bootstrap host:port]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "example_cluster.h"
#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/container/event_publisher.h"
#include "kclient/container/json_domain_event.h"
#include "kclient/container/listener_container.h"
#include "kclient/json_serde.h"
#include "kclient/producer.h"

namespace kc = kclient::container;

namespace saga {

// This run's name for a topic: the name itself on the in-process cluster; with --bootstrap, a
// cluster of yours that may have run this before, the name plus a suffix of this run.
std::string& RunSuffix() {
  static std::string suffix;
  return suffix;
}
std::string RunTopic(std::string_view base) { return std::string(base) + RunSuffix(); }

// --- The events ------------------------------------------------------------------------------
// Keyed by customer: one customer's orders stay in order on one partition, so their charges are
// decided in the order they were placed.
struct OrderPlaced : kc::JsonDomainEvent<OrderPlaced> {
  static constexpr std::string_view kType = "OrderPlaced";
  static constexpr std::string_view kTopic = "orders";
  static constexpr int kSchemaVersion = 1;
  std::string order_id;
  std::string customer;
  int64_t total_cents = 0;

  std::string_view topic() const override {
    static const std::string name = RunTopic(kTopic);
    return name;
  }
  std::optional<std::string> key() const override { return customer; }
};

struct PaymentCompleted : kc::JsonDomainEvent<PaymentCompleted> {
  static constexpr std::string_view kType = "PaymentCompleted";
  static constexpr std::string_view kTopic = "payments";
  static constexpr int kSchemaVersion = 1;
  std::string order_id;
  std::string customer;
  int64_t amount_cents = 0;

  std::string_view topic() const override {
    static const std::string name = RunTopic(kTopic);
    return name;
  }
  std::optional<std::string> key() const override { return order_id; }
};

// The compensating event: the order service cancels the order when it sees it.
struct OrderCancelled : kc::JsonDomainEvent<OrderCancelled> {
  static constexpr std::string_view kType = "OrderCancelled";
  static constexpr std::string_view kTopic = "order-compensations";
  static constexpr int kSchemaVersion = 1;
  std::string order_id;
  std::string customer;
  std::string reason;

  std::string_view topic() const override {
    static const std::string name = RunTopic(kTopic);
    return name;
  }
  std::optional<std::string> key() const override { return order_id; }
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderPlaced, order_id, customer, total_cents)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(PaymentCompleted, order_id, customer, amount_cents)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderCancelled, order_id, customer, reason)

// --- The payment service's state -------------------------------------------------------------
// Balances and the decision taken for each order (the idempotency record). In a real service this
// is the database, and the charge and its record are one transaction.
class Accounts {
 public:
  explicit Accounts(std::map<std::string, int64_t> balances) : balances_(std::move(balances)) {}

  // Charges the order unless the balance cannot cover it; an order decided before gets the same
  // decision again, and is not charged twice.
  bool Charge(const OrderPlaced& order) {
    std::lock_guard lock(mu_);
    if (auto it = decided_.find(order.order_id); it != decided_.end()) return it->second;
    int64_t& balance = balances_[order.customer];
    const bool paid = balance >= order.total_cents;
    if (paid) balance -= order.total_cents;
    decided_[order.order_id] = paid;
    return paid;
  }

  std::map<std::string, int64_t> Balances() const {
    std::lock_guard lock(mu_);
    return balances_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int64_t> balances_;  // GUARDED_BY(mu_)
  std::map<std::string, bool> decided_;      // GUARDED_BY(mu_): order id -> paid
};

}  // namespace saga

namespace {

constexpr int32_t kPartitions = 3;
constexpr int kOrders = 48;
const std::map<std::string, int64_t> kStartBalances = {
    {"alice", 50'000}, {"bob", 12'000}, {"carol", 3'000}, {"dave", 80'000}, {"erin", 0}, {"frank", 20'000}};

// Order i: a customer in turn, a total between 10.00 and 99.00.
saga::OrderPlaced MakeOrder(int i) {
  static const std::vector<std::string> customers = [] {
    std::vector<std::string> names;
    for (const auto& [name, balance] : kStartBalances) names.push_back(name);
    return names;
  }();
  saga::OrderPlaced o;
  o.order_id = "order-" + std::to_string(i);
  o.customer = customers[static_cast<size_t>(i) % customers.size()];
  o.total_cents = 1'000 + (i * 3'700) % 9'000;
  return o;
}

std::optional<std::string> Header(const kclient::ConsumerRecord& r, std::string_view key) {
  for (const kclient::HeaderView& h : r.headers) {
    if (h.key == key) return std::string(h.value.value_or(""));
  }
  return std::nullopt;
}

bool Check(bool holds, const char* invariant) {
  if (!holds) std::fprintf(stderr, "VIOLATED: %s\n", invariant);
  return holds;
}

}  // namespace

int main(int argc, char** argv) {
  int code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {}, &code);
  if (!cluster) return code;
  if (!cluster->embedded()) {
    saga::RunSuffix() = "-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  }
  const std::string orders = saga::RunTopic("orders"), payments = saga::RunTopic("payments"),
                    compensations = saga::RunTopic("order-compensations"), group = saga::RunTopic("payment-step");

  kclient::AdminOptions ao;
  ao.client.bootstrap_servers = cluster->bootstrap();
  auto admin = kclient::Admin::Create(ao);
  if (!admin.ok()) return 1;
  for (const std::string& t : {orders, payments, compensations, orders + "-dlt"}) {
    if (kclient::Status s = (*admin)->CreateTopic({t, kPartitions}); !s.ok()) {
      std::fprintf(stderr, "cannot create %s: %s\n", t.c_str(), s.ToString().c_str());
      return 1;
    }
  }

  kclient::ProducerOptions po;
  po.client.bootstrap_servers = cluster->bootstrap();
  auto producer = kclient::Producer::Create(po);
  if (!producer.ok()) return 1;
  kc::KafkaEventPublisher publisher(**producer);

  // The order service's side: the orders, and one event that is not an order at all.
  std::map<std::string, saga::OrderPlaced> placed;
  for (int i = 0; i < kOrders; ++i) {
    saga::OrderPlaced order = MakeOrder(i);
    if (!publisher.Publish(order).get().delivered()) return 1;
    placed.emplace(order.order_id, order);
  }
  if (!(*producer)->SendSync({orders, std::nullopt, "mallory", "{\"order_id\": 7", {}, std::nullopt}).ok()) return 1;

  // What the step should decide: each customer's orders charged in the order placed.
  std::set<std::string> expected_cancelled;
  {
    std::map<std::string, int64_t> balance = kStartBalances;
    for (int i = 0; i < kOrders; ++i) {
      const saga::OrderPlaced o = MakeOrder(i);
      if (balance[o.customer] >= o.total_cents) {
        balance[o.customer] -= o.total_cents;
      } else {
        expected_cancelled.insert(o.order_id);
      }
    }
  }

  // The payment step.
  saga::Accounts accounts(kStartBalances);
  kc::ContainerOptions o;
  o.consumer.client.bootstrap_servers = cluster->bootstrap();
  o.consumer.group_id = group;
  o.consumer.auto_offset_reset = kclient::OffsetReset::kEarliest;
  o.consumer.fetch_max_wait_ms = 100;
  o.topics = {orders};
  o.concurrency = 2;
  o.poll_timeout_ms = 200;
  o.ack_mode = kc::AckMode::kManual;  // an order is done when its answer is written
  auto container = kc::ListenerContainer::Create(o, [&](const kclient::ConsumerRecord& r, kc::Acknowledgment ack) {
    const std::string_view bytes = r.value.value_or("");
    saga::OrderPlaced order;
    kclient::Status read = kclient::JsonDeserializer<saga::OrderPlaced>().Deserialize(
        r.topic, {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}, &order);
    if (!read.ok()) return kc::ListenerResult::NonRetriable("not an OrderPlaced: " + read.ToString(), "MalformedEvent");
    std::future<kc::SendResult> answered;
    if (accounts.Charge(order)) {
      saga::PaymentCompleted paid;
      paid.order_id = order.order_id;
      paid.customer = order.customer;
      paid.amount_cents = order.total_cents;
      answered = publisher.Publish(paid);
    } else {
      saga::OrderCancelled cancel;  // the compensation: the business failure is answered, not retried
      cancel.order_id = order.order_id;
      cancel.customer = order.customer;
      cancel.reason = "insufficient balance";
      answered = publisher.Publish(cancel);
    }
    // Waits at most the producer's delivery timeout. Not written: the order is tried again (the
    // charge is not repeated, the event is).
    kc::SendResult result = answered.get();
    if (!result.delivered()) return kc::ListenerResult::Retriable("answer not written: " + result.error.ToString());
    ack.Acknowledge();
    return kc::ListenerResult::Ok();
  });
  if (!container.ok() || !(*container)->Start().ok()) {
    std::fprintf(stderr, "cannot start the container\n");
    return 1;
  }
  std::printf("payment step on %d orders with %d consumers\n", kOrders, (*container)->concurrency());

  // Read the answers (and the dead letters) until every order has one and the group committed
  // every order.
  kclient::ConsumerOptions co;
  co.client.bootstrap_servers = cluster->bootstrap();
  co.auto_offset_reset = kclient::OffsetReset::kEarliest;
  co.fetch_max_wait_ms = 100;
  auto reader = kclient::Consumer::Create(co);
  if (!reader.ok()) return 1;
  std::vector<kclient::TopicPartition> answers, source;
  for (int32_t p = 0; p < kPartitions; ++p) {
    for (const std::string& t : {payments, compensations, orders + "-dlt"}) answers.push_back({t, p});
    source.push_back({orders, p});
  }
  if (!(*reader)->Assign(answers).ok()) return 1;
  std::map<std::string, std::set<std::string>> answers_of;  // order id -> event types seen
  int dead_letters = 0, events = 0;
  auto all_committed = [&] {
    auto ends = (*reader)->EndOffsets(source);
    auto committed = (*admin)->ListConsumerGroupOffsets(group);
    if (!ends.ok() || !committed.ok()) return false;
    for (const auto& [tp, end] : *ends) {
      auto it = committed->find(tp);
      if (end > 0 && (it == committed->end() || it->second.offset != end)) return false;
    }
    return true;
  };
  bool settled = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (!settled && std::chrono::steady_clock::now() < deadline) {
    auto records = (*reader)->Poll(std::chrono::milliseconds(200));
    if (records.ok()) {
      for (const kclient::ConsumerRecord& r : *records) {
        if (r.topic == orders + "-dlt") {
          ++dead_letters;
          continue;
        }
        ++events;
        answers_of[std::string(r.key.value_or(""))].insert(Header(r, "event-type").value_or("?"));
      }
    }
    settled = answers_of.size() == placed.size() && dead_letters >= 1 && all_committed();
  }
  (void)(*container)->Stop();

  // The summary.
  int completed = 0, cancelled = 0;
  std::set<std::string> cancelled_ids;
  for (const auto& [id, types] : answers_of) {
    completed += types.count("PaymentCompleted") > 0 ? 1 : 0;
    if (types.count("OrderCancelled") > 0) {
      ++cancelled;
      cancelled_ids.insert(id);
    }
  }
  std::printf("orders: %d; PaymentCompleted: %d; OrderCancelled (compensations): %d; events written: %d; "
              "dead letters: %d\n",
              kOrders, completed, cancelled, events, dead_letters);
  const auto balances = accounts.Balances();
  for (const auto& [customer, balance] : balances) {
    std::printf("  %-6s %8.2f -> %8.2f\n", customer.c_str(), static_cast<double>(kStartBalances.at(customer)) / 100,
                static_cast<double>(balance) / 100);
  }

  // The invariants.
  bool ok = Check(settled, "every order answered, the malformed event dead-lettered, every order committed");
  for (const auto& [id, types] : answers_of) {
    ok &= Check(placed.count(id) > 0, "answers only for orders placed");
    ok &= Check(types.size() == 1, "each order answered one way only");
  }
  ok &= Check(cancelled_ids == expected_cancelled, "exactly the orders the balances could not cover are cancelled");
  ok &= Check(dead_letters == 1, "the malformed event, and only it, is a dead letter");
  std::map<std::string, int64_t> paid;
  for (const auto& [id, order] : placed) {
    if (answers_of.count(id) > 0 && answers_of.at(id).count("PaymentCompleted") > 0) paid[order.customer] += order.total_cents;
  }
  for (const auto& [customer, start] : kStartBalances) {
    const int64_t now = balances.at(customer);
    ok &= Check(now >= 0, "no balance negative");
    ok &= Check(now == start - paid[customer], "each balance is its start minus its payments");
  }
  std::printf("%s\n", ok ? "all invariants hold" : "INVARIANTS VIOLATED");
  return ok ? 0 : 1;
}
