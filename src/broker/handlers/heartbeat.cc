// Heartbeat: keeps a classic group member's session alive and tells it, by its error, that a
// rebalance started (REBALANCE_IN_PROGRESS) or that it fell out of the group.
#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/heartbeat.h"

namespace kclient::broker {
namespace {

using protocol::HeartbeatRequest;
using protocol::HeartbeatResponse;

void HandleHeartbeatRequest(RequestContext& ctx, HeartbeatRequest& request, Responder responder) {
  ErrorCode err = group_support::GroupRequestError(ctx, request.group_id);
  if (err == ErrorCode::kNone) err = ctx.cluster->groups().Heartbeat(request);
  HeartbeatResponse response;
  response.error_code = static_cast<int16_t>(err);
  responder.Send(response);
}

}  // namespace

void HandleHeartbeat(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<HeartbeatRequest, HandleHeartbeatRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
