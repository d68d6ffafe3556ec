#include "container/container_context.h"

#include <algorithm>
#include <cstdio>

namespace kclient::container {
namespace {

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "?";
}

}  // namespace

ContainerContext::ContainerContext(ContainerOptions options, ListenerInvoker invoker)
    : options_(std::move(options)), invoker_(std::move(invoker)) {
  if (!options_.dead_letter_topic) options_.dead_letter_topic = DefaultDeadLetterTopic;
  if (options_.retry_topics.enabled) {
    for (const std::string& t : options_.topics) {
      for (std::string& r : options_.retry_topics.RetryTopics(t)) retry_topics_.insert(std::move(r));
    }
  }
}

std::vector<std::string> ContainerContext::SubscribedTopics() const {
  std::vector<std::string> topics = options_.topics;
  topics.insert(topics.end(), retry_topics_.begin(), retry_topics_.end());
  return topics;
}

void ContainerContext::Log(LogLevel level, const std::string& message) const {
  if (options_.log) {
    options_.log(level, message);
  } else if (level >= LogLevel::kWarning) {
    std::fprintf(stderr, "kclient container [%s] %s: %s\n", options_.consumer.group_id.c_str(), LevelName(level),
                 message.c_str());
  }
}

void ContainerContext::Halt(const HaltedPartition& halted) {
  {
    std::lock_guard lock(mu_);
    ClearHaltLocked(halted.partition);
    halted_.push_back(halted);
  }
  Log(LogLevel::kError, "stopped consuming " + halted.partition.ToString() + " at offset " +
                            std::to_string(halted.offset) + ": " + halted.reason.ToString());
  if (options_.on_partition_halted) options_.on_partition_halted(halted);
}

void ContainerContext::ClearHalt(const TopicPartition& partition) {
  std::lock_guard lock(mu_);
  ClearHaltLocked(partition);
}

void ContainerContext::ClearHaltLocked(const TopicPartition& partition) {
  std::erase_if(halted_, [&](const HaltedPartition& h) { return h.partition == partition; });
}

std::vector<HaltedPartition> ContainerContext::Halted() const {
  std::lock_guard lock(mu_);
  return halted_;
}

}  // namespace kclient::container
