// PartitionLog's durable storage and retention: recovery into memory, the write-through hooks
// that partition_log.cc calls, and segment deletion. See partition_log.h.
#include <algorithm>

#include "broker/log/log_recovery.h"
#include "broker/log/partition_log.h"
#include "broker/log/segment_files.h"

namespace kclient::broker {

PartitionLog::PartitionLog(size_t segment_bytes) : segment_bytes_(segment_bytes) {}
PartitionLog::~PartitionLog() = default;
PartitionLog::PartitionLog(PartitionLog&&) noexcept = default;
PartitionLog& PartitionLog::operator=(PartitionLog&&) noexcept = default;

Status PartitionLog::OpenDurable(const std::string& dir, const std::function<void(const std::string&)>& log) {
  Result<RecoveredLog> recovered = RecoverLogDir(dir, log);
  if (!recovered.ok()) return recovered.status();
  auto files = std::make_unique<SegmentFiles>(dir);
  segments_.clear();
  entries_.clear();
  bytes_ = 0;
  for (RecoveredSegment& seg : recovered->segments) {
    const auto index = static_cast<uint32_t>(segments_.size());
    for (const RecoveredBatch& b : seg.batches) {
      entries_.push_back(BatchEntry{b.base_offset, b.last_offset, b.max_timestamp, index, b.position, b.size});
      bytes_ += b.size;
    }
    files->Adopt(index, seg.base_offset, seg.bytes.size(), seg.batches.size());
    segments_.push_back(std::move(seg.bytes));
  }
  const int64_t checkpoint = recovered->checkpointed_log_start_offset;
  // UnifiedLog: the log start offset is the checkpointed one, but never below the first segment.
  log_start_offset_ = recovered->segments.empty() ? std::max<int64_t>(checkpoint, 0) : recovered->segments.front().base_offset;
  next_offset_ = entries_.empty() ? log_start_offset_ : entries_.back().last_offset + 1;
  files_ = std::move(files);
  storage_error_ = Status();
  // A log that recovery cut below its start offset starts over at that offset.
  if (checkpoint > next_offset_) next_offset_ = checkpoint;
  if (checkpoint > log_start_offset_) TruncateBefore(checkpoint);  // also deletes wholly dead segments
  high_watermark_ = next_offset_;
  return storage_error_;
}

void PartitionLog::set_flush_interval_messages(int64_t records) {
  if (files_ != nullptr) files_->set_flush_interval_messages(records);
}

Status PartitionLog::Flush(bool sync) { return files_ != nullptr ? files_->Flush(sync) : Status(); }

void PartitionLog::StoreStartOffset(uint32_t first_live_segment) {
  // Kafka's order: the new start offset is recorded before the segments below it go.
  Status s = files_->WriteLogStartOffset(log_start_offset_);
  for (uint32_t i = 0; i < first_live_segment && i + 1 < segments_.size(); ++i) {
    if (!files_->has_files(i)) continue;
    if (Status r = files_->Remove(i); !r.ok() && s.ok()) s = r;
  }
  if (!s.ok()) storage_error_ = s;
}

void PartitionLog::StoreTruncation(uint32_t first_touched_segment) {
  // The batches of the touched segments are at the end of entries_.
  auto first = std::find_if(entries_.begin(), entries_.end(),
                            [&](const BatchEntry& e) { return e.segment >= first_touched_segment; });
  std::vector<SegmentFiles::IndexEntry> index;
  for (uint32_t s = first_touched_segment; s < segments_.size(); ++s) {
    index.clear();
    while (first != entries_.end() && first->segment == s) {
      index.push_back(SegmentFiles::IndexEntry{first->last_offset, first->position});
      ++first;
    }
    if (Status st = files_->Truncate(s, segments_[s].size(), index); !st.ok()) storage_error_ = st;
  }
}

size_t PartitionLog::segment_count() const {
  return static_cast<size_t>(std::count_if(segments_.begin(), segments_.end(),
                                           [](const util::ByteBuffer& b) { return !b.empty(); }));
}

PartitionLog::RetentionResult PartitionLog::DeleteOldSegments(int64_t now_ms, int64_t retention_ms,
                                                              int64_t retention_bytes) {
  RetentionResult result;
  if (segments_.empty() || entries_.empty()) return result;
  // The segments that hold live batches, oldest first, with what the predicates look at.
  struct Candidate {
    uint32_t index;
    int64_t base_offset;   // of its first live batch
    size_t size;           // the whole segment, as Kafka counts it
    int64_t largest_timestamp;
  };
  std::vector<Candidate> candidates;
  for (const BatchEntry& e : entries_) {
    if (candidates.empty() || candidates.back().index != e.segment) {
      candidates.push_back(Candidate{e.segment, e.base_offset, segments_[e.segment].size(), e.max_timestamp});
    } else {
      candidates.back().largest_timestamp = std::max(candidates.back().largest_timestamp, e.max_timestamp);
    }
  }
  // Kafka's upper bound of a segment: the next segment's base offset, or the log end offset.
  auto upper_bound = [&](size_t k) { return k + 1 < candidates.size() ? candidates[k + 1].base_offset : next_offset_; };
  // The active segment (the one appends go to) is never deleted.
  const auto active = static_cast<uint32_t>(segments_.size() - 1);
  const size_t deletable = candidates.size() - (candidates.back().index == active ? 1 : 0);

  size_t k = 0;
  // deleteRetentionSizeBreachedSegments: only when the whole log is at least retention.bytes,
  // and each deleted segment must fit in the excess.
  size_t total = 0;
  for (const util::ByteBuffer& b : segments_) total += b.size();
  if (retention_bytes >= 0 && total >= static_cast<size_t>(retention_bytes)) {
    size_t diff = total - static_cast<size_t>(retention_bytes);
    while (k < deletable && high_watermark_ >= upper_bound(k) && diff >= candidates[k].size) {
      diff -= candidates[k].size;
      ++k;
    }
    if (k > 0) result.reason = "retention.bytes " + std::to_string(retention_bytes) + " (log size " + std::to_string(total) + ")";
  }
  // deleteRetentionMsBreachedSegments: now - the segment's largest timestamp > retention.ms; a
  // segment without timestamps counts from its file's modification time (Kafka's
  // LogSegment.largestTimestamp), and in memory never expires.
  const size_t after_size = k;
  if (retention_ms >= 0) {
    while (k < deletable && high_watermark_ >= upper_bound(k)) {
      int64_t largest = candidates[k].largest_timestamp;
      if (largest < 0 && files_ != nullptr) largest = files_->LastModifiedMs(candidates[k].index);
      if (largest < 0 || now_ms - largest <= retention_ms) break;
      ++k;
    }
    if (k > after_size) {
      result.reason += std::string(result.reason.empty() ? "" : ", ") + "retention.ms " + std::to_string(retention_ms);
    }
  }
  if (k == 0) return result;
  for (size_t i = 0; i < k; ++i) result.bytes += candidates[i].size;
  result.segments = static_cast<int>(k);
  TruncateBefore(upper_bound(k - 1));
  return result;
}

}  // namespace kclient::broker
