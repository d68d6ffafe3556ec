// The demo behind `make demo`: an order service publishes what happens to each order with
// kclient::Producer, and two other services read those events with kclient::Consumer, each as its
// own consumer group.
//
// Each order goes ORDER_CREATED -> PAYMENT_COMPLETED -> ORDER_SHIPPED, and whoever reads these
// events needs them in that order. Kafka only keeps order within a partition, so every event is
// keyed by its order id: the default partitioner sends all records with one key to one
// partition, murmur2(key) % partitions, exactly where the Java client would. acks=all and
// idempotence mean an acknowledged event is on every in-sync replica, and that the producer's
// retries neither duplicate nor reorder events.
//
// Then two consumer groups read the topic, one after the other:
//   fulfilment  ships each order once its payment has completed;
//   analytics   counts the events of each type.
// Each group has its own committed offsets, so each reads every event whatever the other did.
// Both Subscribe (the group coordinator hands them the topic's partitions; a rebalance listener
// prints which), Poll, and CommitSync after each batch they have processed.
//
//   kclient-demo                         # starts a three-broker cluster in this process
//   kclient-demo --bootstrap host:port   # uses yours (the topic is created if the broker allows)
//
// Every run tags its events with a run-id header and uses group ids of its own, so runs against
// the same cluster check only their own events. Exits 0 only if every event was acknowledged,
// landed where its key says, and each group read each event exactly once, byte for byte, and in
// its order's sequence.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <future>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kclient/consumer.h"
#include "example_cluster.h"
#include "kclient/embedded_cluster.h"
#include "kclient/partitioner.h"
#include "kclient/producer.h"
#include "kclient/rebalance_listener.h"

