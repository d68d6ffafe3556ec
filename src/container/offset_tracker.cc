#include "container/offset_tracker.h"

namespace kclient::container {

void OffsetTracker::Delivered(int64_t offset) {
  if (safe_ && offset < *safe_) return;
  outstanding_.emplace(offset, false);
}

void OffsetTracker::Completed(int64_t offset) {
  auto it = outstanding_.find(offset);
  if (it == outstanding_.end()) return;
  it->second = true;
  Advance();
}

void OffsetTracker::Rewind(int64_t offset) {
  for (auto it = outstanding_.lower_bound(offset); it != outstanding_.end();) {
    it = it->second ? std::next(it) : outstanding_.erase(it);
  }
}

size_t OffsetTracker::pending() const {
  size_t n = 0;
  for (const auto& [offset, done] : outstanding_) n += done ? 0 : 1;
  return n;
}

void OffsetTracker::Advance() {
  while (!outstanding_.empty() && outstanding_.begin()->second) {
    safe_ = outstanding_.begin()->first + 1;
    outstanding_.erase(outstanding_.begin());
  }
}

}  // namespace kclient::container
