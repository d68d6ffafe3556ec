// OffsetForLeaderEpoch: where a leader epoch ended in a partition's log, so that a consumer (or
// follower) can tell whether its position is still on the leader's history (KIP-101, KIP-320).
//
// Kafka answers from its leader-epoch cache (LeaderEpochFileCache.endOffsetFor): for the current
// (latest) epoch, the log end offset; for an older epoch, the largest cached epoch not above it
// and the start offset of the next cached epoch; for one below every cached epoch, the request's
// epoch and the first epoch's start; -1/-1 for an unknown epoch or one above the latest.
//
// We keep no separate cache: the epochs are read back from the stored batches, which carry the
// leader epoch they were appended under, plus the partition's current epoch as the latest entry.
// That is exactly Kafka's cache when no log was ever truncated to a diverged leader, which cannot
// happen here (replicas share the leader's log, so a new leader's log is the old one). Epochs in
// which nothing was written have no entry, as in Kafka, where assigning a new epoch at the same
// start offset replaces the empty one.
//
// Checks: unknown topic or partition (UNKNOWN_TOPIC_OR_PARTITION), an injected fault, no
// replica here (NOT_LEADER_OR_FOLLOWER), the current leader epoch (v2+: FENCED_LEADER_EPOCH /
// UNKNOWN_LEADER_EPOCH), not the leader (NOT_LEADER_OR_FOLLOWER: Kafka's ReplicaManager asks
// with fetchOnlyFromLeader whoever the requester is).
//
// Thread-safety: loop thread only.
#include <algorithm>

#include "broker/cluster.h"
#include "broker/data_plane.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/offset_for_leader_epoch.h"

namespace kclient::broker {
namespace {

using protocol::OffsetForLeaderEpochRequest;
using protocol::OffsetForLeaderEpochResponse;

constexpr auto kOffsetForLeaderEpochApiKey = static_cast<int16_t>(protocol::OffsetForLeaderEpochRequest::kApiKey);

struct EpochEnd {
  int32_t epoch = -1;
  int64_t end_offset = -1;
};

EpochEnd EndOffsetFor(const PartitionState& p, int32_t requested) {
  const PartitionLog& log = p.log;
  if (requested == -1 || requested > p.leader_epoch) return {};
  if (requested == p.leader_epoch) return {requested, log.log_end_offset()};
  // Epochs never decrease along the log: the first batch above the requested epoch starts the
  // next epoch; with none, the next epoch is the current one, which started at the log end.
  const auto& batches = log.batches();
  size_t lo = 0;
  size_t hi = batches.size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (StoredLeaderEpoch(log, mid) <= requested) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  const int64_t next_start = lo < batches.size() ? std::max(batches[lo].base_offset, log.log_start_offset())
                                                 : log.log_end_offset();
  if (lo == 0) return {requested, next_start};  // below every cached epoch
  return {StoredLeaderEpoch(log, lo - 1), next_start};
}

void HandleOffsetForLeaderEpochRequest(RequestContext& ctx, OffsetForLeaderEpochRequest& request,
                                       Responder responder) {
  Cluster& cluster = *ctx.cluster;
  const int16_t version = ctx.version();
  OffsetForLeaderEpochResponse response;
  for (const auto& t : request.topics) {
    auto& tr = response.topics.emplace_back();
    tr.topic = t.topic;
    TopicState* topic = cluster.topics().Find(t.topic);
    for (const auto& rp : t.partitions) {
      auto& out = tr.partitions.emplace_back();
      out.partition = rp.partition;
      auto error = [&out](ErrorCode e) { out.error_code = static_cast<int16_t>(e); };
      PartitionState* p = topic != nullptr ? topic->partition(rp.partition) : nullptr;
      if (p == nullptr) {
        error(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!cluster.faults().empty()) {
        if (auto injected = cluster.faults().TakeError(kOffsetForLeaderEpochApiKey, ctx.broker_id, topic->name, p->index)) {
          error(*injected);
          continue;
        }
      }
      if (std::find(p->replicas.begin(), p->replicas.end(), ctx.broker_id) == p->replicas.end()) {
        error(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      if (ErrorCode e = CheckLeaderEpoch(*p, version >= 2 ? rp.current_leader_epoch : -1); e != ErrorCode::kNone) {
        error(e);
        continue;
      }
      if (p->leader != ctx.broker_id) {
        error(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      const EpochEnd end = EndOffsetFor(*p, rp.leader_epoch);
      if (version >= 1) out.leader_epoch = end.epoch;
      out.end_offset = end.end_offset;
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleOffsetForLeaderEpoch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<OffsetForLeaderEpochRequest, HandleOffsetForLeaderEpochRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
