// The sticky assignors: as balanced as the subscriptions allow, and within that, keeping as many
// partitions with their previous owners as possible (see sticky_assignment.h).
//
// StickyAssignor ("sticky") follows the eager protocol: members revoke everything before they
// join, so each one's previous partitions and their generation travel in its user data
// (sticky_user_data.h). A member that sent none is taken to own its subscription's
// owned_partitions at its generation, which eager members leave empty.
//
// CooperativeStickyAssignor ("cooperative-sticky") follows the cooperative protocol: members keep
// consuming while they rebalance and report what they own in owned_partitions, with the
// generation in the subscription (v2+) or, from older members, in the user data. A partition
// changing hands is left out of the new owner's assignment until its old owner has revoked it
// and rejoined, as in Java.
//
// Neither does Java's rack-aware assignment (KIP-881): Assign is not given replica racks.
//
// Thread-safety: stateless; see partition_assignor.h.
#pragma once

#include "consumer/assignors/partition_assignor.h"

namespace kclient::consumer {

class StickyAssignor final : public PartitionAssignor {
 public:
  static constexpr std::string_view kName = "sticky";

  std::string_view name() const override { return kName; }
  GroupAssignment Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                         const std::vector<MemberSubscription>& members) override;
  // Nothing before the first assignment, then the previous assignment and its generation.
  std::optional<std::string> SubscriptionUserData(
      const std::optional<PreviousAssignment>& previous) const override;
};

class CooperativeStickyAssignor final : public PartitionAssignor {
 public:
  static constexpr std::string_view kName = "cooperative-sticky";

  std::string_view name() const override { return kName; }
  bool cooperative() const override { return true; }
  GroupAssignment Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                         const std::vector<MemberSubscription>& members) override;
  // The previous assignment's generation, -1 before the first.
  std::optional<std::string> SubscriptionUserData(
      const std::optional<PreviousAssignment>& previous) const override;
};

}  // namespace kclient::consumer
