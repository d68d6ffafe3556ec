// OffsetFetch: a group's committed offsets; -1 (with empty metadata) where nothing is committed,
// every committed partition when the topic list is null (v2+). Up to v7 a request names one
// group and a group-level error is the top-level error (v2+) or each partition's (v0-1); from
// v8 it names several groups, each answered with its own error. require_stable is accepted
// and has no effect: there are no pending transactional offsets to wait for.
#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/offset_fetch.h"

namespace kclient::broker {
namespace {

using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

struct FetchedTopic {
  std::string name;
  std::vector<GroupCoordinator::FetchedOffset> partitions;
  std::vector<ErrorCode> errors;
};

// The group's offsets grouped by topic in the order asked (or committed), each partition with
// an injected error narrowed to it, if any.
std::vector<FetchedTopic> Fetch(RequestContext& ctx, const std::string& group_id,
                                const std::optional<std::vector<GroupCoordinator::TopicPartitions>>& topics) {
  std::vector<FetchedTopic> out;
  for (auto& f : ctx.cluster->groups().FetchOffsets(group_id, topics)) {
    if (out.empty() || out.back().name != f.topic) out.push_back({f.topic, {}, {}});
    ErrorCode err = ErrorCode::kNone;
    if (auto injected = ctx.cluster->faults().TakeError(ctx.header.api_key, ctx.broker_id, f.topic, f.partition)) {
      err = *injected;
      f.offset = -1;
      f.leader_epoch = -1;
      f.metadata.clear();
    }
    out.back().errors.push_back(err);
    out.back().partitions.push_back(std::move(f));
  }
  return out;
}

template <typename Topics>
std::optional<std::vector<GroupCoordinator::TopicPartitions>> Asked(const std::optional<Topics>& topics) {
  if (!topics) return std::nullopt;
  std::vector<GroupCoordinator::TopicPartitions> out;
  for (const auto& t : *topics) out.push_back({t.name, t.partition_indexes});
  return out;
}

void HandleSingleGroup(RequestContext& ctx, OffsetFetchRequest& request, OffsetFetchResponse* response) {
  const ErrorCode err = group_support::GroupRequestError(ctx, request.group_id, /*empty_id_allowed=*/true);
  if (err != ErrorCode::kNone) {
    if (ctx.version() >= 2) {
      response->error_code = static_cast<int16_t>(err);
      return;
    }
    // v0-1 have no top-level error: every asked partition carries it.
    for (const auto& t : request.topics.value_or(std::vector<OffsetFetchRequest::OffsetFetchRequestTopic>{})) {
      auto& rt = response->topics.emplace_back();
      rt.name = t.name;
      for (int32_t p : t.partition_indexes) {
        auto& rp = rt.partitions.emplace_back();
        rp.partition_index = p;
        rp.committed_offset = -1;
        rp.metadata = "";
        rp.error_code = static_cast<int16_t>(err);
      }
    }
    return;
  }
  for (const FetchedTopic& t : Fetch(ctx, request.group_id, Asked(request.topics))) {
    auto& rt = response->topics.emplace_back();
    rt.name = t.name;
    for (size_t i = 0; i < t.partitions.size(); ++i) {
      const auto& f = t.partitions[i];
      auto& rp = rt.partitions.emplace_back();
      rp.partition_index = f.partition;
      rp.committed_offset = f.offset;
      rp.committed_leader_epoch = f.leader_epoch;
      rp.metadata = f.metadata;
      rp.error_code = static_cast<int16_t>(t.errors[i]);
    }
  }
}

void HandleOffsetFetchRequest(RequestContext& ctx, OffsetFetchRequest& request, Responder responder) {
  OffsetFetchResponse response;
  if (ctx.version() < 8) {
    HandleSingleGroup(ctx, request, &response);
    responder.Send(response);
    return;
  }
  for (const auto& g : request.groups) {
    auto& rg = response.groups.emplace_back();
    rg.group_id = g.group_id;
    const ErrorCode err = group_support::GroupRequestError(ctx, g.group_id, /*empty_id_allowed=*/true);
    if (err != ErrorCode::kNone) {
      rg.error_code = static_cast<int16_t>(err);
      continue;
    }
    for (const FetchedTopic& t : Fetch(ctx, g.group_id, Asked(g.topics))) {
      auto& rt = rg.topics.emplace_back();
      rt.name = t.name;
      for (size_t i = 0; i < t.partitions.size(); ++i) {
        const auto& f = t.partitions[i];
        auto& rp = rt.partitions.emplace_back();
        rp.partition_index = f.partition;
        rp.committed_offset = f.offset;
        rp.committed_leader_epoch = f.leader_epoch;
        rp.metadata = f.metadata;
        rp.error_code = static_cast<int16_t>(t.errors[i]);
      }
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleOffsetFetch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<OffsetFetchRequest, HandleOffsetFetchRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
