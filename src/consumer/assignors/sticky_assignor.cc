#include "consumer/assignors/sticky_assignor.h"

#include "consumer/assignors/sticky_assignment.h"
#include "consumer/assignors/sticky_user_data.h"

namespace kclient::consumer {
namespace {

// Java's StickyAssignor.memberData: the claim comes from the user data, and user data that does
// not parse claims nothing. Without user data Java claims nothing either; taking the
// subscription's owned partitions instead changes nothing for eager members, which send none.
StickyMember EagerClaim(const MemberSubscription& m) {
  StickyMember member{m.member_id, m.topics, {}, -1};
  if (m.user_data.empty()) {
    member.claimed = m.owned_partitions;
    member.generation = m.generation;
    return member;
  }
  Result<StickyUserData> data = DecodeStickyUserData(m.user_data);
  if (data.ok()) {
    member.claimed = std::move(data->previous_assignment);
    member.generation = data->generation.value_or(-1);
  }
  return member;
}

// Java's CooperativeStickyAssignor.memberData: owned partitions from the subscription, the
// generation from the subscription when it has one (v2+), else from the user data.
StickyMember CooperativeClaim(const MemberSubscription& m) {
  StickyMember member{m.member_id, m.topics, m.owned_partitions, m.generation};
  if (member.generation < 0 && !m.user_data.empty()) {
    Result<int32_t> generation = DecodeCooperativeStickyUserData(m.user_data);
    if (generation.ok()) member.generation = *generation;
  }
  return member;
}

}  // namespace

GroupAssignment StickyAssignor::Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                       const std::vector<MemberSubscription>& members) {
  std::vector<StickyMember> claims;
  claims.reserve(members.size());
  for (const MemberSubscription& m : members) claims.push_back(EagerClaim(m));
  return AssignSticky(partitions_per_topic, claims, /*cooperative=*/false);
}

std::optional<std::string> StickyAssignor::SubscriptionUserData(
    const std::optional<PreviousAssignment>& previous) const {
  if (!previous) return std::nullopt;
  return EncodeStickyUserData(previous->partitions, previous->generation);
}

GroupAssignment CooperativeStickyAssignor::Assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                                  const std::vector<MemberSubscription>& members) {
  std::vector<StickyMember> claims;
  claims.reserve(members.size());
  for (const MemberSubscription& m : members) claims.push_back(CooperativeClaim(m));
  return AssignSticky(partitions_per_topic, claims, /*cooperative=*/true);
}

std::optional<std::string> CooperativeStickyAssignor::SubscriptionUserData(
    const std::optional<PreviousAssignment>& previous) const {
  return EncodeCooperativeStickyUserData(previous ? previous->generation : -1);
}

}  // namespace kclient::consumer
