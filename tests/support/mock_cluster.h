// MockKafkaCluster: librdkafka's mock cluster (rdkafka_mock.h, from Debian's librdkafka-dev) as a
// Kafka cluster for the scenario programs (target_cluster.h), kept behind this small class so that
// librdkafka's headers stay in mock_cluster.cc. The mock API needs an rd_kafka_t to run on; this
// class owns one (a producer handle that never connects anywhere) and the cluster made on it, and
// destroys both, the cluster first.
//
// The mock advertises fewer versions than its handlers encode, and one version it serves is
// wrongly encoded; Start() sets the cluster up so that kclient can speak to it at all (librdkafka
// 2.0.2, rdkafka_mock.c and rdkafka_mock_handlers.c):
//   - Metadata: advertised v0-v2, encoded correctly up to v7. kclient needs v4+ (the first that
//     can refuse auto-creation), so it is told to serve v0-v7.
//   - ListOffsets: v4/v5 answers write LeaderEpoch as an int64 (Kafka: int32), so it is told to
//     serve v0-v3.
// Thread-safety: the mock runs on its own thread; CreateTopic may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient::testing {

class MockKafkaCluster {
 public:
  // A mock cluster of `brokers` brokers (ids 1..brokers), or an error saying why there is none.
  static Result<std::unique_ptr<MockKafkaCluster>> Start(int brokers);
  ~MockKafkaCluster();
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }

  // Creates `topic` directly in the mock (it serves no CreateTopics); leaders are spread over the
  // brokers, and the replicas are all in sync at once.
  Status CreateTopic(const std::string& topic, int partitions, int replication_factor);

 private:
  struct Handles;
  explicit MockKafkaCluster(std::unique_ptr<Handles> handles);

  std::unique_ptr<Handles> handles_;
  std::string bootstrap_;
};

}  // namespace kclient::testing
