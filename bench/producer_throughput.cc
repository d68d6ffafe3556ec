// kclient-bench-producer: producer throughput and client CPU per record, kclient against
// librdkafka, on the same broker with equivalent settings.
//
// Each run produces --records records of --value-size bytes to a fresh topic and waits for every
// acknowledgement. Runs alternate between the clients (A B A B ...) so machine noise falls on
// both, and the medians are compared. The broker is kclient-broker in a child process (or
// --bootstrap for another cluster), so getrusage() of this process is the client's CPU alone.
//
// Equivalent settings: acks, linger.ms, batch.size, compression, idempotence, a Java-compatible
// murmur2 partitioner (librdkafka: partitioner=murmur2_random), 32 MiB of buffer.
//
//   kclient-bench-producer [--runs 5] [--records 1000000] [--value-size 100] [--keyed]
//                          [--acks all|1] [--compression none|lz4|zstd|...] [--bootstrap HOST:PORT]
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_stats.h"
#include "broker_process.h"
#include "kclient/producer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Settings {
  int records = 1000000;
  int value_size = 100;
  bool keyed = false;
  std::string acks = "all";
  std::string compression = "none";
  int linger_ms = 5;
  int batch_size = 16384;
  int partitions = 3;
};

struct RunResult {
  double seconds = 0;
  double cpu_seconds = 0;
  long failures = 0;
  double records_per_second() const { return seconds > 0 ? 1.0 / seconds : 0; }
};

std::string Key(int i) { return "key-" + std::to_string(i % 1000); }

RunResult RunKclient(const std::string& bootstrap, const std::string& topic, const Settings& s) {
  kclient::Properties props = {{"bootstrap.servers", bootstrap},
                               {"acks", s.acks},
                               {"linger.ms", std::to_string(s.linger_ms)},
                               {"batch.size", std::to_string(s.batch_size)},
                               {"compression.type", s.compression}};
  auto producer = kclient::Producer::Create(props);
  if (!producer.ok()) {
    std::fprintf(stderr, "kclient: %s\n", producer.status().ToString().c_str());
    return {0, 0, s.records};
  }
  // Metadata first, outside the measurement (librdkafka's run does the same).
  (void)(*producer)->PartitionsFor(topic);
  std::atomic<long> failures{0};
  kclient::ProducerRecord record;
  record.topic = topic;
  record.value = std::string(static_cast<size_t>(s.value_size), 'v');
  const double cpu0 = kclient::bench::ProcessCpuSeconds();
  const auto t0 = Clock::now();
  for (int i = 0; i < s.records; ++i) {
    if (s.keyed) record.key = Key(i);
    (*producer)->Produce(record, [&failures](const kclient::Result<kclient::RecordMetadata>& r) {
      if (!r.ok()) ++failures;
    });
  }
  (void)(*producer)->Flush();
  const auto t1 = Clock::now();
  const double cpu1 = kclient::bench::ProcessCpuSeconds();
  (void)(*producer)->Close();
  return {std::chrono::duration<double>(t1 - t0).count(), cpu1 - cpu0, failures.load()};
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) ++*static_cast<std::atomic<long>*>(opaque);
}

RunResult RunLibrdkafka(const std::string& bootstrap, const std::string& topic, const Settings& s) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  std::atomic<long> failures{0};
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", bootstrap},
      {"acks", s.acks},
      {"linger.ms", std::to_string(s.linger_ms)},
      {"batch.size", std::to_string(s.batch_size)},
      {"compression.codec", s.compression},
      {"enable.idempotence", s.acks == "all" ? "true" : "false"},
      {"partitioner", "murmur2_random"},
      {"queue.buffering.max.kbytes", "32768"},
      {"queue.buffering.max.messages", "10000000"},
  };
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "librdkafka %s: %s\n", k.c_str(), err);
    }
  }
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  rd_kafka_conf_set_opaque(conf, &failures);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) {
    std::fprintf(stderr, "librdkafka: %s\n", err);
    return {0, 0, s.records};
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  (void)rd_kafka_metadata(rk, 0, rkt, &md, 10000);
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  std::string value(static_cast<size_t>(s.value_size), 'v');
  const double cpu0 = kclient::bench::ProcessCpuSeconds();
  const auto t0 = Clock::now();
  for (int i = 0; i < s.records; ++i) {
    std::string key = s.keyed ? Key(i) : std::string();
    for (;;) {
      const int rc = rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value.data(), value.size(),
                                      s.keyed ? key.data() : nullptr, s.keyed ? key.size() : 0, nullptr);
      if (rc == 0) break;
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        ++failures;
        break;
      }
      rd_kafka_poll(rk, 10);  // backpressure: serve delivery reports until there is room
    }
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  const auto t1 = Clock::now();
  const double cpu1 = kclient::bench::ProcessCpuSeconds();
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return {std::chrono::duration<double>(t1 - t0).count(), cpu1 - cpu0, failures.load()};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kclient vs librdkafka producer throughput"};
  Settings s;
  int runs = 5;
  std::string bootstrap;
  std::string broker = KCLIENT_BROKER_BINARY;
  app.add_option("--runs", runs, "runs per client (interleaved)");
  app.add_option("--records", s.records, "records per run");
  app.add_option("--value-size", s.value_size, "value bytes");
  app.add_flag("--keyed", s.keyed, "keys from 1000 distinct values (else null keys)");
  app.add_option("--acks", s.acks, "all or 1");
  app.add_option("--compression", s.compression, "none, gzip, snappy, lz4, zstd");
  app.add_option("--linger-ms", s.linger_ms, "linger.ms for both");
  app.add_option("--partitions", s.partitions, "partitions of each run's topic (bundled broker)");
  app.add_option("--bootstrap", bootstrap, "an existing cluster (default: spawn kclient-broker)");
  app.add_option("--broker", broker, "kclient-broker binary");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<kclient::bench::BrokerProcess> process;
  if (bootstrap.empty()) {
    process = kclient::bench::BrokerProcess::Start(
        broker, {"--partitions", std::to_string(s.partitions)});
    if (!process) return 1;
    bootstrap = process->bootstrap_servers();
  }
  std::printf("producer: %d records x %d B, %s keys, acks=%s, compression=%s, linger.ms=%d, broker %s\n", s.records,
              s.value_size, s.keyed ? "1000 distinct" : "null", s.acks.c_str(), s.compression.c_str(), s.linger_ms,
              bootstrap.c_str());
  std::vector<double> rate[2], cpu_us[2];
  const char* names[2] = {"kclient", "librdkafka"};
  for (int run = 0; run < runs; ++run) {
    for (int c = 0; c < 2; ++c) {
      const int client = (run % 2 == 0) ? c : 1 - c;  // A B, then B A
      const std::string topic = "bench-" + std::to_string(run) + "-" + names[client];
      RunResult r = client == 0 ? RunKclient(bootstrap, topic, s) : RunLibrdkafka(bootstrap, topic, s);
      const double rps = r.seconds > 0 ? s.records / r.seconds : 0;
      const double us = r.cpu_seconds * 1e6 / s.records;
      rate[client].push_back(rps);
      cpu_us[client].push_back(us);
      std::printf("  run %d %-10s %10.0f records/s  %6.3f us CPU/record  %ld failed\n", run, names[client], rps, us,
                  r.failures);
    }
  }
  kclient::bench::PrintMedians(rate, cpu_us);
  return 0;
}
