// Reading the container's headers (kclient/container/dead_letter.h) back from consumed records,
// and building the records that park a failed one on a retry or dead-letter topic.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kclient/consumer_record.h"
#include "kclient/record.h"

namespace kclient::container {

/// The value of the last header named `key`; nullopt when absent or null.
std::optional<std::string_view> FindHeader(const ConsumerRecord& record, std::string_view key);
/// The same, parsed as a decimal integer; nullopt when absent or not a number.
std::optional<int64_t> FindIntHeader(const ConsumerRecord& record, std::string_view key);

/// The topic a record was first consumed from: kDltOriginalTopic when present, else its own.
std::string OriginalTopic(const ConsumerRecord& record);

/// Why and how often a record failed, for the headers of its parked copy.
struct Failure {
  std::string group_id;
  std::string error_class;
  std::string message;
  int32_t attempts = 0;
};

/// A copy of `record` for `topic` (and `partition`, if set): its key, value and own headers, then
/// the original-* headers (kept from the record when it already carries them, i.e. it comes from
/// a retry topic), the failure's headers, and kRetryDueMs when `due_ms` is set.
ProducerRecord ParkedCopy(const ConsumerRecord& record, const std::string& topic, std::optional<int32_t> partition,
                          const Failure& failure, std::optional<int64_t> due_ms);

}  // namespace kclient::container
