#include "consumer/assignors/range_assignor.h"

#include <algorithm>

#include "consumer/assignors/member_order.h"

namespace kclient::consumer {

GroupAssignment RangeAssignor::Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                      const std::vector<MemberSubscription>& members) {
  GroupAssignment assignment;
  for (const MemberSubscription& m : members) assignment[m.member_id];
  const std::vector<const MemberSubscription*> ordered = InJavaMemberOrder(members);

  std::vector<const MemberSubscription*> subscribers;
  for (const auto& [topic, partition_count] : partitions_per_topic) {
    if (partition_count <= 0) continue;
    subscribers.clear();
    for (const MemberSubscription* m : ordered) {
      if (std::find(m->topics.begin(), m->topics.end(), topic) != m->topics.end()) subscribers.push_back(m);
    }
    if (subscribers.empty()) continue;

    const auto n = static_cast<int32_t>(subscribers.size());
    const int32_t per_member = partition_count / n;
    const int32_t members_with_one_more = partition_count % n;
    int32_t next = 0;
    for (int32_t i = 0; i < n; ++i) {
      const int32_t take = per_member + (i < members_with_one_more ? 1 : 0);
      std::vector<TopicPartition>& out = assignment[subscribers[static_cast<size_t>(i)]->member_id];
      for (int32_t k = 0; k < take; ++k) out.push_back(TopicPartition{topic, next++});
    }
  }
  for (auto& [member, partitions] : assignment) std::sort(partitions.begin(), partitions.end());
  return assignment;
}

}  // namespace kclient::consumer
