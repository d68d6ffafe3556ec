// ContainerOptions: everything that configures a ListenerContainer, as a plain struct with
// documented defaults, checked in one place (Validate, also run by ListenerContainer::Create).
//
// About listener_deadline_ms, honestly: the listener runs on the container thread, which cannot
// take a call back from user code. The container measures each call; one that returns after the
// deadline has failed retriably (its record is redelivered or parked as any retriable failure),
// even if it reported success, so the listener must be idempotent (at-least-once delivery asks
// that anyway). A listener that never returns is not interrupted: its partition and thread stay
// stuck, and once max.poll.interval.ms passes the consumer leaves the group, so its partitions
// move to other members. Keep the deadline well below max.poll.interval.ms; a listener that can
// stop early (a bounded call to a dependency) should bound itself below the deadline.
//
// Thread-safety: a plain value; the container copies it at Create. The callbacks run on
// container threads (several at once with concurrency > 1) and must be quick and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/consumer.h"
#include "kclient/consumer_options.h"
#include "kclient/container/ack_mode.h"
#include "kclient/container/backoff_policy.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/retry_topics.h"
#include "kclient/producer_options.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"
#include "kclient/topic_partition.h"

namespace kclient::container {

/// A partition the container stopped consuming because a failed record could not be parked (its
/// dead-letter or retry topic could not be written). Nothing at or after `offset` is committed.
struct HaltedPartition {
  TopicPartition partition;
  int64_t offset = -1;  ///< the record that could not be parked
  Status reason;        ///< why the publish failed
};

enum class LogLevel { kDebug, kInfo, kWarning, kError };

struct ContainerOptions {
  // --- What to consume -----------------------------------------------------------------------

  /// The consumers' options. group_id is required. enable_auto_commit is ignored: the container
  /// commits (ack_mode). auto_offset_reset, session and poll intervals apply as usual.
  ConsumerOptions consumer;
  /// The topics to subscribe to (at least one).
  std::vector<std::string> topics;
  /// How many consumers (each on its own thread) in the group. More than the topics' total
  /// partition count would leave some idle, so Start lowers it to that count (with a warning)
  /// when the topics exist. Default 1.
  int32_t concurrency = 1;

  // --- Commits -------------------------------------------------------------------------------

  /// When processed records are committed. Default kBatch.
  AckMode ack_mode = AckMode::kBatch;
  /// kCount: commit after this many processed records. Default 100.
  int32_t ack_count = 100;
  /// kTime: commit when this long has passed since the last commit. Default 5000.
  int32_t ack_time_ms = 5000;
  /// The longest a commit may take (CommitSync's timeout); a commit that fails is tried again at
  /// the next commit point. Default 10000.
  int32_t commit_timeout_ms = 10000;
  /// The longest one Poll waits for records. Pauses that end sooner shorten it. Default 500.
  int32_t poll_timeout_ms = 500;

  // --- Failures ------------------------------------------------------------------------------

  /// A listener call that takes longer has failed retriably (see above). 0 (the default): none.
  int64_t listener_deadline_ms = 0;
  /// Blocking retries: how often and how far apart a retriably failed record is redelivered in
  /// place (its partition is paused meanwhile; the thread goes on polling). Default: 3 attempts,
  /// 1 s apart.
  BackoffPolicy backoff;
  /// Non-blocking retries through retry topics instead (retry_topics.h). Default off.
  RetryTopicOptions retry_topics;
  /// Park failed records on a dead-letter topic. When false, a record that exhausted its
  /// attempts halts its partition as an unwritable dead-letter topic would. Default true.
  bool dead_letter_enabled = true;
  /// The dead-letter topic of a record. Default: DefaultDeadLetterTopic ("<topic>-dlt").
  DeadLetterTopicResolver dead_letter_topic;
  /// The producer that writes dead letters and retry records. Empty bootstrap_servers: the
  /// consumer's. It publishes synchronously from the container thread, so its max_block_ms and
  /// delivery_timeout_ms bound how long a failed record holds its thread.
  ProducerOptions producer;

  // --- Observing -----------------------------------------------------------------------------

  /// After every commit attempt: the offsets and the outcome.
  std::function<void(const OffsetMap& offsets, const Status& status)> on_commit;
  /// When a partition halts (HaltedPartition).
  std::function<void(const HaltedPartition& halted)> on_partition_halted;
  /// Where the container logs. Default: kWarning and above to stderr.
  std::function<void(LogLevel level, std::string_view message)> log;

  /// Checks every field; the message names the one at fault (kLocalInvalidConfig).
  Status Validate() const;

  /// Options for `topics` whose consumer (and, through it, dead-letter producer) is configured by
  /// Kafka consumer properties (ConsumerOptions::FromProperties; group.id among them); the other
  /// fields keep their defaults. Fails naming an unknown or invalid property, or as Validate.
  static Result<ContainerOptions> FromProperties(const Properties& consumer_properties,
                                                 std::vector<std::string> topics);
};

}  // namespace kclient::container
