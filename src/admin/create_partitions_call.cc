#include "admin/create_partitions_call.h"

#include "protocol/messages/create_partitions.h"

namespace kclient::admin {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;

CreatePartitionsCall::CreatePartitionsCall(net::Clock::time_point deadline, std::map<std::string, int32_t> counts,
                                           bool validate_only, std::shared_ptr<Completion<Outcome>> completion)
    : TopicMutationCall("CreatePartitions", deadline, Names(counts), std::move(completion)),
      counts_(std::move(counts)),
      validate_only_(validate_only) {}

std::vector<std::string> CreatePartitionsCall::Names(const std::map<std::string, int32_t>& counts) {
  std::vector<std::string> names;
  names.reserve(counts.size());
  for (const auto& [name, count] : counts) names.push_back(name);
  return names;
}

void CreatePartitionsCall::Attempt() {
  CreatePartitionsRequest request;
  for (const std::string& name : pending()) {
    auto& t = request.topics.emplace_back();
    t.name = name;
    t.count = counts_.at(name);
    t.assignments.reset();  // null: the controller places the new partitions
  }
  request.timeout_ms = RemainingMs();
  request.validate_only = validate_only_;
  Send(ctx().ControllerNode(), std::move(request), &CreatePartitionsCall::OnResponse);
}

void CreatePartitionsCall::OnResponse(const Status& status, CreatePartitionsResponse& response) {
  if (!status.ok()) {
    OnRequestError(status);
    return;
  }
  for (const auto& r : response.results) Record(r.name, r.error_code, r.error_message);
  AfterResponse();
}

}  // namespace kclient::admin
