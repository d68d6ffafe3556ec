// ProducerBatch: the records of one partition that travel in one record batch, and the outcome
// owed to each of them. Records are written straight into their wire form as they are appended
// (RecordBatchBuilder); the batch is sealed (compressed, stamped with the producer id and
// sequence, checksummed) once, when the sender first drains it, and retries resend those bytes.
//
// Batches are recycled by the RecordAccumulator: Reset keeps the buffers' capacity, so a steady
// stream of records allocates nothing per record.
//
// Thread-safety: while queued, a batch is guarded by its PartitionQueue's mutex (application
// threads append to the last batch of a queue). Once drained it belongs to the sender thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <span>
#include <vector>

#include "kclient/producer.h"
#include "kclient/record.h"
#include "protocol/record_batch.h"

namespace kclient::producer {

struct PartitionQueue;
using SteadyClock = std::chrono::steady_clock;

// What a record's sender is owed once its batch has an outcome.
struct RecordThunk {
  DeliveryCallback callback;
  std::optional<std::promise<Result<RecordMetadata>>> promise;
  int64_t timestamp_ms = 0;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
};

class ProducerBatch {
 public:
  ProducerBatch() = default;
  ProducerBatch(const ProducerBatch&) = delete;
  ProducerBatch& operator=(const ProducerBatch&) = delete;

  // Makes this an empty batch of `queue` that may use `reserved_bytes` of buffer memory.
  void Reset(PartitionQueue* queue, uint64_t id, SteadyClock::time_point now, size_t reserved_bytes);

  // Appends the record if it fits within `batch_size` bytes (the first record always fits: the
  // batch was reserved for it). False when full.
  bool TryAppend(int64_t timestamp_ms, std::optional<protocol::ByteSpan> key, std::optional<protocol::ByteSpan> value,
                 std::span<const protocol::RecordHeader> headers, size_t batch_size, RecordThunk&& thunk);

  // Compresses and checksums the batch with the given producer state; later calls only restamp
  // the producer state (a new producer id after a reset). The bytes stay valid until Reset.
  Status Seal(CompressionType compression, std::optional<int> level, int64_t producer_id, int16_t producer_epoch,
              int32_t base_sequence);
  bool sealed() const { return !sealed_bytes_.empty(); }
  protocol::ByteSpan sealed_bytes() const { return sealed_bytes_; }

  // Delivers the outcome to every record, in order, and clears the thunks. `base_offset` -1 means
  // unknown; `log_append_time_ms` -1 means the records keep their own timestamps.
  void Complete(int64_t base_offset, int64_t log_append_time_ms);
  void Fail(const Status& status);

  PartitionQueue* queue() const { return queue_; }
  uint64_t id() const { return id_; }
  int32_t record_count() const { return builder_.record_count(); }
  size_t size_bytes() const { return builder_.estimated_size(); }
  size_t reserved_bytes() const { return reserved_bytes_; }
  void set_reserved_bytes(size_t n) { reserved_bytes_ = n; }
  SteadyClock::time_point created() const { return created_; }

  // Sender-thread bookkeeping.
  int attempts = 0;                           // sends so far
  SteadyClock::time_point retry_at{};         // not before this (retry backoff)
  int32_t base_sequence = protocol::kNoSequence;
  uint64_t producer_generation = 0;           // which producer id the sequence belongs to
  bool full = false;                          // no more appends (set by the accumulator)
  Status last_error;                          // why the last attempt failed, for expiry messages

 private:
  PartitionQueue* queue_ = nullptr;
  uint64_t id_ = 0;
  SteadyClock::time_point created_{};
  size_t reserved_bytes_ = 0;
  protocol::RecordBatchBuilder builder_;
  protocol::ByteSpan sealed_bytes_;
  std::vector<RecordThunk> thunks_;
};

}  // namespace kclient::producer
