// One entry point per served API, each implemented in its own file in this folder and listed
// in registry.cc. Each decodes its request (see DecodeAndHandle) and answers through the
// Responder, now or later.
#pragma once

#include <cstdint>
#include <span>

#include "broker/handlers/registry.h"
#include "broker/request.h"

namespace kclient::broker {

void HandleApiVersions(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleMetadata(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);

}  // namespace kclient::broker
