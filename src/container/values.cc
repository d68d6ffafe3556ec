// The small value types of the container's public headers: ack mode names, listener results,
// backoff policies, retry topic names and the dead-letter header set.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "kclient/container/ack_mode.h"
#include "kclient/container/backoff_policy.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/listener.h"
#include "kclient/container/retry_topics.h"
#include "util/backoff.h"

namespace kclient::container {

const char* AckModeName(AckMode mode) {
  switch (mode) {
    case AckMode::kRecord: return "RECORD";
    case AckMode::kBatch: return "BATCH";
    case AckMode::kTime: return "TIME";
    case AckMode::kCount: return "COUNT";
    case AckMode::kManual: return "MANUAL";
    case AckMode::kManualImmediate: return "MANUAL_IMMEDIATE";
  }
  return "?";
}

// --- ListenerResult ---------------------------------------------------------------------------

ListenerResult::ListenerResult(const Status& status) {
  if (status.ok()) return;
  failed_ = true;
  retriable_ = status.retriable();
  error_class_ = std::string(ErrorName(status.code()));
  message_ = std::string(status.message());
}

ListenerResult ListenerResult::Retriable(std::string message, std::string error_class) {
  ListenerResult r;
  r.failed_ = true;
  r.retriable_ = true;
  r.message_ = std::move(message);
  r.error_class_ = std::move(error_class);
  return r;
}

ListenerResult ListenerResult::NonRetriable(std::string message, std::string error_class) {
  ListenerResult r = Retriable(std::move(message), std::move(error_class));
  r.retriable_ = false;
  return r;
}

// --- BackoffPolicy ----------------------------------------------------------------------------

BackoffPolicy BackoffPolicy::Fixed(int64_t interval_ms, int32_t max_attempts) {
  return BackoffPolicy{max_attempts, interval_ms, 1.0, interval_ms, 0.0};
}

BackoffPolicy BackoffPolicy::Exponential(int64_t initial_interval_ms, double multiplier, int64_t max_interval_ms,
                                         int32_t max_attempts) {
  return BackoffPolicy{max_attempts, initial_interval_ms, multiplier, max_interval_ms, 0.0};
}

int64_t BackoffPolicy::DelayMs(int32_t retry, double random01) const {
  // The client's ExponentialBackoff, whose growth stops at max; a multiplier of 1 keeps the base.
  const util::ExponentialBackoff backoff(std::min(initial_interval_ms, max_interval_ms), max_interval_ms, jitter,
                                         multiplier);
  int64_t delay = backoff.BackoffMs(static_cast<uint32_t>(std::max(retry, 0)), random01);
  if (jitter > 0 && multiplier <= 1.0) {  // ExponentialBackoff leaves a constant wait unjittered
    delay = static_cast<int64_t>(static_cast<double>(delay) * ((1.0 - jitter) + random01 * 2.0 * jitter));
  }
  return delay;
}

std::vector<int64_t> BackoffPolicy::Delays() const {
  std::vector<int64_t> delays;
  const BackoffPolicy plain{max_attempts, initial_interval_ms, multiplier, max_interval_ms, 0.0};
  for (int32_t i = 0; i + 1 < max_attempts; ++i) delays.push_back(plain.DelayMs(i));
  return delays;
}

Status BackoffPolicy::Validate() const {
  auto bad = [](const std::string& what) { return Status(ErrorCode::kLocalInvalidConfig, "backoff: " + what); };
  if (max_attempts < 1) return bad("max_attempts must be at least 1");
  if (initial_interval_ms < 0) return bad("initial_interval_ms must not be negative");
  if (max_interval_ms < initial_interval_ms) return bad("max_interval_ms must be at least initial_interval_ms");
  if (!(multiplier >= 1.0) || !std::isfinite(multiplier)) return bad("multiplier must be at least 1");
  if (!(jitter >= 0.0 && jitter < 1.0)) return bad("jitter must be in [0, 1)");
  return Status();
}

// --- Retry topics -----------------------------------------------------------------------------

std::string RetryTopicOptions::RetryTopic(const std::string& topic, int32_t retry) const {
  const std::vector<int64_t> delays = backoff.Delays();
  const size_t i = std::min<size_t>(static_cast<size_t>(std::max(retry, 0)), delays.size() - 1);
  return topic + retry_topic_suffix + std::to_string(delays[i]);
}

std::vector<std::string> RetryTopicOptions::RetryTopics(const std::string& topic) const {
  std::vector<std::string> names;
  for (int32_t i = 0; i + 1 < backoff.max_attempts; ++i) {
    std::string name = RetryTopic(topic, i);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  }
  return names;
}

Status RetryTopicOptions::Validate() const {
  if (!enabled) return Status();
  if (Status s = backoff.Validate(); !s.ok()) return s.WithContext("retry_topics");
  if (backoff.max_attempts < 2) {
    return Status(ErrorCode::kLocalInvalidConfig, "retry_topics: backoff.max_attempts must be at least 2");
  }
  if (retry_topic_suffix.empty()) return Status(ErrorCode::kLocalInvalidConfig, "retry_topics: empty suffix");
  return Status();
}

// --- Dead letters -----------------------------------------------------------------------------

bool IsContainerHeader(std::string_view key) {
  for (std::string_view name : {kDltOriginalTopic, kDltOriginalPartition, kDltOriginalOffset, kDltOriginalTimestamp,
                                kDltConsumerGroup, kDltErrorClass, kDltErrorMessage, kAttempts, kRetryDueMs}) {
    if (key == name) return true;
  }
  return false;
}

std::string DefaultDeadLetterTopic(const ConsumerRecord& record) { return std::string(record.topic) + "-dlt"; }

}  // namespace kclient::container
