// Fetch: reads record batches from partition leaders, long-polling until min_bytes are available
// or max_wait_ms has passed (Kafka's ReplicaManager.fetchMessages and DelayedFetch).
//
// Reading follows ReplicaManager.readFromLocalLog: partitions in request order, each up to
// min(partition_max_bytes, what is left of max_bytes); the first batch of the first partition
// with data is returned whole even when it exceeds those limits (KIP-74), and never part of a
// batch. Consumers read up to the high watermark, which is also the last stable offset since no
// transaction is ever open (read_committed gets an empty aborted-transactions list).
//
// Per partition, in Kafka's order: the topic (by name, or by id from v13: UNKNOWN_TOPIC_ID)
// and partition exist; an injected fault; the broker holds a replica
// (NOT_LEADER_OR_FOLLOWER); the current leader epoch from v9 (FENCED_LEADER_EPOCH /
// UNKNOWN_LEADER_EPOCH); the broker leads (NOT_LEADER_OR_FOLLOWER, with the current leader from
// v12 and its endpoint from v16, KIP-951); the offset lies in [log start, log end]
// (OFFSET_OUT_OF_RANGE). Kafka 4 also serves consumers from followers when a preferred read
// replica was chosen (KIP-392); we never choose one (preferred_read_replica is -1), so consumers
// always fetch from leaders and a follower answers NOT_LEADER_OR_FOLLOWER. The diverging epoch
// (v12, answering a follower's last_fetched_epoch) is never set: replicas share the leader's
// log, so no log here ever diverges from it.
//
// Fetch sessions (KIP-227): a full fetch (session epoch 0 or -1) is served sessionless and
// answered with session id 0, which tells the client no session was created, so it keeps
// sending full fetches. An incremental fetch names a session we never created:
// FETCH_SESSION_ID_NOT_FOUND, after which clients fall back to full fetches.
//
// The answer is immediate when max_wait_ms <= 0, nothing is asked for, min_bytes are available,
// or a partition has an error. Otherwise the request is parked in the cluster's FetchWaiters and
// re-read whenever one of its partitions changes, and answered with whatever is there at the
// deadline; one whose client disconnected is dropped at its next wake. Responses point into the
// logs (no copies) and are encoded as soon as they are built.
//
// Thread-safety: loop thread only.
#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "broker/cluster.h"
#include "broker/data_plane.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/fetch.h"

