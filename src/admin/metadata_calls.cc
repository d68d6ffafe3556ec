#include "admin/metadata_calls.h"

#include <algorithm>

#include "protocol/messages/metadata.h"

namespace kclient::admin {

namespace {

using protocol::MetadataRequest;
using protocol::MetadataResponse;

TopicDescription Describe(MetadataResponse::MetadataResponseTopic& topic) {
  TopicDescription d;
  d.name = topic.name.value_or("");
  d.topic_id = topic.topic_id;
  d.internal = topic.is_internal;
  for (auto& p : topic.partitions) {
    PartitionDescription& out = d.partitions.emplace_back();
    out.partition = p.partition_index;
    out.leader = p.leader_id;
    out.leader_epoch = p.leader_epoch;
    out.replicas = std::move(p.replica_nodes);
    out.isr = std::move(p.isr_nodes);
    out.offline_replicas = std::move(p.offline_replicas);
  }
  std::sort(d.partitions.begin(), d.partitions.end(),
            [](const PartitionDescription& a, const PartitionDescription& b) { return a.partition < b.partition; });
  return d;
}

// Metadata with the response-level error of v13+ (e.g. REBOOTSTRAP_REQUIRED) folded in.
Status RequestStatus(const Status& status, const MetadataResponse& response) {
  if (!status.ok()) return status;
  return StatusFromWire(response.error_code, std::nullopt);
}

}  // namespace

ListTopicsCall::ListTopicsCall(net::Clock::time_point deadline, bool include_internal,
                               std::shared_ptr<Completion<Outcome>> completion)
    : AdminCall("ListTopics", deadline), include_internal_(include_internal), completion_(std::move(completion)) {}

void ListTopicsCall::Attempt() {
  MetadataRequest request;
  request.topics.reset();  // null: every topic
  request.allow_auto_topic_creation = false;
  net::SendOptions options;
  options.min_version = 4;
  Send(net::NetworkClient::kAnyBroker, std::move(request), &ListTopicsCall::OnResponse, options);
}

void ListTopicsCall::OnResponse(const Status& status, MetadataResponse& response) {
  if (HandleRequestError(RequestStatus(status, response))) return;
  for (const auto& t : response.topics) {
    if (!t.name || (t.is_internal && !include_internal_)) continue;
    names_.push_back(*t.name);
  }
  std::sort(names_.begin(), names_.end());
  Finish();
}

void ListTopicsCall::Publish(const Status& rest) {
  if (rest.ok()) {
    completion_->Set(std::move(names_));
  } else {
    completion_->Set(rest);
  }
}

DescribeTopicsCall::DescribeTopicsCall(net::Clock::time_point deadline, const std::vector<std::string>& names,
                                       std::shared_ptr<Completion<Outcome>> completion)
    : AdminCall("DescribeTopics", deadline), pending_(names.begin(), names.end()), completion_(std::move(completion)) {}

void DescribeTopicsCall::Attempt() {
  MetadataRequest request;
  auto& topics = request.topics.emplace();
  for (const std::string& name : pending_) topics.emplace_back().name = name;
  request.allow_auto_topic_creation = false;
  net::SendOptions options;
  options.min_version = 4;
  Send(net::NetworkClient::kAnyBroker, std::move(request), &DescribeTopicsCall::OnResponse, options);
}

void DescribeTopicsCall::OnResponse(const Status& status, MetadataResponse& response) {
  if (HandleRequestError(RequestStatus(status, response))) return;
  for (auto& t : response.topics) {
    if (!t.name || !pending_.contains(*t.name)) continue;
    const std::string name = *t.name;
    if (Status s = StatusFromWire(t.error_code, std::nullopt); !s.ok()) {
      results_.emplace(name, s.WithContext("topic '" + name + "'"));
    } else {
      results_.emplace(name, Describe(t));
    }
    pending_.erase(name);
  }
  for (const std::string& name : pending_) {
    results_.emplace(name, Status(ErrorCode::kUnknownTopicOrPartition, "topic '" + name + "' is not in the response"));
  }
  pending_.clear();
  Finish();
}

void DescribeTopicsCall::Publish(const Status& rest) {
  for (const std::string& name : pending_) results_.emplace(name, rest);
  pending_.clear();
  completion_->Set(std::move(results_));
}

}  // namespace kclient::admin
