// kclient-bench-consumer: consumer throughput and client CPU per record, kclient against
// librdkafka, reading the same pre-filled topic from the same broker.
//
// The topic (--records records of --value-size bytes over --partitions partitions) is filled
// once by a librdkafka producer. Each run reads all of it from the beginning with partitions
// assigned directly (no group), and stops when every record was seen. Runs alternate between
// the clients (A B A B ...) and the medians are compared. The broker is kclient-broker in a child
// process (or --bootstrap), so getrusage() of this process is the client's CPU alone.
//
//   kclient-bench-consumer [--runs 5] [--records 1000000] [--value-size 100] [--partitions 3]
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "bench_stats.h"
#include "broker_process.h"
#include "kclient/consumer.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;
  long records = 0;
};

bool Fill(const std::string& bootstrap, const std::string& topic, long records, int value_size) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "linger.ms", "20", err, sizeof err);
  rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == nullptr) return false;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  std::string value(static_cast<size_t>(value_size), 'v');
  for (long i = 0; i < records; ++i) {
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), nullptr, 0,
                            nullptr) != 0) {
      rd_kafka_poll(rk, 10);
    }
  }
  const bool ok = rd_kafka_flush(rk, 120000) == RD_KAFKA_RESP_ERR_NO_ERROR;
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return ok;
}

Run ReadKclient(const std::string& bootstrap, const std::string& topic, int partitions, long expected) {
  auto consumer = kclient::Consumer::Create(kclient::Properties{{"bootstrap.servers", bootstrap},
                                                                {"auto.offset.reset", "earliest"}});
  if (!consumer.ok()) return {};
  std::vector<kclient::TopicPartition> all;
  for (int p = 0; p < partitions; ++p) all.push_back({topic, p});
  (void)(*consumer)->Assign(all);
  Run run;
  const double cpu0 = kclient::bench::ProcessCpuSeconds();
  const auto t0 = Clock::now();
  size_t bytes = 0;
  while (run.records < expected && Clock::now() - t0 < std::chrono::seconds(120)) {
    auto records = (*consumer)->Poll(std::chrono::milliseconds(500));
    if (!records.ok()) continue;
    for (const auto& r : *records) bytes += r.value ? r.value->size() : 0;  // touch every record
    run.records += static_cast<long>(records->size());
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  run.cpu_seconds = kclient::bench::ProcessCpuSeconds() - cpu0;
  (void)(*consumer)->Close();
  return bytes > 0 ? run : Run{};
}

Run ReadLibrdkafka(const std::string& bootstrap, const std::string& topic, int partitions, long expected) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "unused", err, sizeof err);  // required, assign() uses none
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.partition.eof", "false", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) return {};
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  Run run;
  size_t bytes = 0;
  const double cpu0 = kclient::bench::ProcessCpuSeconds();
  const auto t0 = Clock::now();
  while (run.records < expected && Clock::now() - t0 < std::chrono::seconds(120)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 500);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bytes += m->len;
      ++run.records;
    }
    rd_kafka_message_destroy(m);
  }
  run.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  run.cpu_seconds = kclient::bench::ProcessCpuSeconds() - cpu0;
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return bytes > 0 ? run : Run{};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kclient vs librdkafka consumer throughput"};
  int runs = 5, value_size = 100, partitions = 3;
  long records = 1000000;
  std::string bootstrap, broker = KCLIENT_BROKER_BINARY;
  app.add_option("--runs", runs, "runs per client (interleaved)");
  app.add_option("--records", records, "records in the topic");
  app.add_option("--value-size", value_size, "value bytes");
  app.add_option("--partitions", partitions, "partitions of the topic (bundled broker)");
  app.add_option("--bootstrap", bootstrap, "an existing cluster (default: spawn kclient-broker)");
  app.add_option("--broker", broker, "kclient-broker binary");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<kclient::bench::BrokerProcess> process;
  if (bootstrap.empty()) {
    process = kclient::bench::BrokerProcess::Start(broker, {"--partitions", std::to_string(partitions)});
    if (!process) return 1;
    bootstrap = process->bootstrap_servers();
  }
  const std::string topic = "bench-consume-" + std::to_string(Clock::now().time_since_epoch().count());
  if (!Fill(bootstrap, topic, records, value_size)) {
    std::fprintf(stderr, "could not fill %s\n", topic.c_str());
    return 1;
  }
  std::printf("consumer: %ld records x %d B over %d partitions, broker %s\n", records, value_size, partitions,
              bootstrap.c_str());
  const char* names[2] = {"kclient", "librdkafka"};
  std::vector<double> rate[2], cpu_us[2];
  for (int run = 0; run < runs; ++run) {
    for (int c = 0; c < 2; ++c) {
      const int client = (run % 2 == 0) ? c : 1 - c;
      Run r = client == 0 ? ReadKclient(bootstrap, topic, partitions, records)
                          : ReadLibrdkafka(bootstrap, topic, partitions, records);
      const double rps = r.seconds > 0 && r.records >= records ? r.records / r.seconds : 0;
      const double us = r.records > 0 ? r.cpu_seconds * 1e6 / static_cast<double>(r.records) : 0;
      rate[client].push_back(rps);
      cpu_us[client].push_back(us);
      std::printf("  run %d %-10s %10.0f records/s  %6.3f us CPU/record  (%ld read)\n", run, names[client], rps, us,
                  r.records);
    }
  }
  kclient::bench::PrintMedians(rate, cpu_us);
  return 0;
}
