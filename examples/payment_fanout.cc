// Payment-completed fan-out: one stream of PAYMENT_COMPLETED events, read in full by three
// independent consumer groups — ranking, notification and analytics. Each group keeps its own
// committed offsets, so each sees every event, whatever the others do; within a group the
// partitions are split between its members (two per group here).
//
//   kclient-example-payment-fanout                         # starts a broker in this process
//   kclient-example-payment-fanout --bootstrap host:port   # uses yours
//
// Exits non-zero unless every group read every event exactly once.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "kclient/consumer.h"
#include "example_cluster.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

namespace {

constexpr char kTopic[] = "payments.completed";
constexpr int kPayments = 1000;
const char* const kGroups[] = {"ranking", "notification", "analytics"};

// One group: two members, each polling on its own thread, until the group has read `expected`
// distinct events or the deadline passes.
size_t RunGroup(const std::string& bootstrap, const std::string& group, size_t expected) {
  std::mutex mu;
  std::set<std::string> seen;  // payment ids this group processed
  size_t duplicates = 0;
  std::atomic<bool> done{false};
  auto member = [&](int index) {
    auto consumer = kclient::Consumer::Create(kclient::Properties{
        {"bootstrap.servers", bootstrap},
        {"group.id", group},
        {"client.id", group + "-" + std::to_string(index)},
        {"auto.offset.reset", "earliest"},
    });
    if (!consumer.ok()) {
      std::fprintf(stderr, "%s: %s\n", group.c_str(), consumer.status().ToString().c_str());
      done = true;
      return;
    }
    (void)(*consumer)->Subscribe({kTopic});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!done && std::chrono::steady_clock::now() < deadline) {
      auto records = (*consumer)->Poll(std::chrono::milliseconds(100));
      if (!records.ok()) continue;
      std::lock_guard lock(mu);
      for (const kclient::ConsumerRecord& r : *records) {
        if (!seen.insert(std::string(r.key.value_or(""))).second) ++duplicates;
      }
      if (seen.size() >= expected) done = true;
    }
    (void)(*consumer)->Close();  // commits what it read and leaves the group
  };
  std::thread a(member, 1), b(member, 2);
  a.join();
  b.join();
  std::printf("  %-13s read %zu distinct payments, %zu duplicates\n", group.c_str(), seen.size(), duplicates);
  return duplicates == 0 ? seen.size() : 0;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 4}}, &exit_code);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();

  // The payment service publishes; the key is the payment id.
  auto producer = kclient::Producer::Create(kclient::Properties{{"bootstrap.servers", bootstrap}});
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    return 1;
  }
  const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  for (int i = 0; i < kPayments; ++i) {
    kclient::ProducerRecord r;
    r.topic = kTopic;
    r.key = "payment-" + run + "-" + std::to_string(i);
    r.value = R"({"type":"PAYMENT_COMPLETED","amount_cents":)" + std::to_string(100 + i) + "}";
    r.headers = {{"event-type", "PAYMENT_COMPLETED"}};
    (*producer)->Produce(r, [](const kclient::Result<kclient::RecordMetadata>& m) {
      if (!m.ok()) std::fprintf(stderr, "not written: %s\n", m.status().ToString().c_str());
    });
  }
  if (!(*producer)->Flush().ok()) return 1;
  std::printf("published %d PAYMENT_COMPLETED events to %s\n", kPayments, kTopic);

  // Three groups read the same events at the same time, each on its own.
  std::vector<std::thread> threads;
  std::map<std::string, size_t> read;
  std::mutex mu;
  for (const char* group : kGroups) {
    threads.emplace_back([&, group] {
      // With --bootstrap the topic may hold earlier runs' events too; each group reads it all.
      const size_t n = RunGroup(bootstrap, group, kPayments);
      std::lock_guard lock(mu);
      read[group] = n;
    });
  }
  for (auto& t : threads) t.join();
  bool ok = true;
  for (const char* group : kGroups) ok = ok && read[group] >= kPayments;
  std::printf("%s\n", ok ? "every group read every payment exactly once: OK" : "FAILED");
  return ok ? 0 : 1;
}
