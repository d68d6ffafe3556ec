// RecordAccumulator: the records waiting to be sent, as per-partition queues of batches. The
// Java client's RecordAccumulator, with the same division of labour:
//   - application threads Append records to the last batch of a partition's queue, reserving
//     buffer memory for a new batch when it is full (waiting up to max.block.ms if need be);
//   - the sender thread asks which partitions have a batch Ready (full, lingered long enough, or
//     forced out by flush/close), takes batches from the front, and puts failed ones back at the
//     front, in sequence order, for a retry.
// Batches are recycled (with their buffers) when done, so steady producing allocates nothing.
//
// Thread-safety: Append, NextBatchId, WaitForCompletion and the flush counters are thread-safe.
// Queues are created, and Ready/TakeFront/Reenqueue/Expire/Release called, on the sender thread
// only. Each queue's batches are guarded by the queue's mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "producer/buffer_pool.h"
#include "producer/producer_batch.h"
#include "util/function_ref.h"

namespace kclient::producer {

// One partition's batches, oldest first, plus the sender's idempotence state for it.
struct PartitionQueue {
  PartitionQueue(std::string t, int32_t p) : topic(std::move(t)), partition(p) {}

  const std::string topic;
  const int32_t partition;

  std::mutex mu;
  std::deque<std::unique_ptr<ProducerBatch>> batches;  // guarded by mu

  // Sender thread only.
  int in_flight = 0;                  // batches sent and not answered
  int32_t next_sequence = 0;          // the next sequence number to hand out
  uint64_t sequence_generation = 0;   // the producer id generation next_sequence belongs to
  int32_t acked_sequence_end = 0;     // the sequence the broker expects next, as far as we know
};

class RecordAccumulator {
 public:
  struct Options {
    size_t batch_size = 16384;
    int64_t buffer_memory = 33554432;
    std::chrono::milliseconds linger{5};
  };

  explicit RecordAccumulator(const Options& options);
  ~RecordAccumulator();
  RecordAccumulator(const RecordAccumulator&) = delete;
  RecordAccumulator& operator=(const RecordAccumulator&) = delete;

  // --- Application threads -------------------------------------------------------------------

  struct AppendResult {
    Status status;
    bool new_batch = false;  // a batch was started: the sender may need to arm a linger timer
  };
  // Appends a record of `record_size` bytes (RecordBatchBuilder::RecordSize) to `queue`. Waits
  // until `block_deadline` for memory, or not at all when it is empty. The thunk is consumed
  // only on success.
  AppendResult Append(PartitionQueue* queue, int64_t timestamp_ms, std::optional<protocol::ByteSpan> key,
                      std::optional<protocol::ByteSpan> value, std::span<const protocol::RecordHeader> headers,
                      size_t record_size, RecordThunk& thunk, std::optional<SteadyClock::time_point> block_deadline);

  // The id of the newest batch; every batch created later has a larger one.
  uint64_t LastBatchId() const { return next_batch_id_.load() - 1; }
  // Waits until every batch with an id <= `id` is done. False if `deadline` passed first.
  bool WaitForCompletion(uint64_t id, SteadyClock::time_point deadline);
  // While any flush is in progress, every batch is ready at once (linger is ignored).
  void BeginFlush() { ++flushes_; }
  void EndFlush() { --flushes_; }
  bool flushing() const { return flushes_.load() > 0; }
  // Refuses further appends with kLocalClosed and wakes threads waiting for memory.
  void Close();
  bool closed() const { return closed_.load(); }
  BufferPool& pool() { return pool_; }

  // --- Sender thread -------------------------------------------------------------------------

  // The queue of a partition, created on first use and kept for the accumulator's lifetime.
  PartitionQueue* Queue(const std::string& topic, int32_t partition);
  const std::vector<PartitionQueue*>& queues() const { return queue_list_; }

  struct ReadyResult {
    std::map<int32_t, std::vector<PartitionQueue*>> by_leader;  // leaders with a sendable batch
    SteadyClock::time_point next_check = SteadyClock::time_point::max();  // when to look again
    bool unknown_leader = false;  // some partition with batches has no known leader
  };
  // Which partitions have a batch to send now. `leader_of` gives a partition's leader (-1 if
  // unknown); `send_now` ignores linger (flush, close).
  ReadyResult Ready(SteadyClock::time_point now, util::FunctionRef<int32_t(const PartitionQueue&)> leader_of,
                    bool send_now);

  // Takes the front batch of `queue` if `accept` agrees, marking it full.
  std::unique_ptr<ProducerBatch> TakeFront(PartitionQueue* queue, util::FunctionRef<bool(const ProducerBatch&)> accept);
  // Puts a batch back for a retry: at the front, before any batch with a higher sequence.
  void Reenqueue(std::unique_ptr<ProducerBatch> batch);
  // Takes the queued batches whose delivery deadline (creation + `timeout`) has passed.
  std::vector<std::unique_ptr<ProducerBatch>> TakeExpired(SteadyClock::time_point now,
                                                          std::chrono::milliseconds timeout);
  // Takes every queued batch (closing).
  std::vector<std::unique_ptr<ProducerBatch>> TakeAll();
  // A batch is done: returns its buffer memory, then runs its records' callbacks (success at
  // `base_offset`, or failure with `status`), then recycles it. Memory goes back first, so a
  // caller whose record was acknowledged finds the room it took free again.
  void Complete(std::unique_ptr<ProducerBatch> batch, int64_t base_offset, int64_t log_append_time_ms);
  void Fail(std::unique_ptr<ProducerBatch> batch, const Status& status);
  // Whether any batch is queued or in flight.
  bool HasIncomplete() const;

 private:
  std::unique_ptr<ProducerBatch> NewBatch(PartitionQueue* queue, size_t reserved);
  void ReleaseMemory(ProducerBatch& batch);
  void Recycle(std::unique_ptr<ProducerBatch> batch);

  const Options options_;
  BufferPool pool_;
  std::atomic<bool> closed_{false};
  std::atomic<int> flushes_{0};
  std::atomic<uint64_t> next_batch_id_{1};

  std::mutex free_mu_;
  std::vector<std::unique_ptr<ProducerBatch>> free_;  // guarded by free_mu_

  mutable std::mutex incomplete_mu_;
  std::condition_variable completed_;
  // Ids of batches created and not released, ascending; guarded. A sorted vector, not a set: ids
  // arrive almost in order and leave almost in order, and its capacity stays, so creating a
  // batch allocates nothing once the producer is warm.
  std::vector<uint64_t> incomplete_;

  // Sender thread only.
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionQueue>> queues_;
  std::vector<PartitionQueue*> queue_list_;
};

}  // namespace kclient::producer
