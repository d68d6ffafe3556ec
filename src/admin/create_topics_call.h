// CreateTopicsCall: CreateTopics (v0-7) for a set of new topics, sent to the controller; per-topic
// retries as in TopicMutationCall. The request's own timeoutMs is what is left of the call's.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin/topic_mutation_call.h"
#include "kclient/admin_types.h"

namespace kclient::protocol {
struct CreateTopicsResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class CreateTopicsCall final : public TopicMutationCall {
 public:
  /// `topics`: distinct, non-empty names.
  CreateTopicsCall(net::Clock::time_point deadline, std::vector<NewTopic> topics, bool validate_only,
                   std::shared_ptr<Completion<Outcome>> completion);

 private:
  static std::vector<std::string> Names(const std::vector<NewTopic>& topics);
  void Attempt() override;
  void OnResponse(const Status& status, protocol::CreateTopicsResponse& response);

  std::map<std::string, NewTopic> topics_;
  bool validate_only_;
};

}  // namespace kclient::admin
