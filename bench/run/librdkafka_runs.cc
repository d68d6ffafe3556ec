// The librdkafka side of the benchmark runs (see runs.h), through its C API with the settings
// that match kclient's: the Java-compatible partitioner (murmur2_random), linger.ms, batch.size,
// acks, idempotence, compression and 32 MiB of buffer.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "run/latency_slots.h"
#include "run/pacer.h"
#include "run/runs.h"
#include "run/window.h"

namespace kclient::bench {
namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

// Delivery reports land here (the handle's opaque).
struct Deliveries {
  std::atomic<long> failures{0};
  // Latency runs: where acknowledgements are recorded, by record index (the message's opaque).
  LatencySlots* slots = nullptr;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Deliveries*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    d->failures.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (d->slots != nullptr) d->slots->Acked(static_cast<long>(reinterpret_cast<uintptr_t>(m->_private)), SteadyNanos());
}

rd_kafka_t* NewHandle(rd_kafka_type_t type, const Settings& settings, Deliveries* deliveries) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "librdkafka %s=%s: %s\n", key.c_str(), value.c_str(), err);
      rd_kafka_conf_destroy(conf);
      return nullptr;
    }
  }
  if (deliveries != nullptr) {
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, deliveries);
  }
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (rk == nullptr) std::fprintf(stderr, "librdkafka: %s\n", err);
  return rk;
}

// A producer handle and its topic, with metadata fetched before the first record.
struct ProducerHandle {
  rd_kafka_t* rk = nullptr;
  rd_kafka_topic_t* rkt = nullptr;

  ProducerHandle(const Workload& w, Deliveries* deliveries) {
    rk = NewHandle(RD_KAFKA_PRODUCER,
                   {{"bootstrap.servers", w.bootstrap},
                    {"acks", w.acks},
                    {"enable.idempotence", w.acks == "all" ? "true" : "false"},
                    {"linger.ms", std::to_string(w.linger_ms)},
                    {"batch.size", std::to_string(w.batch_size)},
                    {"compression.codec", w.compression},
                    {"partitioner", "murmur2_random"},
                    {"queue.buffering.max.kbytes", "32768"},
                    {"queue.buffering.max.messages", "10000000"}},
                   deliveries);
    if (rk == nullptr) return;
    rkt = rd_kafka_topic_new(rk, w.topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_metadata_destroy(md);
  }
  ~ProducerHandle() {
    if (rkt != nullptr) rd_kafka_topic_destroy(rkt);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
  ProducerHandle(const ProducerHandle&) = delete;
  ProducerHandle& operator=(const ProducerHandle&) = delete;

  // Produces one copied record, serving delivery reports while the queue is full.
  void Produce(const std::string& value, const std::string* key, void* opaque, Deliveries* deliveries) const {
    for (;;) {
      const int rc = rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                                      value.size(), key != nullptr ? key->data() : nullptr,
                                      key != nullptr ? key->size() : 0, opaque);
      if (rc == 0) return;
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        deliveries->failures.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      rd_kafka_poll(rk, 10);
    }
  }
};

// A consumer handle with every partition of the topic assigned from the beginning (no group).
rd_kafka_t* NewAssignedConsumer(const Workload& w) {
  rd_kafka_t* rk = NewHandle(RD_KAFKA_CONSUMER,
                             {{"bootstrap.servers", w.bootstrap},
                              {"group.id", "unused"},  // required; assign() uses no group
                              {"enable.auto.commit", "false"},
                              {"enable.partition.eof", "false"},
                              {"check.crcs", "true"}},  // kclient and Java check every batch CRC
                             nullptr);
  if (rk == nullptr) return nullptr;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(w.partitions);
  for (int p = 0; p < w.partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, w.topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  return rk;
}

void CloseConsumer(rd_kafka_t* rk) {
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

std::string Key(long i) { return "key-" + std::to_string(i % 1000); }

}  // namespace

Measurement LibrdkafkaProduce(const Workload& w) {
  Measurement m;
  Deliveries deliveries;
  ProducerHandle producer(w, &deliveries);
  if (producer.rk == nullptr) return m;
  const std::vector<std::string> values = MakeValues(w.value_size);
  const auto produce = [&](long i) {
    const std::string key = w.keyed ? Key(i) : std::string();
    producer.Produce(ValueFor(values, i), w.keyed ? &key : nullptr, nullptr, &deliveries);
    if ((i & 1023) == 0) rd_kafka_poll(producer.rk, 0);
  };
  for (long i = 0; i < w.warmup; ++i) produce(i);
  rd_kafka_flush(producer.rk, 120000);
  MeasureWindow window;
  window.Start();
  for (long i = w.warmup; i < w.warmup + w.records; ++i) produce(i);
  rd_kafka_flush(producer.rk, 120000);
  window.Stop(&m);
  m.records = w.records;
  m.failures = deliveries.failures.load();
  return m;
}

Measurement LibrdkafkaConsume(const Workload& w) {
  Measurement m;
  rd_kafka_t* rk = NewAssignedConsumer(w);
  if (rk == nullptr) return m;
  long read = 0;
  size_t bytes = 0;
  MeasureWindow window;
  window.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (read < w.records && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 500);
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bytes += message->len;
      ++read;
    }
    rd_kafka_message_destroy(message);
  }
  window.Stop(&m);
  m.records = read >= w.records && bytes > 0 ? w.records : 0;
  CloseConsumer(rk);
  return m;
}

Measurement LibrdkafkaLatency(const Workload& w) {
  Measurement m;
  LatencySlots slots(w.warmup + w.records);
  Deliveries deliveries;
  deliveries.slots = &slots;
  ProducerHandle producer(w, &deliveries);
  rd_kafka_t* consumer = NewAssignedConsumer(w);
  if (producer.rk == nullptr || consumer == nullptr) {
    if (consumer != nullptr) CloseConsumer(consumer);
    return m;
  }

  // Delivery reports are served as they arrive by a thread of their own, as kclient's run on its
  // sender thread; otherwise they would wait for the pacing loop.
  std::atomic<bool> stop{false};
  std::thread reporter([&] {
    while (!stop.load()) rd_kafka_poll(producer.rk, 50);
  });
  std::thread reader([&, deadline = LatencyRunDeadline(w)] {
    long seen = 0;
    while (seen < slots.total() && std::chrono::steady_clock::now() < deadline) {
      rd_kafka_message_t* message = rd_kafka_consumer_poll(consumer, 100);
      if (message == nullptr) continue;
      if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        slots.Consumed(static_cast<const char*>(message->payload), message->len, SteadyNanos());
        ++seen;
      }
      rd_kafka_message_destroy(message);
    }
  });

  MeasureWindow window;
  SendPaced(w, &slots, &window, [&](long i, const std::string& value) {
    const std::string key = w.keyed ? Key(i) : std::string();
    producer.Produce(value, w.keyed ? &key : nullptr, reinterpret_cast<void*>(static_cast<uintptr_t>(i)),
                     &deliveries);
  });
  rd_kafka_flush(producer.rk, 60000);
  reader.join();
  stop.store(true);
  reporter.join();
  window.Stop(&m);
  m.records = w.records;
  m.failures = deliveries.failures.load();
  slots.Collect(w.warmup, &m);
  CloseConsumer(consumer);
  return m;
}

}  // namespace kclient::bench
