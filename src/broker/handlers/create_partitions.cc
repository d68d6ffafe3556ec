// CreatePartitions (v0-3): grows topics to a new partition count, the new partitions placed like
// the existing ones or on the brokers the request assigns. As Kafka's controller
// (ControllerApis.createPartitions, ReplicationControlManager.createPartitions): a topic named
// twice is INVALID_REQUEST, an unknown one UNKNOWN_TOPIC_OR_PARTITION, a count that is not an
// increase INVALID_PARTITIONS, and an assignment of the wrong size or with unknown, repeated or
// only stopped brokers INVALID_REPLICA_ASSIGNMENT. validate_only checks and changes nothing.
#include <map>

#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_admin.h"
#include "protocol/messages/create_partitions.h"

namespace kclient::broker {
namespace {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;

// The replicas of the new partitions, or why the topic cannot grow as asked.
Result<ReplicaAssignment> Check(Cluster& cluster, const CreatePartitionsRequest::CreatePartitionsTopic& t) {
  TopicState* topic = cluster.topics().Find(t.name);
  if (topic == nullptr) return Status(ErrorCode::kUnknownTopicOrPartition, "");  // Kafka sends no message
  const auto current = static_cast<int32_t>(topic->partitions.size());
  if (t.count == current) {
    return Status(ErrorCode::kInvalidPartitions, "Topic already has " + std::to_string(current) + " partition(s).");
  }
  if (t.count < current) {
    return Status(ErrorCode::kInvalidPartitions, "The topic " + t.name + " currently has " + std::to_string(current) +
                                                     " partition(s); " + std::to_string(t.count) +
                                                     " would not be an increase.");
  }
  if (t.count > TopicRegistry::kMaxPartitionsPerTopic) {
    return Status(ErrorCode::kInvalidPartitions, "kclient-broker allows at most " +
                                                     std::to_string(TopicRegistry::kMaxPartitionsPerTopic) +
                                                     " partitions per topic, not " + std::to_string(t.count) + ".");
  }
  const int32_t additional = t.count - current;
  const size_t rf = topic->partitions.front()->replicas.size();
  if (!t.assignments) return PlaceReplicas(cluster, current, additional, static_cast<int16_t>(rf));

  if (t.assignments->size() != static_cast<size_t>(additional)) {
    return Status(ErrorCode::kInvalidReplicaAssignment,
                  "Attempted to add " + std::to_string(additional) + " additional partition(s), but only " +
                      std::to_string(t.assignments->size()) + " assignment(s) were specified.");
  }
  ReplicaAssignment assignment;
  for (size_t i = 0; i < t.assignments->size(); ++i) {
    const std::vector<int32_t>& replicas = (*t.assignments)[i].broker_ids;
    if (Status s = ValidateManualAssignment(cluster, replicas, rf); !s.ok()) return s;
    const bool any_live = std::any_of(replicas.begin(), replicas.end(), [&](int32_t id) {
      const Cluster::Broker* b = cluster.broker(id);
      return b != nullptr && b->running();
    });
    if (!any_live) {
      return Status(ErrorCode::kInvalidReplicaAssignment,
                    "All brokers specified in the manual partition assignment for partition " +
                        std::to_string(current + static_cast<int32_t>(i)) + " are fenced or in controlled shutdown.");
    }
    assignment.push_back(replicas);
  }
  return assignment;
}

void HandleCreatePartitionsRequest(RequestContext& ctx, CreatePartitionsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  CreatePartitionsResponse response;
  std::map<std::string, int> seen;
  for (const auto& t : request.topics) seen[t.name]++;
  // Kafka answers the duplicated names first.
  for (const auto& [name, count] : seen) {
    if (count < 2) continue;
    auto& r = response.results.emplace_back();
    r.name = name;
    r.error_code = static_cast<int16_t>(ErrorCode::kInvalidRequest);
    r.error_message = "Duplicate topic name.";
  }
  for (const auto& t : request.topics) {
    if (seen[t.name] > 1) continue;
    auto& r = response.results.emplace_back();
    r.name = t.name;
    if (auto injected = cluster.faults().TakeError(static_cast<int16_t>(protocol::ApiKey::kCreatePartitions),
                                                   ctx.broker_id, t.name)) {
      r.error_code = static_cast<int16_t>(*injected);
      continue;
    }
    Result<ReplicaAssignment> placed = Check(cluster, t);
    if (!placed.ok()) {
      r.error_code = static_cast<int16_t>(placed.status().code());
      if (!placed.status().message().empty()) r.error_message = std::string(placed.status().message());
      continue;
    }
    if (request.validate_only) continue;
    // The registry adds the partitions (and their logs); the planned replicas then replace its
    // default placement.
    TopicState* topic = cluster.topics().Find(t.name);
    const auto first = static_cast<int32_t>(topic->partitions.size());
    Status s = cluster.topics().AddPartitions(topic, t.count, AllBrokerIds(cluster));
    if (s.ok()) s = ApplyAssignment(cluster, topic, first, *placed);
    if (!s.ok()) {
      r.error_code = static_cast<int16_t>(s.code());
      r.error_message = std::string(s.message());
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleCreatePartitions(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<CreatePartitionsRequest, HandleCreatePartitionsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
