#include "mock_cluster.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace kclient::testing {

namespace {

// Kafka API keys (librdkafka keeps its RD_KAFKAP_* names in a private header).
constexpr int16_t kListOffsetsKey = 2;
constexpr int16_t kMetadataKey = 3;

}  // namespace

struct MockKafkaCluster::Handles {
  rd_kafka_t* rk = nullptr;
  rd_kafka_mock_cluster_t* mock = nullptr;

  ~Handles() {
    if (mock != nullptr) rd_kafka_mock_cluster_destroy(mock);
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};

Result<std::unique_ptr<MockKafkaCluster>> MockKafkaCluster::Start(int brokers) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The handle only hosts the mock and never connects, which librdkafka would warn about (level 5).
  if (rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return Status(ErrorCode::kLocalInvalidConfig, std::string("librdkafka log_level: ") + err);
  }
  auto handles = std::make_unique<Handles>();
  handles->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);  // owns conf from here on
  if (handles->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status(ErrorCode::kLocalInvalidConfig, std::string("rd_kafka_new: ") + err);
  }
  handles->mock = rd_kafka_mock_cluster_new(handles->rk, brokers);
  if (handles->mock == nullptr) return Status(ErrorCode::kLocalIo, "rd_kafka_mock_cluster_new failed");
  for (auto [key, max] : {std::pair<int16_t, int16_t>{kMetadataKey, 7}, {kListOffsetsKey, 3}}) {
    const rd_kafka_resp_err_t e = rd_kafka_mock_set_apiversion(handles->mock, key, 0, max);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(ErrorCode::kLocalIo, "rd_kafka_mock_set_apiversion(" + std::to_string(key) +
                                             "): " + rd_kafka_err2str(e));
    }
  }
  std::unique_ptr<MockKafkaCluster> cluster(new MockKafkaCluster(std::move(handles)));
  return cluster;
}

MockKafkaCluster::MockKafkaCluster(std::unique_ptr<Handles> handles)
    : handles_(std::move(handles)), bootstrap_(rd_kafka_mock_cluster_bootstraps(handles_->mock)) {}

MockKafkaCluster::~MockKafkaCluster() = default;

Status MockKafkaCluster::CreateTopic(const std::string& topic, int partitions, int replication_factor) {
  const rd_kafka_resp_err_t e =
      rd_kafka_mock_topic_create(handles_->mock, topic.c_str(), partitions, replication_factor);
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) return Status();
  return Status(ErrorCode::kLocalIo, "rd_kafka_mock_topic_create(" + topic + "): " + rd_kafka_err2str(e));
}

}  // namespace kclient::testing
