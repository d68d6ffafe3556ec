// Completion<T>: the one-shot slot through which an admin call hands its outcome from the I/O
// thread to the application thread waiting for it. The first Set wins and later ones are ignored,
// so a response, the call's deadline and Close may race to finish a call without coordinating.
//
// Thread-safety: Set and WaitUntil from any threads; one waiter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

namespace kclient::admin {

template <typename T>
class Completion {
 public:
  /// Stores `value` unless a value is already there; returns whether it was stored.
  bool Set(T value) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (value_.has_value()) return false;
      value_.emplace(std::move(value));
    }
    cv_.notify_all();
    return true;
  }

  /// Waits until a value is set (and takes it) or `deadline` passes (std::nullopt).
  std::optional<T> WaitUntil(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_until(lock, deadline, [this] { return value_.has_value(); })) return std::nullopt;
    return std::move(value_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;  // guarded by mu_
};

}  // namespace kclient::admin
