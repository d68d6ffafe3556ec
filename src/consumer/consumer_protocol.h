// ConsumerProtocol: the bytes consumer-group members exchange through the group coordinator,
// written and read exactly as Java's ConsumerProtocol does, so that Java, librdkafka and kclient
// members can share a group.
//
// A member's JoinGroup metadata for protocol type "consumer" is an encoded Subscription; the
// leader's SyncGroup assignments, and what each member gets back, are encoded Assignments. Both
// are a big-endian int16 version followed by a non-flexible struct (Kafka's
// ConsumerProtocolSubscription and ConsumerProtocolAssignment schemas, versions 0-3):
//
//   Subscription v0: topics [string], user_data nullable bytes
//                v1: + owned_partitions [topic string, partitions [int32]]
//                v2: + generation_id int32
//                v3: + rack_id nullable string
//   Assignment v0-3: assigned_partitions [topic string, partitions [int32]], user_data nullable bytes
//
// Newer versions only ever append fields, so a decoder reads a version above 3 as version 3 and
// ignores what follows (Java does the same); a negative version is malformed.
//
// Thread-safety: pure functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kclient/result.h"
#include "kclient/topic_partition.h"
#include "protocol/types.h"

namespace kclient::consumer {

// The protocol type consumer groups register with JoinGroup.
inline constexpr std::string_view kConsumerProtocolType = "consumer";

// The highest Subscription and Assignment version this code knows; what Java 3.5+ writes.
inline constexpr int16_t kConsumerProtocolVersion = 3;

struct Subscription {
  std::vector<std::string> topics;
  // The chosen assignor's own data (see PartitionAssignor::SubscriptionUserData); null when absent.
  std::optional<std::string> user_data;
  // v1+: what the member owns as it joins (cooperative members; eager members revoke first).
  std::vector<TopicPartition> owned_partitions;
  // v2+: the generation in which owned_partitions were assigned; -1 when unknown.
  int32_t generation_id = -1;
  // v3+: client.rack, for rack-aware assignors.
  std::optional<std::string> rack_id;

  friend bool operator==(const Subscription&, const Subscription&) = default;
};

struct Assignment {
  std::vector<TopicPartition> partitions;
  std::optional<std::string> user_data;  // null when absent; no built-in assignor sets it

  friend bool operator==(const Assignment&, const Assignment&) = default;
};

// Encodes `subscription` at `version` as Java's ConsumerProtocol.serializeSubscription does:
// topics sorted, owned partitions sorted by topic then partition and grouped by topic, fields
// newer than `version` left out. Versions above 3 are written as 3 (as Java does), below 0 as 0.
// kLocalInvalidArgument when a string does not fit the protocol (over 32767 bytes).
Result<protocol::Bytes> EncodeSubscription(const Subscription& subscription,
                                           int16_t version = kConsumerProtocolVersion);

// Decodes a Subscription of any version >= 0; fields its version lacks keep their defaults.
// kLocalMalformed when the bytes do not hold one.
Result<Subscription> DecodeSubscription(std::span<const uint8_t> bytes);

// Encodes `assignment` at `version` as Java's ConsumerProtocol.serializeAssignment does:
// partitions grouped by topic in order of each topic's first appearance, in their given order.
// The layout is the same at every version; the version is clamped to 0..3 as above.
// kLocalInvalidArgument when a topic name does not fit the protocol.
Result<protocol::Bytes> EncodeAssignment(const Assignment& assignment,
                                         int16_t version = kConsumerProtocolVersion);

// Decodes an Assignment of any version >= 0. kLocalMalformed when the bytes do not hold one.
Result<Assignment> DecodeAssignment(std::span<const uint8_t> bytes);

}  // namespace kclient::consumer