namespace kclient::broker {
namespace {

using protocol::FetchRequest;
using protocol::FetchResponse;

constexpr auto kFetchApiKey = static_cast<int16_t>(protocol::FetchRequest::kApiKey);
// Kafka's broker-side fetch.max.bytes default, which caps a request's max_bytes.
constexpr int64_t kBrokerFetchMaxBytes = 55 * 1024 * 1024;

struct PendingFetch {
  Cluster* cluster = nullptr;
  int32_t broker_id = 0;
  ConnectionId connection = 0;
  int16_t version = 0;
  FetchRequest request;
  Responder responder;
  PendingFetch(const RequestContext& ctx, FetchRequest r, Responder resp)
      : cluster(ctx.cluster),
        broker_id(ctx.broker_id),
        connection(ctx.connection),
        version(ctx.version()),
        request(std::move(r)),
        responder(std::move(resp)) {}
};

struct ReadResult {
  FetchResponse response;
  int64_t bytes = 0;
  bool any_error = false;
};

bool HostsReplica(const PartitionState& p, int32_t broker_id) {
  return std::find(p.replicas.begin(), p.replicas.end(), broker_id) != p.replicas.end();
}

void SetError(FetchResponse::PartitionData* out, ErrorCode error) {
  out->error_code = static_cast<int16_t>(error);
  out->high_watermark = -1;
  out->last_stable_offset = -1;
  out->log_start_offset = -1;
  out->records = protocol::RecordsView();
}

// Reads every requested partition once. Injected faults are consulted only on the first read,
// which then answers at once (an error), so a parked fetch never consumes one.
ReadResult Read(PendingFetch& f, bool consult_faults) {
  Cluster& cluster = *f.cluster;
  const FetchRequest& req = f.request;
  const bool by_id = f.version >= 13;
  ReadResult r;
  r.response.session_id = 0;
  int64_t limit = std::min<int64_t>(std::max(req.max_bytes, 0), kBrokerFetchMaxBytes);
  bool min_one = true;
  std::set<int32_t> leaders_to_describe;

  for (const auto& ft : req.topics) {
    auto& tr = r.response.responses.emplace_back();
    if (by_id) {
      tr.topic_id = ft.topic_id;
    } else {
      tr.topic = ft.topic;
    }
    TopicState* topic = by_id ? cluster.topics().FindById(ft.topic_id) : cluster.topics().Find(ft.topic);
    for (const auto& fp : ft.partitions) {
      auto& out = tr.partitions.emplace_back();
      out.partition_index = fp.partition;
      if (req.isolation_level == 0) out.aborted_transactions.reset();
      PartitionState* p = topic != nullptr ? topic->partition(fp.partition) : nullptr;
      if (p == nullptr) {
        SetError(&out, by_id && topic == nullptr ? ErrorCode::kUnknownTopicId : ErrorCode::kUnknownTopicOrPartition);
        r.any_error = true;
        continue;
      }
      if (consult_faults && !cluster.faults().empty()) {
        if (auto injected = cluster.faults().TakeError(kFetchApiKey, f.broker_id, topic->name, fp.partition)) {
          SetError(&out, *injected);
          r.any_error = true;
          continue;
        }
      }
      ErrorCode error = ErrorCode::kNone;
      if (!HostsReplica(*p, f.broker_id)) {
        error = ErrorCode::kNotLeaderOrFollower;
      } else if (ErrorCode e = CheckLeaderEpoch(*p, fp.current_leader_epoch); e != ErrorCode::kNone) {
        error = e;
      } else if (p->leader != f.broker_id) {
        error = ErrorCode::kNotLeaderOrFollower;
      }
      if (error != ErrorCode::kNone) {
        SetError(&out, error);
        r.any_error = true;
        if (f.version >= 12) {
          out.current_leader.leader_id = p->leader;
          out.current_leader.leader_epoch = p->leader_epoch;
          if (p->leader != -1 && p->leader != f.broker_id) leaders_to_describe.insert(p->leader);
        }
        continue;
      }
      const PartitionLog& log = p->log;
      if (fp.fetch_offset < log.log_start_offset() || fp.fetch_offset > log.log_end_offset()) {
        SetError(&out, ErrorCode::kOffsetOutOfRange);
        r.any_error = true;
        continue;
      }
      const int64_t hw = log.high_watermark();
      out.high_watermark = hw;
      out.last_stable_offset = hw;  // no open transactions: the LSO is the high watermark
      out.log_start_offset = log.log_start_offset();
      const auto max = static_cast<int32_t>(std::min<int64_t>(std::max(fp.partition_max_bytes, 0), limit));
      std::span<const uint8_t> records = log.Read(fp.fetch_offset, max, min_one, hw);
      out.records = protocol::RecordsView(records);
      if (!records.empty()) {
        // Once a partition returned data, later ones get no exemption from the limits (KIP-74).
        min_one = false;
        limit = std::max<int64_t>(0, limit - static_cast<int64_t>(records.size()));
        r.bytes += static_cast<int64_t>(records.size());
      }
    }
  }
  if (f.version >= 16) {
    for (int32_t id : leaders_to_describe) {
      const Cluster::Broker* b = cluster.broker(id);
      if (b == nullptr || !b->running()) continue;
      auto& ne = r.response.node_endpoints.emplace_back();
      ne.node_id = id;
      ne.host = b->host;
      ne.port = b->port;
    }
  }
  return r;
}

// Answers if it can (or must); returns whether it did. A fetch whose client has gone is dropped
// at its next wake instead of waiting out its max wait.
bool TryAnswer(PendingFetch& f, bool final) {
  if (f.cluster->FindConnection(f.connection) == nullptr) {
    f.responder.SendNothing();
    return true;
  }
  ReadResult r = Read(f, /*consult_faults=*/false);
  if (!final && !r.any_error && r.bytes < f.request.min_bytes) return false;
  f.responder.Send(r.response);
  return true;
}

void HandleFetchRequest(RequestContext& ctx, FetchRequest& request, Responder responder) {
  const int16_t version = ctx.version();
  // KIP-227: epoch 0 (a new session) and -1 (no session) are full fetches; anything else is an
  // incremental fetch of a session, and we never create one.
  if (version >= 7 && request.session_epoch != 0 && request.session_epoch != -1) {
    FetchResponse response;
    response.error_code = static_cast<int16_t>(ErrorCode::kFetchSessionIdNotFound);
    response.session_id = 0;
    responder.Send(response);
    return;
  }
  auto f = std::make_shared<PendingFetch>(ctx, std::move(request), std::move(responder));
  ReadResult r = Read(*f, /*consult_faults=*/true);
  size_t partitions = 0;
  for (const auto& t : f->request.topics) partitions += t.partitions.size();
  if (f->request.max_wait_ms <= 0 || partitions == 0 || r.any_error || r.bytes >= f->request.min_bytes) {
    f->responder.Send(r.response);
    return;
  }
  // Park it. Every partition resolved (no errors), so names are known even for id-addressed topics.
  std::vector<FetchWaiters::PartitionKey> keys;
  keys.reserve(partitions);
  for (const auto& t : f->request.topics) {
    TopicState* topic = version >= 13 ? ctx.cluster->topics().FindById(t.topic_id) : ctx.cluster->topics().Find(t.topic);
    if (topic == nullptr) continue;
    for (const auto& p : t.partitions) keys.emplace_back(topic->name, p.partition);
  }
  const auto deadline = ctx.cluster->loop().Now() + std::chrono::milliseconds(f->request.max_wait_ms);
  ctx.cluster->fetch_waiters().Park(std::move(keys), deadline, [f](bool final) { return TryAnswer(*f, final); });
}

}  // namespace

void HandleFetch(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<FetchRequest, HandleFetchRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
