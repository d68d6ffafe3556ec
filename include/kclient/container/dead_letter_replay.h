// ReplayDeadLetters: sends records parked on a dead-letter topic back to the topic they came
// from (the kDltOriginalTopic header), once their cause is fixed. A replayed record keeps its
// key, value and its own headers; the container's headers (dead_letter.h) are dropped, so it
// looks as it first did. A predicate chooses which records go back.
//
// The dead-letter topic is read from the beginning (or, with a group id, from that group's
// committed offsets, which the replay then advances) up to its end as of the start of the call.
//
// Thread-safety: a free function; it uses a consumer and a producer of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "kclient/consumer_record.h"
#include "kclient/properties.h"
#include "kclient/result.h"

namespace kclient::container {

struct ReplayOptions {
  /// Client properties for the consumer and producer (bootstrap.servers at least).
  Properties properties;
  /// The dead-letter topic to read.
  std::string dead_letter_topic;
  /// When set, read from this group's committed offsets and commit what was read, so that a
  /// later replay with the same group goes on where this one stopped. Default: none, read all.
  std::string group_id;
  /// Which records to send back; all when empty.
  std::function<bool(const ConsumerRecord& record)> filter;
  /// Count what would be replayed, send nothing.
  bool dry_run = false;
  /// The longest the whole replay may take. Default 60 s.
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
};

struct ReplayReport {
  int64_t read = 0;        ///< records read from the dead-letter topic
  int64_t replayed = 0;    ///< sent back (or, dry_run, that would have been)
  int64_t filtered = 0;    ///< left out by the filter
  int64_t unroutable = 0;  ///< without a kDltOriginalTopic header: left alone
};

/// Replays; fails if the topic cannot be read, the end is not reached before the timeout, or a
/// record cannot be sent (the report is then lost; records sent before the failure stay sent).
Result<ReplayReport> ReplayDeadLetters(const ReplayOptions& options);

}  // namespace kclient::container
