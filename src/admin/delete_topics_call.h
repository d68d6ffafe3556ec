// DeleteTopicsCall: DeleteTopics (v0-6) by name, sent to the controller; per-topic retries as in
// TopicMutationCall. Names travel in TopicNames up to v5 and in Topics from v6, whichever version
// the broker and we agree on.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "admin/topic_mutation_call.h"

namespace kclient::protocol {
struct DeleteTopicsResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class DeleteTopicsCall final : public TopicMutationCall {
 public:
  /// `names`: distinct and non-empty.
  DeleteTopicsCall(net::Clock::time_point deadline, const std::vector<std::string>& names,
                   std::shared_ptr<Completion<Outcome>> completion);

 private:
  void Attempt() override;
  void OnResponse(const Status& status, protocol::DeleteTopicsResponse& response);
};

}  // namespace kclient::admin
