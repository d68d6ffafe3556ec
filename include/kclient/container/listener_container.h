// ListenerContainer: runs a listener over the records of some topics, as Spring Kafka's
// ConcurrentMessageListenerContainer does: `concurrency` consumers in one group, each polling on
// its own thread, calling the listener for each record (or each poll's batch), committing what
// was processed (ack_mode), redelivering failed records with a backoff, and parking those that
// keep failing on a dead-letter topic.
//
//   kclient::container::ContainerOptions o;
//   o.consumer.client.bootstrap_servers = "localhost:9092";
//   o.consumer.group_id = "billing";
//   o.topics = {"orders"};
//   o.concurrency = 3;
//   o.backoff = kclient::container::BackoffPolicy::Exponential(500, 2.0, 10000, 4);
//   auto c = kclient::container::ListenerContainer::Create(o,
//       [](const kclient::ConsumerRecord& r, kclient::container::Acknowledgment) {
//         return Bill(r) ? kclient::container::ListenerResult::Ok()
//                        : kclient::container::ListenerResult::Retriable("billing is down");
//       });
//   (*c)->Start();  ...  (*c)->Stop();
//
// Delivery is at least once: a record is committed only after its listener call succeeded (or,
// in the manual modes, it was acknowledged) or it was parked on a retry or dead-letter topic, and
// offsets are committed per partition only up to the first record that is not done. After a
// crash, or a rebalance that moves a partition, records past the last commit are delivered again.
//
// Rebalances: before partitions are revoked the container commits what is done for them and
// forgets their pending state (retries in progress, unacknowledged records); the new owner
// starts from the commit.
//
// Failures: a retriable failure is redelivered after BackoffPolicy's wait, by seeking the
// partition back to the record and pausing it until the wait ends, so the thread keeps polling
// (heartbeats and max.poll.interval.ms are respected) and other partitions keep flowing. After
// max_attempts, or at once for a non-retriable failure, the record goes to the dead-letter topic.
// If that publish fails, the partition halts: paused, nothing committed at or past the record,
// reported by HaltedPartitions() and on_partition_halted (and logged), until
// ResumeHaltedPartitions().
//
// Thread-safety: Start, Stop and the queries may be called from any thread (Stop also from a
// listener: it then only asks the threads to stop). The listener runs on the container threads.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "kclient/container/container_options.h"
#include "kclient/container/listener.h"
#include "kclient/result.h"
#include "kclient/status.h"
#include "kclient/topic_partition.h"

namespace kclient::container {

class ListenerContainer {
 public:
  /// Validates `options` (ContainerOptions::Validate); starts nothing.
  static Result<std::unique_ptr<ListenerContainer>> Create(ContainerOptions options, RecordListener listener);
  static Result<std::unique_ptr<ListenerContainer>> Create(ContainerOptions options, BatchListener listener);

  /// Stop() with its default timeout.
  ~ListenerContainer();
  ListenerContainer(const ListenerContainer&) = delete;
  ListenerContainer& operator=(const ListenerContainer&) = delete;

  /// Creates retry and dead-letter topics if asked (retry_topics), caps the concurrency at the
  /// partition count, creates the consumers and starts their threads; returns once they run
  /// (joining the group happens in their first polls). kLocalIllegalState if already started.
  /// A container that was stopped cannot be started again: create a new one.
  Status Start();

  /// Asks every thread to stop (waking it from Poll), and waits up to `timeout` for them: each
  /// finishes the listener call in progress, commits what is done, and closes its consumer
  /// (leaving the group). Returns kLocalTimedOut if they did not all finish in time; they go on
  /// stopping, and a later Stop or the destructor waits for them. Idempotent. Called from a
  /// listener (a container thread) it only asks, and returns at once.
  Status Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Between Start and the end of Stop.
  bool running() const;
  /// Whether Stop was called.
  bool stopping() const;
  /// How many consumer threads run (concurrency after the cap).
  int32_t concurrency() const;
  /// The partitions of every consumer, as of their last rebalance.
  std::vector<TopicPartition> Assignment() const;
  /// Partitions halted because a failed record could not be parked.
  std::vector<HaltedPartition> HaltedPartitions() const;
  /// Once the cause is fixed (the dead-letter topic exists again): every halted partition resumes
  /// at its record, which is delivered to the listener again (one more attempt; if that fails the
  /// record is parked at once, or halts again). Returns at once; the threads act at their next
  /// loop turn.
  void ResumeHaltedPartitions();

 private:
  struct Impl;
  explicit ListenerContainer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kclient::container
