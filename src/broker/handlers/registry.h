// The table of APIs the broker serves: for each API key, the versions it advertises in
// ApiVersions and the function that decodes and handles a request. Handlers live one per API in
// this folder; each is registered here and nowhere else.
#pragma once

#include <cstdint>
#include <span>

#include "broker/request.h"
#include "protocol/api_keys.h"

namespace kclient::broker {

using RawHandler = void (*)(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);

struct HandlerEntry {
  protocol::ApiKey key;
  int16_t min_version;
  int16_t max_version;
  RawHandler handle;
};

// Every served API, ordered by key.
std::span<const HandlerEntry> ServedApis();
// The entry for `key`, or nullptr when the broker does not serve it.
const HandlerEntry* FindHandler(int16_t key);

// Decodes the body as Request at the context's version and calls `Fn(ctx, request, responder)`.
// A body that does not decode closes the connection, as Kafka does.
template <typename Request, void (*Fn)(RequestContext&, Request&, Responder)>
void DecodeAndHandle(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  Request request;
  Status s = request.Decode(body, ctx.version());
  if (!s.ok()) {
    responder.CloseConnection("undecodable " + std::string(Request::kName) + ": " + s.ToString());
    return;
  }
  Fn(ctx, request, std::move(responder));
}

}  // namespace kclient::broker
