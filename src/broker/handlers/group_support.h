// What the group API handlers (find_coordinator.cc, join_group.cc, sync_group.cc, heartbeat.cc,
// leave_group.cc, offset_commit.cc, offset_fetch.cc, describe_groups.cc, list_groups.cc) share:
// whether this broker coordinates a group, the injected error for the request, and who the
// client is as DescribeGroups reports it.
//
// Thread-safety: loop thread only.
#pragma once

#include <optional>
#include <string>

#include "broker/cluster.h"
#include "broker/group/group_coordinator.h"
#include "broker/request.h"
#include "kclient/error_code.h"

namespace kclient::broker::group_support {

// The error a group request gets before the coordinator looks at it: an injected fault first
// (as a failing coordinator would answer), then NOT_COORDINATOR when the group's coordinator is
// another broker. NONE when the coordinator should handle it. Membership and commit requests
// with an empty group id go to the coordinator, which answers INVALID_GROUP_ID wherever it runs
// (Kafka checks that before routing); OffsetFetch and DescribeGroups accept the empty id and
// route it like any other (`empty_id_allowed`).
inline ErrorCode GroupRequestError(RequestContext& ctx, const std::string& group_id, bool empty_id_allowed = false) {
  if (auto injected = ctx.cluster->faults().TakeError(ctx.header.api_key, ctx.broker_id)) return *injected;
  if (group_id.empty() && !empty_id_allowed) return ErrorCode::kNone;
  if (ctx.cluster->CoordinatorFor(group_id) != ctx.broker_id) return ErrorCode::kNotCoordinator;
  return ErrorCode::kNone;
}

// The client id and address ("/127.0.0.1", as Kafka prints an InetAddress) of the connection.
inline GroupCoordinator::Client ClientOf(RequestContext& ctx) {
  GroupCoordinator::Client client;
  client.client_id = ctx.client_id();
  std::string host;
  if (Connection* c = ctx.cluster->FindConnection(ctx.connection)) {
    host = c->peer();
    const auto colon = host.rfind(':');
    if (colon != std::string::npos) host.resize(colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  }
  client.host = "/" + host;
  return client;
}

}  // namespace kclient::broker::group_support
