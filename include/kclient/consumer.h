// Consumer: reads records from Kafka, as a member of a consumer group (Subscribe) or from
// partitions chosen by the application (Assign).
//
//   auto consumer = kclient::Consumer::Create(options);       // Result<std::unique_ptr<...>>
//   (*consumer)->Subscribe({"payments"});
//   for (;;) {
//     auto records = (*consumer)->Poll(std::chrono::milliseconds(500));
//     if (!records.ok()) { ... }                               // e.g. evicted after max.poll.interval.ms
//     for (const kclient::ConsumerRecord& r : *records) { ... }
//   }
//   (*consumer)->Close();
//
// Threads. Like Java's KafkaConsumer, a Consumer is used by one thread at a time: every method
// except Wakeup must be called from the thread that polls (or with external synchronisation).
// Wakeup may be called from any thread. Behind the scenes an I/O thread fetches ahead (bounded by
// fetch.max.bytes per broker) and heartbeats on a connection of its own, so neither a slow Poll
// caller nor a long fetch delays heartbeats; the rebalance listener and commit callbacks run on
// the polling thread, inside Poll or CommitSync.
//
// Group protocol: the classic one (JoinGroup/SyncGroup/Heartbeat), with eager (range,
// roundrobin, sticky) or incremental (cooperative-sticky) rebalancing, static membership, and
// assignments byte-compatible with the Java client so mixed groups work.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kclient/consumer_options.h"
#include "kclient/consumer_record.h"
#include "kclient/rebalance_listener.h"
#include "kclient/result.h"
#include "kclient/status.h"
#include "kclient/topic_partition.h"

namespace kclient {

using OffsetMap = std::map<TopicPartition, OffsetAndMetadata>;
/// Called once with the outcome of an asynchronous commit (on the polling thread, inside a later
/// Poll, CommitSync or Close).
using CommitCallback = std::function<void(const OffsetMap& offsets, const Status& status)>;

class Consumer {
 public:
  using Duration = std::chrono::milliseconds;

  /// Validates `options` and starts the I/O thread. Fails only for invalid options.
  static Result<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  /// The same, from Kafka property names (ConsumerOptions::FromProperties).
  static Result<std::unique_ptr<Consumer>> Create(const Properties& properties);

  /// Close() with its default timeout.
  virtual ~Consumer() = default;

  // --- Subscription and assignment -----------------------------------------------------------

  /// Joins the group (group.id required) for `topics`, replacing an earlier subscription or
  /// assignment. The rebalance happens in Poll. Topics that do not exist are reported by Poll
  /// (not fatal) and picked up when they appear.
  virtual Status Subscribe(const std::vector<std::string>& topics,
                           std::shared_ptr<RebalanceListener> listener = nullptr) = 0;
  /// Subscribes to every topic whose whole name matches `pattern` (ECMAScript regex), checked
  /// at each metadata refresh.
  virtual Status SubscribePattern(const std::string& pattern, std::shared_ptr<RebalanceListener> listener = nullptr) = 0;
  /// Leaves the group (revoking the assignment first) or drops the manual assignment.
  virtual Status Unsubscribe() = 0;
  /// Takes exactly these partitions, without a group (commits still go to group.id if set).
  virtual Status Assign(const std::vector<TopicPartition>& partitions) = 0;
  /// The partitions currently assigned (by the group or by Assign).
  virtual std::vector<TopicPartition> Assignment() const = 0;
  /// The subscribed topics (for a pattern: those that matched at the last refresh).
  virtual std::vector<std::string> Subscription() const = 0;
  /// The partition ids of `topic`, from metadata (looked up if needed, up to `timeout`); for
  /// choosing partitions to Assign. UNKNOWN_TOPIC_OR_PARTITION when the topic does not exist.
  virtual Result<std::vector<int32_t>> PartitionsFor(const std::string& topic, Duration timeout = Duration(60000)) = 0;

  // --- Consuming -----------------------------------------------------------------------------

