// Admin: topic and cluster administration — create, delete and grow topics, list and describe
// them, describe the cluster and a topic's configs. What producers, services and tests need to
// set up the topics they use.
//
//   auto admin = kclient::Admin::Create(options);                  // Result<std::unique_ptr<...>>
//   kclient::Status s = (*admin)->CreateTopic({"orders", 6, 3});  // 6 partitions, 3 replicas
//   if (s.code() == kclient::ErrorCode::kTopicAlreadyExists) { ... }
//   auto description = (*admin)->DescribeTopic("orders");        // Result<TopicDescription>
//
// Every call is synchronous: it returns once the brokers have answered, or its timeout (the
// call's own, else default.api.timeout.ms) has passed, or the client was closed. Calls retry
// what is worth retrying — lost connections, request timeouts, NOT_CONTROLLER, quota throttling —
// with exponential backoff (retry.backoff.ms up to retry.backoff.max.ms) until the timeout, which
// then fails them with kLocalTimedOut naming the last error. Other errors are returned as the
// broker gave them: ErrorCode values from status.h (TOPIC_ALREADY_EXISTS,
// UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICATION_FACTOR, ...), with the broker's message.
//
// Requests that change topics go to the controller Metadata names; in KRaft clusters that is any
// live broker, which forwards them to the real controller (KIP-590).
//
// Threads: every method may be called from any number of threads at once. The work runs on one
// internal I/O thread; no user code ever runs on it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kclient/admin_options.h"
#include "kclient/admin_types.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

class Admin {
 public:
  /// Validates `options` and starts the I/O thread. Fails only for invalid options
  /// (kLocalInvalidConfig); brokers are contacted by the calls (an unreachable cluster shows up
  /// as calls timing out).
  static Result<std::unique_ptr<Admin>> Create(const AdminOptions& options);
  /// The same, from Kafka property names (AdminOptions::FromProperties).
  static Result<std::unique_ptr<Admin>> Create(const Properties& properties);

  /// Close(). No call may still be starting on another thread once destruction begins.
  virtual ~Admin() = default;

  /// Creates topics. Returns one Status per distinct name asked for: ok, or why that topic was not
  /// created (TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
  /// INVALID_REPLICATION_FACTOR, INVALID_CONFIG, INVALID_REQUEST, POLICY_VIOLATION, ...; a name
  /// given twice is created once). Each topic succeeds or fails on its own. With validate_only
  /// the broker checks and creates nothing. A retry after an answer was lost may report
  /// TOPIC_ALREADY_EXISTS for a topic this very call created.
  virtual std::map<std::string, Status> CreateTopics(const std::vector<NewTopic>& topics,
                                                     const CreateTopicsOptions& options = {}) = 0;
  /// CreateTopics for one topic.
  Status CreateTopic(const NewTopic& topic, const CreateTopicsOptions& options = {});

  /// Deletes topics with all their data. One Status per distinct name: ok, or why not
  /// (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_DELETION_DISABLED, ...).
  virtual std::map<std::string, Status> DeleteTopics(
      const std::vector<std::string>& names, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// Grows topics to a new total partition count (topic -> count), the new partitions placed by
  /// the broker. One Status per topic: ok, or why not (INVALID_PARTITIONS when the count is not an
  /// increase, UNKNOWN_TOPIC_OR_PARTITION, ...).
  virtual std::map<std::string, Status> CreatePartitions(const std::map<std::string, int32_t>& new_partition_counts,
                                                         const CreatePartitionsOptions& options = {}) = 0;

  /// The names of every topic, sorted; Kafka's internal topics only with `include_internal`.
  virtual Result<std::vector<std::string>> ListTopics(
      bool include_internal = false, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// Describes topics: one entry per distinct name, the description or why there is none
  /// (UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist; asking never creates one).
  /// Right after CreateTopics, a broker that has not yet heard of the topic may still answer
  /// UNKNOWN_TOPIC_OR_PARTITION, as in Kafka.
  virtual std::map<std::string, Result<TopicDescription>> DescribeTopics(
      const std::vector<std::string>& names, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;
  /// DescribeTopics for one topic.
  Result<TopicDescription> DescribeTopic(const std::string& name,
                                         std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// The cluster id, the controller and the live brokers. Uses the DescribeCluster API where the
  /// broker has it (Kafka 2.8+), else Metadata.
  virtual Result<ClusterDescription> DescribeCluster(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// A topic's effective configs, name -> value, defaults included (DescribeConfigs). Configs
  /// the broker does not reveal (sensitive ones) are left out.
  virtual Result<std::map<std::string, std::string>> DescribeTopicConfigs(
      const std::string& topic, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// Stops the I/O thread and closes every connection. Calls in progress on other threads return
  /// at once with kLocalClosed, as do later calls. Never waits for brokers. Idempotent.
  virtual void Close() = 0;

 protected:
  Admin() = default;
};

}  // namespace kclient
