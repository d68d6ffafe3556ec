// The controller's rules for creating topics and partitions, shared by the CreateTopics and
// CreatePartitions handlers: Kafka's topic-name messages, its checks of a manual replica
// assignment, and replica placement over live brokers (with stopped brokers, which Kafka would
// call fenced, used only as followers when the live ones are too few). The error codes and
// messages are Kafka 4.1's (Topic.validate, ReplicationControlManager, StripedReplicaPlacer),
// checked against a running 4.1.1 broker.
//
// Thread-safety: loop thread only (reads and changes cluster state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/cluster.h"
#include "kclient/result.h"

namespace kclient::broker {

using ReplicaAssignment = std::vector<std::vector<int32_t>>;  // per new partition, its replicas

// Kafka's Topic.validate: INVALID_TOPIC_EXCEPTION "Topic name is invalid: ..." or ok.
Status ValidateTopicName(std::string_view name);
// ValidateTopicName, and a name that differs from an existing topic only in '.' against '_'
// (they collide in metric names) is refused too, as the controller does.
Status ValidateNewTopicName(Cluster& cluster, std::string_view name);

// Kafka's validateManualPartitionAssignment: a non-empty list of distinct registered brokers,
// of `replication_factor` entries when given. INVALID_REPLICA_ASSIGNMENT otherwise.
Status ValidateManualAssignment(Cluster& cluster, const std::vector<int32_t>& replicas,
                                std::optional<size_t> replication_factor);

// Replicas for partitions first_partition..first_partition+count-1: live brokers round robin
// (the leader first), stopped ones as extra followers only when the live ones are too few.
// INVALID_REPLICATION_FACTOR with Kafka's placer message when the cluster has too few brokers.
Result<ReplicaAssignment> PlaceReplicas(Cluster& cluster, int32_t first_partition, int32_t count,
                                        int16_t replication_factor);

// Whether every replica of the assignment runs on a live broker.
bool AllLive(Cluster& cluster, const ReplicaAssignment& assignment);

// Gives the topic's existing partitions from `first_partition` on the replicas of `assignment`
// (replacing the registry's default placement): each partition's ISR is its live replicas, led
// by the first. Saves the topic list when the cluster keeps one (KAFKA_STORAGE_ERROR if that
// fails).
Status ApplyAssignment(Cluster& cluster, TopicState* topic, int32_t first_partition, const ReplicaAssignment& assignment);

// Every broker id, live or stopped: a list the registry can place any replication factor the
// cluster allows on, before ApplyAssignment sets the real replicas.
std::vector<int32_t> AllBrokerIds(Cluster& cluster);

}  // namespace kclient::broker
