// LogStorage: the cluster's side of durable storage. With a data_dir, what the cluster knows
// about its topics and every partition's log live under it:
//
//   <data_dir>/topics.json              every topic: name, id, internal flag, configs (the
//                                       explicitly set ones), and per partition its replicas and
//                                       last known leader epoch; plus the seed of the next topic
//                                       id. Replaced atomically (temp file, fsync, rename) on
//                                       every create, delete and partition increase, and by the
//                                       periodic task when anything it holds changed in place
//                                       (leader epochs, configs altered by AlterConfigs).
//   <data_dir>/<topic>-<partition>/     the partition's log (segment_files.h)
//
// topics.json (version 1):
//   {"version": 1, "next_topic_id_seed": 123,
//    "topics": [{"name": "t", "id": "<22-char base64 Uuid>", "internal": false,
//                "configs": {"retention.ms": "1000"},
//                "partitions": [{"partition": 0, "replicas": [1, 2], "leader_epoch": 4}]}]}
//
// On start (Load, before any listener opens) every topic comes back with its id, configs and
// replica assignment, every partition's directory is recovered (log_recovery.h), its leader is
// its first replica that exists in this cluster, every existing replica is in sync (replicas
// share one log), and its leader epoch is one more than the larger of the saved one and the
// epoch stamped on its last batch, as after a Kafka leader election.
//
// Without a data_dir everything stays in memory; topic log configs and retention still apply.
//
// The periodic task (Tick, every log_retention_check_interval_ms) applies segment.bytes and
// flush.messages changes, enforces retention.ms / retention.bytes for cleanup.policy=delete
// topics (PartitionLog::DeleteOldSegments), writes buffered index entries, and saves
// topics.json when it changed.
//
// Thread-safety: loop thread only (owned by the Cluster).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "broker/cluster_config.h"
#include "broker/event_loop.h"
#include "kclient/status.h"

namespace kclient::broker {

struct PartitionState;
struct TopicState;
class TopicRegistry;

class LogStorage {
 public:
  using Logger = std::function<void(const std::string&)>;

  // A topic's effective log settings: its own config where set, else the cluster's default.
  struct TopicLogConfig {
    int64_t segment_bytes = 0;     // segment.bytes
    int64_t retention_ms = -1;     // retention.ms (-1: forever)
    int64_t retention_bytes = -1;  // retention.bytes per partition (-1: unlimited)
    int64_t flush_messages = 0;    // flush.messages (0: never fsync)
    bool delete_policy = true;     // cleanup.policy contains delete
  };

  static constexpr const char* kTopicsFile = "topics.json";

  // `config` must outlive this object (both belong to the Cluster).
  LogStorage(const ClusterConfig& config, Logger log);
  ~LogStorage();
  LogStorage(const LogStorage&) = delete;
  LogStorage& operator=(const LogStorage&) = delete;

  bool durable() const { return !config_.data_dir.empty(); }
  TopicLogConfig ConfigFor(const TopicState& topic) const;
  std::string PartitionDir(const std::string& topic, int32_t partition) const;

  // Start: loads topics.json and recovers every partition into `topics` (durable mode), then
  // starts the periodic task on `loop`. Fails on an unreadable topics.json or an I/O error.
  Status Open(TopicRegistry* topics, const std::vector<int32_t>& broker_ids, EventLoop* loop,
              std::function<int64_t()> now_ms);
  // Shutdown: stops the periodic task, flushes and fsyncs every log, saves topics.json.
  // Harmless to call twice.
  void Close(TopicRegistry* topics);

  // A partition that was just created: applies the topic's log settings and, when durable,
  // opens it in a fresh directory (removing whatever an earlier topic of that name left).
  Status InitPartition(const TopicState& topic, PartitionState* p);
  // Deletes the directories of partitions [first, end) of `topic` (after their logs are closed).
  void RemovePartitionDirs(const std::string& topic, int32_t first, int32_t end);
  // Writes topics.json (durable mode; a no-op in memory).
  Status Save(TopicRegistry& topics);

  // The periodic task; public for tests.
  void Tick(TopicRegistry* topics, int64_t now_ms);

 private:
  void ScheduleTick();
  uint64_t Fingerprint(TopicRegistry& topics) const;

  const ClusterConfig& config_;
  Logger log_;
  EventLoop* loop_ = nullptr;
  TopicRegistry* topics_ = nullptr;
  std::function<int64_t()> now_ms_;
  EventLoop::TimerId timer_ = 0;
  uint64_t saved_fingerprint_ = 0;
};

}  // namespace kclient::broker
