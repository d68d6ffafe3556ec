// SegmentFiles: the files of one partition's log directory, `<data_dir>/<topic>-<partition>/`,
// kept in step with a PartitionLog that writes through to them. Kafka's layout:
//
//   00000000000000000000.log    record batches exactly as the log holds them (offsets and leader
//                               epoch assigned), back to back; the name is the segment's base
//                               offset (its first batch's), zero-padded to 20 digits.
//   00000000000000000000.index  one 8-byte entry per batch, Kafka's OffsetIndex entry format:
//                               int32 big-endian (batch last offset - segment base offset),
//                               int32 big-endian (file position of the batch's first byte).
//                               Kafka's index is sparse (an entry per index.interval.bytes,
//                               4096); ours has one per batch, which is Kafka's format with an
//                               interval of 0. The index is derived data: it is written lazily
//                               (buffered, flushed every 512 entries, on roll, on Flush) and
//                               recovery rebuilds it whenever it does not match the log.
//   log-start-offset            the log start offset in decimal, replaced atomically (temp file
//                               + rename) whenever DeleteRecords or retention moves it; absent
//                               until then. The start offset is never below the first segment's
//                               base offset.
//
// No time index: every batch header carries its max timestamp, recovery reads every header, and
// the log keeps them in memory for ListOffsets by time and retention.ms.
//
// Durability: Append returns once write(2) has accepted the whole batch, so the batch survives
// the death of the process (it is in the page cache) but not of the machine. Appends are not
// fsynced unless the topic sets flush.messages (Kafka's default is Long.MAX_VALUE: never; Kafka
// too relies on replication rather than fsync). The fsyncs there are: a segment's log file when
// the next one is rolled (Kafka flushes a rolled segment in the background), the active one on
// Flush(true), which a clean shutdown calls, and every flush.messages records.
//
// Segments are addressed by the PartitionLog's segment index (its position in the log's segment
// vector), which stays stable while the log lives; the base offset names the files.
//
// Thread-safety: none; owned by one PartitionLog on the loop thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kclient/status.h"

namespace kclient::broker {

class SegmentFiles {
 public:
  // One index entry, as PartitionLog knows it.
  struct IndexEntry {
    int64_t last_offset;
    uint32_t position;
  };

  static constexpr std::string_view kLogSuffix = ".log";
  static constexpr std::string_view kIndexSuffix = ".index";
  static constexpr std::string_view kStartOffsetFile = "log-start-offset";
  static constexpr size_t kIndexEntrySize = 8;

  // "00000000000000000042.log" for (42, ".log").
  static std::string FileName(int64_t base_offset, std::string_view suffix);
  // The base offset of a segment file name with `suffix`, if it is one.
  static std::optional<int64_t> ParseFileName(std::string_view name, std::string_view suffix);
  // Appends Kafka's 8-byte index entry for a batch.
  static void EncodeIndexEntry(int64_t segment_base, int64_t last_offset, uint32_t position, std::string* out);
  // Writes `contents` to `path` through a temporary file, fsync and rename, so that readers see
  // the old or the new contents, never a mix.
  static Status WriteFileAtomically(const std::string& path, std::string_view contents);

  // `dir` must exist.
  explicit SegmentFiles(std::string dir);
  // Writes buffered index entries and closes the files (no fsync).
  ~SegmentFiles();
  SegmentFiles(const SegmentFiles&) = delete;
  SegmentFiles& operator=(const SegmentFiles&) = delete;

  const std::string& dir() const { return dir_; }

  // Registers a segment found on disk by recovery: its files are consistent and `size` bytes
  // long, its index holding `index_entries` entries.
  void Adopt(uint32_t segment, int64_t base_offset, size_t size, size_t index_entries);

  // Writes one batch at `position` of `segment` (always the segment's current end). Position 0
  // creates the segment's files, named by `base_offset` (the batch's). On failure the file is
  // cut back to `position` and the error (KAFKA_STORAGE_ERROR) returned.
  Status Append(uint32_t segment, uint32_t position, std::span<const uint8_t> batch, int64_t base_offset,
                int64_t last_offset);
  // Cuts `segment` to `size` bytes and rewrites its index with `entries`; size 0 removes its files.
  Status Truncate(uint32_t segment, size_t size, std::span<const IndexEntry> entries);
  // Deletes the files of `segment`; harmless when it has none.
  Status Remove(uint32_t segment);
  Status WriteLogStartOffset(int64_t offset);

  // Writes buffered index entries; with `sync`, also fsyncs the active segment's log file.
  Status Flush(bool sync);
  // fsync after this many records (flush.messages); <= 0 or INT64_MAX: never.
  void set_flush_interval_messages(int64_t n) { flush_interval_messages_ = n; }

  bool has_files(uint32_t segment) const { return segments_.count(segment) != 0; }
  // The segment's base offset, or -1 when it has no files.
  int64_t base_offset(uint32_t segment) const;
  // The log file's modification time in ms since the epoch, or -1 (Kafka's fallback for
  // retention.ms when no batch in a segment carries a timestamp).
  int64_t LastModifiedMs(uint32_t segment) const;

 private:
  struct Segment {
    int64_t base_offset = 0;
    size_t size = 0;
    size_t index_entries_on_disk = 0;
    std::string pending_index;  // encoded entries not yet written
  };

  std::string PathOf(int64_t base_offset, std::string_view suffix) const;
  Status FlushIndex(Segment& s);
  void CloseActive();

  std::string dir_;
  std::map<uint32_t, Segment> segments_;
  uint32_t active_ = UINT32_MAX;  // the segment log_fd_ writes, if open
  int log_fd_ = -1;
  int64_t flush_interval_messages_ = 0;
  int64_t unflushed_messages_ = 0;
};

}  // namespace kclient::broker
