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
void HandleProduce(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleFetch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleListOffsets(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleDeleteRecords(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleInitProducerId(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleOffsetForLeaderEpoch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleOffsetCommit(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleOffsetFetch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleFindCoordinator(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleJoinGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleHeartbeat(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleLeaveGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleSyncGroup(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleDescribeGroups(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleListGroups(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleCreateTopics(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleDeleteTopics(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleDescribeConfigs(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleCreatePartitions(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);
void HandleDescribeCluster(RequestContext& ctx, std::span<const uint8_t> body, Responder responder);

}  // namespace kclient::broker
