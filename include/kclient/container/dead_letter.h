// Dead letters: records a listener could not process, parked on a dead-letter topic (by default
// "<topic>-dlt") with their original key, value and headers, plus the headers below saying where
// they came from and why they failed. The names are defined here once; tools that read dead
// letters (ReplayDeadLetters in dead_letter_replay.h, or your own) use these constants.
//
// Retry topics (retry_topics.h) carry the same original-* headers, plus the due time.
//
// Thread-safety: constants and plain values.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "kclient/consumer_record.h"

namespace kclient::container {

/// The topic the record was first consumed from (retry topics keep the first one).
inline constexpr std::string_view kDltOriginalTopic = "kclient_dlt_original_topic";
/// Its partition, offset and timestamp there, as decimal text.
inline constexpr std::string_view kDltOriginalPartition = "kclient_dlt_original_partition";
inline constexpr std::string_view kDltOriginalOffset = "kclient_dlt_original_offset";
inline constexpr std::string_view kDltOriginalTimestamp = "kclient_dlt_original_timestamp";
/// The consumer group whose listener failed.
inline constexpr std::string_view kDltConsumerGroup = "kclient_dlt_consumer_group";
/// ListenerResult::error_class() and message() of the last failure.
inline constexpr std::string_view kDltErrorClass = "kclient_dlt_error_class";
inline constexpr std::string_view kDltErrorMessage = "kclient_dlt_error_message";
/// How many times the listener was called for the record, as decimal text.
inline constexpr std::string_view kAttempts = "kclient_attempts";
/// On retry topics only: when the record is due, in milliseconds since the Unix epoch (decimal).
inline constexpr std::string_view kRetryDueMs = "kclient_retry_due_ms";

/// Whether `key` is one of the headers above (which a replay or a retry replaces).
bool IsContainerHeader(std::string_view key);

/// Where a failed record goes: the dead-letter topic for it (called on the container thread with
/// the record as read from its source topic). The parked copy is written with the record's key and
/// no explicit partition, so the producer's partitioner places it and the dead-letter topic may
/// have any number of partitions. Default: "<topic>-dlt".
using DeadLetterTopicResolver = std::function<std::string(const ConsumerRecord& record)>;

/// "<record.topic>-dlt".
std::string DefaultDeadLetterTopic(const ConsumerRecord& record);

}  // namespace kclient::container