namespace {

constexpr char kTopic[] = "order-events";
// What happens to every order, in this order.
constexpr const char* kEventTypes[] = {"ORDER_CREATED", "PAYMENT_COMPLETED", "ORDER_SHIPPED"};

struct Order {
  std::string id;
  std::string customer;
  int64_t total_cents;
  std::string trace_id;  // one trace per order, so a tracing UI shows its whole life
};

std::string NewTraceId(std::mt19937_64& rng) {
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return hex;
}

// The record for one event of one order. The key (the order id) is what keeps an order's events
// together and in order; headers carry what routers and tracing need without parsing the value.
// The run-id header tells this run's events from earlier runs' on a topic that outlives them.
kclient::ProducerRecord OrderEvent(const Order& order, std::string_view type, const std::string& run_id) {
  nlohmann::json event = {{"type", type}, {"order_id", order.id}, {"customer", order.customer}};
  if (type == "ORDER_CREATED") event["total_cents"] = order.total_cents;
  if (type == "PAYMENT_COMPLETED") event["payment_id"] = "pay-" + order.id.substr(order.id.find('-') + 1);
  if (type == "ORDER_SHIPPED") event["carrier"] = "DHL";

  kclient::ProducerRecord record;
  record.topic = kTopic;
  record.key = order.id;
  record.value = event.dump();
  record.headers = {{"event-type", std::string(type)}, {"trace-id", order.trace_id}, {"run-id", run_id}};
  return record;
}

// --- Consuming ------------------------------------------------------------------------------

// The acknowledged events: (partition, offset) -> the record sent there.
using Acknowledged = std::map<std::pair<int32_t, int64_t>, const kclient::ProducerRecord*>;

std::optional<std::string_view> HeaderValue(const kclient::ConsumerRecord& record, std::string_view key) {
  for (const kclient::HeaderView& h : record.headers) {
    if (h.key == key) return h.value;
  }
  return std::nullopt;
}

// Key, value and every header, byte for byte.
bool SameRecord(const kclient::ConsumerRecord& read, const kclient::ProducerRecord& sent) {
  if (read.key != sent.key || read.value != sent.value || read.headers.size() != sent.headers.size()) return false;
  for (size_t i = 0; i < sent.headers.size(); ++i) {
    if (read.headers[i].key != sent.headers[i].key || read.headers[i].value != sent.headers[i].value) return false;
  }
  return true;
}

// "order-events [0, 1, 2]"
std::string Describe(std::vector<kclient::TopicPartition> partitions) {
  std::sort(partitions.begin(), partitions.end());
  std::string out;
  for (size_t i = 0; i < partitions.size(); ++i) {
    if (i == 0 || partitions[i].topic != partitions[i - 1].topic) {
      out += (i == 0 ? "" : "], ") + partitions[i].topic + " [";
    } else {
      out += ", ";
    }
    out += std::to_string(partitions[i].partition);
  }
  return out + "]";
}

// Prints what the group coordinator gives this member and takes back. Runs on the polling
// thread, inside Poll (and Close, which revokes everything before leaving the group).
class PrintingListener : public kclient::RebalanceListener {
 public:
  void OnPartitionsAssigned(const std::vector<kclient::TopicPartition>& partitions) override {
    if (!partitions.empty()) std::printf("  assigned %s\n", Describe(partitions).c_str());
  }
  void OnPartitionsRevoked(const std::vector<kclient::TopicPartition>& partitions) override {
    if (!partitions.empty()) std::printf("  revoked  %s\n", Describe(partitions).c_str());
  }
};

// One service reading the topic as consumer group `group_id`: it hands each of this run's events
// to `handle`, and checks that it reads every event in `acked` exactly once, intact, and in its
// order's sequence. Stops when it has them all, or after 30 seconds. Returns the failures.
int ConsumeAsGroup(const std::string& bootstrap, const std::string& group_id, const std::string& run_id,
                   const Acknowledged& acked, const std::function<void(const kclient::ConsumerRecord&)>& handle) {
  auto created = kclient::Consumer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"group.id", group_id},
      {"auto.offset.reset", "earliest"},  // a new group starts at the beginning of the topic
      {"enable.auto.commit", "false"},    // commit what was processed, after processing it
  });
  if (!created.ok()) {
    std::printf("  invalid consumer configuration: %s\n", created.status().ToString().c_str());
    return 1;
  }
  kclient::Consumer& consumer = **created;
  if (kclient::Status s = consumer.Subscribe({kTopic}, std::make_shared<PrintingListener>()); !s.ok()) {
    std::printf("  subscribe: %s\n", s.ToString().c_str());
    return 1;
  }

  int failures = 0;
  size_t earlier_runs = 0;                         // events of earlier runs on a reused topic
  std::set<std::pair<int32_t, int64_t>> seen;      // (partition, offset) of this run's events read
  std::map<std::string, size_t> next_step;         // order id -> index of its next event type
  std::string last_error;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (seen.size() < acked.size() && std::chrono::steady_clock::now() < deadline) {
    // The group is joined, and partitions assigned, inside Poll.
    kclient::Result<kclient::ConsumerRecords> records = consumer.Poll(std::chrono::milliseconds(500));
    if (!records.ok()) {  // none is fatal here: report each new one and poll again
      if (records.status().ToString() != last_error) {
        last_error = records.status().ToString();
        std::printf("  poll: %s\n", last_error.c_str());
      }
      continue;
    }
    for (const kclient::ConsumerRecord& r : *records) {
      if (HeaderValue(r, "run-id") != run_id) {
        ++earlier_runs;
        continue;
      }
      const auto where = std::pair(r.partition, r.offset);
      auto expected = acked.find(where);
      if (!seen.insert(where).second) {
        std::printf("  %s-%d @ offset %lld read twice\n", kTopic, r.partition, static_cast<long long>(r.offset));
        ++failures;
        continue;
      }
      if (expected == acked.end() || !SameRecord(r, *expected->second)) {
        std::printf("  %s-%d @ offset %lld is not what was sent there\n", kTopic, r.partition,
                    static_cast<long long>(r.offset));
        ++failures;
        continue;
      }
      const std::string order(*r.key);
      const std::string_view type = *HeaderValue(r, "event-type");
      size_t& step = next_step[order];
      if (step >= std::size(kEventTypes) || type != kEventTypes[step]) {
        std::printf("  %s of %s out of sequence\n", std::string(type).c_str(), order.c_str());
        ++failures;
      }
      ++step;
      handle(r);
    }
    // Processed: commit, so that a restarted member (or another one after a rebalance) goes on
    // from here instead of reading these again.
    if (!records->empty()) {
      if (kclient::Status s = consumer.CommitSync(); !s.ok()) {
        std::printf("  commit: %s\n", s.ToString().c_str());
        ++failures;
      }
    }
  }
  if (seen.size() < acked.size()) {
    std::printf("  gave up after 30 s: %zu of %zu events read\n", seen.size(), acked.size());
    ++failures;
  }
  if (kclient::Status s = consumer.Close(); !s.ok()) {  // revokes, then leaves the group
    std::printf("  close: %s\n", s.ToString().c_str());
    ++failures;
  }
  std::printf("  read %zu of this run's %zu events", seen.size(), acked.size());
  if (earlier_runs > 0) std::printf(" (and skipped %zu of earlier runs)", earlier_runs);
  std::printf(", committed them, left the group: %s\n", failures == 0 ? "OK" : "FAILED");
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  // Without --bootstrap, a cluster in this process: three brokers, each partition on all three,
  // and a write acknowledged once two of them have it. Kept alive until main returns.
  kclient::EmbeddedClusterOptions options;
  options.brokers = 3;
  options.default_replication_factor = 3;
  options.min_insync_replicas = 2;
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 6}}, &exit_code, options);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();
  if (cluster->embedded()) std::printf("embedded cluster of 3 brokers at %s\n", bootstrap.c_str());

  // Kafka property names, as a service would keep them in its configuration. acks=all and
  // enable.idempotence=true are the defaults; they are spelled out because this flow relies on
  // them.
  auto created = kclient::Producer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"client.id", "order-service"},
      {"acks", "all"},
      {"enable.idempotence", "true"},
  });
  if (!created.ok()) {
    std::fprintf(stderr, "invalid producer configuration: %s\n", created.status().ToString().c_str());
    return 1;
  }
  kclient::Producer& producer = **created;

  auto partitions = producer.PartitionsFor(kTopic);  // also waits for the topic's metadata
  if (!partitions.ok()) {
    std::fprintf(stderr, "topic %s is not available: %s\n", kTopic, partitions.status().ToString().c_str());
    return 1;
  }
  const auto partition_count = static_cast<int32_t>(partitions->size());
  std::mt19937_64 rng{std::random_device{}()};
  char run_id[9];
  std::snprintf(run_id, sizeof run_id, "%08llx", static_cast<unsigned long long>(rng() & 0xffffffff));
  std::printf("topic %s has %d partitions; this is run %s\n\n", kTopic, partition_count, run_id);
  const std::vector<Order> orders = {
      {"order-1001", "alice", 4250, NewTraceId(rng)},
      {"order-1002", "bob", 1999, NewTraceId(rng)},
      {"order-1003", "carol", 12000, NewTraceId(rng)},
      {"order-1004", "dave", 560, NewTraceId(rng)},
  };

  // Every order moves one step at a time, so events of different orders interleave as they would
  // in a busy service. Send does not wait for the broker; each future gets the event's outcome.
  struct Sent {
    std::string type;
    kclient::ProducerRecord record;
    std::future<kclient::Result<kclient::RecordMetadata>> outcome;
  };
  std::vector<Sent> sent;
  std::printf("the order service publishes (key = order id, acks=all, idempotent):\n");
  for (std::string_view type : kEventTypes) {
    for (const Order& order : orders) {
      kclient::ProducerRecord record = OrderEvent(order, type, run_id);
      auto outcome = producer.Send(record);
      sent.push_back({std::string(type), std::move(record), std::move(outcome)});
    }
  }

  // Where each event landed. Events of one order must share a partition, the one Java's client
  // would pick for the key, at increasing offsets.
  int failures = 0;
  std::map<std::string, std::pair<int32_t, int64_t>> last_of_order;  // order id -> partition, offset
  Acknowledged acked;
  for (Sent& s : sent) {
    const std::string& type = s.type;
    const auto& key = *s.record.key;
    const kclient::Result<kclient::RecordMetadata> result = s.outcome.get();
    if (!result.ok()) {
      std::printf("  %-18s %s FAILED: %s\n", type.c_str(), key.c_str(), result.status().ToString().c_str());
      ++failures;
      continue;
    }
    std::printf("  %-18s %s -> %s-%d @ offset %lld\n", type.c_str(), key.c_str(), result->topic.c_str(),
                result->partition, static_cast<long long>(result->offset));
    if (result->partition != kclient::PartitionForKey(key, partition_count)) {
      std::printf("    not the partition Java's murmur2 gives for %s\n", key.c_str());
      ++failures;
    }
    auto [last, first] = last_of_order.try_emplace(key, result->partition, result->offset);
    if (!first && (last->second.first != result->partition || last->second.second >= result->offset)) {
      std::printf("    out of order: the previous event of %s is at %d/%lld\n", key.c_str(), last->second.first,
                  static_cast<long long>(last->second.second));
      ++failures;
    }
    last->second = {result->partition, result->offset};
    acked[{result->partition, result->offset}] = &s.record;
  }
  // Every future has its outcome, so nothing is left to send: Close returns at once.
  if (kclient::Status s = producer.Close(std::chrono::seconds(10)); !s.ok()) {
    std::printf("close: %s\n", s.ToString().c_str());
    ++failures;
  }

  // Two services read the events, each as its own consumer group. Group ids are per run, so a
  // rerun against the same cluster starts from the beginning of the topic instead of from the
  // previous run's commits.
  std::printf("\nconsumer group fulfilment-%s ships each order once it is paid:\n", run_id);
  failures += ConsumeAsGroup(bootstrap, std::string("fulfilment-") + run_id, run_id, acked,
                             [](const kclient::ConsumerRecord& r) {
                               if (*HeaderValue(r, "event-type") != "PAYMENT_COMPLETED") return;
                               const auto event = nlohmann::json::parse(r.value->begin(), r.value->end());
                               std::printf("  ship %s (payment %s)\n", std::string(*r.key).c_str(),
                                           event.value("payment_id", "?").c_str());
                             });

  std::map<std::string, int> per_type;
  std::printf("\nconsumer group analytics-%s counts the events of each type:\n", run_id);
  failures += ConsumeAsGroup(bootstrap, std::string("analytics-") + run_id, run_id, acked,
                             [&](const kclient::ConsumerRecord& r) {
                               ++per_type[std::string(*HeaderValue(r, "event-type"))];
                             });
  std::string counts;
  for (const char* type : kEventTypes) {
    counts += (counts.empty() ? "" : ", ") + std::string(type) + " " + std::to_string(per_type[type]);
  }
  std::printf("  counted %s\n", counts.c_str());

  std::printf("\n%zu events sent, %zu acknowledged, each read exactly once and in order by both groups: %s\n",
              sent.size(), acked.size(), failures == 0 ? "OK" : "FAILED");
  return failures == 0 ? 0 : 1;
}
