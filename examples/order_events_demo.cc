// The demo behind `make demo`: an order service publishes what happens to each order with
// kclient::Producer, then reads the topic back to check that every event arrived intact.
//
// Each order goes ORDER_CREATED -> PAYMENT_COMPLETED -> ORDER_SHIPPED, and whoever reads these
// events (billing, shipping, e-mail) needs them in that order. Kafka only keeps order within a
// partition, so every event is keyed by its order id: the default partitioner sends all records
// with one key to one partition, murmur2(key) % partitions, exactly where the Java client would.
// acks=all and idempotence mean an acknowledged event is on every in-sync replica, and that the
// producer's retries neither duplicate nor reorder events.
//
//   kclient-demo                         # starts a three-broker cluster in this process
//   kclient-demo --bootstrap host:port   # uses yours (the topic is created if the broker allows)
//
// Exits 0 only if every event was acknowledged, landed where its key says, and reads back
// byte for byte.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kclient/embedded_cluster.h"
#include "kclient/partitioner.h"
#include "kclient/producer.h"

// Only for ReadBack below, until kclient has a consumer.
#include "net/loop_thread.h"
#include "net/network_client.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/record_batch.h"

namespace {

constexpr char kTopic[] = "order-events";

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
kclient::ProducerRecord OrderEvent(const Order& order, std::string_view type) {
  nlohmann::json event = {{"type", type}, {"order_id", order.id}, {"customer", order.customer}};
  if (type == "ORDER_CREATED") event["total_cents"] = order.total_cents;
  if (type == "PAYMENT_COMPLETED") event["payment_id"] = "pay-" + order.id.substr(order.id.find('-') + 1);
  if (type == "ORDER_SHIPPED") event["carrier"] = "DHL";

  kclient::ProducerRecord record;
  record.topic = kTopic;
  record.key = order.id;
  record.value = event.dump();
  record.headers = {{"event-type", std::string(type)}, {"trace-id", order.trace_id}};
  return record;
}

// --- Read-back ------------------------------------------------------------------------------
// kclient has no consumer yet (that is its own issue), so the demo reads the topic back with the
// library's internal network client and record-batch decoder, which applications cannot use.
// ReadBack becomes a kclient::Consumer assigned to these partitions, seeking to `first` and
// polling up to `end`, when the consumer lands.

struct StoredRecord {
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<kclient::Header> headers;
};

// Offsets [first, end) of one partition.
struct OffsetRange {
  int64_t first = INT64_MAX;
  int64_t end = 0;
};

// Sends one request and waits for the answer. `read` runs on the loop thread, while the record
// bytes the response points into still exist. Versions stop at 12: topics by name, not by id.
template <typename Request, typename Response, typename Read>
kclient::Status Exchange(kclient::net::LoopThread& io, kclient::net::NetworkClient& client, int32_t node,
                         Request request, Read read) {
  using kclient::Status;
  std::promise<Status> done;
  io.Post([&] {
    kclient::net::SendOptions options;
    options.max_version = 12;
    client.Send<Request, Response>(
        node, std::move(request),
        std::function<void(const Status&, Response&, int16_t, kclient::net::ResponseFrame&)>(
            [&](const Status& s, Response& r, int16_t, kclient::net::ResponseFrame&) {
              done.set_value(s.ok() ? read(r) : s);
            }),
        options);
  });
  return done.get_future().get();
}

// (partition, offset) -> the record stored there, for the offsets in `ranges` (partition -> range).
kclient::Result<std::map<std::pair<int32_t, int64_t>, StoredRecord>> ReadBack(
    const std::string& bootstrap, const std::string& topic, const std::map<int32_t, OffsetRange>& ranges) {
  namespace kp = kclient::protocol;
  namespace net = kclient::net;
  using kclient::Status;

  auto addresses = net::ParseBootstrapServers(bootstrap);
  if (!addresses.ok()) return addresses.status();
  net::LoopThread io;  // the network client lives on an event loop: all its calls run there
  auto client = io.Call(
      [&] { return std::make_unique<net::NetworkClient>(&io.loop(), net::NetworkOptions{}, *addresses); });

  auto read_all = [&]() -> kclient::Result<std::map<std::pair<int32_t, int64_t>, StoredRecord>> {
    // Fetch must go to each partition's leader, which Metadata names.
    std::map<int32_t, int32_t> leaders;
    kp::MetadataRequest metadata;
    metadata.topics->emplace_back().name = topic;
    metadata.allow_auto_topic_creation = false;
    Status s = Exchange<kp::MetadataRequest, kp::MetadataResponse>(
        io, *client, net::NetworkClient::kAnyBroker, metadata, [&](kp::MetadataResponse& r) {
          std::vector<net::BrokerAddress> brokers;
          for (const auto& b : r.brokers) brokers.push_back({b.node_id, b.host, static_cast<uint16_t>(b.port)});
          client->SetBrokers(brokers);
          for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) leaders[p.partition_index] = p.leader_id;
          }
          return Status::Ok();
        });
    if (!s.ok()) return s.WithContext("metadata");

