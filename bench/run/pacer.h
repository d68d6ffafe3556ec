// Pacer: the intended send times of a fixed-rate run, and waiting for each; SendPaced: a latency
// run's sending loop on top of it.
// Thread-safety: one owner thread.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "run/latency_slots.h"
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

// The sending half of a latency run, the same for every client: each record waits for its turn
// in the schedule, gets its value stamped (LatencySlots::Intend) and goes to send(index, value);
// the window opens at the first record after the warm-up.
template <typename Send>
void SendPaced(const Workload& w, LatencySlots* slots, MeasureWindow* window, Send&& send) {
  const std::vector<std::string> values = MakeValues(std::max(w.value_size, 16));
  std::string value = values[0];
  Pacer pacer(w.rate);
  for (long i = 0; i < slots->total(); ++i) {
    if (i == w.warmup) window->Start();
    value = ValueFor(values, i);  // same size: copied into the existing capacity
    slots->Intend(i, pacer.WaitFor(i), &value);
    send(i, value);
  }
}

// When a latency run's reader gives up waiting for its records: the schedule's length, plus a
// minute for a slow broker.
inline std::chrono::steady_clock::time_point LatencyRunDeadline(const Workload& w) {
  const long total = w.warmup + w.records;
  return std::chrono::steady_clock::now() + std::chrono::seconds(total / (w.rate > 0 ? w.rate : 1) + 60);
}

}  // namespace kclient::bench
