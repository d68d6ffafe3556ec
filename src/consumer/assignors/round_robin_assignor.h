// RoundRobinAssignor ("roundrobin"): every subscribed partition, sorted by topic then partition,
// is dealt in turn around the members (in Java's member order: static members by
// group.instance.id, then the rest by member id), skipping members not subscribed to its topic.
// With identical subscriptions the counts differ by at most one.
//
// Thread-safety: stateless; see partition_assignor.h.
#pragma once

#include "consumer/assignors/partition_assignor.h"

namespace kclient::consumer {

class RoundRobinAssignor final : public PartitionAssignor {
 public:
  static constexpr std::string_view kName = "roundrobin";

  std::string_view name() const override { return kName; }
  GroupAssignment Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                         const std::vector<MemberSubscription>& members) override;
};

}  // namespace kclient::consumer
