// The values the Admin client takes and returns: topics to create; descriptions of topics,
// partitions, brokers and the cluster; and consumer groups (listings, members and their
// assignments, lag) as the brokers report them. Field names follow the Java admin client
// (NewTopic, TopicDescription, TopicPartitionInfo, Node, GroupListing, ConsumerGroupDescription,
// MemberDescription) where it has them.
//
// Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kclient/topic_partition.h"
#include "kclient/uuid.h"

namespace kclient {

/// A topic for Admin::CreateTopics: NewTopic("orders", 6, 3), or NewTopic("orders") for the
/// broker's defaults, then configs and replica_assignment as needed.
struct NewTopic {
  NewTopic() = default;
  // Implicit, so that CreateTopic({"orders", 6, 3}) reads like Java's new NewTopic("orders", 6, 3).
  NewTopic(std::string name, int32_t partitions = -1, int16_t replication_factor = -1)  // NOLINT
      : name(std::move(name)), partitions(partitions), replication_factor(replication_factor) {}

  /// The topic's name: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".
  std::string name;
  /// How many partitions. -1 (the default): the broker's num.partitions.
  int32_t partitions = -1;
  /// Copies of each partition. -1 (the default): the broker's default.replication.factor.
  int16_t replication_factor = -1;
  /// Topic config overrides ("retention.ms" -> "86400000", "cleanup.policy" -> "compact").
  std::map<std::string, std::string> configs;
  /// Explicit placement instead of the broker's: partition index (0..n-1, every one) -> replica
  /// broker ids, the first being the preferred leader. When set, `partitions` and
  /// `replication_factor` must stay -1 (the broker answers INVALID_REQUEST otherwise).
  std::map<int32_t, std::vector<int32_t>> replica_assignment;
};

/// Options of Admin::CreateTopics.
struct CreateTopicsOptions {
  /// Have the broker run every check without creating anything. Default false.
  bool validate_only = false;
  /// How long the call may take, retries included. Unset: default.api.timeout.ms.
  std::optional<std::chrono::milliseconds> timeout;
};

/// Options of Admin::CreatePartitions.
struct CreatePartitionsOptions {
  /// Have the broker run every check without adding partitions. Default false.
  bool validate_only = false;
  /// How long the call may take, retries included. Unset: default.api.timeout.ms.
  std::optional<std::chrono::milliseconds> timeout;
};

/// One partition of a described topic.
struct PartitionDescription {
  int32_t partition = 0;
  /// The leader's broker id; -1 while the partition has none.
  int32_t leader = -1;
  /// The leader epoch; -1 when the broker does not say (Metadata before v7).
  int32_t leader_epoch = -1;
  /// Every replica's broker id, the preferred leader first.
  std::vector<int32_t> replicas;
  /// The in-sync replicas.
  std::vector<int32_t> isr;
  /// Replicas on brokers that are down (Metadata v5+).
  std::vector<int32_t> offline_replicas;
};

/// A topic as the brokers describe it.
struct TopicDescription {
  std::string name;
  /// Zero when the broker does not report ids (Metadata before v10).
  Uuid topic_id;
  /// Whether the topic is one of Kafka's own (__consumer_offsets, __transaction_state).
  bool internal = false;
  /// Ordered by partition id.
  std::vector<PartitionDescription> partitions;
};

/// A broker of the cluster.
struct BrokerDescription {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;
  /// broker.rack, when the broker has one.
  std::optional<std::string> rack;
};

/// The cluster as a broker describes it.
struct ClusterDescription {
  std::string cluster_id;
  /// The broker a client should send controller requests to: one of `brokers`, or -1 when none
  /// is known (also when the cluster names a controller it does not describe). In KRaft clusters
  /// this is any live broker (they forward such requests to the controller, KIP-590).
  int32_t controller_id = -1;
  /// Ordered by id.
  std::vector<BrokerDescription> brokers;
};

/// A group as ListGroups reports it, from its coordinator.
struct GroupListing {
  std::string group_id;
  /// "consumer" for Kafka consumers (and Kafka Streams), "connect" for Connect workers, "" for a
  /// group that only has committed offsets (consumers that assign partitions themselves).
  std::string protocol_type;
  /// "Stable", "PreparingRebalance", "CompletingRebalance", "Empty", ... as the coordinator names
  /// it; std::nullopt when the broker does not report states (ListGroups before v4, Kafka < 2.6).
  std::optional<std::string> state;
  /// "classic", "consumer" (KIP-848) or "share"; std::nullopt before ListGroups v5 (Kafka < 3.8).
  std::optional<std::string> type;
};

/// A member of a described group.
struct MemberDescription {
  std::string member_id;
  /// group.instance.id of a static member (KIP-345); std::nullopt for a dynamic one.
  std::optional<std::string> group_instance_id;
  std::string client_id;
  /// The member's address as the coordinator saw it, e.g. "/10.0.0.7".
  std::string client_host;
  /// The partitions the member was assigned, sorted. Decoded only for protocol type "consumer"
  /// (or ""); empty for other group types and while the group is rebalancing.
  std::vector<TopicPartition> assignment;
};

/// A group as its coordinator describes it (DescribeGroups).
struct GroupDescription {
  std::string group_id;
  /// "Stable", "PreparingRebalance", "CompletingRebalance", "Empty", or "Dead" for a group that
  /// does not exist.
  std::string state;
  /// See GroupListing::protocol_type.
  std::string protocol_type;
  /// For consumer groups the assignor the members agreed on ("range", "roundrobin",
  /// "cooperative-sticky", ...); empty unless the group is Stable.
  std::string protocol;
  /// The broker id of the group's coordinator.
  int32_t coordinator = -1;
  /// Ordered by member id.
  std::vector<MemberDescription> members;
};

/// How far a consumer group is behind on one partition (Admin::ConsumerGroupLag).
struct PartitionLag {
  /// The group's committed offset: the next record it will read. std::nullopt when it has
  /// committed nothing for the partition (Kafka's tools print "-").
  std::optional<int64_t> committed_offset;
  /// The partition's log end offset: the offset the next record written will get.
  /// std::nullopt when the partition no longer exists (its topic was deleted or shrank).
  std::optional<int64_t> log_end_offset;
  /// log_end_offset - committed_offset: records written and not yet consumed. std::nullopt when
  /// either is unknown.
  std::optional<int64_t> lag;
};

}  // namespace kclient
