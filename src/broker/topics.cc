#include "broker/topics.h"

#include "kclient/error_code.h"

namespace kclient::broker {

TopicState* TopicRegistry::Find(std::string_view name) {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

TopicState* TopicRegistry::FindById(const Uuid& id) {
  for (auto& [name, t] : topics_) {
    if (t->id == id) return t.get();
  }
  return nullptr;
}

Status TopicRegistry::ValidateName(std::string_view name) {
  if (name.empty() || name.size() > 249) {
    return Status(ErrorCode::kInvalidTopicException, "topic name must be 1..249 characters");
  }
  if (name == "." || name == "..") return Status(ErrorCode::kInvalidTopicException, "topic name cannot be . or ..");
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return Status(ErrorCode::kInvalidTopicException, "topic name has a character outside [a-zA-Z0-9._-]");
  }
  return Status();
}

namespace {

void Place(PartitionState* p, int32_t index, int16_t replication_factor, const std::vector<int32_t>& brokers) {
  p->index = index;
  for (int16_t r = 0; r < replication_factor; ++r) {
    p->replicas.push_back(brokers[(static_cast<size_t>(index) + static_cast<size_t>(r)) % brokers.size()]);
  }
  p->isr = p->replicas;
  p->leader = p->replicas.front();
}

}  // namespace

Result<TopicState*> TopicRegistry::Create(const std::string& name, int32_t partitions, int16_t replication_factor,
                                          const std::vector<int32_t>& brokers,
                                          std::map<std::string, std::string> configs) {
  if (Status s = ValidateName(name); !s.ok()) return s;
  if (Find(name) != nullptr) return Status(ErrorCode::kTopicAlreadyExists, "topic " + name + " already exists");
  if (partitions < 1) return Status(ErrorCode::kInvalidPartitions, "partitions must be at least 1");
  if (replication_factor < 1 || static_cast<size_t>(replication_factor) > brokers.size()) {
    return Status(ErrorCode::kInvalidReplicationFactor,
                  "replication factor " + std::to_string(replication_factor) + " exceeds the " +
                      std::to_string(brokers.size()) + " available brokers");
  }
  auto topic = std::make_unique<TopicState>();
  topic->name = name;
  next_id_seed_ = next_id_seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
  topic->id = Uuid{next_id_seed_, next_id_seed_ ^ 0x9e3779b97f4a7c15ULL};
  topic->configs = std::move(configs);
  topic->internal = name == "__consumer_offsets" || name == "__transaction_state";
  for (int32_t i = 0; i < partitions; ++i) {
    auto p = std::make_unique<PartitionState>();
    Place(p.get(), i, replication_factor, brokers);
    topic->partitions.push_back(std::move(p));
  }
  TopicState* raw = topic.get();
  topics_.emplace(name, std::move(topic));
  return raw;
}

Status TopicRegistry::AddPartitions(TopicState* topic, int32_t total, const std::vector<int32_t>& brokers) {
  const auto current = static_cast<int32_t>(topic->partitions.size());
  if (total <= current) {
    return Status(ErrorCode::kInvalidPartitions, "topic " + topic->name + " already has " + std::to_string(current) +
                                                     " partitions");
  }
  const auto rf = static_cast<int16_t>(topic->partitions.front()->replicas.size());
  if (static_cast<size_t>(rf) > brokers.size()) {
    return Status(ErrorCode::kInvalidReplicationFactor, "not enough live brokers for the new partitions");
  }
  for (int32_t i = current; i < total; ++i) {
    auto p = std::make_unique<PartitionState>();
    Place(p.get(), i, rf, brokers);
    topic->partitions.push_back(std::move(p));
  }
  return Status();
}

Status TopicRegistry::Delete(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return Status(ErrorCode::kUnknownTopicOrPartition, "no topic " + std::string(name));
  topics_.erase(it);
  return Status();
}

}  // namespace kclient::broker
