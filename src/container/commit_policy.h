// CommitPolicy: turns an AckMode into "commit now?" answers at the three points where the
// container thread can commit: after a record, after a poll's records, and at the top of each
// poll-loop turn. (Revocation and Stop always commit.)
//
// Thread-safety: none; one container thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "kclient/container/ack_mode.h"

namespace kclient::container {

class CommitPolicy {
 public:
  using Clock = std::chrono::steady_clock;

  CommitPolicy(AckMode mode, int32_t count, int32_t time_ms)
      : mode_(mode), count_(count), interval_(time_ms), last_commit_(Clock::now()) {}

  /// `n` more records are done (processed, acknowledged or parked).
  void Done(int64_t n = 1) { done_since_commit_ += n; }
  void Committed(Clock::time_point now) {
    done_since_commit_ = 0;
    last_commit_ = now;
  }

  bool AfterRecord() const {
    return (mode_ == AckMode::kRecord && done_since_commit_ > 0) ||
           (mode_ == AckMode::kCount && done_since_commit_ >= count_);
  }
  bool AfterPoll() const { return mode_ == AckMode::kBatch; }
  bool AtTurn(Clock::time_point now) const {
    return IsManual(mode_) || (mode_ == AckMode::kTime && now - last_commit_ >= interval_);
  }
  /// kTime: when the next commit is due, so that Poll does not sleep past it.
  std::optional<Clock::time_point> NextCommit() const {
    if (mode_ != AckMode::kTime) return std::nullopt;
    return last_commit_ + interval_;
  }

 private:
  AckMode mode_;
  int64_t count_;
  std::chrono::milliseconds interval_;
  int64_t done_since_commit_ = 0;
  Clock::time_point last_commit_;
};

}  // namespace kclient::container
