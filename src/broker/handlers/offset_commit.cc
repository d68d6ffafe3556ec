// OffsetCommit: stores a group's consumed positions. Every partition gets its own error: the
// group's (injected, NOT_COORDINATOR, or the coordinator's generation and member checks), or
// UNKNOWN_TOPIC_OR_PARTITION for a partition the cluster does not have (checked first, as
// Kafka's KafkaApis does before asking the coordinator), or an injected error narrowed to it.
#include "broker/handlers/group_support.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/offset_commit.h"

namespace kclient::broker {
namespace {

using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;

void HandleOffsetCommitRequest(RequestContext& ctx, OffsetCommitRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  OffsetCommitResponse response;
  for (const auto& t : request.topics) {
    auto& rt = response.topics.emplace_back();
    rt.name = t.name;
    for (const auto& p : t.partitions) rt.partitions.emplace_back().partition_index = p.partition_index;
  }
  auto set = [&](size_t ti, size_t pi, ErrorCode e) {
    response.topics[ti].partitions[pi].error_code = static_cast<int16_t>(e);
  };

  if (ErrorCode err = group_support::GroupRequestError(ctx, request.group_id); err != ErrorCode::kNone) {
    for (size_t ti = 0; ti < request.topics.size(); ++ti) {
      for (size_t pi = 0; pi < request.topics[ti].partitions.size(); ++pi) set(ti, pi, err);
    }
    responder.Send(response);
    return;
  }

  std::vector<GroupCoordinator::CommitEntry> entries;
  std::vector<std::pair<size_t, size_t>> where;  // entry -> (topic, partition) in the response
  for (size_t ti = 0; ti < request.topics.size(); ++ti) {
    const auto& t = request.topics[ti];
    TopicState* topic = cluster.topics().Find(t.name);
    for (size_t pi = 0; pi < t.partitions.size(); ++pi) {
      const auto& p = t.partitions[pi];
      if (auto injected = cluster.faults().TakeError(ctx.header.api_key, ctx.broker_id, t.name, p.partition_index)) {
        set(ti, pi, *injected);
      } else if (topic == nullptr || topic->partition(p.partition_index) == nullptr) {
        set(ti, pi, ErrorCode::kUnknownTopicOrPartition);
      } else {
        entries.push_back(
            {t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch, p.committed_metadata});
        where.emplace_back(ti, pi);
      }
    }
  }
  if (!entries.empty()) {
    const std::vector<ErrorCode> errors =
        cluster.groups().CommitOffsets(request.group_id, request.generation_id_or_member_epoch, request.member_id,
                                       request.group_instance_id, ctx.version(), entries);
    for (size_t i = 0; i < errors.size(); ++i) set(where[i].first, where[i].second, errors[i]);
  }
  responder.Send(response);
}

}  // namespace

void HandleOffsetCommit(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<OffsetCommitRequest, HandleOffsetCommitRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
