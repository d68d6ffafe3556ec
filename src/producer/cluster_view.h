// ClusterView: what application threads need to know about the producer's topics (partition
// counts, partitions with a leader, and where each partition's queue is), published by the
// sender thread after each metadata refresh. Send reads an immutable TopicView snapshot, so the
// hot path takes one short lock and never waits for the sender.
//
// Thread-safety: all methods are thread-safe. TopicViews are immutable once published.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "kclient/error_code.h"

namespace kclient::producer {

struct PartitionQueue;

struct TopicView {
  int32_t partition_count = 0;           // 0 while the topic is unknown or in error
  std::vector<int32_t> available;        // partitions with a leader, ascending
  std::vector<PartitionQueue*> queues;   // by partition id; owned by the RecordAccumulator
  ErrorCode error = ErrorCode::kNone;    // why there are no partitions (UNKNOWN_TOPIC_OR_PARTITION...)
};

class ClusterView {
 public:
  std::shared_ptr<const TopicView> Find(const std::string& topic) const {
    std::lock_guard lock(mu_);
    auto it = topics_.find(topic);
    return it == topics_.end() ? nullptr : it->second;
  }

  // Waits until `topic` has partitions, or until `deadline`; returns the latest view (nullptr
  // if none was ever published). Wakes early when the view is closed.
  std::shared_ptr<const TopicView> WaitForPartitions(const std::string& topic,
                                                     std::chrono::steady_clock::time_point deadline) const {
    std::unique_lock lock(mu_);
    std::shared_ptr<const TopicView> view;
    published_.wait_until(lock, deadline, [&] {
      auto it = topics_.find(topic);
      view = it == topics_.end() ? nullptr : it->second;
      return closed_ || (view && view->partition_count > 0);
    });
    return view;
  }

  void Publish(const std::string& topic, std::shared_ptr<const TopicView> view) {
    {
      std::lock_guard lock(mu_);
      topics_[topic] = std::move(view);
    }
    published_.notify_all();
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    published_.notify_all();
  }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable published_;
  std::unordered_map<std::string, std::shared_ptr<const TopicView>> topics_;  // guarded by mu_
  bool closed_ = false;                                                       // guarded by mu_
};

}  // namespace kclient::producer
