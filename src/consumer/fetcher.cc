#include "consumer/fetcher.h"

#include <utility>
#include <vector>

#include "protocol/messages/fetch.h"

namespace kclient::consumer {
namespace {

bool InvalidatesMetadata(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kUnknownTopicId:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kUnknownLeaderEpoch:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kOffsetNotAvailable:
    case ErrorCode::kLeaderNotAvailable:
      return true;
    default:
      return false;
  }
}

}  // namespace

Fetcher::Fetcher(net::NetworkClient* network, client::Metadata* metadata, SubscriptionState* subscriptions,
                 FetchBuffer* buffer, const ConsumerOptions& options)
    : network_(network), metadata_(metadata), subscriptions_(subscriptions), buffer_(buffer), options_(options) {}

Fetcher::~Fetcher() { *alive_ = false; }

void Fetcher::SendFetches() {
  // Partitions to fetch, by leader.
  std::map<int32_t, std::vector<std::pair<TopicPartition, int64_t>>> by_leader;
  for (const auto& [tp, position] : subscriptions_->FetchablePositions()) {
    if (buffer_->Holds(tp)) continue;
    const int32_t leader = metadata_->LeaderFor(tp.topic, tp.partition);
    if (leader < 0) {
      metadata_->RequestUpdate();
      continue;
    }
    if (in_flight_.count(leader) > 0) continue;
    by_leader[leader].emplace_back(tp, position.offset);
  }
  for (auto& [node, partitions] : by_leader) {
    protocol::FetchRequest request;
    request.max_wait_ms = options_.fetch_max_wait_ms;
    request.min_bytes = options_.fetch_min_bytes;
    request.max_bytes = options_.fetch_max_bytes;
    request.isolation_level = static_cast<int8_t>(options_.isolation_level);
    std::map<std::string, size_t> topic_index;
    for (const auto& [tp, offset] : partitions) {
      auto [it, added] = topic_index.emplace(tp.topic, request.topics.size());
      if (added) request.topics.emplace_back().topic = tp.topic;
      auto& p = request.topics[it->second].partitions.emplace_back();
      p.partition = tp.partition;
      p.fetch_offset = offset;
      p.partition_max_bytes = options_.max_partition_fetch_bytes;
    }
    in_flight_.insert(node);
    net::SendOptions send;
    send.min_version = 4;
    send.max_version = 12;  // topics by name
    // The broker may hold the fetch for max.wait.ms; the request timeout counts on top.
    send.timeout_ms = options_.client.request_timeout_ms + options_.fetch_max_wait_ms;
    auto offsets = std::make_shared<std::map<TopicPartition, int64_t>>();
    for (const auto& [tp, offset] : partitions) (*offsets)[tp] = offset;
    network_->Send<protocol::FetchRequest, protocol::FetchResponse>(
        node, std::move(request),
        std::function<void(const Status&, protocol::FetchResponse&, int16_t, net::ResponseFrame&)>(
            [this, alive = alive_, node = node, offsets](const Status& s, protocol::FetchResponse& r, int16_t,
                                                  net::ResponseFrame& frame) {
              if (!*alive) return;
              in_flight_.erase(node);
              if (!s.ok() || r.error_code != 0) {
                metadata_->RequestUpdate();
                return;  // the next SendFetches tries again (after reconnect backoff)
              }
              auto shared_frame = std::make_shared<const net::ResponseFrame>(std::move(frame));
              std::vector<CompletedFetch> done;
              for (auto& t : r.responses) {
                for (auto& p : t.partitions) {
                  TopicPartition tp{t.topic, p.partition_index};
                  auto asked = offsets->find(tp);
                  if (asked == offsets->end()) continue;
                  const auto code = static_cast<ErrorCode>(p.error_code);
                  if (InvalidatesMetadata(code)) {
                    metadata_->RequestUpdate();
                    continue;
                  }
                  if (code == ErrorCode::kOffsetOutOfRange && options_.auto_offset_reset != OffsetReset::kNone) {
                    // Only if the position is still the one fetched from (no seek since).
                    auto now = subscriptions_->position(tp);
                    if (now && now->offset == asked->second) {
                      subscriptions_->RequestReset(tp, options_.auto_offset_reset);
                    }
                    continue;
                  }
                  CompletedFetch f;
                  f.partition = std::move(tp);
                  f.fetch_offset = asked->second;
                  f.error = code;
                  f.high_watermark = p.high_watermark;
                  f.last_stable_offset = p.last_stable_offset;
                  f.log_start_offset = p.log_start_offset;
                  if (p.aborted_transactions) {
                    for (const auto& a : *p.aborted_transactions) {
                      f.aborted_transactions.push_back({a.producer_id, a.first_offset});
                    }
                  }
                  f.frame = shared_frame;
                  if (p.records) f.records = p.records->span();
                  // Empty answers are not worth a trip through Poll.
                  if (code == ErrorCode::kNone && f.records.empty()) continue;
                  done.push_back(std::move(f));
                }
              }
              buffer_->Add(std::move(done));
              SendFetches();
            }),
        send);
  }
}

}  // namespace kclient::consumer
