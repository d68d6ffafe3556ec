// The records a producer sends and what the cluster says about them once written.
//
//   ProducerRecord  a record to send: topic, optional partition, key, value, headers, timestamp.
//   RecordMetadata  where it was written: partition, offset, timestamp.
//
// Keys and values are bytes (std::string is used as a byte container; it may hold any byte).
// A missing key is Kafka's null key (the partitioner then spreads records); a missing value is
// a null value, which compacted topics treat as a delete (a tombstone).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kclient {

/// A record header: a key and an optional (nullable) value.
struct Header {
  std::string key;
  std::optional<std::string> value;
  friend bool operator==(const Header&, const Header&) = default;
};

struct ProducerRecord {
  std::string topic;
  /// The partition to write to; when empty the producer's partitioner picks one.
  std::optional<int32_t> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  /// Milliseconds since the Unix epoch; when empty the producer stamps the time of Send. A topic
  /// with message.timestamp.type=LogAppendTime replaces it with the broker's clock.
  std::optional<int64_t> timestamp_ms;
};

struct RecordMetadata {
  std::string topic;
  int32_t partition = -1;
  /// The record's offset, or -1 when unknown (acks=0, or a duplicate the broker recognised by its
  /// sequence number without reporting where the original landed).
  int64_t offset = -1;
  /// The record's timestamp: the broker's append time for LogAppendTime topics, else the
  /// producer's create time.
  int64_t timestamp_ms = -1;
  /// Bytes of the serialized key and value (0 for null).
  size_t serialized_key_size = 0;
  size_t serialized_value_size = 0;
};

}  // namespace kclient
