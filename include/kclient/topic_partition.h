// TopicPartition: a partition of a topic, the unit of assignment, position and commit.
// Thread-safety: a plain value.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>

namespace kclient {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  /// "topic-partition", as Kafka prints it.
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

struct TopicPartitionHash {
  size_t operator()(const TopicPartition& tp) const noexcept {
    return std::hash<std::string>()(tp.topic) * 31 + static_cast<size_t>(tp.partition);
  }
};

}  // namespace kclient
