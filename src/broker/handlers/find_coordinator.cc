// FindCoordinator: which broker coordinates a group (key type 0) or a transactional id (key
// type 1). Any broker answers; the coordinator is Cluster::CoordinatorFor(key), a running broker.
// Versions 0-3 look up one key; from v4 a request carries a batch of keys of one type, each
// answered with its own error.
#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/find_coordinator.h"

namespace kclient::broker {
namespace {

using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;

struct Lookup {
  ErrorCode error = ErrorCode::kNone;
  int32_t node_id = -1;  // Kafka's Node.noNode() on error
  std::string host;
  int32_t port = -1;
};

Lookup Find(RequestContext& ctx, int8_t key_type, const std::string& key) {
  Lookup out;
  Cluster& cluster = *ctx.cluster;
  if (auto injected = cluster.faults().TakeError(ctx.header.api_key, ctx.broker_id)) {
    out.error = *injected;
    return out;
  }
  if (key_type != 0 && key_type != 1) {  // share groups (2) are not served
    out.error = ErrorCode::kInvalidRequest;
    return out;
  }
  const Cluster::Broker* b = cluster.broker(cluster.CoordinatorFor(key));
  if (b == nullptr || !b->running()) {
    out.error = ErrorCode::kCoordinatorNotAvailable;
    return out;
  }
  out.node_id = b->id;
  out.host = b->host;
  out.port = b->port;
  return out;
}

std::optional<std::string> MessageFor(ErrorCode e) {
  if (e == ErrorCode::kNone) return std::nullopt;
  return std::string(ErrorMessage(e));
}

void HandleFindCoordinatorRequest(RequestContext& ctx, FindCoordinatorRequest& request, Responder responder) {
  FindCoordinatorResponse response;
  if (ctx.version() < 4) {
    const Lookup l = Find(ctx, request.key_type, request.key);
    response.error_code = static_cast<int16_t>(l.error);
    response.error_message = MessageFor(l.error);
    response.node_id = l.node_id;
    response.host = l.host;
    response.port = l.port;
  } else {
    for (const std::string& key : request.coordinator_keys) {
      const Lookup l = Find(ctx, request.key_type, key);
      auto& c = response.coordinators.emplace_back();
      c.key = key;
      c.error_code = static_cast<int16_t>(l.error);
      c.error_message = MessageFor(l.error);
      c.node_id = l.node_id;
      c.host = l.host;
      c.port = l.port;
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleFindCoordinator(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<FindCoordinatorRequest, HandleFindCoordinatorRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
