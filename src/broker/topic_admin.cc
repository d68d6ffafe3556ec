#include "broker/topic_admin.h"

#include <algorithm>

namespace kclient::broker {
namespace {

bool Live(Cluster& cluster, int32_t id) {
  const Cluster::Broker* b = cluster.broker(id);
  return b != nullptr && b->running();
}

// Kafka's Topic.unifyCollisionChars: '.' and '_' collide in metric names.
std::string Unify(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

}  // namespace

Status ValidateTopicName(std::string_view name) {
  auto invalid = [](std::string why) { return Status(ErrorCode::kInvalidTopicException, "Topic name is invalid: " + why); };
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.empty()) return invalid("the empty string is not allowed");
  if (name == "." || name == "..") return invalid(quoted + " is not allowed");
  if (name.size() > 249) return invalid("the length of " + quoted + " is longer than the max allowed length 249");
  if (!TopicRegistry::ValidateName(name).ok()) {
    return invalid(quoted + " contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'");
  }
  return Status();
}

Status ValidateNewTopicName(Cluster& cluster, std::string_view name) {
  if (Status s = ValidateTopicName(name); !s.ok()) return s;
  const std::string quoted = "'" + std::string(name) + "'";
  if (name.find_first_of("._") != std::string_view::npos) {
    const std::string unified = Unify(name);
    for (const auto& [existing, topic] : cluster.topics().all()) {
      if (existing != name && Unify(existing) == unified) {
        return Status(ErrorCode::kInvalidTopicException,
                      "Topic " + quoted + " collides with existing topic: " + existing);
      }
    }
  }
  return Status();
}

Status ValidateManualAssignment(Cluster& cluster, const std::vector<int32_t>& replicas,
                                std::optional<size_t> replication_factor) {
  auto invalid = [](std::string why) {
    return Status(ErrorCode::kInvalidReplicaAssignment, "The manual partition assignment includes " + why);
  };
  if (replicas.empty()) return invalid("an empty replica list.");
  std::vector<int32_t> sorted = replicas;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (cluster.broker(sorted[i]) == nullptr) {
      return invalid("broker " + std::to_string(sorted[i]) + ", but no such broker is registered.");
    }
    if (i > 0 && sorted[i] == sorted[i - 1]) {
      return invalid("the broker " + std::to_string(sorted[i]) + " more than once.");
    }
  }
  if (replication_factor && sorted.size() != *replication_factor) {
    return invalid("a partition with " + std::to_string(sorted.size()) +
                   " replica(s), but this is not consistent with previous partitions, which have " +
                   std::to_string(*replication_factor) + " replica(s).");
  }
  return Status();
}

Result<ReplicaAssignment> PlaceReplicas(Cluster& cluster, int32_t first_partition, int32_t count,
                                        int16_t replication_factor) {
  std::vector<int32_t> live;
  std::vector<int32_t> stopped;
  for (const auto& [id, b] : cluster.brokers()) (b.running() ? live : stopped).push_back(id);
  const size_t registered = live.size() + stopped.size();
  if (replication_factor < 1 || static_cast<size_t>(replication_factor) > registered) {
    return Status(ErrorCode::kInvalidReplicationFactor,
                  "The target replication factor of " + std::to_string(replication_factor) +
                      " cannot be reached because only " + std::to_string(registered) + " broker(s) are registered.");
  }
  if (live.empty()) return Status(ErrorCode::kInvalidReplicationFactor, "All brokers are currently fenced.");
  const auto rf = static_cast<size_t>(replication_factor);
  ReplicaAssignment out;
  out.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    const auto p = static_cast<size_t>(first_partition + i);
    std::vector<int32_t> replicas;
    for (size_t r = 0; r < std::min(rf, live.size()); ++r) replicas.push_back(live[(p + r) % live.size()]);
    for (size_t r = 0; replicas.size() < rf; ++r) replicas.push_back(stopped[(p + r) % stopped.size()]);
    out.push_back(std::move(replicas));
  }
  return out;
}

bool AllLive(Cluster& cluster, const ReplicaAssignment& assignment) {
  for (const auto& replicas : assignment) {
    for (int32_t id : replicas) {
      if (!Live(cluster, id)) return false;
    }
  }
  return true;
}

Status ApplyAssignment(Cluster& cluster, TopicState* topic, int32_t first_partition, const ReplicaAssignment& assignment) {
  for (size_t i = 0; i < assignment.size(); ++i) {
    PartitionState* p = topic->partition(first_partition + static_cast<int32_t>(i));
    if (p == nullptr) return Status(ErrorCode::kUnknownServerError, "no partition to assign replicas to");
    p->replicas = assignment[i];
    p->isr.clear();
    for (int32_t id : p->replicas) {
      if (Live(cluster, id)) p->isr.push_back(id);
    }
    p->leader = p->isr.empty() ? -1 : p->isr.front();
  }
  return cluster.topics().Persist();
}

std::vector<int32_t> AllBrokerIds(Cluster& cluster) {
  std::vector<int32_t> ids;
  for (const auto& [id, b] : cluster.brokers()) ids.push_back(id);
  return ids;
}

}  // namespace kclient::broker
