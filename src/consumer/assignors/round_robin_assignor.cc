#include "consumer/assignors/round_robin_assignor.h"

#include <algorithm>
#include <set>

#include "consumer/assignors/member_order.h"

namespace kclient::consumer {
namespace {

bool Subscribes(const MemberSubscription& m, const std::string& topic) {
  return std::find(m.topics.begin(), m.topics.end(), topic) != m.topics.end();
}

}  // namespace

GroupAssignment RoundRobinAssignor::Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                           const std::vector<MemberSubscription>& members) {
  GroupAssignment assignment;
  for (const MemberSubscription& m : members) assignment[m.member_id];
  const std::vector<const MemberSubscription*> ordered = InJavaMemberOrder(members);

  std::set<std::string> subscribed_topics;
  for (const MemberSubscription& m : members) subscribed_topics.insert(m.topics.begin(), m.topics.end());

  // One cursor goes round all members for all topics, so the deal continues where the previous
  // topic stopped rather than starting over at the first member.
  size_t cursor = 0;
  for (const std::string& topic : subscribed_topics) {
    auto count = partitions_per_topic.find(topic);
    if (count == partitions_per_topic.end()) continue;
    for (int32_t p = 0; p < count->second; ++p) {
      // Some member subscribes to `topic`, so this stops within one turn.
      while (!Subscribes(*ordered[cursor], topic)) cursor = (cursor + 1) % ordered.size();
      assignment[ordered[cursor]->member_id].push_back(TopicPartition{topic, p});
      cursor = (cursor + 1) % ordered.size();
    }
  }
  for (auto& [member, partitions] : assignment) std::sort(partitions.begin(), partitions.end());
  return assignment;
}

}  // namespace kclient::consumer
