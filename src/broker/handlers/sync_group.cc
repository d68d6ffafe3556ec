// SyncGroup: the leader hands in the assignment it computed and every member gets its own. A
// follower that syncs before the leader waits (its Responder is kept by the GroupCoordinator).
// From v5 the request must name the protocol type and name (checked against the group's).
#include <memory>

#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/sync_group.h"

namespace kclient::broker {
namespace {

using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;

void HandleSyncGroupRequest(RequestContext& ctx, SyncGroupRequest& request, Responder responder) {
  ErrorCode err = ErrorCode::kNone;
  if (ctx.version() >= 5 && (!request.protocol_type || !request.protocol_name)) {
    // From v5 both are mandatory; Kafka refuses the request before the coordinator sees it.
    err = ErrorCode::kInconsistentGroupProtocol;
  } else {
    err = group_support::GroupRequestError(ctx, request.group_id);
  }
  if (err != ErrorCode::kNone) {
    SyncGroupResponse r;
    r.error_code = static_cast<int16_t>(err);
    responder.Send(r);
    return;
  }
  auto shared = std::make_shared<Responder>(std::move(responder));
  ctx.cluster->groups().SyncGroup(request, [shared](SyncGroupResponse r) { shared->Send(r); });
}

}  // namespace

void HandleSyncGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<SyncGroupRequest, HandleSyncGroupRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
