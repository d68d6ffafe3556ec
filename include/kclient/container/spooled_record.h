// The records a Spool keeps: a record as the producer was given it, with why it was not
// delivered, and where it sits in the spool.
//
// Thread-safety: plain values.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

#include "kclient/error_code.h"
#include "kclient/record.h"

namespace kclient::container {

/// A record that could not be delivered.
struct SpooledRecord {
  /// The record as sent: topic, the partition only if the sender chose one explicitly, key,
  /// value, headers (default headers included) and timestamp. Replayed exactly like this.
  ProducerRecord record;
  /// The delivery error that made it spool, and its message.
  ErrorCode error = ErrorCode::kNone;
  std::string error_message;
  /// Wall-clock time of spooling, in milliseconds since the Unix epoch.
  int64_t spooled_at_ms = 0;

  friend bool operator==(const SpooledRecord& a, const SpooledRecord& b) {
    return a.record.topic == b.record.topic && a.record.partition == b.record.partition &&
           a.record.key == b.record.key && a.record.value == b.record.value && a.record.headers == b.record.headers &&
           a.record.timestamp_ms == b.record.timestamp_ms && a.error == b.error &&
           a.error_message == b.error_message && a.spooled_at_ms == b.spooled_at_ms;
  }
};

/// Where an entry sits: its segment's number and its byte offset in that segment. Positions
/// order entries as they were appended.
struct SpoolPosition {
  uint64_t segment = 0;
  uint64_t offset = 0;
  friend auto operator<=>(const SpoolPosition&, const SpoolPosition&) = default;
};

/// One entry read back from a spool.
struct SpoolEntry {
  SpoolPosition position;
  SpooledRecord spooled;
};

}  // namespace kclient::container
