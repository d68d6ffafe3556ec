// DeleteRecords: moves partitions' log start offsets forward, discarding the records below
// (ReplicaManager.deleteRecords, Partition.deleteRecordsOnLeader,
// UnifiedLog.maybeIncrementLogStartOffset).
//
// Per partition: an unknown one is UNKNOWN_TOPIC_OR_PARTITION, then an injected fault, an
// internal topic INVALID_TOPIC_EXCEPTION, a broker that does not lead NOT_LEADER_OR_FOLLOWER, a
// topic whose cleanup.policy lacks "delete" POLICY_VIOLATION; offset -1 means the high watermark;
// a negative offset or one above the high watermark is OFFSET_OUT_OF_RANGE. An offset at or
// below the current log start changes nothing. The answer's low watermark is the log start
// offset afterwards; Kafka waits until every replica has moved its own (DelayedDeleteRecords),
// which here is immediate since the replicas share the leader's log. Parked fetches of the
// partition are woken: their offset may now be out of range.
//
// Thread-safety: loop thread only.
#include "broker/cluster.h"
#include "broker/data_plane.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/delete_records.h"

namespace kclient::broker {
namespace {

using protocol::DeleteRecordsRequest;
using protocol::DeleteRecordsResponse;

constexpr auto kDeleteRecordsApiKey = static_cast<int16_t>(protocol::DeleteRecordsRequest::kApiKey);
constexpr int64_t kHighWatermark = -1;

void HandleDeleteRecordsRequest(RequestContext& ctx, DeleteRecordsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  DeleteRecordsResponse response;
  for (const auto& t : request.topics) {
    auto& tr = response.topics.emplace_back();
    tr.name = t.name;
    TopicState* topic = cluster.topics().Find(t.name);
    for (const auto& rp : t.partitions) {
      auto& out = tr.partitions.emplace_back();
      out.partition_index = rp.partition_index;
      out.low_watermark = -1;
      auto error = [&out](ErrorCode e) { out.error_code = static_cast<int16_t>(e); };
      PartitionState* p = topic != nullptr ? topic->partition(rp.partition_index) : nullptr;
      if (p == nullptr) {
        error(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!cluster.faults().empty()) {
        if (auto injected = cluster.faults().TakeError(kDeleteRecordsApiKey, ctx.broker_id, topic->name, p->index)) {
          error(*injected);
          continue;
        }
      }
      if (topic->internal) {
        error(ErrorCode::kInvalidTopicException);
        continue;
      }
      if (p->leader != ctx.broker_id) {
        error(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      if (!TopicPolicy::For(cluster, *topic).delete_policy) {
        error(ErrorCode::kPolicyViolation);
        continue;
      }
      const int64_t offset = rp.offset == kHighWatermark ? p->log.high_watermark() : rp.offset;
      if (offset < 0 || offset > p->log.high_watermark()) {
        error(ErrorCode::kOffsetOutOfRange);
        continue;
      }
      const int64_t before = p->log.log_start_offset();
      out.low_watermark = p->log.TruncateBefore(offset);
      if (out.low_watermark != before) cluster.fetch_waiters().Wake(topic->name, p->index);
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleDeleteRecords(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<DeleteRecordsRequest, HandleDeleteRecordsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
