// EmbeddedCluster: kclient's Kafka-compatible broker, running inside your process on loopback
// ports. For tests of code that produces or consumes (yours and ours): start a cluster of one or
// more brokers, point any Kafka client at bootstrap_servers(), create topics, stop and restart
// brokers, move partition leaders.
//
// The same broker runs standalone as the kclient-broker executable.
//
// Thread-safety: every method may be called from any thread. The cluster's state lives on its
// own event-loop thread; methods hand their work to that thread and wait for it.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

struct EmbeddedClusterOptions {
  /// How many brokers, with ids 1..brokers. Default 1.
  int brokers = 1;
  /// Interface to listen on and advertise. Default "127.0.0.1"; "::1" for IPv6 loopback.
  std::string host = "127.0.0.1";
  /// Port of each broker in id order; missing or 0 picks an ephemeral port (the default).
  std::vector<uint16_t> ports;
  /// Empty (the default): everything in memory. Otherwise logs and committed offsets are kept in
  /// this directory and survive a restart (of the process too: a batch is acknowledged once
  /// write(2) has taken it; nothing is fsynced unless a topic sets flush.messages, as in Kafka).
  /// Layout: topics.json (topic names, ids, partitions, replicas, configs) and one directory per
  /// partition, <topic>-<partition>/, of Kafka-style segment files (<base offset>.log, .index).
  std::string data_dir;
  /// What Metadata reports as the cluster id.
  std::string cluster_id = "kclient-embedded-cluster";

  /// Kafka's auto.create.topics.enable. Default true.
  bool auto_create_topics = true;
  /// Kafka's num.partitions, for auto-created topics and CreateTopics asking for the default.
  int32_t default_partitions = 1;
  /// Kafka's default.replication.factor. Must not exceed `brokers`.
  int16_t default_replication_factor = 1;
  /// Kafka's min.insync.replicas for topics that do not set it.
  int32_t min_insync_replicas = 1;

  /// Kafka's socket.request.max.bytes: a larger request closes its connection. Default 100 MiB.
  int32_t max_request_size = 100 * 1024 * 1024;
  /// Kafka's message.max.bytes: larger record batches get MESSAGE_TOO_LARGE. Default 1 MiB + 12.
  int32_t max_message_bytes = 1024 * 1024 + 12;

  /// Kafka's log.segment.bytes, the segment.bytes of topics that do not set it: a partition's log
  /// rolls to a new segment (file) before growing past this. Default 64 MiB (Kafka: 1 GiB).
  /// Unlike Kafka 4 (at least 1 MiB, KIP-1030), any positive size is accepted, so that tests can
  /// roll segments quickly.
  int32_t log_segment_bytes = 64 * 1024 * 1024;
  /// Kafka's log.retention.ms, the retention.ms of topics that do not set it: whole segments whose
  /// newest record timestamp is older than this are deleted. -1: keep forever. Default 7 days.
  int64_t log_retention_ms = 7LL * 24 * 60 * 60 * 1000;
  /// Kafka's log.retention.bytes, the retention.bytes of topics that do not set it: the oldest
  /// whole segments are deleted while a partition's log exceeds this. Default -1: unlimited.
  int64_t log_retention_bytes = -1;
  /// Kafka's log.retention.check.interval.ms: how often retention is enforced (and index buffers
  /// written). Default 1000 (Kafka: 300000), so that tests see retention promptly.
  int32_t log_retention_check_interval_ms = 1000;

  /// Kafka's group.initial.rebalance.delay.ms. Default 0 here so tests do not wait (Kafka: 3000).
  int32_t group_initial_rebalance_delay_ms = 0;
  /// Kafka's group.min.session.timeout.ms / group.max.session.timeout.ms.
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;

  /// Log every connection and request to stderr. Default false.
  bool log_requests = false;

  /// Checks every field; the message names the first offending one.
  Status Validate() const;
};

/// A fault to inject into the requests a cluster receives. Matching is by Kafka API key
/// (0 Produce, 1 Fetch, 2 ListOffsets, 3 Metadata, 8 OffsetCommit, 9 OffsetFetch,
/// 10 FindCoordinator, 11 JoinGroup, 12 Heartbeat, 13 LeaveGroup, 14 SyncGroup, 22 InitProducerId,
/// ...), optionally narrowed to one broker and, for APIs that address partitions, one
/// topic-partition.
struct Fault {
  enum class Kind {
    kError,           ///< answer with `error` (per matching partition, or for the whole request)
    kLatency,         ///< answer `latency_ms` later than usual
    kDropConnection,  ///< close the connection instead of answering
    kNoResponse,      ///< never answer (the connection stays open and stalls, as a hung broker's)
    kDropResponse,    ///< handle the request, then close the connection instead of answering
                      ///< (a response lost on the way: the write happened, the client cannot know)
  };
  Kind kind = Kind::kError;
  int16_t api_key = 0;
  int32_t broker_id = -1;   ///< -1: any broker
  std::string topic;        ///< empty: any topic (and any partition)
  int32_t partition = -1;   ///< -1: any partition of `topic`
  ErrorCode error = ErrorCode::kNone;
  int32_t latency_ms = 0;
  /// How many matches the fault applies to before it expires; -1 until removed.
  int32_t count = 1;
};

/// Reports whether an injected fault fired. Cheap to copy; readable from any thread.
class FaultHandle {
 public:
  FaultHandle() = default;
  /// How many times the fault has applied so far.
  int times_fired() const;
  bool fired() const { return times_fired() > 0; }
  uint64_t id() const { return id_; }

 private:
  friend class EmbeddedCluster;
  uint64_t id_ = 0;
  std::shared_ptr<const std::atomic<int>> fired_;
};

class EmbeddedCluster {
 public:
  /// Validates `options`, starts the event-loop thread and opens every broker's listener.
  static Result<std::unique_ptr<EmbeddedCluster>> Start(EmbeddedClusterOptions options = {});

  /// Stops every broker and joins the loop thread.
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  /// "host:port,host:port" of the running brokers, for bootstrap.servers.
  std::string bootstrap_servers() const;
  /// The ids of all brokers, running or not (1..brokers).
  std::vector<int32_t> broker_ids() const;

  /// Creates a topic; -1 takes the cluster default for partitions or replication factor.
  /// Fails with TOPIC_ALREADY_EXISTS, INVALID_TOPIC_EXCEPTION, INVALID_PARTITIONS or
  /// INVALID_REPLICATION_FACTOR as Kafka would.
  Status CreateTopic(const std::string& name, int32_t partitions = -1, int16_t replication_factor = -1,
                     const std::map<std::string, std::string>& configs = {});

  /// Stops broker `id`: its listener and connections close, and partitions it led fail over to
  /// an in-sync replica. Its port is kept for StartBroker.
  Status StopBroker(int32_t id);
  /// Starts a stopped broker again on the same port.
  Status StartBroker(int32_t id);
  /// Makes `broker_id` (an in-sync replica) the leader of topic-partition, bumping the epoch.
  Status MoveLeader(const std::string& topic, int32_t partition, int32_t broker_id);
  /// The current leader of topic-partition (-1 when none), or an error for an unknown partition.
  Result<int32_t> LeaderOf(const std::string& topic, int32_t partition) const;

  /// Arms a fault; it applies to the next `fault.count` matching requests (or partitions).
  Result<FaultHandle> InjectFault(const Fault& fault);
  /// Disarms a fault early. Removing an expired fault is harmless.
  void RemoveFault(const FaultHandle& handle);

 private:
  struct Impl;
  explicit EmbeddedCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kclient
