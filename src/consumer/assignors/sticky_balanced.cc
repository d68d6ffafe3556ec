// AssignBalanced: the sticky assignment when every member may take every partition.
//
// With P partitions and N members, `extra` = P mod N members get ceil(P/N) partitions and the rest
// floor(P/N). A member keeps its own partitions up to its quota; the extra slots go first to
// members that own enough to fill them, because a slot given to anyone else would cost one more
// move. Everything not kept is then dealt, in topic-then-partition order, to the members below
// floor(P/N) in turn, and what remains after that to members waiting for an extra slot. The
// choices match Java's where Java's do not depend on hash-map order.
#include <algorithm>
#include <deque>

#include "consumer/assignors/sticky_assignment.h"

namespace kclient::consumer {

MemberPartitions AssignBalanced(const StickyGroup& group) {
  const int members = group.member_count();
  MemberPartitions assignment(static_cast<size_t>(members));
  if (members == 0) return assignment;
  const int partitions = group.partition_count();
  const int min_quota = partitions / members;
  int extra_slots = partitions % members;

  std::vector<std::vector<int>> kept(static_cast<size_t>(members));
  for (int p = 0; p < partitions; ++p) {
    if (group.keeper(p) != StickyGroup::kNobody) kept[group.keeper(p)].push_back(p);
  }

  // Which of its own partitions a member keeps when it owns more than its quota: lowest
  // partition numbers first, then topic (Java's order), which spreads what stays over topics.
  std::vector<bool> taken(static_cast<size_t>(partitions), false);
  for (int m = 0; m < members; ++m) {
    std::vector<int>& own = kept[m];
    std::sort(own.begin(), own.end(), [&](int a, int b) {
      const TopicPartition& x = group.partition(a);
      const TopicPartition& y = group.partition(b);
      return x.partition != y.partition ? x.partition < y.partition : x.topic < y.topic;
    });
    int quota = min_quota;
    if (extra_slots > 0 && static_cast<int>(own.size()) > min_quota) {
      quota = min_quota + 1;
      --extra_slots;
    }
    own.resize(std::min(own.size(), static_cast<size_t>(quota)));
    for (int p : own) taken[p] = true;
    assignment[m] = own;
  }

  std::vector<int> below_min;        // in member order
  std::deque<int> waiting_for_extra; // at min_quota with extra slots left, in the order they got there
  for (int m = 0; m < members; ++m) {
    const int count = static_cast<int>(assignment[m].size());
    if (count < min_quota) {
      below_min.push_back(m);
    } else if (count == min_quota && extra_slots > 0) {
      waiting_for_extra.push_back(m);
    }
  }

  // Deal to members below min_quota in turn, dropping each when it reaches it; once none is
  // left, one each to those waiting for an extra slot.
  size_t turn = 0;
  for (int p = 0; p < partitions; ++p) {
    if (taken[p]) continue;
    int m;
    if (!below_min.empty()) {
      if (turn >= below_min.size()) turn = 0;
      m = below_min[turn];
      if (static_cast<int>(assignment[m].size()) + 1 == min_quota) {
        below_min.erase(below_min.begin() + static_cast<std::ptrdiff_t>(turn));
        waiting_for_extra.push_back(m);
      } else {
        ++turn;
      }
    } else {
      // The counts add up: there are exactly as many partitions left as extra slots, and at
      // least as many members waiting.
      m = waiting_for_extra.front();
      waiting_for_extra.pop_front();
    }
    assignment[m].push_back(p);
  }

  for (std::vector<int>& list : assignment) std::sort(list.begin(), list.end());
  return assignment;
}

}  // namespace kclient::consumer
