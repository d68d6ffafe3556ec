#include "admin/describe_groups_call.h"

#include <algorithm>
#include <utility>

#include "consumer/consumer_protocol.h"
#include "protocol/messages/describe_groups.h"

namespace kclient::admin {

namespace {

using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;

constexpr std::string_view kDeadState = "Dead";

// Kafka's ConsumerProtocol.PROTOCOL_TYPE. Java also decodes groups with an empty protocol type
// (members that only commit offsets never have an assignment to decode anyway).
bool IsConsumerGroup(const std::string& protocol_type) { return protocol_type == "consumer" || protocol_type.empty(); }

Result<GroupDescription> Describe(DescribeGroupsResponse::DescribedGroup& group, int32_t coordinator) {
  GroupDescription d;
  d.group_id = group.group_id;
  d.state = std::move(group.group_state);
  d.protocol_type = std::move(group.protocol_type);
  d.protocol = std::move(group.protocol_data);
  d.coordinator = coordinator;
  for (auto& m : group.members) {
    MemberDescription& out = d.members.emplace_back();
    out.member_id = std::move(m.member_id);
    out.group_instance_id = std::move(m.group_instance_id);
    out.client_id = std::move(m.client_id);
    out.client_host = std::move(m.client_host);
    // Empty while the group rebalances: the new assignment has not been handed out yet.
    if (!IsConsumerGroup(d.protocol_type) || m.member_assignment.empty()) continue;
    auto assignment = consumer::DecodeAssignment(m.member_assignment);
    if (!assignment.ok()) {
      return assignment.status().WithContext("the assignment of member '" + out.member_id + "' of group '" +
                                             d.group_id + "'");
    }
    out.assignment = std::move(assignment->partitions);
    std::sort(out.assignment.begin(), out.assignment.end());
  }
  std::sort(d.members.begin(), d.members.end(),
            [](const MemberDescription& a, const MemberDescription& b) { return a.member_id < b.member_id; });
  return d;
}

}  // namespace

DescribeGroupsCall::DescribeGroupsCall(net::Clock::time_point deadline, const std::vector<std::string>& group_ids,
                                       std::shared_ptr<Completion<Outcome>> completion)
    : CoordinatorCall("DescribeGroups", deadline, group_ids), completion_(std::move(completion)) {}

void DescribeGroupsCall::SendToCoordinator(int32_t coordinator, const std::vector<std::string>& groups) {
  DescribeGroupsRequest request;
  request.groups = groups;
  SendInRound<DescribeGroupsResponse>(coordinator, std::move(request),
                                      [this, coordinator, groups](const Status& s, DescribeGroupsResponse& r, int16_t) {
                                        OnResponse(coordinator, groups, s, r);
                                      });
}

void DescribeGroupsCall::OnResponse(int32_t coordinator, const std::vector<std::string>& groups, const Status& status,
                                    DescribeGroupsResponse& response) {
  if (!status.ok()) {
    CoordinatorRequestFailed(groups, status);
    return;
  }
  for (auto& g : response.groups) {
    if (!pending().contains(g.group_id)) continue;
    const std::string id = g.group_id;
    const Status error = StatusFromWire(g.error_code, g.error_message);
    if (RetryIfCoordinatorError(id, error)) continue;
    if (error.code() == ErrorCode::kGroupIdNotFound) {
      GroupDescription dead;
      dead.group_id = id;
      dead.state = kDeadState;
      dead.coordinator = coordinator;
      results_.insert_or_assign(id, std::move(dead));
    } else if (!error.ok()) {
      results_.insert_or_assign(id, error.WithContext("group '" + id + "'"));
    } else {
      results_.insert_or_assign(id, Describe(g, coordinator));
    }
    Answered(id);
  }
}

void DescribeGroupsCall::Publish(const Status& rest) {
  for (const std::string& group : pending()) results_.insert_or_assign(group, rest);
  completion_->Set(std::move(results_));
}

}  // namespace kclient::admin
