// ContainerOptions::Validate: every rule about the container's options, in one place.
#include "kclient/container/container_options.h"

namespace kclient::container {
namespace {

Status Invalid(const std::string& message) { return Status(ErrorCode::kLocalInvalidConfig, message); }

}  // namespace

Status ContainerOptions::Validate() const {
  if (consumer.group_id.empty()) return Invalid("consumer.group_id is required");
  if (topics.empty()) return Invalid("topics: at least one topic is required");
  for (const std::string& t : topics) {
    if (t.empty()) return Invalid("topics: empty topic name");
  }
  if (concurrency < 1) return Invalid("concurrency must be at least 1");
  if (ack_mode == AckMode::kCount && ack_count < 1) return Invalid("ack_count must be at least 1");
  if (ack_mode == AckMode::kTime && ack_time_ms < 1) return Invalid("ack_time_ms must be at least 1");
  if (commit_timeout_ms < 1) return Invalid("commit_timeout_ms must be at least 1");
  if (poll_timeout_ms < 1) return Invalid("poll_timeout_ms must be at least 1");
  if (listener_deadline_ms < 0) return Invalid("listener_deadline_ms must not be negative");
  if (listener_deadline_ms >= consumer.max_poll_interval_ms) {
    return Invalid("listener_deadline_ms must be below consumer.max_poll_interval_ms");
  }
  if (Status s = backoff.Validate(); !s.ok()) return s;
  if (Status s = retry_topics.Validate(); !s.ok()) return s;
  if (retry_topics.enabled && !dead_letter_enabled) {
    return Invalid("retry_topics need dead_letter_enabled (records end on the dead-letter topic)");
  }
  ConsumerOptions c = consumer;
  c.enable_auto_commit = false;
  if (Status s = c.Validate(); !s.ok()) return s.WithContext("consumer");
  return Status();
}

Result<ContainerOptions> ContainerOptions::FromProperties(const Properties& consumer_properties,
                                                         std::vector<std::string> topics) {
  auto consumer = ConsumerOptions::FromProperties(consumer_properties);
  if (!consumer.ok()) return consumer.status();
  ContainerOptions options;
  options.consumer = std::move(*consumer);
  options.topics = std::move(topics);
  if (Status s = options.Validate(); !s.ok()) return s;
  return options;
}

}  // namespace kclient::container
