#include "broker/fetch_waiters.h"

namespace kclient::broker {

FetchWaiters::~FetchWaiters() {
  *alive_ = false;
  Clear();
}

void FetchWaiters::Park(std::vector<PartitionKey> partitions, Clock::time_point deadline, TryComplete try_complete) {
  const WaiterId id = next_id_++;
  for (const PartitionKey& key : partitions) by_partition_[key].insert(id);
  Waiter& w = waiters_[id];
  w.partitions = std::move(partitions);
  w.try_complete = std::move(try_complete);
  w.timer = loop_->AddTimer(deadline, [this, id] {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;
    it->second.timer = 0;  // this timer has fired; nothing to cancel
    Waiter w = Take(id);
    w.try_complete(/*final=*/true);
  });
}

FetchWaiters::Waiter FetchWaiters::Take(WaiterId id) {
  auto it = waiters_.find(id);
  Waiter w = std::move(it->second);
  waiters_.erase(it);
  pending_.erase(id);
  for (const PartitionKey& key : w.partitions) {
    auto pit = by_partition_.find(key);
    if (pit == by_partition_.end()) continue;
    pit->second.erase(id);
    if (pit->second.empty()) by_partition_.erase(pit);
  }
  if (w.timer != 0) loop_->CancelTimer(w.timer);
  w.timer = 0;
  return w;
}

void FetchWaiters::Wake(std::string_view topic, int32_t partition) {
  if (waiters_.empty()) return;
  auto it = by_partition_.find(PartitionKey(std::string(topic), partition));
  if (it == by_partition_.end()) return;
  pending_.insert(it->second.begin(), it->second.end());
  ScheduleRetry();
}

void FetchWaiters::WakeAll() {
  for (const auto& [id, w] : waiters_) pending_.insert(id);
  if (!pending_.empty()) ScheduleRetry();
}

void FetchWaiters::ScheduleRetry() {
  if (retry_scheduled_) return;
  retry_scheduled_ = true;
  loop_->Post([this, alive = alive_] {
    if (!*alive) return;
    retry_scheduled_ = false;
    RunRetries();
  });
}

void FetchWaiters::RunRetries() {
  std::set<WaiterId> ids;
  ids.swap(pending_);
  for (WaiterId id : ids) {
    auto it = waiters_.find(id);
    if (it == waiters_.end()) continue;
    // Called in place: the waiter stays parked (and indexed) if it cannot answer yet.
    TryComplete fn = it->second.try_complete;
    if (fn(/*final=*/false)) Take(id);
  }
}

void FetchWaiters::Clear() {
  while (!waiters_.empty()) {
    Waiter w = Take(waiters_.begin()->first);
    w.try_complete(/*final=*/true);
  }
  pending_.clear();
}

}  // namespace kclient::broker
