// FetchWaiters: fetches parked until enough data arrives or their max wait runs out (Kafka's
// DelayedFetch purgatory). A parked fetch names the partitions it reads; an append to, or any
// other change of, one of them (truncation, a leader change) wakes it to try again. Wakes are
// coalesced: the partitions touched while handling one event are re-read once, right after it,
// so a produce to many partitions does not re-read a waiter many times, and the produce is
// answered before the fetches it completes.
//
// Nothing here blocks: a parked fetch is a closure and a loop timer.
//
// Thread-safety: loop thread only (owned by the Cluster).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/event_loop.h"

namespace kclient::broker {

class FetchWaiters {
 public:
  // Tries to answer the parked fetch. With `final` set (the max wait ran out, or the cluster is
  // shutting down its waiters) it must answer; otherwise it answers only if it can now, and
  // returns whether it did.
  using TryComplete = std::function<bool(bool final)>;
  using PartitionKey = std::pair<std::string, int32_t>;  // topic name, partition

  explicit FetchWaiters(EventLoop* loop) : loop_(loop) {}
  ~FetchWaiters();
  FetchWaiters(const FetchWaiters&) = delete;
  FetchWaiters& operator=(const FetchWaiters&) = delete;

  // Parks a fetch reading `partitions` until `try_complete` answers or `deadline` passes.
  void Park(std::vector<PartitionKey> partitions, Clock::time_point deadline, TryComplete try_complete);

  // Something changed in topic-partition: its parked fetches try again (after the current event).
  void Wake(std::string_view topic, int32_t partition);
  // Every parked fetch tries again (leadership moved, a broker stopped or started).
  void WakeAll();
  // Answers every parked fetch now with what it has (shutdown).
  void Clear();

  size_t parked() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::vector<PartitionKey> partitions;
    TryComplete try_complete;
    EventLoop::TimerId timer = 0;
  };
  using WaiterId = uint64_t;

  void ScheduleRetry();
  void RunRetries();
  // Removes a waiter and its index entries; returns it.
  Waiter Take(WaiterId id);

  EventLoop* loop_;
  std::map<WaiterId, Waiter> waiters_;
  std::map<PartitionKey, std::set<WaiterId>> by_partition_;
  std::set<WaiterId> pending_;  // woken, to retry after the current event
  bool retry_scheduled_ = false;
  WaiterId next_id_ = 1;
  // Cleared on destruction so that a retry task posted earlier does nothing.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kclient::broker
