// JoinGroup: a member enters (or re-enters) a classic group's rebalance. The answer usually
// waits for the rebalance to complete, so the Responder is kept by the GroupCoordinator until
// then. MEMBER_ID_REQUIRED (v4+), static members (v5+) and skipped assignments (v9) follow the
// request's version.
#include <memory>

#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/join_group.h"

namespace kclient::broker {
namespace {

using protocol::JoinGroupRequest;
using protocol::JoinGroupResponse;

void HandleJoinGroupRequest(RequestContext& ctx, JoinGroupRequest& request, Responder responder) {
  const int16_t version = ctx.version();
  auto shared = std::make_shared<Responder>(std::move(responder));
  auto send = [shared, version](JoinGroupResponse r) {
    // Before v7 the protocol name cannot be null; Kafka sends "" instead.
    if (version < 7 && !r.protocol_name) r.protocol_name.emplace();
    shared->Send(r);
  };
  if (ErrorCode err = group_support::GroupRequestError(ctx, request.group_id); err != ErrorCode::kNone) {
    JoinGroupResponse r;
    r.error_code = static_cast<int16_t>(err);
    send(std::move(r));
    return;
  }
  ctx.cluster->groups().JoinGroup(request, version, group_support::ClientOf(ctx), std::move(send));
}

}  // namespace

void HandleJoinGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<JoinGroupRequest, HandleJoinGroupRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
