// CreatePartitionsCall: CreatePartitions (v0-3) growing topics to new partition counts, the new
// partitions placed by the controller; per-topic retries as in TopicMutationCall.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin/topic_mutation_call.h"

namespace kclient::protocol {
struct CreatePartitionsResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class CreatePartitionsCall final : public TopicMutationCall {
 public:
  /// `counts`: topic (non-empty name) -> new total partition count.
  CreatePartitionsCall(net::Clock::time_point deadline, std::map<std::string, int32_t> counts, bool validate_only,
                       std::shared_ptr<Completion<Outcome>> completion);

 private:
  static std::vector<std::string> Names(const std::map<std::string, int32_t>& counts);
  void Attempt() override;
  void OnResponse(const Status& status, protocol::CreatePartitionsResponse& response);

  std::map<std::string, int32_t> counts_;
  bool validate_only_;
};

}  // namespace kclient::admin
