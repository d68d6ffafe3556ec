#include "admin/coordinator_call.h"

#include <utility>

#include "protocol/messages/find_coordinator.h"

namespace kclient::admin {

namespace {

using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;

constexpr int8_t kGroupKey = 0;  // FindCoordinator KeyType: 0 group, 1 transaction, 2 share group
constexpr int16_t kFirstBatchedVersion = 4;

std::string GroupContext(const std::string& group) { return "group '" + group + "'"; }

// FindCoordinatorRequest for groups, filled for the version it is encoded at: v0-3 carry one Key,
// v4+ a list of CoordinatorKeys. More than one group below v4 cannot be encoded: the send then
// fails with kLocalUnsupportedVersion, which tells the call to look them up one by one.
struct FindGroupCoordinators {
  static constexpr protocol::ApiKey kApiKey = FindCoordinatorRequest::kApiKey;
  static constexpr int16_t kMinVersion = FindCoordinatorRequest::kMinVersion;
  static constexpr int16_t kMaxStableVersion = FindCoordinatorRequest::kMaxStableVersion;

  std::vector<std::string> groups;

  Status Encode(util::ByteBuffer* out, int16_t version) const {
    FindCoordinatorRequest request;
    request.key_type = kGroupKey;
    if (version >= kFirstBatchedVersion) {
      request.coordinator_keys = groups;
    } else if (groups.size() == 1) {
      request.key = groups.front();
    } else {
      return Status(ErrorCode::kLocalUnsupportedVersion,
                    "FindCoordinator v" + std::to_string(version) + " looks up one key at a time");
    }
    return request.Encode(out, version);
  }
};

}  // namespace

CoordinatorCall::CoordinatorCall(std::string name, net::Clock::time_point deadline,
                                 const std::vector<std::string>& groups)
    : FanOutCall(std::move(name), deadline), pending_(groups.begin(), groups.end()) {}

void CoordinatorCall::SendRound() {
  std::vector<std::string> unknown;
  std::map<int32_t, std::vector<std::string>> by_coordinator;
  for (const std::string& group : pending_) {
    auto it = coordinators_.find(group);
    if (it == coordinators_.end()) {
      unknown.push_back(group);
    } else {
      by_coordinator[it->second].push_back(group);
    }
  }
  if (!unknown.empty()) LookUp(unknown);
  for (const auto& [coordinator, groups] : by_coordinator) {
    if (done()) return;
    SendToCoordinator(coordinator, groups);
  }
}

void CoordinatorCall::LookUp(const std::vector<std::string>& groups) {
  std::vector<std::vector<std::string>> requests;
  if (batch_lookups_) {
    requests.push_back(groups);
  } else {
    for (const std::string& group : groups) requests.push_back({group});
  }
  for (auto& keys : requests) {
    if (done()) return;
    FindGroupCoordinators request{keys};
    SendInRound<FindCoordinatorResponse>(
        net::NetworkClient::kAnyBroker, std::move(request),
        [this, keys](const Status& s, FindCoordinatorResponse& r, int16_t version) { OnLookup(keys, s, r, version); });
  }
}

void CoordinatorCall::OnLookup(const std::vector<std::string>& groups, const Status& status,
                               FindCoordinatorResponse& response, int16_t version) {
  if (status.code() == ErrorCode::kLocalUnsupportedVersion && groups.size() > 1 && batch_lookups_) {
    // A broker before Kafka 3.0: look the groups up one at a time, at once (nothing failed).
    batch_lookups_ = false;
    ContinueAfterRound();
    return;
  }
  if (!status.ok()) {
    if (status.code() == ErrorCode::kLocalTransport || status.code() == ErrorCode::kLocalTimedOut) {
      ctx().metadata->RequestUpdate();
    }
    for (const std::string& group : groups) {
      if (!pending_.contains(group)) continue;
      if (status.retriable()) {
        RetryAfterRound(status.WithContext("FindCoordinator for " + GroupContext(group)));
      } else {
        SetError(group, status.WithContext(name() + ": FindCoordinator for " + GroupContext(group)));
        Answered(group);
      }
    }
    return;
  }
  if (version < kFirstBatchedVersion) {
    OnCoordinator(groups.front(), response.error_code, response.error_message, response.node_id);
    return;
  }
  std::set<std::string> unanswered(groups.begin(), groups.end());
  for (const auto& c : response.coordinators) {
    if (unanswered.erase(c.key) == 0) continue;
    OnCoordinator(c.key, c.error_code, c.error_message, c.node_id);
  }
  for (const std::string& group : unanswered) {
    RetryAfterRound(Status(ErrorCode::kCoordinatorNotAvailable,
                           "the FindCoordinator response has no coordinator for " + GroupContext(group)));
  }
}

void CoordinatorCall::OnCoordinator(const std::string& group, int16_t error_code,
                                    const std::optional<std::string>& message, int32_t node) {
  if (!pending_.contains(group)) return;
  const Status error = StatusFromWire(error_code, message);
  if (error.ok()) {
    coordinators_[group] = node;
    ContinueAfterRound();
  } else if (error.retriable()) {  // COORDINATOR_NOT_AVAILABLE while __consumer_offsets is created, ...
    RetryAfterRound(error.WithContext("FindCoordinator for " + GroupContext(group)));
  } else {
    SetError(group, error.WithContext(GroupContext(group)));
    Answered(group);
  }
}

bool CoordinatorCall::RetryIfCoordinatorError(const std::string& group, const Status& error) {
  switch (error.code()) {
    case ErrorCode::kNotCoordinator:
    case ErrorCode::kCoordinatorNotAvailable:
      coordinators_.erase(group);
      RetryAfterRound(error.WithContext(GroupContext(group)));
      return true;
    case ErrorCode::kCoordinatorLoadInProgress:
      RetryAfterRound(error.WithContext(GroupContext(group)));
      return true;
    default:
      return false;
  }
}

void CoordinatorCall::CoordinatorRequestFailed(const std::vector<std::string>& groups, const Status& status) {
  if (status.code() == ErrorCode::kLocalTransport || status.code() == ErrorCode::kLocalTimedOut) {
    ctx().metadata->RequestUpdate();  // the coordinator may be gone, or not yet known by address
  }
  for (const std::string& group : groups) {
    if (!pending_.contains(group)) continue;
    if (status.retriable()) {
      coordinators_.erase(group);
      RetryAfterRound(status.WithContext(GroupContext(group)));
    } else {
      SetError(group, status.WithContext(name() + " for " + GroupContext(group)));
      Answered(group);
    }
  }
}

void CoordinatorCall::LeftUnanswered() {
  for (const std::string& group : pending_) {
    SetError(group, Status(ErrorCode::kUnknownServerError,
                           "the coordinator's " + name() + " response has no answer for " + GroupContext(group)));
  }
  pending_.clear();
}

}  // namespace kclient::admin
