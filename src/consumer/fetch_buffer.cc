#include "consumer/fetch_buffer.h"

namespace kclient::consumer {

void FetchBuffer::Add(std::vector<CompletedFetch> fetches) {
  if (fetches.empty()) return;
  {
    std::lock_guard lock(mu_);
    for (auto& f : fetches) {
      held_.insert(f.partition);
      ready_.push_back(std::move(f));
    }
  }
  changed_.notify_all();
}

bool FetchBuffer::Holds(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  return held_.count(tp) > 0;
}

std::optional<CompletedFetch> FetchBuffer::Take() {
  std::lock_guard lock(mu_);
  if (ready_.empty()) return std::nullopt;
  CompletedFetch f = std::move(ready_.front());
  ready_.pop_front();
  return f;
}

void FetchBuffer::Done(const TopicPartition& tp) {
  {
    std::lock_guard lock(mu_);
    held_.erase(tp);
  }
  if (on_drained_) on_drained_();
}

void FetchBuffer::Retain(const std::function<bool(const CompletedFetch&)>& keep) {
  bool dropped = false;
  {
    std::lock_guard lock(mu_);
    std::deque<CompletedFetch> kept;
    for (auto& f : ready_) {
      if (keep(f)) {
        kept.push_back(std::move(f));
      } else {
        held_.erase(f.partition);
        dropped = true;
      }
    }
    ready_ = std::move(kept);
  }
  if (dropped && on_drained_) on_drained_();
}

void FetchBuffer::Wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  changed_.wait_until(lock, deadline, [&] { return !ready_.empty() || interrupted_; });
  interrupted_ = false;
}

void FetchBuffer::Interrupt() {
  {
    std::lock_guard lock(mu_);
    interrupted_ = true;
  }
  changed_.notify_all();
}

}  // namespace kclient::consumer
