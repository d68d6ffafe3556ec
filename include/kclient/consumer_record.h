// What a Consumer's Poll returns.
//
//   ConsumerRecord   one record: where it is (topic, partition, offset), its timestamp, key, value
//                    and headers. Keys, values and headers are views into the fetched bytes.
//   ConsumerRecords  the records of one Poll, and the fetched bytes they point into: the views
//                    stay valid as long as the ConsumerRecords object lives (moving it keeps them
//                    valid), so no payload is copied between the socket and the application.
//   OffsetAndMetadata, OffsetAndTimestamp: committed offsets and offsets found by time.
//
// Thread-safety: plain values; a ConsumerRecords may be handed to another thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/topic_partition.h"

namespace kclient {

enum class TimestampType : int8_t {
  kCreateTime = 0,      ///< set by the producer
  kLogAppendTime = 1,   ///< set by the broker (message.timestamp.type=LogAppendTime)
};

struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

struct ConsumerRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  TimestampType timestamp_type = TimestampType::kCreateTime;
  /// The leader epoch of the batch, or -1 (for OffsetAndMetadata and truncation detection).
  int32_t leader_epoch = -1;
  /// Views into the fetched bytes; std::nullopt for null.
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<HeaderView> headers;

  TopicPartition topic_partition() const { return {std::string(topic), partition}; }
};

class ConsumerRecords {
 public:
  ConsumerRecords() = default;
  ConsumerRecords(ConsumerRecords&&) noexcept = default;
  ConsumerRecords& operator=(ConsumerRecords&&) noexcept = default;
  ConsumerRecords(const ConsumerRecords&) = delete;
  ConsumerRecords& operator=(const ConsumerRecords&) = delete;

  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }
  auto begin() const { return records_.begin(); }
  auto end() const { return records_.end(); }
  const ConsumerRecord& operator[](size_t i) const { return records_[i]; }

  /// For the consumer that fills it: the records, and an owner of the bytes they point into.
  std::vector<ConsumerRecord>& mutable_records() { return records_; }
  void KeepAlive(std::shared_ptr<const void> owner) { owners_.push_back(std::move(owner)); }

 private:
  std::vector<ConsumerRecord> records_;
  std::vector<std::shared_ptr<const void>> owners_;  // fetched frames and decompressed batches
};

struct OffsetAndMetadata {
  int64_t offset = 0;
  std::string metadata;
  /// The leader epoch of the last record consumed before `offset`, or -1.
  int32_t leader_epoch = -1;
  friend bool operator==(const OffsetAndMetadata&, const OffsetAndMetadata&) = default;
};

struct OffsetAndTimestamp {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  int32_t leader_epoch = -1;
};

}  // namespace kclient
