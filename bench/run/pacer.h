// Pacer: the intended send times of a fixed-rate run, and waiting for each.
// Thread-safety: one owner thread.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

#include "run/window.h"

namespace kclient::bench {

class Pacer {
 public:
  explicit Pacer(int rate) : period_ns_(1000000000 / (rate > 0 ? rate : 1)), start_ns_(SteadyNanos()) {}

  // Sleeps until record `index` is due; returns its intended send time.
  int64_t WaitFor(long index) const {
    const int64_t due = start_ns_ + index * period_ns_;
    const timespec at{static_cast<time_t>(due / 1000000000), static_cast<long>(due % 1000000000)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, nullptr) != 0) {
    }
    return due;
  }

 private:
  const int64_t period_ns_;
  const int64_t start_ns_;
};

// When a latency run's reader gives up waiting for its records: the schedule's length, plus a
// minute for a slow broker.
inline std::chrono::steady_clock::time_point LatencyRunDeadline(const Workload& w) {
  const long total = w.warmup + w.records;
  return std::chrono::steady_clock::now() + std::chrono::seconds(total / (w.rate > 0 ? w.rate : 1) + 60);
}

}  // namespace kclient::bench
