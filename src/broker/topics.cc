#include "broker/topics.h"

#include "broker/log/log_storage.h"
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
  if (partitions < 1 || partitions > kMaxPartitionsPerTopic) {
    return Status(ErrorCode::kInvalidPartitions,
                  "partitions must be 1.." + std::to_string(kMaxPartitionsPerTopic) + ", not " + std::to_string(partitions));
  }
  if (replication_factor < 1 || static_cast<size_t>(replication_factor) > brokers.size()) {
    return Status(ErrorCode::kInvalidReplicationFactor,
                  "replication factor " + std::to_string(replication_factor) + " exceeds the " +
                      std::to_string(brokers.size()) + " available brokers");
  }
  auto topic = std::make_unique<TopicState>();
  topic->name = name;
  do {  // a restored cluster may already hold the next id
    next_id_seed_ = next_id_seed_ * 6364136223846793005ULL + 1442695040888963407ULL;
    topic->id = Uuid{next_id_seed_, next_id_seed_ ^ 0x9e3779b97f4a7c15ULL};
  } while (topic->id.is_zero() || FindById(topic->id) != nullptr);
  topic->configs = std::move(configs);
  topic->internal = name == "__consumer_offsets" || name == "__transaction_state";
  for (int32_t i = 0; i < partitions; ++i) {
    auto p = std::make_unique<PartitionState>();
    Place(p.get(), i, replication_factor, brokers);
    topic->partitions.push_back(std::move(p));
  }
  TopicState* raw = topic.get();
  topics_.emplace(name, std::move(topic));
  if (storage_ != nullptr) {
    Status s;
    for (auto& p : raw->partitions) {
      if (s.ok()) s = storage_->InitPartition(*raw, p.get());
    }
    if (s.ok()) s = storage_->Save(*this);
    if (!s.ok()) {
      topics_.erase(name);
      storage_->RemovePartitionDirs(name, 0, partitions);
      return s;
    }
  }
  return raw;
}

Status TopicRegistry::AddPartitions(TopicState* topic, int32_t total, const std::vector<int32_t>& brokers) {
  const auto current = static_cast<int32_t>(topic->partitions.size());
  if (total > kMaxPartitionsPerTopic) {
    return Status(ErrorCode::kInvalidPartitions, "at most " + std::to_string(kMaxPartitionsPerTopic) + " partitions per topic");
  }
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
  if (storage_ != nullptr) {
    Status s;
    for (int32_t i = current; i < total && s.ok(); ++i) s = storage_->InitPartition(*topic, topic->partition(i));
    if (s.ok()) s = storage_->Save(*this);
    if (!s.ok()) {
      topic->partitions.resize(static_cast<size_t>(current));
      storage_->RemovePartitionDirs(topic->name, current, total);
      return s;
    }
  }
  return Status();
}

Status TopicRegistry::Delete(std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return Status(ErrorCode::kUnknownTopicOrPartition, "no topic " + std::string(name));
  std::unique_ptr<TopicState> doomed = std::move(it->second);
  topics_.erase(it);
  if (storage_ != nullptr) {
    if (Status s = storage_->Save(*this); !s.ok()) {
      topics_.emplace(doomed->name, std::move(doomed));
      return s;
    }
    const std::string topic_name = doomed->name;
    const auto partitions = static_cast<int32_t>(doomed->partitions.size());
    doomed.reset();  // closes its files before the directories go
    storage_->RemovePartitionDirs(topic_name, 0, partitions);
  }
  return Status();
}

Status TopicRegistry::Persist() { return storage_ != nullptr ? storage_->Save(*this) : Status(); }

TopicState* TopicRegistry::Adopt(std::unique_ptr<TopicState> topic) {
  TopicState* raw = topic.get();
  topics_.emplace(raw->name, std::move(topic));
  return raw;
}

}  // namespace kclient::broker
