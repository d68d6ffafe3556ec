// CoordinatorCall: a FanOutCall about consumer groups, whose requests go to each group's
// coordinator. Each round looks up, with FindCoordinator (key type 0), the groups whose
// coordinator is not known — all in one request from v4 (Kafka 3.0, KIP-699), else one request
// per group, falling back when a broker turns out to be older — and sends the call's own request
// (DescribeGroups, OffsetFetch, ...) to each known coordinator for its groups.
//
// As in Java: NOT_COORDINATOR and COORDINATOR_NOT_AVAILABLE (the group moved, or its coordinator
// is down) forget the coordinator and look it up again; COORDINATOR_LOAD_IN_PROGRESS retries the
// same one; other errors (GROUP_AUTHORIZATION_FAILED, ...) are the group's answer.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin/fan_out_call.h"

namespace kclient::protocol {
struct FindCoordinatorResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class CoordinatorCall : public FanOutCall {
 public:
  /// `groups`: the distinct group ids the call is about.
  CoordinatorCall(std::string name, net::Clock::time_point deadline, const std::vector<std::string>& groups);

 protected:
  /// Sends the call's request for `groups` (unanswered, all coordinated by `coordinator`) with
  /// SendInRound. Its handler answers each group (Answered, SetError) or hands it back with
  /// RetryIfCoordinatorError or CoordinatorRequestFailed; a group it does neither for gets an
  /// error saying the response left it out.
  virtual void SendToCoordinator(int32_t coordinator, const std::vector<std::string>& groups) = 0;
  /// Keeps `why` as the final answer for `group` (then Answered follows).
  virtual void SetError(const std::string& group, const Status& why) = 0;

  /// Groups without an answer yet; Publish gives these its `rest`.
  const std::set<std::string>& pending() const { return pending_; }
  /// `group` has its answer.
  void Answered(const std::string& group) { pending_.erase(group); }
  /// For a group's error in a coordinator's response: true when it is a coordinator error (the
  /// group is retried after the round, its coordinator looked up again unless only loading);
  /// false otherwise — the error, if any, is the group's answer.
  bool RetryIfCoordinatorError(const std::string& group, const Status& error);
  /// The request to a coordinator for `groups` failed as a whole (`status` is not ok): retried
  /// (after looking the coordinator up again) when retriable, else their answer.
  void CoordinatorRequestFailed(const std::vector<std::string>& groups, const Status& status);

 private:
  void SendRound() final;
  bool AllAnswered() const final { return pending_.empty(); }
  void LeftUnanswered() final;

  void LookUp(const std::vector<std::string>& groups);
  void OnLookup(const std::vector<std::string>& groups, const Status& status,
                protocol::FindCoordinatorResponse& response, int16_t version);
  void OnCoordinator(const std::string& group, int16_t error_code, const std::optional<std::string>& message,
                     int32_t node);

  std::set<std::string> pending_;
  std::map<std::string, int32_t> coordinators_;  // group -> coordinator's broker id, where known
  bool batch_lookups_ = true;                    // until a broker cannot take a batch
};

}  // namespace kclient::admin
