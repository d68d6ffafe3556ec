// StickyGroup: the input of the sticky assignors, indexed for the assignment algorithms, with
// every member's claim to its previous partitions resolved into one owner per partition.
//
// Members are numbered in member id order, topics in name order (only topics that exist and that
// some member subscribes to), and partitions in topic-then-partition order, so that ties broken
// by the lowest number are broken the same way on every leader.
//
// Ownership follows Java's AbstractStickyAssignor: a claim on a partition that no longer exists
// is dropped; of the members claiming a partition, the one with the highest generation owns it,
// since lower generations are out of date; two or more claims at that highest generation mean
// the claimants' state is inconsistent, and nobody keeps the partition. Unlike Java, the outcome
// does not depend on the order members are looked at when three or more claim one partition.
//
// Thread-safety: immutable after construction.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kclient/topic_partition.h"

namespace kclient::consumer {

// A member as the sticky algorithm sees it.
struct StickyMember {
  std::string member_id;
  std::vector<std::string> topics;
  std::vector<TopicPartition> claimed;  // what the member says it owns
  int32_t generation = -1;              // when it was assigned `claimed`; -1 when unknown
};

class StickyGroup {
 public:
  static constexpr int kNobody = -1;

  // `members` must have unique ids.
  StickyGroup(const std::map<std::string, int32_t>& partitions_per_topic,
              const std::vector<StickyMember>& members);

  int member_count() const { return static_cast<int>(member_ids_.size()); }
  int topic_count() const { return static_cast<int>(topic_names_.size()); }
  int partition_count() const { return static_cast<int>(partitions_.size()); }

  const std::string& member_id(int member) const { return member_ids_[member]; }
  const TopicPartition& partition(int p) const { return partitions_[p]; }
  int topic_of(int p) const { return topic_of_[p]; }
  // Partitions of `topic` are [first_partition(topic), first_partition(topic + 1)).
  int first_partition(int topic) const { return topic_first_[topic]; }
  int end_partition(int topic) const { return topic_first_[topic + 1]; }

  bool subscribes(int member, int topic) const { return subscribes_[member][topic]; }
  // The topics `member` subscribes to, and the members subscribed to `topic`, in order.
  const std::vector<int>& topics_of(int member) const { return topics_of_[member]; }
  const std::vector<int>& subscribers(int topic) const { return subscribers_[topic]; }
  // Whether every member subscribes to every topic, so that any partition may go to anyone.
  bool identical_subscriptions() const { return identical_subscriptions_; }

  // The resolved claim: the member entitled to the partition, subscribed to it or not; kNobody
  // when unclaimed or disputed.
  int owner(int p) const { return owner_[p]; }
  // The best claim below the owner's generation (Java's "previous assignment"): when balance
  // takes the partition from its owner, it goes back there if it can. kNobody when none.
  int previous_owner(int p) const { return previous_owner_[p]; }
  // Claimed by two or more members at the same, highest, generation.
  bool disputed(int p) const { return disputed_[p]; }
  // The owner if it is still subscribed to the partition's topic: who keeps it if balance allows.
  int keeper(int p) const {
    const int o = owner_[p];
    return o != kNobody && subscribes(o, topic_of_[p]) ? o : kNobody;
  }

 private:
  std::vector<std::string> member_ids_;
  std::vector<std::string> topic_names_;
  std::vector<int> topic_first_;  // topic_count() + 1 entries
  std::vector<TopicPartition> partitions_;
  std::vector<int> topic_of_;
  std::vector<std::vector<bool>> subscribes_;  // [member][topic]
  std::vector<std::vector<int>> topics_of_;
  std::vector<std::vector<int>> subscribers_;
  bool identical_subscriptions_ = true;
  std::vector<int> owner_;
  std::vector<int> previous_owner_;
  std::vector<bool> disputed_;
};

}  // namespace kclient::consumer
