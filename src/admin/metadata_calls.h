// The calls a Metadata request answers: ListTopics (every topic: a null topic list, v1+) and
// DescribeTopics (the named ones). Both send to the least loaded broker and never let the broker
// auto-create a topic (AllowAutoTopicCreation=false, hence v4+). Only the request as a whole is
// retried; a topic's error (UNKNOWN_TOPIC_OR_PARTITION, ...) is its answer, as in Java.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "admin/admin_call.h"
#include "admin/completion.h"
#include "kclient/admin_types.h"
#include "kclient/result.h"

namespace kclient::protocol {
struct MetadataResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class ListTopicsCall final : public AdminCall {
 public:
  using Outcome = Result<std::vector<std::string>>;

  ListTopicsCall(net::Clock::time_point deadline, bool include_internal,
                 std::shared_ptr<Completion<Outcome>> completion);

 private:
  void Attempt() override;
  void OnResponse(const Status& status, protocol::MetadataResponse& response);
  void Publish(const Status& rest) override;

  bool include_internal_;
  std::vector<std::string> names_;
  std::shared_ptr<Completion<Outcome>> completion_;
};

class DescribeTopicsCall final : public AdminCall {
 public:
  using Outcome = std::map<std::string, Result<TopicDescription>>;

  /// `names`: distinct and non-empty.
  DescribeTopicsCall(net::Clock::time_point deadline, const std::vector<std::string>& names,
                     std::shared_ptr<Completion<Outcome>> completion);

 private:
  void Attempt() override;
  void OnResponse(const Status& status, protocol::MetadataResponse& response);
  void Publish(const Status& rest) override;

  std::set<std::string> pending_;
  Outcome results_;
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
