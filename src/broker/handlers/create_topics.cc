// CreateTopics (v0-7): creates topics with a partition count and replication factor (-1: the
// cluster's num.partitions / default.replication.factor, KIP-464) or an explicit replica
// assignment, plus config overrides. Checks run in the order of Kafka's controller
// (ControllerApis.createTopics, ReplicationControlManager.createTopics/createTopic): duplicate
// names in the request, the name, existence, null and then invalid configs, the assignment or
// the counts, and placement. Each topic succeeds or fails on its own; validate_only runs every
// check and creates nothing. From v5 a result carries the partition count, replication factor
// and every effective config with its source.
#include <algorithm>
#include <map>
#include <optional>

#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_admin.h"
#include "broker/topic_configs.h"
#include "protocol/messages/create_topics.h"

namespace kclient::broker {
namespace {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using TopicResult = CreateTopicsResponse::CreatableTopicResult;

struct Plan {
  int32_t partitions = 0;
  int16_t replication_factor = 0;
  std::optional<ReplicaAssignment> assignment;  // set when the default placement is not used
  std::map<std::string, std::string> configs;
};

void Fail(TopicResult* out, const Status& s) {
  out->error_code = static_cast<int16_t>(s.code());
  out->error_message = std::string(s.message());
}

// Everything Kafka checks before it writes a topic; the plan to create it, or the error.
Result<Plan> Check(RequestContext& ctx, const CreateTopicsRequest::CreatableTopic& t) {
  Cluster& cluster = *ctx.cluster;
  if (Status s = ValidateNewTopicName(cluster, t.name); !s.ok()) return s;
  if (cluster.topics().Find(t.name) != nullptr) {
    return Status(ErrorCode::kTopicAlreadyExists, "Topic '" + t.name + "' already exists.");
  }

  Plan plan;
  std::string null_configs;
  for (const auto& c : t.configs) {
    if (!c.value) {
      null_configs += (null_configs.empty() ? "" : ",") + c.name;
      continue;
    }
    plan.configs[c.name] = *c.value;
  }
  if (!null_configs.empty()) {
    return Status(ErrorCode::kInvalidConfig, "Null value not supported for topic configs: " + null_configs);
  }
  for (const auto& [name, value] : plan.configs) {
    if (Status s = ValidateTopicConfig(name, value); !s.ok()) return s;
  }

  if (!t.assignments.empty()) {
    if (t.replication_factor != -1) {
      return Status(ErrorCode::kInvalidRequest,
                    "A manual partition assignment was specified, but replication factor was not set to -1.");
    }
    if (t.num_partitions != -1) {
      return Status(ErrorCode::kInvalidRequest,
                    "A manual partition assignment was specified, but numPartitions was not set to -1.");
    }
    std::map<int32_t, std::vector<int32_t>> by_index;
    std::optional<size_t> rf;
    for (const auto& a : t.assignments) {
      if (by_index.count(a.partition_index) != 0) {
        return Status(ErrorCode::kInvalidReplicaAssignment,
                      "Found multiple manual partition assignments for partition " + std::to_string(a.partition_index));
      }
      if (Status s = ValidateManualAssignment(cluster, a.broker_ids, rf); !s.ok()) return s;
      rf = a.broker_ids.size();
      const bool any_live = std::any_of(a.broker_ids.begin(), a.broker_ids.end(), [&](int32_t id) {
        const Cluster::Broker* b = cluster.broker(id);
        return b != nullptr && b->running();
      });
      if (!any_live) {
        return Status(ErrorCode::kInvalidReplicaAssignment,
                      "All brokers specified in the manual partition assignment for partition " +
                          std::to_string(a.partition_index) + " are fenced or in controlled shutdown.");
      }
      by_index[a.partition_index] = a.broker_ids;
    }
    ReplicaAssignment assignment;
    for (int32_t i = 0; i < static_cast<int32_t>(by_index.size()); ++i) {
      auto it = by_index.find(i);
      if (it == by_index.end()) {
        return Status(ErrorCode::kInvalidReplicaAssignment, "partitions should be a consecutive 0-based integer sequence");
      }
      assignment.push_back(it->second);
    }
    plan.partitions = static_cast<int32_t>(assignment.size());
    plan.replication_factor = static_cast<int16_t>(assignment.front().size());
    plan.assignment = std::move(assignment);
  } else {
    if (t.replication_factor < -1 || t.replication_factor == 0) {
      return Status(ErrorCode::kInvalidReplicationFactor,
                    "Replication factor must be larger than 0, or -1 to use the default value.");
    }
    if (t.num_partitions < -1 || t.num_partitions == 0) {
      return Status(ErrorCode::kInvalidPartitions, "Number of partitions was set to an invalid non-positive value.");
    }
    plan.partitions = t.num_partitions == -1 ? cluster.config().default_partitions : t.num_partitions;
    plan.replication_factor =
        t.replication_factor == -1 ? cluster.config().default_replication_factor : t.replication_factor;
    if (plan.partitions > TopicRegistry::kMaxPartitionsPerTopic) {
      return Status(ErrorCode::kInvalidPartitions, "kclient-broker allows at most " +
                                                       std::to_string(TopicRegistry::kMaxPartitionsPerTopic) +
                                                       " partitions per topic, not " + std::to_string(plan.partitions) + ".");
    }
    Result<ReplicaAssignment> placed = PlaceReplicas(cluster, 0, plan.partitions, plan.replication_factor);
    if (!placed.ok()) {
      return Status(ErrorCode::kInvalidReplicationFactor, "Unable to replicate the partition " +
                                                              std::to_string(plan.replication_factor) +
                                                              " time(s): " + std::string(placed.status().message()));
    }
    // With enough live brokers the registry's own placement (which auto-created topics get too)
    // is used; otherwise stopped brokers fill in as followers.
    if (!AllLive(cluster, *placed)) plan.assignment = std::move(placed.value());
  }
  return plan;
}

void HandleCreateTopicsRequest(RequestContext& ctx, CreateTopicsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  CreateTopicsResponse response;

  std::map<std::string, int> seen;
  for (const auto& t : request.topics) seen[t.name]++;

  for (const auto& t : request.topics) {
    if (seen[t.name] > 1) continue;  // answered once, at the end
    TopicResult& out = response.topics.emplace_back();
    out.name = t.name;
    if (auto injected = cluster.faults().TakeError(static_cast<int16_t>(protocol::ApiKey::kCreateTopics), ctx.broker_id,
                                                   t.name)) {
      out.error_code = static_cast<int16_t>(*injected);
      out.error_message.reset();
      continue;
    }
    Result<Plan> plan = Check(ctx, t);
    if (!plan.ok()) {
      Fail(&out, plan.status());
      continue;
    }
    if (!request.validate_only) {
      // The registry creates the topic (its id, its partitions); a planned assignment then
      // replaces the default placement.
      Result<TopicState*> created = cluster.CreateTopic(
          t.name, plan->partitions, plan->assignment ? int16_t{1} : plan->replication_factor, plan->configs);
      if (!created.ok()) {
        Fail(&out, created.status());
        continue;
      }
      if (plan->assignment) {
        if (Status s = ApplyAssignment(cluster, *created, 0, *plan->assignment); !s.ok()) {
          Fail(&out, s);
          continue;
        }
      }
      out.topic_id = (*created)->id;
    }
    out.error_message.reset();
    out.num_partitions = plan->partitions;
    out.replication_factor = plan->replication_factor;
    out.topic_config_error_code = 0;
    auto& configs = out.configs.emplace();
    for (const ConfigEntry& e : DescribeTopicConfigs(cluster.config(), plan->configs, /*raw_overrides=*/true)) {
      auto& c = configs.emplace_back();
      c.name = e.name;
      c.value = e.value;
      c.read_only = e.read_only;
      c.config_source = static_cast<int8_t>(e.source);
      c.is_sensitive = e.sensitive;
    }
  }
  for (const auto& [name, count] : seen) {
    if (count < 2) continue;
    TopicResult& out = response.topics.emplace_back();
    out.name = name;
    out.error_code = static_cast<int16_t>(ErrorCode::kInvalidRequest);
    out.error_message = "Duplicate topic name.";
  }
  responder.Send(response);
}

}  // namespace

void HandleCreateTopics(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<CreateTopicsRequest, HandleCreateTopicsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
