// ListOffsets: an offset per partition for a timestamp, or for one of the special timestamps:
// -2 earliest (log start offset), -1 latest (high watermark; the last stable offset for
// read_committed, the same here since no transaction is ever open), -3 the record with the
// largest timestamp (v7+), -4 earliest local (= earliest: no tiered storage), -5 latest tiered
// (offset -1: nothing is tiered). A timestamp >= 0 finds the first record at or after it
// (Kafka's LogSegment.findOffsetByTimestamp / FileRecords.searchForTimestamp: the first batch
// whose max timestamp reaches it, then the first record in it that does), answering that record's
// offset and timestamp, or -1/-1 when there is none below the high watermark.
//
// Checks per partition follow ReplicaManager.fetchOffsetForTimestamp and Partition: a partition
// named twice gets INVALID_REQUEST, an unknown one UNKNOWN_TOPIC_OR_PARTITION, then an injected
// fault, a broker without a replica NOT_LEADER_OR_FOLLOWER, the current leader epoch (v4+)
// FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH, and a follower NOT_LEADER_OR_FOLLOWER unless the
// request comes from the debugging replica id -2.
//
// Version 0 (removed in Kafka 4.0, kept for old clients) answers an old-style offsets array with
// the single offset v1 would give (Kafka 3's segment-based "offsets before" list is not modelled).
//
// Thread-safety: loop thread only.
#include <algorithm>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "broker/cluster.h"
#include "broker/data_plane.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/record_batch.h"

namespace kclient::broker {
namespace {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

constexpr auto kListOffsetsApiKey = static_cast<int16_t>(protocol::ListOffsetsRequest::kApiKey);
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int64_t kMaxTimestamp = -3;
constexpr int64_t kEarliestLocal = -4;
constexpr int64_t kLatestTiered = -5;
constexpr int32_t kDebuggingReplicaId = -2;

struct Found {
  int64_t timestamp = -1;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
};

// The first record of batch `index` satisfying `match(record)` at or above `min_offset`.
template <typename Match>
std::optional<Found> FindRecord(const PartitionLog& log, size_t index, int64_t min_offset, Match match) {
  const PartitionLog::BatchEntry& e = log.batches()[index];
  std::span<const uint8_t> bytes = log.Read(e.base_offset, 0, /*at_least_one=*/true, std::numeric_limits<int64_t>::max());
  protocol::RecordBatchHeader h;
  if (!protocol::RecordBatchHeader::Parse(bytes, &h).ok()) return std::nullopt;
  util::ByteBuffer scratch;
  protocol::RecordIterator it(h, bytes.first(h.size_in_bytes()), &scratch, std::numeric_limits<size_t>::max(),
                              /*verify_crc=*/false);
  protocol::Record r;
  while (it.Next(&r)) {
    if (r.offset >= min_offset && match(r)) {
      return Found{r.timestamp, r.offset, h.partition_leader_epoch >= 0 ? h.partition_leader_epoch : -1};
    }
  }
  return std::nullopt;
}

std::optional<Found> OffsetForTimestamp(const PartitionLog& log, int64_t target) {
  const auto& batches = log.batches();
  for (size_t i = 0; i < batches.size(); ++i) {
    if (batches[i].max_timestamp < target) continue;
    auto at_or_after = [target](const protocol::Record& r) { return r.timestamp >= target; };
    if (auto f = FindRecord(log, i, log.log_start_offset(), at_or_after)) return f;
  }
  return std::nullopt;
}

// UnifiedLog.fetchOffsetByTimestamp(MAX_TIMESTAMP): the first batch carrying the largest max
// timestamp, and in it the first record with that timestamp.
std::optional<Found> MaxTimestampOffset(const PartitionLog& log) {
  const auto& batches = log.batches();
  size_t best = batches.size();
  for (size_t i = 0; i < batches.size(); ++i) {
    if (best == batches.size() || batches[i].max_timestamp > batches[best].max_timestamp) best = i;
  }
  if (best == batches.size()) return std::nullopt;
  const int64_t max_ts = batches[best].max_timestamp;
  auto at_max = [max_ts](const protocol::Record& r) { return r.timestamp == max_ts; };
  auto f = FindRecord(log, best, log.log_start_offset(), at_max);
  if (f) f->timestamp = max_ts;
  return f;
}

int32_t EarliestEpoch(const PartitionState& p) {
  return p.log.batches().empty() ? p.leader_epoch : StoredLeaderEpoch(p.log, 0);
}

void HandleListOffsetsRequest(RequestContext& ctx, ListOffsetsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  const int16_t version = ctx.version();
  ListOffsetsResponse response;

  std::set<std::pair<std::string, int32_t>> seen;
  std::set<std::pair<std::string, int32_t>> duplicates;
  for (const auto& t : request.topics) {
    for (const auto& p : t.partitions) {
      if (!seen.emplace(t.name, p.partition_index).second) duplicates.emplace(t.name, p.partition_index);
    }
  }

  for (const auto& t : request.topics) {
    auto& tr = response.topics.emplace_back();
    tr.name = t.name;
    TopicState* topic = cluster.topics().Find(t.name);
    for (const auto& rp : t.partitions) {
      auto& out = tr.partitions.emplace_back();
      out.partition_index = rp.partition_index;
      auto error = [&out](ErrorCode e) { out.error_code = static_cast<int16_t>(e); };
      PartitionState* p = topic != nullptr ? topic->partition(rp.partition_index) : nullptr;
      if (duplicates.count({t.name, rp.partition_index}) != 0) {
        error(ErrorCode::kInvalidRequest);
        continue;
      }
      if (p == nullptr) {
        error(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!cluster.faults().empty()) {
        if (auto injected = cluster.faults().TakeError(kListOffsetsApiKey, ctx.broker_id, topic->name, p->index)) {
          error(*injected);
          continue;
        }
      }
      if (std::find(p->replicas.begin(), p->replicas.end(), ctx.broker_id) == p->replicas.end()) {
        error(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      if (ErrorCode e = CheckLeaderEpoch(*p, version >= 4 ? rp.current_leader_epoch : -1); e != ErrorCode::kNone) {
        error(e);
        continue;
      }
      if (p->leader != ctx.broker_id && request.replica_id != kDebuggingReplicaId) {
        error(ErrorCode::kNotLeaderOrFollower);
        continue;
      }

      const PartitionLog& log = p->log;
      const int64_t last_fetchable = log.high_watermark();  // = the LSO: no open transactions
      std::optional<Found> found;
      switch (rp.timestamp) {
        case kLatest:
          found = Found{-1, last_fetchable, p->leader_epoch};
          break;
        case kEarliest:
        case kEarliestLocal:
          found = Found{-1, log.log_start_offset(), EarliestEpoch(*p)};
          break;
        case kLatestTiered:
          found = Found{-1, -1, -1};
          break;
        case kMaxTimestamp:
          found = MaxTimestampOffset(log);
          break;
        default:
          found = OffsetForTimestamp(log, rp.timestamp);
          break;
      }
      if (found && rp.timestamp != kLatest && rp.timestamp != kEarliest && rp.timestamp != kEarliestLocal &&
          rp.timestamp != kLatestTiered && found->offset >= last_fetchable) {
        found.reset();
      }
      if (version == 0) {
        if (found && found->offset >= 0) out.old_style_offsets.push_back(found->offset);
        continue;
      }
      if (!found) continue;  // timestamp -1, offset -1: no such record
      out.timestamp = found->timestamp;
      out.offset = found->offset;
      if (version >= 4) out.leader_epoch = found->leader_epoch;
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleListOffsets(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<ListOffsetsRequest, HandleListOffsetsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
