// PartitionAssignor: how the group leader divides partitions among the members of a consumer
// group, and what each member tells the leader about itself when it joins. The built-in ones are
// Java's, under Java's protocol names, so that a group mixing Java, librdkafka and kclient members
// agrees on the protocol and gets the assignment a Java leader would compute:
//   "range"              RangeAssignor               eager
//   "roundrobin"         RoundRobinAssignor          eager
//   "sticky"             StickyAssignor              eager
//   "cooperative-sticky" CooperativeStickyAssignor   cooperative (incremental, KIP-429)
//
// An eager group revokes every partition before it rebalances; a cooperative group keeps
// consuming what it keeps, and a partition moves between members over two rebalances: its owner
// revokes it after the first, and its new owner gets it in the second.
//
// Thread-safety: assignors hold no state, so one instance may serve any number of threads.
// Assign and SubscriptionUserData are deterministic: the same input gives the same output.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consumer/consumer_protocol.h"
#include "kclient/topic_partition.h"

namespace kclient::consumer {

// One member of the group as the leader sees it: its JoinGroup identity and decoded subscription.
struct MemberSubscription {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // static members (KIP-345)
  std::vector<std::string> topics;
  std::vector<TopicPartition> owned_partitions;
  int32_t generation = -1;  // of owned_partitions; -1 when unknown
  std::optional<std::string> rack_id;
  std::string user_data;  // empty when the member sent none
};

// The MemberSubscription for a member's decoded subscription, read as Java reads it: an empty
// rack id is no rack id, and null user data is empty.
MemberSubscription ToMemberSubscription(std::string member_id,
                                        std::optional<std::string> group_instance_id,
                                        Subscription subscription);

// What a member was last assigned and in which generation: the state Java's assignors keep from
// onAssignment and put in the member's next subscription.
struct PreviousAssignment {
  std::vector<TopicPartition> partitions;
  int32_t generation = -1;
};

// Member id -> its partitions, sorted by topic then partition. Every member is present, those
// that get nothing with an empty list.
using GroupAssignment = std::map<std::string, std::vector<TopicPartition>>;

class PartitionAssignor {
 public:
  virtual ~PartitionAssignor() = default;

  // The protocol name members advertise in JoinGroup; the group runs one all members offer.
  virtual std::string_view name() const = 0;

  // Whether the assignor follows the cooperative rebalance protocol (Java's
  // RebalanceProtocol.COOPERATIVE) rather than the eager one.
  virtual bool cooperative() const { return false; }

  // The leader's job. `partitions_per_topic` holds the partition count of every subscribed topic
  // that exists; topics missing from it are ignored, as are members' subscriptions to them.
  // Member ids must be unique.
  virtual GroupAssignment Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                 const std::vector<MemberSubscription>& members) = 0;

  // The user data a member puts in its subscription (Java's subscriptionUserData), from what it
  // was last assigned; `previous` is empty before its first assignment. std::nullopt means none
  // (null on the wire).
  virtual std::optional<std::string> SubscriptionUserData(
      const std::optional<PreviousAssignment>& previous) const {
    return std::nullopt;
  }
};

// The built-in assignor with protocol name `name`, or nullptr when there is none.
std::unique_ptr<PartitionAssignor> MakeAssignor(std::string_view name);

}  // namespace kclient::consumer
