#include "admin/list_group_offsets_call.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "protocol/messages/offset_fetch.h"

namespace kclient::admin {

namespace {

using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

constexpr int16_t kFirstBatchedVersion = 8;
constexpr int16_t kFirstTopLevelErrorVersion = 2;
// v10 names topics by id; this call knows names.
constexpr int16_t kMaxVersionByName = 9;

// The asked partitions grouped by topic, as either form's topic list wants them.
template <typename Topic>
std::optional<std::vector<Topic>> TopicsFor(const std::optional<std::vector<TopicPartition>>& partitions) {
  if (!partitions) return std::nullopt;  // null: every committed partition
  std::map<std::string, std::set<int32_t>> by_topic;
  for (const TopicPartition& tp : *partitions) by_topic[tp.topic].insert(tp.partition);
  std::vector<Topic> out;
  for (const auto& [name, indexes] : by_topic) {
    Topic& t = out.emplace_back();
    t.name = name;
    t.partition_indexes.assign(indexes.begin(), indexes.end());
  }
  return out;
}

// OffsetFetchRequest for one group, filled for the version it is encoded at: GroupId and Topics up
// to v7, one entry of Groups from v8 (which older versions cannot carry, so both cannot be set).
struct OffsetFetchForGroup {
  static constexpr protocol::ApiKey kApiKey = OffsetFetchRequest::kApiKey;
  static constexpr int16_t kMinVersion = OffsetFetchRequest::kMinVersion;
  static constexpr int16_t kMaxStableVersion = OffsetFetchRequest::kMaxStableVersion;

  std::string group_id;
  std::optional<std::vector<TopicPartition>> partitions;

  Status Encode(util::ByteBuffer* out, int16_t version) const {
    OffsetFetchRequest request;
    if (version >= kFirstBatchedVersion) {
      OffsetFetchRequest::OffsetFetchRequestGroup& g = request.groups.emplace_back();
      g.group_id = group_id;
      g.topics = TopicsFor<OffsetFetchRequest::OffsetFetchRequestTopics>(partitions);
    } else {
      request.group_id = group_id;
      request.topics = TopicsFor<OffsetFetchRequest::OffsetFetchRequestTopic>(partitions);
    }
    return request.Encode(out, version);
  }
};

// Before v2 a group's error comes on its partitions: any partition error but these two is the
// group's (as Java's OffsetFetchResponse reads it).
bool IsPartitionOnlyError(int16_t code) {
  const auto e = static_cast<ErrorCode>(code);
  return e == ErrorCode::kUnknownTopicOrPartition || e == ErrorCode::kTopicAuthorizationFailed;
}

}  // namespace

ListGroupOffsetsCall::ListGroupOffsetsCall(net::Clock::time_point deadline, std::string group_id,
                                           std::optional<std::vector<TopicPartition>> partitions,
                                           std::shared_ptr<Completion<Outcome>> completion)
    : CoordinatorCall("OffsetFetch", deadline, {group_id}),
      group_id_(std::move(group_id)),
      partitions_(std::move(partitions)),
      completion_(std::move(completion)) {}

void ListGroupOffsetsCall::SendToCoordinator(int32_t coordinator, const std::vector<std::string>& groups) {
  net::SendOptions options;
  // v0 reads offsets kept in ZooKeeper; a null topic list (every partition) needs v2.
  options.min_version = partitions_ ? 1 : kFirstTopLevelErrorVersion;
  options.max_version = std::min(OffsetFetchRequest::kMaxStableVersion, kMaxVersionByName);
  SendInRound<OffsetFetchResponse>(coordinator, OffsetFetchForGroup{group_id_, partitions_},
                                   [this, groups](const Status& s, OffsetFetchResponse& r, int16_t version) {
                                     if (!s.ok()) {
                                       CoordinatorRequestFailed(groups, s);
                                     } else {
                                       OnResponse(r, version);
                                     }
                                   },
                                   options);
}

void ListGroupOffsetsCall::OnResponse(OffsetFetchResponse& response, int16_t version) {
  if (!pending().contains(group_id_)) return;
  if (version >= kFirstBatchedVersion) {
    for (auto& g : response.groups) {
      if (g.group_id != group_id_) continue;
      if (OnGroupError(StatusFromWire(g.error_code, std::nullopt))) return;
      Record(g.topics);
      Answered(group_id_);
      return;
    }
    return;  // not answered: the call reports it
  }
  int16_t group_error = response.error_code;
  if (version < kFirstTopLevelErrorVersion) {
    for (const auto& t : response.topics) {
      for (const auto& p : t.partitions) {
        if (group_error == 0 && p.error_code != 0 && !IsPartitionOnlyError(p.error_code)) group_error = p.error_code;
      }
    }
  }
  if (OnGroupError(StatusFromWire(group_error, std::nullopt))) return;
  Record(response.topics);
  Answered(group_id_);
}

bool ListGroupOffsetsCall::OnGroupError(const Status& error) {
  if (error.ok()) return false;
  if (RetryIfCoordinatorError(group_id_, error)) return true;
  // GROUP_AUTHORIZATION_FAILED, GROUP_ID_NOT_FOUND (v9+ member checks) and the rest are the answer.
  error_ = error.WithContext("group '" + group_id_ + "'");
  Answered(group_id_);
  return true;
}

template <typename Topics>
void ListGroupOffsetsCall::Record(Topics& topics) {
  for (auto& t : topics) {
    for (auto& p : t.partitions) {
      // A negative offset: nothing committed. A partition's own error: left out, as in Java.
      if (p.error_code != 0 || p.committed_offset < 0) continue;
      OffsetAndMetadata& o = offsets_[TopicPartition{t.name, p.partition_index}];
      o.offset = p.committed_offset;
      o.metadata = p.metadata.value_or("");
      o.leader_epoch = p.committed_leader_epoch;
    }
  }
}

void ListGroupOffsetsCall::Publish(const Status& rest) {
  if (!rest.ok()) {
    completion_->Set(rest);
  } else if (!error_.ok()) {
    completion_->Set(error_);
  } else {
    completion_->Set(std::move(offsets_));
  }
}

}  // namespace kclient::admin
