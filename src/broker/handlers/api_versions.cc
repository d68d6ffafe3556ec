// ApiVersions: which APIs and versions this broker serves. A client that asks with a version we
// do not know gets a v0 answer with UNSUPPORTED_VERSION and the full list, so it can retry with
// a version both sides speak (KIP-511).
#include "broker/handlers/handlers.h"

#include "broker/handlers/registry.h"
#include "protocol/messages/api_versions.h"

namespace kclient::broker {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Kafka (ApiVersionsRequest.isValid, v3+) requires client software names and versions to match
// [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])? and answers INVALID_REQUEST otherwise.
bool IsValidSoftwareToken(const std::string& s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

}  // namespace

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
  const bool valid = request.Decode(body, ctx.version()).ok() &&
                     (ctx.version() < 3 || (IsValidSoftwareToken(request.client_software_name) &&
                                            IsValidSoftwareToken(request.client_software_version)));
  if (!valid) {
    // Kafka answers instead of dropping the connection, with no API list.
    response.api_keys.clear();
    response.error_code = static_cast<int16_t>(ErrorCode::kInvalidRequest);
  }
  responder.Send(response);
}

}  // namespace kclient::broker
