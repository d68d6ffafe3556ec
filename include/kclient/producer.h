// Producer: sends records to Kafka. Records are batched per partition in memory and sent by one
// background thread (the sender), so Send returns as soon as the record is in a batch.
//
//   auto producer = kclient::Producer::Create(options);          // Result<std::unique_ptr<...>>
//   auto future = (*producer)->Send(record);                      // std::future<Result<...>>
//   (*producer)->Produce(record, [](const kclient::Result<kclient::RecordMetadata>& r) { ... });
//   (*producer)->Flush();
//   (*producer)->Close(std::chrono::seconds(5));
//
// Delivery: every record accepted by Send gets exactly one outcome, through its callback and/or
// future: its RecordMetadata, or a Status with the Kafka or local error code (status.h). With
// idempotence (the default), retries neither duplicate nor reorder records of a partition.
//
// Threads: Send, Produce, TrySend, SendSync, Flush and PartitionsFor may be called from any number of
// threads at once. Outcomes of records that were queued are delivered on the sender thread, one
// at a time, in send order per partition. A record refused before it is queued (too large, an
// invalid partition, no metadata or buffer room within max.block.ms, a closed producer) gets its
// outcome on the calling thread, inside Send; so callbacks shared between records must be
// thread-safe even with a single sending thread. A callback must be quick and must not call
// Flush, SendSync or Close (they would wait for the thread that runs them; they return
// kLocalIllegalState instead). Futures are fulfilled right after the callback.
//
// Send waits up to max.block.ms for a topic's metadata and for buffer room; services on a
// request path usually want a max.block.ms far below the default 60 s.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "kclient/producer_options.h"
#include "kclient/record.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

/// Called once per record with its metadata or the error that failed it.
using DeliveryCallback = std::function<void(const Result<RecordMetadata>& result)>;

class Producer {
 public:
  /// Validates `options` and starts the sender thread. Fails only for invalid options; brokers
  /// are contacted in the background (an unreachable cluster shows up as records timing out).
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  /// The same, from Kafka property names (ProducerOptions::FromProperties).
  static Result<std::unique_ptr<Producer>> Create(const Properties& properties);

  /// Close(): waits for records in flight (bounded by delivery.timeout.ms).
  virtual ~Producer() = default;

  /// Queues `record` and returns at once, unless the buffer is full (waits up to max.block.ms for
  /// room) or the topic's metadata is not known yet (waits up to max.block.ms for it). The outcome
  /// goes to the returned future and, if given, to `callback`, which runs exactly once. Errors
  /// found before the record is queued (a record larger than max.request.size, an invalid
  /// partition, a topic that stays unknown, no room in time, a closed producer) complete both on
  /// the calling thread before Send returns; all others complete on the sender thread.
  virtual std::future<Result<RecordMetadata>> Send(const ProducerRecord& record,
                                                   DeliveryCallback callback = {}) = 0;

  /// Send without a future: the same contract, minus the allocation a future costs. The
  /// throughput path.
  virtual void Produce(const ProducerRecord& record, DeliveryCallback callback) = 0;

  /// Queues `record` only if that needs no waiting: the topic's metadata is known and the buffer
  /// has room. Returns ok when queued (the callback then runs exactly once, later); otherwise the
  /// reason (kLocalBufferExhausted when full), and the callback never runs.
  virtual Status TrySend(const ProducerRecord& record, DeliveryCallback callback = {}) = 0;

  /// Sends `record` and waits for its outcome. Lingering batches are sent at once.
  virtual Result<RecordMetadata> SendSync(const ProducerRecord& record) = 0;

  /// Sends everything queued so far without waiting for linger.ms and waits until each of those
  /// records has its outcome (success or failure; see their callbacks). kLocalTimedOut if
  /// `timeout` passes first. Records sent concurrently with Flush may or may not be included.
  virtual Status Flush(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) = 0;

  /// Partition ids of `topic`, fetching its metadata if needed (waits up to max.block.ms).
  virtual Result<std::vector<int32_t>> PartitionsFor(const std::string& topic) = 0;

  /// Stops accepting records (Send then fails with kLocalClosed), sends what is queued, and waits
  /// up to `timeout` for the outcomes. Records still without one after `timeout` fail with
  /// kLocalClosed, their callbacks run, and the sender thread stops: Close never waits much past
  /// `timeout`, even when no broker is reachable. Returns kLocalTimedOut if records had to be
  /// failed. Idempotent; later calls return at once.
  virtual Status Close(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) = 0;

 protected:
  Producer() = default;
};

}  // namespace kclient
