// The user data Java's sticky assignors put in a member's subscription, so that kclient members
// can read what Java members send and send what Java leaders read.
//
// StickyAssignor (eager): the member revokes everything before it joins, so its subscription
// carries no owned partitions; what it last had travels in the user data instead, with no version
// prefix:
//   V1 (Kafka 2.3+): previous_assignment [topic string, partitions [int32]], generation int32
//   V0:              previous_assignment only
// Java writes V1 and reads V1, falling back to V0 when no generation follows.
//
// CooperativeStickyAssignor: one int32, the generation of the member's last assignment. Readers
// prefer the subscription's own generation_id (ConsumerProtocol v2+); this is for older members.
//
// Thread-safety: pure functions on values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/result.h"
#include "kclient/topic_partition.h"

namespace kclient::consumer {

struct StickyUserData {
  std::vector<TopicPartition> previous_assignment;
  std::optional<int32_t> generation;  // absent in V0
};

// V1, partitions sorted by topic then partition and grouped by topic. Topic names must fit the
// protocol (they do when they came from an assignment this member received).
std::string EncodeStickyUserData(const std::vector<TopicPartition>& previous_assignment,
                                 int32_t generation);

// V1, or V0 when fewer than four bytes follow the partitions. kLocalMalformed when the partitions
// do not parse; Java then treats the member as owning nothing, at generation -1.
Result<StickyUserData> DecodeStickyUserData(std::string_view bytes);

std::string EncodeCooperativeStickyUserData(int32_t generation);

// kLocalMalformed when fewer than four bytes; Java then uses generation -1.
Result<int32_t> DecodeCooperativeStickyUserData(std::string_view bytes);

}  // namespace kclient::consumer
