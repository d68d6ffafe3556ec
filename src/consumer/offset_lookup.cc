#include "consumer/offset_lookup.h"

#include <string>
#include <utility>
#include <vector>

#include "protocol/messages/list_offsets.h"

namespace kclient::consumer {

struct OffsetLookup::Pending {
  std::map<TopicPartition, int64_t> remaining;  // still to look up
  Offsets found;
  net::Clock::time_point deadline;
  Done done;
  int outstanding = 0;  // requests of this attempt still in flight
  uint32_t attempts = 0;
  Status last_error;
  bool finished = false;

  void Finish(Result<Offsets> result) {
    if (finished) return;
    finished = true;
    done(std::move(result));
  }
};

OffsetLookup::OffsetLookup(net::NetworkClient* network, client::Metadata* metadata, int8_t isolation_level,
                           const util::ExponentialBackoff& backoff)
    : network_(network), metadata_(metadata), isolation_level_(isolation_level), backoff_(backoff) {}

OffsetLookup::~OffsetLookup() { *alive_ = false; }

void OffsetLookup::Lookup(const std::map<TopicPartition, int64_t>& timestamps, net::Clock::time_point deadline,
                          Done done) {
  auto pending = std::make_shared<Pending>();
  pending->remaining = timestamps;
  pending->deadline = deadline;
  pending->done = std::move(done);
  for (const auto& [tp, ts] : timestamps) metadata_->AddTopic(tp.topic);
  Attempt(std::move(pending));
}

void OffsetLookup::Attempt(std::shared_ptr<Pending> pending) {
  if (pending->finished) return;
  if (pending->remaining.empty()) {
    pending->Finish(std::move(pending->found));
    return;
  }
  std::map<int32_t, std::vector<std::pair<TopicPartition, int64_t>>> by_leader;
  bool leaderless = false;
  for (const auto& [tp, ts] : pending->remaining) {
    const int32_t leader = metadata_->LeaderFor(tp.topic, tp.partition);
    if (leader < 0) {
      leaderless = true;
      continue;
    }
    by_leader[leader].emplace_back(tp, ts);
  }
  if (by_leader.empty()) {
    metadata_->RequestUpdate();
    RetryLater(std::move(pending), Status(ErrorCode::kLeaderNotAvailable, "no known leader"));
    return;
  }
  if (leaderless) metadata_->RequestUpdate();
  pending->outstanding = static_cast<int>(by_leader.size());
  for (auto& [node, partitions] : by_leader) {
    protocol::ListOffsetsRequest request;
    request.replica_id = -1;
    request.isolation_level = isolation_level_;
    std::map<std::string, size_t> index;
    for (const auto& [tp, ts] : partitions) {
      auto [it, added] = index.emplace(tp.topic, request.topics.size());
      if (added) request.topics.emplace_back().name = tp.topic;
      auto& p = request.topics[it->second].partitions.emplace_back();
      p.partition_index = tp.partition;
      p.timestamp = ts;
    }
    net::SendOptions send;
    send.min_version = 1;
    network_->Send<protocol::ListOffsetsRequest, protocol::ListOffsetsResponse>(
        node, std::move(request),
        std::function<void(const Status&, protocol::ListOffsetsResponse&)>(
            [this, alive = alive_, pending](const Status& s, protocol::ListOffsetsResponse& r) {
              if (!*alive || pending->finished) return;
              if (!s.ok()) {
                pending->last_error = s;
                metadata_->RequestUpdate();
              } else {
                for (const auto& t : r.topics) {
                  for (const auto& p : t.partitions) {
                    TopicPartition tp{t.name, p.partition_index};
                    if (pending->remaining.count(tp) == 0) continue;
                    const auto code = static_cast<ErrorCode>(p.error_code);
                    if (code == ErrorCode::kNone) {
                      if (p.offset >= 0) {
                        pending->found[tp] = OffsetAndTimestamp{p.offset, p.timestamp, p.leader_epoch};
                      } else {
                        pending->found[tp] = std::nullopt;
                      }
                      pending->remaining.erase(tp);
                    } else {
                      pending->last_error = Status(code, "ListOffsets for " + tp.ToString());
                      if (!pending->last_error.retriable()) {
                        pending->Finish(pending->last_error);
                        return;
                      }
                      metadata_->RequestUpdate();
                    }
                  }
                }
              }
              if (--pending->outstanding > 0) return;
              if (pending->remaining.empty()) {
                pending->Finish(std::move(pending->found));
              } else {
                RetryLater(pending, pending->last_error);
              }
            }),
        send);
  }
}

void OffsetLookup::RetryLater(std::shared_ptr<Pending> pending, const Status& why) {
  const auto wait = std::chrono::milliseconds(backoff_.BackoffMs(pending->attempts++, rng_));
  if (network_->loop().Now() + wait >= pending->deadline) {
    pending->Finish(Status(ErrorCode::kLocalTimedOut, "offset lookup timed out; last error: " + why.ToString()));
    return;
  }
  network_->loop().AddTimer(wait, [this, alive = alive_, pending] {
    if (*alive) Attempt(pending);
  });
}

}  // namespace kclient::consumer
