// ListGroups: the groups this broker coordinates (clients ask every broker), with protocol
// type, state (v4+) and type (v5+). The states filter (v4+) and types filter (v5+) compare
// case-insensitively; every group here is a "classic" group.
#include <algorithm>
#include <cctype>

#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/list_groups.h"

namespace kclient::broker {
namespace {

using protocol::ListGroupsRequest;
using protocol::ListGroupsResponse;

std::string Normalized(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t");
  s = first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void HandleListGroupsRequest(RequestContext& ctx, ListGroupsRequest& request, Responder responder) {
  ListGroupsResponse response;
  if (auto injected = ctx.cluster->faults().TakeError(ctx.header.api_key, ctx.broker_id)) {
    response.error_code = static_cast<int16_t>(*injected);
    responder.Send(response);
    return;
  }
  std::vector<std::string> states;
  if (ctx.version() >= 4) {
    for (const std::string& s : request.states_filter) states.push_back(Normalized(s));
  }
  bool classic_wanted = true;
  if (ctx.version() >= 5 && !request.types_filter.empty()) {
    classic_wanted = std::any_of(request.types_filter.begin(), request.types_filter.end(),
                                 [](const std::string& t) { return Normalized(t) == "classic"; });
  }
  for (const auto& g : ctx.cluster->groups().ListGroups()) {
    if (!classic_wanted) break;
    if (ctx.cluster->CoordinatorFor(g.group_id) != ctx.broker_id) continue;
    const std::string state(GroupStateName(g.state));
    if (!states.empty() && std::find(states.begin(), states.end(), Normalized(state)) == states.end()) continue;
    auto& out = response.groups.emplace_back();
    out.group_id = g.group_id;
    out.protocol_type = g.protocol_type;
    out.group_state = state;
    out.group_type = "classic";
  }
  responder.Send(response);
}

}  // namespace

void HandleListGroups(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<ListGroupsRequest, HandleListGroupsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
