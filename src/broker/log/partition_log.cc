#include "broker/log/partition_log.h"

#include <algorithm>

#include "broker/log/segment_files.h"
#include "protocol/record_batch.h"
#include "util/endian.h"

namespace kclient::broker {

int64_t PartitionLog::Append(std::span<const uint8_t> batch, int32_t leader_epoch) {
  if (segments_.empty() || segments_.back().size() + batch.size() > segment_bytes_) {
    segments_.emplace_back(std::max(std::min(segment_bytes_ / 8, size_t{1} << 20), batch.size()));
  }
  util::ByteBuffer& seg = segments_.back();
  const size_t position = seg.size();
  seg.Append(batch);
  std::span<uint8_t> stored(seg.data() + position, batch.size());
  const int64_t base = next_offset_;
  protocol::AssignBatchOffsets(stored, base, leader_epoch);
  const auto last_delta = static_cast<int32_t>(util::LoadBE32(stored.data() + protocol::kLastOffsetDeltaOffset));
  const auto max_ts = static_cast<int64_t>(util::LoadBE64(stored.data() + protocol::kMaxTimestampOffset));
  if (files_ != nullptr) {  // durable: the batch reaches its file before anyone hears of it
    storage_error_ = files_->Append(static_cast<uint32_t>(segments_.size() - 1), static_cast<uint32_t>(position),
                                    stored, base, base + last_delta);
    if (!storage_error_.ok()) {
      seg.resize(position);
      return -1;
    }
  }
  entries_.push_back(BatchEntry{base, base + last_delta, max_ts, static_cast<uint32_t>(segments_.size() - 1),
                                static_cast<uint32_t>(position), static_cast<uint32_t>(batch.size())});
  next_offset_ = base + last_delta + 1;
  bytes_ += batch.size();
  return base;
}

size_t PartitionLog::FindBatch(int64_t offset) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const BatchEntry& e, int64_t o) { return e.last_offset < o; });
  return static_cast<size_t>(it - entries_.begin());
}

std::span<const uint8_t> PartitionLog::Read(int64_t offset, int32_t max_bytes, bool at_least_one,
                                            int64_t upper_bound) const {
  size_t i = FindBatch(offset);
  if (i == entries_.size() || entries_[i].base_offset >= upper_bound) return {};
  const BatchEntry& first = entries_[i];
  size_t total = 0;
  size_t j = i;
  while (j < entries_.size() && entries_[j].segment == first.segment && entries_[j].base_offset < upper_bound) {
    if (total + entries_[j].size > static_cast<size_t>(std::max(max_bytes, 0))) {
      if (total == 0 && at_least_one) total = entries_[j].size;
      break;
    }
    total += entries_[j].size;
    ++j;
  }
  return {segments_[first.segment].data() + first.position, total};
}

int64_t PartitionLog::OffsetForTimestamp(int64_t ts, int64_t* found_ts) const {
  for (const BatchEntry& e : entries_) {
    if (e.max_timestamp >= ts) {
      *found_ts = e.max_timestamp;
      return std::max(e.base_offset, log_start_offset_);
    }
  }
  return -1;
}

int64_t PartitionLog::MaxTimestampOffset(int64_t* ts) const {
  int64_t best = -1;
  *ts = -1;
  for (const BatchEntry& e : entries_) {
    if (e.max_timestamp > *ts) {
      *ts = e.max_timestamp;
      best = e.last_offset;
    }
  }
  return best;
}

int64_t PartitionLog::TruncateBefore(int64_t offset) {
  offset = std::min(offset, next_offset_);
  if (offset <= log_start_offset_) return log_start_offset_;
  log_start_offset_ = offset;
  // Whole batches below the new start go; their segment bytes are reclaimed when a segment
  // holds nothing live any more.
  size_t drop = 0;
  while (drop < entries_.size() && entries_[drop].last_offset < offset) {
    bytes_ -= entries_[drop].size;
    ++drop;
  }
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
  const uint32_t first_live = entries_.empty() ? static_cast<uint32_t>(segments_.size()) : entries_.front().segment;
  for (uint32_t s = 0; s < first_live && s + 1 < segments_.size(); ++s) segments_[s] = util::ByteBuffer();
  if (files_ != nullptr) StoreStartOffset(first_live);
  return log_start_offset_;
}

void PartitionLog::TruncateAfter(int64_t offset) {
  uint32_t touched = UINT32_MAX;
  while (!entries_.empty() && entries_.back().base_offset >= offset) {
    const BatchEntry& e = entries_.back();
    touched = e.segment;
    segments_[e.segment].resize(e.position);
    bytes_ -= e.size;
    entries_.pop_back();
  }
  next_offset_ = entries_.empty() ? std::max(log_start_offset_, std::min(offset, next_offset_)) : entries_.back().last_offset + 1;
  high_watermark_ = std::min(high_watermark_, next_offset_);
  if (files_ != nullptr && touched != UINT32_MAX) StoreTruncation(touched);
}

}  // namespace kclient::broker
