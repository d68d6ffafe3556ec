// AckMode: when a ListenerContainer commits the offsets of records its listener has processed.
// Whatever the mode, a commit never passes a record that was neither processed nor parked (sent
// to a retry or dead-letter topic): offsets are committed per partition only up to the first
// record that is not done.
//
// Thread-safety: a plain value.
#pragma once

namespace kclient::container {

enum class AckMode {
  /// Commit after each record the listener processed (a synchronous commit per record: the
  /// safest and slowest).
  kRecord,
  /// Commit once the records of a poll are all processed (the default).
  kBatch,
  /// Commit at the first poll-loop turn after ContainerOptions::ack_time_ms has passed since the
  /// last commit.
  kTime,
  /// Commit once ContainerOptions::ack_count records were processed since the last commit.
  kCount,
  /// The listener acknowledges each record (Acknowledgment::Acknowledge), in any order and from
  /// any thread; acknowledged offsets are committed at the next poll-loop turn.
  kManual,
  /// As kManual, but each acknowledgement is committed promptly: the container thread is woken
  /// from its poll to commit it.
  kManualImmediate,
};

/// "RECORD", "BATCH", "TIME", "COUNT", "MANUAL", "MANUAL_IMMEDIATE".
const char* AckModeName(AckMode mode);

/// Whether the listener, not the container, says when a record is done.
inline bool IsManual(AckMode mode) { return mode == AckMode::kManual || mode == AckMode::kManualImmediate; }

}  // namespace kclient::container
