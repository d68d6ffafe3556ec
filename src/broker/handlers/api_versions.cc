// ApiVersions: which APIs and versions this broker serves. A client that asks with a version we
// do not know gets a v0 answer with UNSUPPORTED_VERSION and the full list, so it can retry with
// a version both sides speak (KIP-511).
#include "broker/handlers/handlers.h"

#include "broker/handlers/registry.h"
#include "protocol/messages/api_versions.h"

namespace kclient::broker {

void HandleApiVersions(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  protocol::ApiVersionsResponse response;
  for (const HandlerEntry& e : ServedApis()) {
    auto& v = response.api_keys.emplace_back();
    v.api_key = static_cast<int16_t>(e.key);
    v.min_version = e.min_version;
    v.max_version = e.max_version;
  }
  const HandlerEntry* self = FindHandler(static_cast<int16_t>(protocol::ApiKey::kApiVersions));
  if (ctx.version() < self->min_version || ctx.version() > self->max_version) {
    response.error_code = static_cast<int16_t>(ErrorCode::kUnsupportedVersion);
    responder.set_version(0);
    responder.Send(response);
    return;
  }
  protocol::ApiVersionsRequest request;
  if (Status s = request.Decode(body, ctx.version()); !s.ok()) {
    // Kafka answers a malformed ApiVersions request instead of dropping the connection.
    response.error_code = static_cast<int16_t>(ErrorCode::kInvalidRequest);
  }
  responder.Send(response);
}

}  // namespace kclient::broker
