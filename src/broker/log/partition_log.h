// PartitionLog: one partition's append-only log of record batches, stored as received with
// offsets assigned. Batches sit back to back in segments, so a fetch is a view of contiguous
// bytes, never a copy. An index entry per batch serves offset and timestamp lookups.
//
// Durable logs (OpenDurable, when the cluster has a data_dir): the segments stay in memory and
// every change is written through to the partition's directory (segment_files.h) before the
// call returns: an append is acknowledged once write(2) has taken it. Keeping the segments in
// memory rather than mmap-ing the files keeps the read path as it was (a fetch is a view of a
// buffer the log owns, valid until the next change to that segment, with no SIGBUS if a file is
// truncated underneath it) and recovery costs nothing extra, since it reads and checks every
// batch anyway; the price is that the retained log lives in the process's memory as well as in
// the page cache, which suits the embedded and test broker this is (bound it with
// retention.bytes / retention.ms). Recovery on open: log_recovery.h.
//
// Thread-safety: loop thread only (owned by the cluster's topic registry).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "kclient/status.h"
#include "util/byte_buffer.h"

namespace kclient::broker {

class SegmentFiles;

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

  explicit PartitionLog(size_t segment_bytes = 8 << 20);
  ~PartitionLog();
  PartitionLog(PartitionLog&&) noexcept;
  PartitionLog& operator=(PartitionLog&&) noexcept;

  int64_t log_start_offset() const { return log_start_offset_; }
  int64_t log_end_offset() const { return next_offset_; }
  // Offsets below this are acknowledged by every in-sync replica and visible to consumers.
  int64_t high_watermark() const { return high_watermark_; }
  void set_high_watermark(int64_t hw) { high_watermark_ = hw; }

  // Appends one validated batch: rewrites its base offset and leader epoch (outside the CRC)
  // and, for log-append-time topics, its max timestamp. Returns the assigned base offset.
  // A durable log returns -1 when the batch could not be written to its file (answer
  // KAFKA_STORAGE_ERROR; storage_error() says why); the log is then unchanged.
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

  // ---- Durable storage (partition_log_storage.cc) ----
  // Recovers the partition directory `dir` (which must exist) into this log, which must be
  // empty, and from then on writes every change through to it. The log start offset is the
  // checkpointed one or the first segment's base offset; the high watermark is the log end
  // offset. Repairs are reported through `log`. Fails (KAFKA_STORAGE_ERROR) on I/O errors.
  Status OpenDurable(const std::string& dir, const std::function<void(const std::string&)>& log);
  bool durable() const { return files_ != nullptr; }
  // The last write-through failure (see Append).
  const Status& storage_error() const { return storage_error_; }
  // segment.bytes: a batch that would take the active segment past this starts a new one.
  void set_segment_bytes(size_t bytes) { segment_bytes_ = bytes; }
  size_t segment_bytes() const { return segment_bytes_; }
  // flush.messages: fsync a durable log every this many records (<= 0: never, the default).
  void set_flush_interval_messages(int64_t records);
  // Writes what a durable log buffers (index entries) and, with `sync`, fsyncs the active
  // segment. Nothing to do in memory.
  Status Flush(bool sync);

  // ---- Retention (partition_log_storage.cc) ----
  struct RetentionResult {
    int segments = 0;       // segments deleted
    size_t bytes = 0;       // their size
    std::string reason;     // which limit they breached, for the log line
  };
  // Kafka's UnifiedLog.deleteOldSegments for cleanup.policy=delete: deletes whole segments from
  // the oldest on while retention.bytes (the log's total segment size exceeds it by at least the
  // segment's size) and then retention.ms (now - the segment's largest batch max timestamp
  // exceeds it) say so; -1 disables either. Never the active segment (Kafka rolls a breaching
  // active segment and deletes it too; here it stays until the next roll), and only segments
  // wholly below the high watermark. The log start offset moves to the first remaining segment.
  RetentionResult DeleteOldSegments(int64_t now_ms, int64_t retention_ms, int64_t retention_bytes);
  // Segments holding data, the active one included.
  size_t segment_count() const;

 private:
  size_t FindBatch(int64_t offset) const;  // first entry with last_offset >= offset
  // Write-through hooks of a durable log (partition_log_storage.cc).
  void StoreStartOffset(uint32_t first_live_segment);
  void StoreTruncation(uint32_t first_touched_segment);

  size_t segment_bytes_;
  std::vector<util::ByteBuffer> segments_;
  std::vector<BatchEntry> entries_;
  int64_t log_start_offset_ = 0;
  int64_t next_offset_ = 0;
  int64_t high_watermark_ = 0;
  size_t bytes_ = 0;
  std::unique_ptr<SegmentFiles> files_;  // durable logs only
  Status storage_error_;
};

}  // namespace kclient::broker
