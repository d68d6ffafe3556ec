// PartitionLog: one partition's append-only log of record batches, stored as received with
// offsets assigned. Batches sit back to back in segments, so a fetch is a view of contiguous
// bytes, never a copy. An index entry per batch serves offset and timestamp lookups.
//
// Thread-safety: loop thread only (owned by the cluster's topic registry).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "util/byte_buffer.h"

namespace kclient::broker {

class PartitionLog {
 public:
  struct BatchEntry {
    int64_t base_offset;
    int64_t last_offset;
    int64_t max_timestamp;
    uint32_t segment;   // index into segments_
    uint32_t position;  // byte offset inside the segment
    uint32_t size;
  };

  explicit PartitionLog(size_t segment_bytes = 8 << 20) : segment_bytes_(segment_bytes) {}

  int64_t log_start_offset() const { return log_start_offset_; }
  int64_t log_end_offset() const { return next_offset_; }
  // Offsets below this are acknowledged by every in-sync replica and visible to consumers.
  int64_t high_watermark() const { return high_watermark_; }
  void set_high_watermark(int64_t hw) { high_watermark_ = hw; }

  // Appends one validated batch: rewrites its base offset and leader epoch (outside the CRC)
  // and, for log-append-time topics, its max timestamp. Returns the assigned base offset.
  int64_t Append(std::span<const uint8_t> batch, int32_t leader_epoch);

  // The batches holding offsets from `offset` on, as contiguous bytes of one segment: whole
  // batches only, at most `max_bytes` unless the first batch alone is larger and `at_least_one`
  // is set (Kafka returns it anyway so that consumers cannot get stuck). Empty at the end.
  std::span<const uint8_t> Read(int64_t offset, int32_t max_bytes, bool at_least_one, int64_t upper_bound) const;

  // The first offset whose batch has a max timestamp >= ts (ListOffsets by time); -1 if none.
  // Sets *found_ts to that batch's max timestamp.
  int64_t OffsetForTimestamp(int64_t ts, int64_t* found_ts) const;
  // Largest max timestamp in the log and the offset of the batch carrying it (-1 when empty).
  int64_t MaxTimestampOffset(int64_t* ts) const;

  // Drops everything below `offset` (DeleteRecords, retention); returns the new log start.
  int64_t TruncateBefore(int64_t offset);
  // Drops everything at and above `offset` (a follower diverging from a new leader).
  void TruncateAfter(int64_t offset);

  const std::vector<BatchEntry>& batches() const { return entries_; }
  size_t size_in_bytes() const { return bytes_; }

 private:
  size_t FindBatch(int64_t offset) const;  // first entry with last_offset >= offset

  size_t segment_bytes_;
  std::vector<util::ByteBuffer> segments_;
  std::vector<BatchEntry> entries_;
  int64_t log_start_offset_ = 0;
  int64_t next_offset_ = 0;
  int64_t high_watermark_ = 0;
  size_t bytes_ = 0;
};

}  // namespace kclient::broker
