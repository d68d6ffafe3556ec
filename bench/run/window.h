// MeasureWindow: the CPU time, wall time and allocation count between Start and Stop.
// Thread-safety: one owner thread; the counters it reads are process-wide.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cstdint>

#include "run/alloc_counter.h"
#include "run/workload.h"

namespace kclient::bench {

// User plus system CPU seconds of this whole process (all its threads).
inline double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Peak resident set size of this process, in KiB.
inline long PeakRssKib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

inline int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class MeasureWindow {
 public:
  void Start() {
    cpu0_ = ProcessCpuSeconds();
    allocations0_ = AllocationCount();
    t0_ = std::chrono::steady_clock::now();
  }
  // Fills the window's fields of `m` (seconds, cpu_seconds, allocations).
  void Stop(Measurement* m) const {
    const auto t1 = std::chrono::steady_clock::now();
    m->allocations = AllocationCount() - allocations0_;
    m->cpu_seconds = ProcessCpuSeconds() - cpu0_;
    m->seconds = std::chrono::duration<double>(t1 - t0_).count();
  }

 private:
  double cpu0_ = 0;
  uint64_t allocations0_ = 0;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace kclient::bench
