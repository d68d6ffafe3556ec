// A service that publishes domain events through kclient::container::EventPublisher, with a
// local spool so that an outage of the cluster loses no event: events the cluster does not take
// within delivery.timeout.ms are written to disk, and a SpoolReplayer sends them once the cluster
// is back, in order per order id.
//
// The service code (OrderService) knows only EventPublisher and its events: not topics, keys,
// serialization or Kafka. main() wires it to Kafka; with the in-process broker it also stops the
// broker for a while to show events spooling and being replayed.
//
//   kclient-example-spooling-publisher                        # starts a broker in this process
//   kclient-example-spooling-publisher --bootstrap host:port  # uses yours (no outage shown)
//
// Exits non-zero unless every event is either delivered or spooled and then replayed.
#include <stdlib.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "example_cluster.h"
#include "kclient/container/event_publisher.h"
#include "kclient/container/json_domain_event.h"
#include "kclient/container/spool.h"
#include "kclient/container/spool_replayer.h"
#include "kclient/producer.h"

namespace kc = kclient::container;

// --- The events -------------------------------------------------------------------------------
namespace shop {

// The type decides the record: topic (kTopic), key (the order id, so one order's events stay in
// order), JSON payload, and event-type / schema-version / content-type headers.
struct OrderPlaced : kc::JsonDomainEvent<OrderPlaced> {
  static constexpr std::string_view kType = "OrderPlaced";
  static constexpr std::string_view kTopic = "shop.orders";
  static constexpr int kSchemaVersion = 1;

  std::string order_id;
  std::string customer;
  int64_t total_cents = 0;

  std::optional<std::string> key() const override { return order_id; }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderPlaced, order_id, customer, total_cents)

struct OrderShipped : kc::JsonDomainEvent<OrderShipped> {
  static constexpr std::string_view kType = "OrderShipped";
  static constexpr std::string_view kTopic = "shop.orders";
  static constexpr int kSchemaVersion = 1;

  std::string order_id;
  std::string carrier;

  std::optional<std::string> key() const override { return order_id; }
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderShipped, order_id, carrier)

}  // namespace shop

// --- The service --------------------------------------------------------------------------------

// Business logic: raises events and keeps their outcomes. Knows nothing of Kafka.
class OrderService {
 public:
  explicit OrderService(kc::EventPublisher& events) : events_(events) {}

  void PlaceOrder(const std::string& id, const std::string& customer, int64_t cents) {
    shop::OrderPlaced e;
    e.order_id = id;
    e.customer = customer;
    e.total_cents = cents;
    pending_.emplace_back("OrderPlaced " + id, events_.Publish(e));
  }
  void ShipOrder(const std::string& id, const std::string& carrier) {
    shop::OrderShipped e;
    e.order_id = id;
    e.carrier = carrier;
    pending_.emplace_back("OrderShipped " + id, events_.Publish(e));
  }

  // Waits for every outcome; returns how many events were lost (neither delivered nor spooled).
  int Settle(int* spooled) {
    int lost = 0;
    for (auto& [what, future] : pending_) {
      kc::SendResult r = future.get();
      if (r.delivered()) {
        std::printf("  %-22s delivered to %s-%d @ %lld\n", what.c_str(), r.metadata.topic.c_str(), r.metadata.partition,
                    static_cast<long long>(r.metadata.offset));
      } else if (r.spooled()) {
        std::printf("  %-22s spooled (%s)\n", what.c_str(), std::string(kclient::ErrorName(r.error.code())).c_str());
        ++*spooled;
      } else {
        std::printf("  %-22s LOST: %s\n", what.c_str(), r.error.ToString().c_str());
        ++lost;
      }
    }
    pending_.clear();
    return lost;
  }

 private:
  kc::EventPublisher& events_;
  std::vector<std::pair<std::string, std::future<kc::SendResult>>> pending_;
};

int main(int argc, char** argv) {
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{std::string(shop::OrderPlaced::kTopic), 3}}, &exit_code);
  if (!cluster) return exit_code;

  // The spool's directory; a real service keeps it on a persistent volume.
  std::string spool_dir = (std::filesystem::temp_directory_path() / "kclient-spool-XXXXXX").string();
  if (::mkdtemp(spool_dir.data()) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  kc::SpoolOptions spool_options;
  spool_options.directory = spool_dir;
  auto spool = kc::Spool::Open(spool_options);
  if (!spool.ok()) {
    std::fprintf(stderr, "spool: %s\n", spool.status().ToString().c_str());
    return 1;
  }
  std::shared_ptr<kc::Spool> shared_spool = std::move(*spool);

  // Give up on the cluster after 3 s: the spool, not the producer's buffer, rides out outages.
  auto producer = kclient::Producer::Create(kclient::Properties{{"bootstrap.servers", cluster->bootstrap()},
                                                                {"client.id", "order-service"},
                                                                {"request.timeout.ms", "2000"},
                                                                {"delivery.timeout.ms", "3000"},
                                                                {"max.block.ms", "2000"},
                                                                {"reconnect.backoff.max.ms", "200"}});
  if (!producer.ok()) {
    std::fprintf(stderr, "producer: %s\n", producer.status().ToString().c_str());
    return 1;
  }
  kc::TemplateOptions options;
  options.default_headers = {{"producer", "order-service"}};
  options.spool = shared_spool;
  kc::KafkaEventPublisher publisher(**producer, options);
  OrderService orders(publisher);

  int lost = 0;
  int spooled = 0;
  std::printf("cluster up:\n");
  orders.PlaceOrder("order-1", "alice", 4250);
  orders.PlaceOrder("order-2", "bob", 990);
  lost += orders.Settle(&spooled);

  if (kclient::EmbeddedCluster* embedded = cluster->cluster()) {
    std::printf("broker stopped:\n");
    if (!embedded->StopBroker(1).ok()) return 1;
    orders.ShipOrder("order-1", "dhl");
    orders.PlaceOrder("order-3", "carol", 1500);
    orders.ShipOrder("order-2", "ups");
    lost += orders.Settle(&spooled);
    if (!embedded->StartBroker(1).ok()) return 1;
    std::printf("broker back: %zu event(s) in the spool\n", shared_spool->pending());
  }

  // Replay with the same producer: the broker is back, so its records go through.
  kc::ReplayReport report = kc::SpoolReplayer(*shared_spool, **producer).Replay();
  std::printf("replayed %zu, rejected %zu, remaining %zu%s%s\n", report.replayed, report.rejections.size(),
              report.remaining, report.stopped_by.ok() ? "" : ", stopped by ",
              report.stopped_by.ok() ? "" : report.stopped_by.ToString().c_str());

  const bool replayed_all = report.stopped_by.ok() && report.remaining == 0 &&
                            report.replayed == static_cast<size_t>(spooled) && report.rejections.empty();
  (*producer)->Close(std::chrono::seconds(5));
  shared_spool.reset();
  std::filesystem::remove_all(spool_dir);
  const bool ok = lost == 0 && replayed_all && (!cluster->embedded() || spooled == 3);
  std::printf("%s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
}
