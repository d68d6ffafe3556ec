// Topics and partitions as the cluster knows them: ids, replica placement, leaders, in-sync
// replicas, and each partition's log. Owned by the Cluster; loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "broker/log/partition_log.h"
#include "kclient/result.h"
#include "kclient/uuid.h"

namespace kclient::broker {

class LogStorage;

struct PartitionState {
  int32_t index = 0;
  int32_t leader = -1;  // -1: no leader (every replica is down)
  int32_t leader_epoch = 0;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  PartitionLog log;
};

struct TopicState {
  std::string name;
  Uuid id;
  std::vector<std::unique_ptr<PartitionState>> partitions;
  std::map<std::string, std::string> configs;  // only what was set explicitly
  bool internal = false;

  PartitionState* partition(int32_t i) {
    return i >= 0 && static_cast<size_t>(i) < partitions.size() ? partitions[static_cast<size_t>(i)].get() : nullptr;
  }
};

class TopicRegistry {
 public:
  // Kafka sets no small limit, but one request must not be able to exhaust this process's
  // memory: more partitions than this in one topic are refused with INVALID_PARTITIONS.
  static constexpr int32_t kMaxPartitionsPerTopic = 10000;

  TopicState* Find(std::string_view name);
  TopicState* FindById(const Uuid& id);
  // Creates a topic with `partitions` partitions of `replication_factor` replicas spread over
  // `brokers` (ids of live brokers, round robin, as Kafka's default placement does). Kafka's
  // error codes: TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS,
  // INVALID_REPLICATION_FACTOR.
  Result<TopicState*> Create(const std::string& name, int32_t partitions, int16_t replication_factor,
                             const std::vector<int32_t>& brokers, std::map<std::string, std::string> configs = {});
  // Grows a topic to `total` partitions.
  Status AddPartitions(TopicState* topic, int32_t total, const std::vector<int32_t>& brokers);
  // With a data_dir, also deletes the partitions' directories.
  Status Delete(std::string_view name);

  std::map<std::string, std::unique_ptr<TopicState>, std::less<>>& all() { return topics_; }

  // ---- Durable storage (broker/log/log_storage.h) ----
  // Create, AddPartitions and Delete open, save and remove through `storage` (set by the
  // Cluster; null: nothing is stored). A failure to store is KAFKA_STORAGE_ERROR and undoes the
  // change.
  void set_storage(LogStorage* storage) { storage_ = storage; }
  // Saves topics.json now; call after changing a topic's configs or replicas in place
  // (AlterConfigs). Without it the change is saved within log_retention_check_interval_ms.
  Status Persist();
  // Registers a topic loaded from storage, as it was.
  TopicState* Adopt(std::unique_ptr<TopicState> topic);
  uint64_t id_seed() const { return next_id_seed_; }
  void set_id_seed(uint64_t seed) { next_id_seed_ = seed; }

  // Kafka's topic name rules: 1..249 characters of [a-zA-Z0-9._-], not "." or "..".
  static Status ValidateName(std::string_view name);

 private:
  std::map<std::string, std::unique_ptr<TopicState>, std::less<>> topics_;
  uint64_t next_id_seed_ = 0x6b636c69656e7431ULL;  // ids are deterministic per cluster
  LogStorage* storage_ = nullptr;
};

}  // namespace kclient::broker
