#include "consumer/assignors/partition_assignor.h"

#include <utility>

#include "consumer/assignors/range_assignor.h"
#include "consumer/assignors/round_robin_assignor.h"
#include "consumer/assignors/sticky_assignor.h"

namespace kclient::consumer {

MemberSubscription ToMemberSubscription(std::string member_id, std::optional<std::string> group_instance_id,
                                        Subscription subscription) {
  MemberSubscription m;
  m.member_id = std::move(member_id);
  m.group_instance_id = std::move(group_instance_id);
  m.topics = std::move(subscription.topics);
  m.owned_partitions = std::move(subscription.owned_partitions);
  m.generation = subscription.generation_id;
  if (subscription.rack_id && !subscription.rack_id->empty()) m.rack_id = std::move(subscription.rack_id);
  m.user_data = std::move(subscription.user_data).value_or(std::string());
  return m;
}

std::unique_ptr<PartitionAssignor> MakeAssignor(std::string_view name) {
  if (name == RangeAssignor::kName) return std::make_unique<RangeAssignor>();
  if (name == RoundRobinAssignor::kName) return std::make_unique<RoundRobinAssignor>();
  if (name == StickyAssignor::kName) return std::make_unique<StickyAssignor>();
  if (name == CooperativeStickyAssignor::kName) return std::make_unique<CooperativeStickyAssignor>();
  return nullptr;
}

}  // namespace kclient::consumer
