// SubscriptionState: what the consumer is subscribed to, which partitions it holds, and per
// partition where it is: the position (next offset Poll returns), whether it is paused, and
// whether its position must first be found (committed offset or auto.offset.reset). Java's
// SubscriptionState.
//
// Thread-safety: every method is thread-safe (one mutex). The polling thread changes
// subscriptions, assignments and positions; the I/O thread reads what to fetch and fills in
// positions it looked up.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "kclient/consumer_options.h"
#include "kclient/rebalance_listener.h"
#include "kclient/topic_partition.h"

namespace kclient::consumer {

class SubscriptionState {
 public:
  enum class Mode { kNone, kTopics, kPattern, kManual };

  struct Position {
    int64_t offset = 0;
    int32_t leader_epoch = -1;  // of the last record returned, for commits
  };

  SubscriptionState() = default;

  // --- Subscription (polling thread) ---------------------------------------------------------
  void SubscribeTopics(const std::vector<std::string>& topics, std::shared_ptr<RebalanceListener> listener);
  void SubscribePattern(const std::string& pattern, std::shared_ptr<RebalanceListener> listener);
  // Manual assignment replaces any subscription.
  void AssignManually(const std::vector<TopicPartition>& partitions);
  void Unsubscribe();
  Mode mode() const;
  std::shared_ptr<RebalanceListener> listener() const;
  // For pattern subscriptions: the topics that matched at the last metadata refresh. Returns
  // whether they changed.
  bool MatchPattern(const std::vector<std::string>& all_topics, bool exclude_internal,
                    const std::set<std::string>& internal_topics);
  std::set<std::string> subscribed_topics() const;

  // --- Assignment ----------------------------------------------------------------------------
  // Replaces the assignment; partitions kept keep their position and pause state.
  void SetAssignment(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> assignment() const;
  bool IsAssigned(const TopicPartition& tp) const;
  // Bumped by every assignment change, so the I/O thread can drop fetches made for an old one.
  uint64_t assignment_epoch() const;

  // --- Positions -----------------------------------------------------------------------------
  std::optional<Position> position(const TopicPartition& tp) const;
  // Sets the position (Seek, a looked-up offset, records handed out). False if not assigned.
  bool SetPosition(const TopicPartition& tp, Position position);
  // Asks for the position to be found again by `reset` (SeekToBeginning/End, out of range).
  void RequestReset(const TopicPartition& tp, OffsetReset reset);
  // Partitions that have no position yet: with the reset asked for (SeekToBeginning/End, out of
  // range), or std::nullopt when never positioned (use the committed offset, else
  // auto.offset.reset).
  std::map<TopicPartition, std::optional<OffsetReset>> MissingPositions() const;
  // Assigned partitions with a position, not paused: the ones to fetch.
  std::map<TopicPartition, Position> FetchablePositions() const;
  // Positions of every assigned partition that has one (what commits store).
  std::map<TopicPartition, Position> AllPositions() const;

  void Pause(const std::vector<TopicPartition>& partitions);
  void Resume(const std::vector<TopicPartition>& partitions);
  std::vector<TopicPartition> paused() const;
  bool IsPaused(const TopicPartition& tp) const;

 private:
  struct PartitionState {
    std::optional<Position> position;
    std::optional<OffsetReset> reset;  // the position must be found with this
    bool paused = false;
  };

  mutable std::mutex mu_;
  Mode mode_ = Mode::kNone;                             // guarded by mu_
  std::set<std::string> topics_;                        // guarded by mu_
  std::optional<std::regex> pattern_;                   // guarded by mu_
  std::shared_ptr<RebalanceListener> listener_;         // guarded by mu_
  std::map<TopicPartition, PartitionState> assigned_;   // guarded by mu_
  uint64_t assignment_epoch_ = 0;                       // guarded by mu_
};

}  // namespace kclient::consumer
