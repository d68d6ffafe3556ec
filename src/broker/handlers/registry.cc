#include "broker/handlers/registry.h"

#include "broker/handlers/handlers.h"

namespace kclient::broker {
namespace {

using protocol::ApiKey;

// The versions each API is served at. Lower bounds reach back to what librdkafka 2.x and older
// Java clients send; upper bounds are what Kafka 4.1 serves (stable versions only).
constexpr HandlerEntry kHandlers[] = {
    // Produce 0-2: advertised, as Kafka 4.1 does for librdkafka (KAFKA-18659), but rejected.
    {ApiKey::kProduce, 0, 13, HandleProduce},
    {ApiKey::kFetch, 4, 18, HandleFetch},
    {ApiKey::kListOffsets, 0, 10, HandleListOffsets},
    {ApiKey::kMetadata, 0, 13, HandleMetadata},
    {ApiKey::kOffsetCommit, 0, 9, HandleOffsetCommit},
    {ApiKey::kOffsetFetch, 0, 9, HandleOffsetFetch},
    {ApiKey::kFindCoordinator, 0, 6, HandleFindCoordinator},
    {ApiKey::kJoinGroup, 0, 9, HandleJoinGroup},
    {ApiKey::kHeartbeat, 0, 4, HandleHeartbeat},
    {ApiKey::kLeaveGroup, 0, 5, HandleLeaveGroup},
    {ApiKey::kSyncGroup, 0, 5, HandleSyncGroup},
    {ApiKey::kDescribeGroups, 0, 6, HandleDescribeGroups},
    {ApiKey::kListGroups, 0, 5, HandleListGroups},
    {ApiKey::kApiVersions, 0, 4, HandleApiVersions},
    {ApiKey::kCreateTopics, 0, 7, HandleCreateTopics},
    {ApiKey::kDeleteTopics, 0, 6, HandleDeleteTopics},
    {ApiKey::kDeleteRecords, 0, 2, HandleDeleteRecords},
    {ApiKey::kInitProducerId, 0, 5, HandleInitProducerId},
    {ApiKey::kOffsetForLeaderEpoch, 0, 4, HandleOffsetForLeaderEpoch},
    {ApiKey::kDescribeConfigs, 0, 4, HandleDescribeConfigs},
    {ApiKey::kCreatePartitions, 0, 3, HandleCreatePartitions},
    {ApiKey::kDescribeCluster, 0, 2, HandleDescribeCluster},
};

}  // namespace

std::span<const HandlerEntry> ServedApis() { return kHandlers; }

const HandlerEntry* FindHandler(int16_t key) {
  for (const HandlerEntry& e : kHandlers) {
    if (static_cast<int16_t>(e.key) == key) return &e;
  }
  return nullptr;
}

}  // namespace kclient::broker
