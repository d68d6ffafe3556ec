// What the data-plane handlers (Produce, Fetch, ListOffsets, OffsetForLeaderEpoch,
// DeleteRecords) share: the topic configs they honour, with Kafka's defaults, and the checks
// Kafka's Partition applies before reading or writing a replica (leadership, leader epoch).
//
// Thread-safety: loop thread only, like the state it reads.
#pragma once

#include <cstdint>
#include <string_view>

#include "broker/topics.h"
#include "kclient/error_code.h"

namespace kclient::broker {

class Cluster;

// A topic's effective configuration: its own setting where it has one, else the cluster's (or
// Kafka's) default.
struct TopicPolicy {
  int32_t max_message_bytes = 0;         // max.message.bytes
  int32_t min_insync_replicas = 1;       // min.insync.replicas
  bool log_append_time = false;          // message.timestamp.type=LogAppendTime
  int64_t timestamp_before_max_ms = 0;   // message.timestamp.before.max.ms
  int64_t timestamp_after_max_ms = 0;    // message.timestamp.after.max.ms
  bool compact = false;                  // cleanup.policy contains compact
  bool delete_policy = true;             // cleanup.policy contains delete

  static TopicPolicy For(const Cluster& cluster, const TopicState& topic);
};

// Kafka 4's message.timestamp.after.max.ms default (KIP-1030 lowered it to one hour).
inline constexpr int64_t kDefaultTimestampAfterMaxMs = 3600000;

// Partition.checkCurrentLeaderEpoch: -1 skips the check; an older epoch is FENCED_LEADER_EPOCH,
// a newer one UNKNOWN_LEADER_EPOCH.
ErrorCode CheckLeaderEpoch(const PartitionState& p, int32_t current_leader_epoch);

// The partition leader epoch stored in the log's `index`-th batch.
int32_t StoredLeaderEpoch(const PartitionLog& log, size_t index);

// Kafka's effective ISR floor for acks=all: min.insync.replicas, capped at the replication
// factor (Partition.effectiveMinIsr, Kafka 3.7+ via KAFKA-15583; before 3.7 there was no cap, and
// a topic with fewer replicas than min.insync.replicas refused every acks=all write). Kafka never
// rejects such a topic config, at creation or later.
int32_t EffectiveMinIsr(const TopicPolicy& policy, const PartitionState& p);

// Whether topic configs name `value` in a comma-separated list (cleanup.policy).
bool ListContains(std::string_view list, std::string_view value);

}  // namespace kclient::broker
