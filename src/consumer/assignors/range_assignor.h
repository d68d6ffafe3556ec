// RangeAssignor ("range"), Java's default: topic by topic, the members subscribed to the topic
// (in Java's member order: static members by group.instance.id, then the rest by member id) each
// get a contiguous range of its partitions; when they do not divide evenly, the first members get
// one more. Members subscribed to the same topics get the same partition numbers of each, which
// suits joins of co-partitioned topics.
//
// Java's rack-aware variant (KIP-881) needs partition replica racks, which Assign is not given, so
// like Java without them it ignores client.rack.
//
// Thread-safety: stateless; see partition_assignor.h.
#pragma once

#include "consumer/assignors/partition_assignor.h"

namespace kclient::consumer {

class RangeAssignor final : public PartitionAssignor {
 public:
  static constexpr std::string_view kName = "range";

  std::string_view name() const override { return kName; }
  GroupAssignment Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                         const std::vector<MemberSubscription>& members) override;
};

}  // namespace kclient::consumer
