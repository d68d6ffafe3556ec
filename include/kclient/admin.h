// Admin: topic, cluster and consumer-group administration — create, delete and grow topics, list
// and describe them, describe the cluster and a topic's configs; list consumer groups, describe
// their members and assignments, read their committed offsets and how far they lag behind. What
// producers, services, tests and operators need to set up topics and watch their consumers.
//
//   auto admin = kclient::Admin::Create(options);                  // Result<std::unique_ptr<...>>
//   kclient::Status s = (*admin)->CreateTopic({"orders", 6, 3});  // 6 partitions, 3 replicas
//   if (s.code() == kclient::ErrorCode::kTopicAlreadyExists) { ... }
//   auto description = (*admin)->DescribeTopic("orders");        // Result<TopicDescription>
//   auto lag = (*admin)->ConsumerGroupLag("billing");            // per partition: committed, end, lag
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
// live broker, which forwards them to the real controller (KIP-590). Requests about a group go to
// its coordinator, found with FindCoordinator; COORDINATOR_NOT_AVAILABLE and NOT_COORDINATOR
// (the group moved) make the call look the coordinator up again and retry,
// COORDINATOR_LOAD_IN_PROGRESS retries the same coordinator, as in Java. Group errors that are
// answers — GROUP_AUTHORIZATION_FAILED, GROUP_ID_NOT_FOUND — are returned.
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
#include "kclient/consumer_record.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"
#include "kclient/topic_partition.h"

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

  /// Every group of the cluster, of any type, sorted by group id. Groups live on their
  /// coordinators, so this asks every broker Metadata lists (ListGroups) and merges the answers;
  /// it fails if any broker cannot answer before the timeout (its groups would be missing).
  /// A group whose coordinator is moving may briefly be missing or, rarely, reported twice (once
  /// is kept).
  virtual Result<std::vector<GroupListing>> ListGroups(
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// Describes groups: one entry per distinct id, the description (state, assignor, coordinator,
  /// members and their assigned partitions) or why there is none (GROUP_AUTHORIZATION_FAILED,
  /// ...). A group that does not exist is described as state "Dead" with no members — what
  /// brokers before Kafka 4.0 answer; the GROUP_ID_NOT_FOUND newer ones answer (DescribeGroups
  /// v6) is turned into the same description, so the answer does not depend on the broker.
  virtual std::map<std::string, Result<GroupDescription>> DescribeGroups(
      const std::vector<std::string>& group_ids, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;
  /// DescribeGroups for one group.
  Result<GroupDescription> DescribeGroup(const std::string& group_id,
                                         std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// A group's committed offsets (OffsetFetch): for `partitions`, or, when std::nullopt, every
  /// partition the group has committed. Partitions without a committed offset are not in the map,
  /// nor are partitions the broker answers with an error of their own (TOPIC_AUTHORIZATION_FAILED,
  /// ...), as in Java. A group that does not exist has committed nothing: an empty map.
  virtual Result<std::map<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsets(
      const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions = std::nullopt,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// How far a consumer group is behind, per partition: every partition it has committed an offset
  /// for and every partition assigned to one of its members, with the committed offset, the log
  /// end offset (ListOffsets "latest" from each partition's leader, read-uncommitted, as Kafka's
  /// kafka-consumer-groups tool) and lag = end - committed. A partition assigned but never
  /// committed has committed_offset and lag std::nullopt (the tool's "-"); a committed partition
  /// that no longer exists has log_end_offset and lag std::nullopt. GROUP_ID_NOT_FOUND for a group
  /// that does not exist. The commits are read before the ends, so while the group is consuming a
  /// lag may come out a little high, never low. The timeout covers the three steps together.
  virtual Result<std::map<TopicPartition, PartitionLag>> ConsumerGroupLag(
      const std::string& group_id, std::optional<std::chrono::milliseconds> timeout = std::nullopt) = 0;

  /// Stops the I/O thread and closes every connection. Calls in progress on other threads return
  /// at once with kLocalClosed, as do later calls. Never waits for brokers. Idempotent.
  virtual void Close() = 0;

 protected:
  Admin() = default;
};

}  // namespace kclient
