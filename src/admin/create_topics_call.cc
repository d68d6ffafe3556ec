#include "admin/create_topics_call.h"

#include "protocol/messages/create_topics.h"

namespace kclient::admin {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;

CreateTopicsCall::CreateTopicsCall(net::Clock::time_point deadline, std::vector<NewTopic> topics, bool validate_only,
                                   std::shared_ptr<Completion<Outcome>> completion)
    : TopicMutationCall("CreateTopics", deadline, Names(topics), std::move(completion)), validate_only_(validate_only) {
  for (NewTopic& t : topics) topics_.emplace(t.name, std::move(t));
}

std::vector<std::string> CreateTopicsCall::Names(const std::vector<NewTopic>& topics) {
  std::vector<std::string> names;
  names.reserve(topics.size());
  for (const NewTopic& t : topics) names.push_back(t.name);
  return names;
}

void CreateTopicsCall::Attempt() {
  CreateTopicsRequest request;
  for (const std::string& name : pending()) {
    const NewTopic& t = topics_.at(name);
    auto& out = request.topics.emplace_back();
    out.name = t.name;
    out.num_partitions = t.partitions;
    out.replication_factor = t.replication_factor;
    for (const auto& [partition, brokers] : t.replica_assignment) {
      auto& a = out.assignments.emplace_back();
      a.partition_index = partition;
      a.broker_ids = brokers;
    }
    for (const auto& [key, value] : t.configs) {
      auto& c = out.configs.emplace_back();
      c.name = key;
      c.value = value;
    }
  }
  request.timeout_ms = RemainingMs();
  // validateOnly exists from v1; a broker that only speaks v0 fails the encode, and so the call.
  request.validate_only = validate_only_;
  Send(ctx().ControllerNode(), std::move(request), &CreateTopicsCall::OnResponse);
}

void CreateTopicsCall::OnResponse(const Status& status, CreateTopicsResponse& response) {
  if (!status.ok()) {
    OnRequestError(status);
    return;
  }
  for (const auto& t : response.topics) Record(t.name, t.error_code, t.error_message);
  AfterResponse();
}

}  // namespace kclient::admin
