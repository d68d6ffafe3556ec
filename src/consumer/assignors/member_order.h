// The order in which Java's RangeAssignor and RoundRobinAssignor take members
// (AbstractPartitionAssignor.MemberInfo): static members first, by group.instance.id, then dynamic
// members by member id. Static members keep their place across restarts, when their member ids
// change, so a restarted member gets back what it had.
//
// Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <vector>

#include "consumer/assignors/partition_assignor.h"

namespace kclient::consumer {

// Java compares instance ids and member ids as UTF-16 strings and these as bytes; the two orders
// agree for every id made of characters below U+E000, which covers ids Kafka generates.
inline bool JavaMemberOrder(const MemberSubscription& a, const MemberSubscription& b) {
  if (a.group_instance_id.has_value() != b.group_instance_id.has_value()) {
    return a.group_instance_id.has_value();
  }
  if (a.group_instance_id && *a.group_instance_id != *b.group_instance_id) {
    return *a.group_instance_id < *b.group_instance_id;
  }
  return a.member_id < b.member_id;
}

// Pointers to `members` in JavaMemberOrder.
inline std::vector<const MemberSubscription*> InJavaMemberOrder(const std::vector<MemberSubscription>& members) {
  std::vector<const MemberSubscription*> sorted;
  sorted.reserve(members.size());
  for (const MemberSubscription& m : members) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(),
            [](const MemberSubscription* a, const MemberSubscription* b) { return JavaMemberOrder(*a, *b); });
  return sorted;
}

}  // namespace kclient::consumer
