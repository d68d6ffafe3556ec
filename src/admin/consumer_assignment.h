// The partitions of a consumer group member's assignment, from the bytes DescribeGroups returns
// for it: Kafka's ConsumerProtocolAssignment — int16 version, then [topic: string,
// partitions: [int32]], then user data (nullable bytes). Every version so far has this layout
// (later ones may only append fields, which Kafka's own decoder relies on too), so any version
// from 0 up is read the same way; only the topic partitions are read.
//
// To be replaced by consumer/consumer_protocol.h (the consumer's encoder and decoder of the whole
// consumer protocol) when that lands; this exists only so that the admin client need not wait.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "kclient/result.h"
#include "kclient/topic_partition.h"

namespace kclient::admin {

/// The assigned topic partitions, in the order encoded; kLocalMalformed for bytes that are not an
/// assignment (truncated, a negative version, a null array).
Result<std::vector<TopicPartition>> DecodeAssignedPartitions(std::span<const uint8_t> assignment);

}  // namespace kclient::admin
