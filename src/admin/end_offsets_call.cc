#include "admin/end_offsets_call.h"

#include <climits>
#include <string>
#include <utility>

#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"

namespace kclient::admin {

namespace {

using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

constexpr int64_t kLatestTimestamp = -1;  // ListOffsets: the log end offset
constexpr int32_t kConsumerReplicaId = -1;
constexpr int8_t kReadUncommitted = 0;

std::string PartitionContext(const TopicPartition& tp) { return "partition " + tp.ToString(); }

}  // namespace

EndOffsetsCall::EndOffsetsCall(net::Clock::time_point deadline, std::set<TopicPartition> partitions,
                               std::shared_ptr<Completion<Outcome>> completion)
    : FanOutCall("ListOffsets", deadline), pending_(std::move(partitions)), completion_(std::move(completion)) {}

std::vector<TopicPartition> EndOffsetsCall::PendingOf(const std::string& topic) const {
  std::vector<TopicPartition> out;
  for (auto it = pending_.lower_bound(TopicPartition{topic, INT32_MIN}); it != pending_.end() && it->topic == topic;
       ++it) {
    out.push_back(*it);
  }
  return out;
}

void EndOffsetsCall::SendRound() {
  std::set<std::string> unmapped;
  std::map<int32_t, std::vector<TopicPartition>> by_leader;
  for (const TopicPartition& tp : pending_) {
    auto it = leaders_.find(tp);
    if (it == leaders_.end()) {
      unmapped.insert(tp.topic);
    } else {
      by_leader[it->second].push_back(tp);
    }
  }
  if (!unmapped.empty()) {
    MetadataRequest request;
    auto& topics = request.topics.emplace();
    for (const std::string& topic : unmapped) topics.emplace_back().name = topic;
    request.allow_auto_topic_creation = false;
    net::SendOptions options;
    options.min_version = 4;  // the first that can refuse to create topics
    SendInRound<MetadataResponse>(
        net::NetworkClient::kAnyBroker, std::move(request),
        [this](const Status& s, MetadataResponse& r, int16_t) { OnMetadata(s, r); }, options);
  }
  for (const auto& entry : by_leader) {
    if (done()) return;
    const int32_t leader = entry.first;
    const std::vector<TopicPartition>& partitions = entry.second;
    ListOffsetsRequest request;
    request.replica_id = kConsumerReplicaId;
    request.isolation_level = kReadUncommitted;
    request.timeout_ms = RemainingMs();
    for (const TopicPartition& tp : partitions) {
      if (request.topics.empty() || request.topics.back().name != tp.topic) {
        request.topics.emplace_back().name = tp.topic;
      }
      auto& p = request.topics.back().partitions.emplace_back();
      p.partition_index = tp.partition;
      p.timestamp = kLatestTimestamp;
    }
    net::SendOptions options;
    options.min_version = 1;  // v0 answers with a list of old-style offsets
    SendInRound<ListOffsetsResponse>(
        leader, std::move(request),
        [this, leader, partitions](const Status& s, ListOffsetsResponse& r, int16_t) {
          OnListOffsets(leader, partitions, s, r);
        },
        options);
  }
}

void EndOffsetsCall::OnMetadata(const Status& status, MetadataResponse& response) {
  if (RequestFailed(status.ok() ? StatusFromWire(response.error_code, std::nullopt) : status)) return;
  std::set<std::string> answered;
  for (const auto& t : response.topics) {
    if (!t.name) continue;
    const std::string& topic = *t.name;
    answered.insert(topic);
    const std::vector<TopicPartition> partitions = PendingOf(topic);
    if (partitions.empty()) continue;
    const Status topic_error = StatusFromWire(t.error_code, std::nullopt).WithContext("topic '" + topic + "'");
    if (topic_error.code() == ErrorCode::kUnknownTopicOrPartition) {
      // Deleted (or never created): the partitions have no end.
      for (const TopicPartition& tp : partitions) {
        results_[tp] = std::nullopt;
        pending_.erase(tp);
      }
      continue;
    }
    if (RequestFailed(topic_error)) {
      if (done()) return;
      continue;
    }
    std::map<int32_t, const MetadataResponse::MetadataResponsePartition*> by_index;
    for (const auto& p : t.partitions) by_index[p.partition_index] = &p;
    for (const TopicPartition& tp : partitions) {
      auto it = by_index.find(tp.partition);
      if (it == by_index.end()) {  // past the topic's partitions (it was recreated smaller)
        results_[tp] = std::nullopt;
        pending_.erase(tp);
        continue;
      }
      const auto& p = *it->second;
      const auto error = static_cast<ErrorCode>(p.error_code);
      // REPLICA_NOT_AVAILABLE: some follower is down; the leader still answers.
      if (p.leader_id >= 0 && (error == ErrorCode::kNone || error == ErrorCode::kReplicaNotAvailable)) {
        leaders_[tp] = p.leader_id;
        ContinueAfterRound();
      } else if (error == ErrorCode::kNone) {
        RetryAfterRound(Status(ErrorCode::kLeaderNotAvailable, PartitionContext(tp) + " has no leader"));
      } else if (RequestFailed(StatusFromWire(p.error_code, std::nullopt).WithContext(PartitionContext(tp)))) {
        if (done()) return;
      }
    }
  }
  for (const TopicPartition& tp : pending_) {
    if (!leaders_.contains(tp) && !answered.contains(tp.topic)) {
      RetryAfterRound(Status(ErrorCode::kUnknownTopicOrPartition,
                             "the Metadata response leaves out topic '" + tp.topic + "'"));
      break;
    }
  }
}

void EndOffsetsCall::OnListOffsets(int32_t leader, const std::vector<TopicPartition>& asked, const Status& status,
                                   ListOffsetsResponse& response) {
  if (!status.ok()) {
    for (const TopicPartition& tp : asked) leaders_.erase(tp);  // the leader may have moved or died
    RequestFailed(status.WithContext("broker " + std::to_string(leader)));
    return;
  }
  for (const auto& t : response.topics) {
    for (const auto& p : t.partitions) {
      const TopicPartition tp{t.name, p.partition_index};
      if (!pending_.contains(tp)) continue;
      const Status error = StatusFromWire(p.error_code, std::nullopt).WithContext(PartitionContext(tp));
      if (error.ok()) {
        results_[tp] = p.offset;
        pending_.erase(tp);
        leaders_.erase(tp);
        continue;
      }
      // NOT_LEADER_OR_FOLLOWER, FENCED_LEADER_EPOCH, OFFSET_NOT_AVAILABLE, ...: ask Metadata anew.
      if (error.retriable()) leaders_.erase(tp);
      RequestFailed(error);
      if (done()) return;
    }
  }
  for (const TopicPartition& tp : asked) {
    if (pending_.contains(tp) && leaders_.contains(tp)) {  // left out of the response
      leaders_.erase(tp);
      RetryAfterRound(Status(ErrorCode::kUnknownServerError,
                             "the ListOffsets response from broker " + std::to_string(leader) + " leaves out " +
                                 PartitionContext(tp)));
    }
  }
}

void EndOffsetsCall::LeftUnanswered() {
  // Every pending partition is retried or answered; this is only a backstop.
  Abort(Status(ErrorCode::kUnknownServerError, "ListOffsets: partitions left unanswered"));
}

void EndOffsetsCall::Publish(const Status& rest) {
  if (rest.ok()) {
    completion_->Set(std::move(results_));
  } else {
    completion_->Set(rest);
  }
}

}  // namespace kclient::admin
