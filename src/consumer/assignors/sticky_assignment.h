// The sticky assignment that StickyAssignor and CooperativeStickyAssignor share: as balanced as
// the subscriptions allow, and within that, moving as few partitions away from the members that
// own them as it can.
//
// Two algorithms, as in Java's AbstractStickyAssignor:
//  - AssignBalanced, when every member subscribes to the same topics (the usual case): each
//    member gets floor(P/N) or ceil(P/N) partitions and keeps as many of its own as those quotas
//    allow, which is the fewest moves any balanced assignment can make.
//  - AssignGeneral, otherwise: members keep what they own, unowned partitions go to the least
//    loaded member that may take them, and then partitions are shifted, along chains of members
//    where needed, until no member could take a partition from one holding two or more more than
//    it. That leaves the assignment as balanced as the subscriptions allow (an optimal
//    semi-matching: it minimises the largest load and maximises the smallest at once).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "consumer/assignors/partition_assignor.h"
#include "consumer/assignors/sticky_group.h"

namespace kclient::consumer {

// Per member, in StickyGroup numbering, the partitions it gets, in StickyGroup numbering.
using MemberPartitions = std::vector<std::vector<int>>;

// Requires group.identical_subscriptions().
MemberPartitions AssignBalanced(const StickyGroup& group);

MemberPartitions AssignGeneral(const StickyGroup& group);

// The assignment for `members`. With `cooperative`, a partition whose owner (see StickyGroup) is
// another member, or that is disputed, is left out this round: its owner revokes it first, and it
// is assigned in the rebalance that follows (KIP-429), so no partition ever has two consumers.
GroupAssignment AssignSticky(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<StickyMember>& members, bool cooperative);

}  // namespace kclient::consumer
