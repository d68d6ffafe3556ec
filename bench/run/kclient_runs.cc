// The kclient side of the benchmark runs (see runs.h).
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/producer.h"
#include "run/latency_slots.h"
#include "run/pacer.h"
#include "run/runs.h"
#include "run/window.h"

namespace kclient::bench {
namespace {

using std::chrono::milliseconds;

Properties ProducerProperties(const Workload& w) {
  return {{"bootstrap.servers", w.bootstrap},
          {"acks", w.acks},
          {"enable.idempotence", w.acks == "all" ? "true" : "false"},
          {"linger.ms", std::to_string(w.linger_ms)},
          {"batch.size", std::to_string(w.batch_size)},
          {"compression.type", w.compression},
          {"buffer.memory", "33554432"}};
}

std::unique_ptr<Producer> MakeProducer(const Workload& w) {
  auto producer = Producer::Create(ProducerProperties(w));
  if (!producer.ok()) {
    std::fprintf(stderr, "kclient producer: %s\n", producer.status().ToString().c_str());
    return nullptr;
  }
  // Metadata before the first record, as every client's run does.
  (void)(*producer)->PartitionsFor(w.topic);
  return std::move(*producer);
}

std::unique_ptr<Consumer> MakeAssignedConsumer(const Workload& w) {
  auto consumer = Consumer::Create(Properties{{"bootstrap.servers", w.bootstrap}, {"auto.offset.reset", "earliest"}});
  if (!consumer.ok()) {
    std::fprintf(stderr, "kclient consumer: %s\n", consumer.status().ToString().c_str());
    return nullptr;
  }
  std::vector<TopicPartition> all;
  for (int p = 0; p < w.partitions; ++p) all.push_back({w.topic, p});
  if (Status s = (*consumer)->Assign(all); !s.ok()) {
    std::fprintf(stderr, "kclient assign: %s\n", s.ToString().c_str());
    return nullptr;
  }
  return std::move(*consumer);
}

// 1000 distinct keys, made before any measurement (short enough to need no allocation when
// copied into a record).
const std::array<std::string, 1000>& Keys() {
  static const auto keys = [] {
    std::array<std::string, 1000> k;
    for (size_t i = 0; i < k.size(); ++i) k[i] = "key-" + std::to_string(i);
    return k;
  }();
  return keys;
}

// Produces records [from, to) of the workload as fast as the producer takes them.
void ProduceRange(Producer& producer, const Workload& w, long from, long to, std::atomic<long>* failures) {
  const std::vector<std::string> values = MakeValues(w.value_size);
  ProducerRecord record;
  record.topic = w.topic;
  record.value = values[0];
  for (long i = from; i < to; ++i) {
    record.value = ValueFor(values, i);  // same size: copied into the existing capacity
    if (w.keyed) record.key = Keys()[static_cast<size_t>(i % 1000)];
    producer.Produce(record, [failures](const Result<RecordMetadata>& r) {
      if (!r.ok()) failures->fetch_add(1, std::memory_order_relaxed);
    });
  }
}

}  // namespace

bool CreateTopic(const Workload& w) {
  auto admin = Admin::Create(Properties{{"bootstrap.servers", w.bootstrap}});
  if (!admin.ok()) {
    std::fprintf(stderr, "admin: %s\n", admin.status().ToString().c_str());
    return false;
  }
  if (Status s = (*admin)->CreateTopic({w.topic, w.partitions, 1}); !s.ok()) {
    std::fprintf(stderr, "create %s: %s\n", w.topic.c_str(), s.ToString().c_str());
    return false;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto described = (*admin)->DescribeTopics({w.topic});
    if (const auto it = described.find(w.topic); it != described.end() && it->second.ok()) return true;
    std::this_thread::sleep_for(milliseconds(100));  // polling the cluster, not synchronising
  }
  std::fprintf(stderr, "%s did not appear within 30 s\n", w.topic.c_str());
  return false;
}

bool DeleteTopic(const Workload& w) {
  auto admin = Admin::Create(Properties{{"bootstrap.servers", w.bootstrap}});
  if (!admin.ok()) return false;
  const auto deleted = (*admin)->DeleteTopics({w.topic});
  const auto it = deleted.find(w.topic);
  return it != deleted.end() && it->second.ok();
}

bool FillTopic(const Workload& w) {
  Workload fill = w;
  fill.acks = "1";
  fill.linger_ms = 20;
  auto producer = MakeProducer(fill);
  if (!producer) return false;
  std::atomic<long> failures{0};
  ProduceRange(*producer, w, 0, w.records, &failures);
  const bool flushed = producer->Flush().ok();
  (void)producer->Close();
  return flushed && failures.load() == 0;
}

Measurement KclientProduce(const Workload& w) {
  Measurement m;
  auto producer = MakeProducer(w);
  if (!producer) return m;
  std::atomic<long> failures{0};
  ProduceRange(*producer, w, 0, w.warmup, &failures);
  (void)producer->Flush();
  MeasureWindow window;
  window.Start();
  ProduceRange(*producer, w, w.warmup, w.warmup + w.records, &failures);
  (void)producer->Flush();
  window.Stop(&m);
  m.records = w.records;
  m.failures = failures.load();
  (void)producer->Close();
  return m;
}

Measurement KclientConsume(const Workload& w) {
  Measurement m;
  auto consumer = MakeAssignedConsumer(w);
  if (!consumer) return m;
  long read = 0;
  size_t bytes = 0;
  MeasureWindow window;
  window.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (read < w.records && std::chrono::steady_clock::now() < deadline) {
    auto records = consumer->Poll(milliseconds(500));
    if (!records.ok()) continue;
    for (const ConsumerRecord& r : *records) bytes += r.value ? r.value->size() : 0;  // touch every record
    read += static_cast<long>(records->size());
  }
  window.Stop(&m);
  m.records = read >= w.records && bytes > 0 ? w.records : 0;
  (void)consumer->Close();
  return m;
}

Measurement KclientLatency(const Workload& w) {
  Measurement m;
  auto producer = MakeProducer(w);
  auto consumer = MakeAssignedConsumer(w);
  if (!producer || !consumer) return m;
  LatencySlots slots(w.warmup + w.records);
  std::atomic<long> failures{0};
  std::thread reader([&, deadline = LatencyRunDeadline(w)] {
    long seen = 0;
    while (seen < slots.total() && std::chrono::steady_clock::now() < deadline) {
      auto records = consumer->Poll(milliseconds(100));
      if (!records.ok()) continue;
      const int64_t now = SteadyNanos();
      for (const ConsumerRecord& r : *records) {
        if (r.value) slots.Consumed(r.value->data(), r.value->size(), now);
      }
      seen += static_cast<long>(records->size());
    }
  });

  // What the delivery callback needs, behind one pointer: with the index, two words, which
  // std::function holds without allocating.
  struct Outcomes {
    LatencySlots* slots;
    std::atomic<long>* failures;
  } outcomes{&slots, &failures};
  ProducerRecord record;
  record.topic = w.topic;
  MeasureWindow window;
  SendPaced(w, &slots, &window, [&](long i, const std::string& value) {
    record.value = value;
    if (w.keyed) record.key = Keys()[static_cast<size_t>(i % 1000)];
    producer->Produce(record, [o = &outcomes, i](const Result<RecordMetadata>& r) {
      if (r.ok()) {
        o->slots->Acked(i, SteadyNanos());
      } else {
        o->failures->fetch_add(1, std::memory_order_relaxed);
      }
    });
  });
  (void)producer->Flush();
  reader.join();
  window.Stop(&m);
  m.records = w.records;
  m.failures = failures.load();
  slots.Collect(w.warmup, &m);
  (void)consumer->Close();
  (void)producer->Close();
  return m;
}

}  // namespace kclient::bench
