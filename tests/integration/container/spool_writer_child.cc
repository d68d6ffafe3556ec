// A process that publishes through a KafkaTemplate with a spool while its cluster is unreachable,
// for spool_replay_test's kill -9 scenario. Every record it reports as spooled is on disk (fsynced)
// when the line is printed; the test kills it with SIGKILL at some point after "ready", and then
// replays the spool.
//
//   spool_writer_child <bootstrap> <spool dir> <topic> <records before "ready">
//
// Prints "spooled <i>" per record (key "k<i % 4>", value "<i>"), then "ready" after the given
// number, and goes on spooling until killed (or for at most 120 s). Exits 3 if a record is not
// spooled.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "kclient/container/kafka_template.h"
#include "kclient/container/spool.h"
#include "kclient/producer.h"

using namespace kclient;
using namespace kclient::container;

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s <bootstrap> <spool dir> <topic> <count>\n", argv[0]);
    return 2;
  }
  const std::string topic = argv[3];
  const long ready_after = std::atol(argv[4]);
  ProducerOptions producer_options;
  producer_options.client.bootstrap_servers = argv[1];
  producer_options.client.request_timeout_ms = 1000;
  producer_options.max_block_ms = 100;  // the cluster is down: give up on metadata quickly
  producer_options.delivery_timeout_ms = 1500;
  auto producer = Producer::Create(producer_options);
  if (!producer.ok()) {
    std::fprintf(stderr, "producer: %s\n", producer.status().ToString().c_str());
    return 2;
  }
  SpoolOptions spool_options;
  spool_options.directory = argv[2];
  auto spool = Spool::Open(spool_options);
  if (!spool.ok()) {
    std::fprintf(stderr, "spool: %s\n", spool.status().ToString().c_str());
    return 2;
  }
  TemplateOptions options;
  options.spool = std::move(*spool);
  KafkaTemplate<std::string, std::string, StringSerializer, StringSerializer> records(**producer, options);

  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  for (long i = 0; std::chrono::steady_clock::now() < give_up; ++i) {
    SendResult r = records.Send(topic, "k" + std::to_string(i % 4), std::to_string(i)).get();
    if (!r.spooled()) {
      std::printf("not spooled %ld: %s\n", i, r.error.ToString().c_str());
      return 3;
    }
    std::printf("spooled %ld\n", i);
    if (i + 1 == ready_after) std::printf("ready\n");
    std::fflush(stdout);
  }
  return 0;
}
