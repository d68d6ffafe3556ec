// LeaveGroup: members leave a classic group so it rebalances without waiting for their sessions
// to expire. v0-2 name one member; v3+ a batch, static members possibly by instance id alone,
// each answered with its own error.
#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/leave_group.h"

namespace kclient::broker {
namespace {

using protocol::LeaveGroupRequest;
using protocol::LeaveGroupResponse;

void HandleLeaveGroupRequest(RequestContext& ctx, LeaveGroupRequest& request, Responder responder) {
  LeaveGroupResponse response;
  if (ErrorCode err = group_support::GroupRequestError(ctx, request.group_id); err != ErrorCode::kNone) {
    response.error_code = static_cast<int16_t>(err);
    responder.Send(response);
    return;
  }
  std::vector<GroupCoordinator::LeavingMember> leaving;
  if (ctx.version() < 3) {
    leaving.push_back({request.member_id, std::nullopt});
  } else {
    for (const auto& m : request.members) leaving.push_back({m.member_id, m.group_instance_id});
  }
  const GroupCoordinator::LeaveResult result = ctx.cluster->groups().LeaveGroup(request.group_id, leaving);
  if (ctx.version() >= 3) {
    response.error_code = static_cast<int16_t>(result.error);
    for (size_t i = 0; i < result.members.size(); ++i) {
      auto& out = response.members.emplace_back();
      out.member_id = leaving[i].member_id;
      out.group_instance_id = leaving[i].group_instance_id;
      out.error_code = static_cast<int16_t>(result.members[i]);
    }
  } else {
    // Before v3 the one member's error is the request's error.
    ErrorCode err = result.error;
    if (err == ErrorCode::kNone && !result.members.empty()) err = result.members.front();
    response.error_code = static_cast<int16_t>(err);
  }
  responder.Send(response);
}

}  // namespace

void HandleLeaveGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<LeaveGroupRequest, HandleLeaveGroupRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