  /// Returns records fetched from the assigned partitions, at most max.poll.records, waiting up
  /// to `timeout` for some. Also where the group's work happens: rebalances (with the listener's
  /// calls), auto commits, position resets, completion of async commits. Errors:
  ///   kLocalWakeup         Wakeup was called (once per call);
  ///   kOffsetOutOfRange    a position is out of range and auto.offset.reset is none;
  ///   kCorruptMessage      a batch failed its CRC or could not be decoded (the message names
  ///                        topic, partition and offset; Seek past it to go on);
  ///   kLocalIllegalState   max.poll.interval.ms passed since the last Poll, so the member left the
  ///                        group (the next Poll rejoins); or no subscription or assignment;
  ///   kUnknownTopicOrPartition  a subscribed topic does not exist (reported once; not fatal);
  ///   group errors that cannot be retried (GROUP_AUTHORIZATION_FAILED, FENCED_INSTANCE_ID, ...).
  virtual Result<ConsumerRecords> Poll(Duration timeout) = 0;

  /// Interrupts a Poll (or the next one) from any thread; it returns kLocalWakeup.
  virtual void Wakeup() = 0;

  // --- Positions -----------------------------------------------------------------------------

  /// The offset of the next record Poll returns for `partition` (assigned), looking it up if
  /// needed (committed offset, else auto.offset.reset).
  virtual Result<int64_t> Position(const TopicPartition& partition, Duration timeout = Duration(60000)) = 0;
  /// The next Poll returns records of `partition` from `offset`.
  virtual Status Seek(const TopicPartition& partition, int64_t offset) = 0;
  virtual Status SeekToBeginning(const std::vector<TopicPartition>& partitions) = 0;
  virtual Status SeekToEnd(const std::vector<TopicPartition>& partitions) = 0;
  /// Per partition, the earliest offset whose timestamp is >= the given one (std::nullopt when
  /// there is none).
  virtual Result<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>> OffsetsForTimes(
      const std::map<TopicPartition, int64_t>& timestamps, Duration timeout = Duration(60000)) = 0;
  /// Log start and end offsets (high watermark; last stable offset under read_committed).
  virtual Result<std::map<TopicPartition, int64_t>> BeginningOffsets(const std::vector<TopicPartition>& partitions,
                                                                     Duration timeout = Duration(60000)) = 0;
  virtual Result<std::map<TopicPartition, int64_t>> EndOffsets(const std::vector<TopicPartition>& partitions,
                                                               Duration timeout = Duration(60000)) = 0;

  /// Poll returns nothing from paused partitions (their fetches stop) until Resume.
  virtual Status Pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual Status Resume(const std::vector<TopicPartition>& partitions) = 0;
  virtual std::vector<TopicPartition> Paused() const = 0;

  // --- Commits -------------------------------------------------------------------------------

  /// Commits the positions of every assigned partition (what Poll has returned), waiting for
  /// the answer. Retriable errors are retried until `timeout`; REBALANCE_IN_PROGRESS and a fenced
  /// generation are returned (the offsets were not committed).
  virtual Status CommitSync(Duration timeout = Duration(60000)) = 0;
  virtual Status CommitSync(const OffsetMap& offsets, Duration timeout = Duration(60000)) = 0;
  /// Commits without waiting; `callback` (if any) runs in a later Poll/CommitSync/Close.
  /// Commits complete in the order they were made.
  virtual void CommitAsync(CommitCallback callback = {}) = 0;
  virtual void CommitAsync(const OffsetMap& offsets, CommitCallback callback = {}) = 0;
  /// The group's committed offsets for `partitions` (std::nullopt where none).
  virtual Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Committed(
      const std::vector<TopicPartition>& partitions, Duration timeout = Duration(60000)) = 0;

  /// Commits (if auto commit is on), revokes the assignment through the listener, leaves the
  /// group (static members stay, as Java's do), and stops the I/O thread, within `timeout`
  /// however the brokers behave. Idempotent.
  virtual Status Close(Duration timeout = Duration(30000)) = 0;

 protected:
  Consumer() = default;
};

}  // namespace kclient
