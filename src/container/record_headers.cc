#include "container/record_headers.h"

#include <charconv>

#include "kclient/container/dead_letter.h"

namespace kclient::container {

std::optional<std::string_view> FindHeader(const ConsumerRecord& record, std::string_view key) {
  for (auto it = record.headers.rbegin(); it != record.headers.rend(); ++it) {
    if (it->key == key) return it->value;
  }
  return std::nullopt;
}

std::optional<int64_t> FindIntHeader(const ConsumerRecord& record, std::string_view key) {
  auto text = FindHeader(record, key);
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::string OriginalTopic(const ConsumerRecord& record) {
  auto original = FindHeader(record, kDltOriginalTopic);
  return std::string(original ? *original : record.topic);
}

ProducerRecord ParkedCopy(const ConsumerRecord& record, const std::string& topic, std::optional<int32_t> partition,
                          const Failure& failure, std::optional<int64_t> due_ms) {
  ProducerRecord out;
  out.topic = topic;
  out.partition = partition;
  if (record.key) out.key = std::string(*record.key);
  if (record.value) out.value = std::string(*record.value);
  for (const HeaderView& h : record.headers) {
    if (IsContainerHeader(h.key)) continue;
    Header copy{std::string(h.key), std::nullopt};
    if (h.value) copy.value = std::string(*h.value);
    out.headers.push_back(std::move(copy));
  }
  auto add = [&out](std::string_view key, std::string value) {
    out.headers.push_back(Header{std::string(key), std::move(value)});
  };
  // A record from a retry topic already names where it first came from; keep that.
  const bool retried = FindHeader(record, kDltOriginalTopic).has_value();
  auto original = [&](std::string_view key, std::string own) {
    auto kept = FindHeader(record, key);
    add(key, retried && kept ? std::string(*kept) : std::move(own));
  };
  original(kDltOriginalTopic, std::string(record.topic));
  original(kDltOriginalPartition, std::to_string(record.partition));
  original(kDltOriginalOffset, std::to_string(record.offset));
  original(kDltOriginalTimestamp, std::to_string(record.timestamp_ms));
  add(kDltConsumerGroup, failure.group_id);
  add(kDltErrorClass, failure.error_class);
  add(kDltErrorMessage, failure.message);
  add(kAttempts, std::to_string(failure.attempts));
  if (due_ms) add(kRetryDueMs, std::to_string(*due_ms));
  return out;
}

}  // namespace kclient::container