    std::map<std::pair<int32_t, int64_t>, StoredRecord> stored;
    for (const auto& entry : ranges) {
      // Plain variables, not structured bindings: clang 14 cannot capture those in take_records.
      const int32_t partition = entry.first;
      const OffsetRange& range = entry.second;
      auto leader = leaders.find(partition);
      if (leader == leaders.end()) return Status(kclient::ErrorCode::kLeaderNotAvailable, topic);
      int64_t next = range.first;
      while (next < range.end) {
        kp::FetchRequest fetch;
        fetch.max_bytes = 1 << 20;
        auto& fp = fetch.topics.emplace_back();
        fp.topic = topic;
        auto& pp = fp.partitions.emplace_back();
        pp.partition = partition;
        pp.fetch_offset = next;
        pp.partition_max_bytes = 1 << 20;
        const int64_t before = next;
        // Copies the records out of the response; they point into its bytes.
        auto take_records = [&](kp::FetchResponse& r) {
          if (r.responses.empty() || r.responses[0].partitions.empty()) {
            return Status(kclient::ErrorCode::kLocalMalformed, "empty fetch response");
          }
          const auto& p = r.responses[0].partitions[0];
          if (p.error_code != 0) return Status(static_cast<kclient::ErrorCode>(p.error_code));
          kclient::util::ByteBuffer scratch;
          kp::BatchIterator batches(p.records.value_or(kp::RecordsView()).span());
          kp::RecordBatchHeader header;
          kp::ByteSpan batch;
          auto copy = [](const std::optional<kp::ByteSpan>& b) -> std::optional<std::string> {
            if (!b) return std::nullopt;
            return std::string(reinterpret_cast<const char*>(b->data()), b->size());
          };
          while (batches.Next(&header, &batch)) {
            kp::RecordIterator records(header, batch, &scratch, 1 << 20);
            kp::Record rec;
            while (records.Next(&rec)) {
              if (rec.offset < next || rec.offset >= range.end) continue;
              StoredRecord& out = stored[{partition, rec.offset}];
              out.key = copy(rec.key);
              out.value = copy(rec.value);
              for (const auto& h : rec.headers) out.headers.push_back({std::string(h.key), copy(h.value)});
              next = rec.offset + 1;
            }
            if (!records.status().ok()) return records.status();
          }
          return batches.status();
        };
        s = Exchange<kp::FetchRequest, kp::FetchResponse>(io, *client, leader->second, fetch, take_records);
        if (!s.ok()) return s.WithContext(topic + "-" + std::to_string(partition));
        if (next == before) return Status(kclient::ErrorCode::kLocalTimedOut, "fetch returned nothing new");
      }
    }
    return stored;
  };

  auto result = read_all();
  io.Call([&] { client.reset(); });
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bootstrap;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--bootstrap" && i + 1 < argc) {
      bootstrap = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--bootstrap host:port]\n", argv[0]);
      return 2;
    }
  }

  // Without --bootstrap, a cluster in this process: three brokers, each partition on all three,
  // and a write acknowledged once two of them have it. Declared before the producer so that it
  // outlives it.
  std::unique_ptr<kclient::EmbeddedCluster> cluster;
  if (bootstrap.empty()) {
    kclient::EmbeddedClusterOptions options;
    options.brokers = 3;
    options.default_replication_factor = 3;
    options.min_insync_replicas = 2;
    auto started = kclient::EmbeddedCluster::Start(options);
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start the embedded cluster: %s\n", started.status().ToString().c_str());
      return 1;
    }
    cluster = std::move(*started);
    if (kclient::Status s = cluster->CreateTopic(kTopic, 6, 3); !s.ok()) {
      std::fprintf(stderr, "cannot create %s: %s\n", kTopic, s.ToString().c_str());
      return 1;
    }
    bootstrap = cluster->bootstrap_servers();
    std::printf("embedded cluster of 3 brokers at %s\n", bootstrap.c_str());
  }

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
  std::printf("topic %s has %d partitions\n\n", kTopic, partition_count);

  std::mt19937_64 rng{std::random_device{}()};
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
  for (std::string_view type : {"ORDER_CREATED", "PAYMENT_COMPLETED", "ORDER_SHIPPED"}) {
    for (const Order& order : orders) {
      kclient::ProducerRecord record = OrderEvent(order, type);
      auto outcome = producer.Send(record);
      sent.push_back({std::string(type), std::move(record), std::move(outcome)});
    }
  }

  // Where each event landed. Events of one order must share a partition, the one Java's client
  // would pick for the key, at increasing offsets.
  int failures = 0;
  std::map<std::string, std::pair<int32_t, int64_t>> last_of_order;  // order id -> partition, offset
  std::map<int32_t, OffsetRange> ranges;                             // what to read back
  std::map<std::pair<int32_t, int64_t>, const kclient::ProducerRecord*> expected;
  for (Sent& s : sent) {
    const std::string& type = s.type;
    const auto& key = *s.record.key;
    const kclient::Result<kclient::RecordMetadata> result = s.outcome.get();
    if (!result.ok()) {
      std::printf("%-18s %s FAILED: %s\n", type.c_str(), key.c_str(), result.status().ToString().c_str());
      ++failures;
      continue;
    }
    std::printf("%-18s %s -> %s-%d @ offset %lld\n", type.c_str(), key.c_str(), result->topic.c_str(),
                result->partition, static_cast<long long>(result->offset));
    if (result->partition != kclient::PartitionForKey(key, partition_count)) {
      std::printf("  not the partition Java's murmur2 gives for %s\n", key.c_str());
      ++failures;
    }
    auto [last, first] = last_of_order.try_emplace(key, result->partition, result->offset);
    if (!first && (last->second.first != result->partition || last->second.second >= result->offset)) {
      std::printf("  out of order: the previous event of %s is at %d/%lld\n", key.c_str(), last->second.first,
                  static_cast<long long>(last->second.second));
      ++failures;
    }
    last->second = {result->partition, result->offset};
    OffsetRange& range = ranges[result->partition];
    range.first = std::min(range.first, result->offset);
    range.end = std::max(range.end, result->offset + 1);
    expected[{result->partition, result->offset}] = &s.record;
  }
  // Every future has its outcome, so nothing is left to send: Close returns at once.
  if (kclient::Status s = producer.Close(std::chrono::seconds(10)); !s.ok()) {
    std::printf("close: %s\n", s.ToString().c_str());
    ++failures;
  }

  // Read every acknowledged event back and compare key, value and headers.
  auto stored = ReadBack(bootstrap, kTopic, ranges);
  if (!stored.ok()) {
    std::printf("\nreading %s back failed: %s\n", kTopic, stored.status().ToString().c_str());
    return 1;
  }
  std::printf("\nread back, partition by partition:\n");
  size_t intact = 0;
  for (const auto& [where, record] : expected) {
    auto it = stored->find(where);
    if (it != stored->end() && it->second.key == record->key && it->second.value == record->value &&
        it->second.headers == record->headers) {
      std::printf("%s-%d @ offset %lld: %s %s\n", kTopic, where.first, static_cast<long long>(where.second),
                  it->second.key->c_str(), it->second.value->c_str());
      ++intact;
    } else {
      std::printf("%s-%d @ offset %lld does not hold what was sent\n", kTopic, where.first,
                  static_cast<long long>(where.second));
      ++failures;
    }
  }
  std::printf("\n%zu events sent, %zu acknowledged, %zu read back intact: %s\n", sent.size(), expected.size(),
              intact, failures == 0 ? "OK" : "FAILED");
  return failures == 0 ? 0 : 1;
}
