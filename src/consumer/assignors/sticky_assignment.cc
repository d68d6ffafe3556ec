#include "consumer/assignors/sticky_assignment.h"

namespace kclient::consumer {

GroupAssignment AssignSticky(const std::map<std::string, int32_t>& partitions_per_topic,
                             const std::vector<StickyMember>& members, bool cooperative) {
  const StickyGroup group(partitions_per_topic, members);
  const MemberPartitions chosen =
      group.identical_subscriptions() ? AssignBalanced(group) : AssignGeneral(group);

  GroupAssignment assignment;
  for (int m = 0; m < group.member_count(); ++m) {
    std::vector<TopicPartition>& out = assignment[group.member_id(m)];
    for (int p : chosen[m]) {
      const bool someone_else_owns = group.disputed(p) ||
                                     (group.owner(p) != StickyGroup::kNobody && group.owner(p) != m);
      if (cooperative && someone_else_owns) continue;
      out.push_back(group.partition(p));
    }
  }
  return assignment;
}

}  // namespace kclient::consumer
