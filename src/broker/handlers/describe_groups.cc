// DescribeGroups: state, protocol and members (client id, host, metadata, assignment) of the
// asked groups, each with its own error. An unknown group is reported "Dead", with
// GROUP_ID_NOT_FOUND from v6, as Kafka does.
#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/describe_groups.h"

namespace kclient::broker {
namespace {

using protocol::DescribeGroupsRequest;
using protocol::DescribeGroupsResponse;

// Without an authorizer every operation a group supports is allowed: READ (3), DELETE (6),
// DESCRIBE (8), DESCRIBE_CONFIGS (10), ALTER_CONFIGS (11), as a bit field.
constexpr int32_t kGroupOperations = (1 << 3) | (1 << 6) | (1 << 8) | (1 << 10) | (1 << 11);

void HandleDescribeGroupsRequest(RequestContext& ctx, DescribeGroupsRequest& request, Responder responder) {
  DescribeGroupsResponse response;
  for (const std::string& group_id : request.groups) {
    const ErrorCode err = group_support::GroupRequestError(ctx, group_id, /*empty_id_allowed=*/true);
    if (err != ErrorCode::kNone) {
      auto& d = response.groups.emplace_back();
      d.group_id = group_id;
      d.error_code = static_cast<int16_t>(err);
      if (ctx.version() >= 6) d.error_message = std::string(ErrorMessage(err));
      continue;
    }
    auto& d = response.groups.emplace_back(ctx.cluster->groups().DescribeGroup(group_id, ctx.version()));
    if (ctx.version() >= 3 && request.include_authorized_operations && d.error_code == 0) {
      d.authorized_operations = kGroupOperations;
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleDescribeGroups(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<DescribeGroupsRequest, HandleDescribeGroupsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
