// LatencySlots: what a fixed-rate run records per record: its intended send time, and how long
// after it the record was acknowledged and consumed. Record i's slots are written by one thread
// each (the pacing loop, the client's delivery thread, the reader) and read by Collect once
// those threads are done, so no slot needs a lock.
// Thread-safety: see above; Collect after the writers have finished.
#pragma once

#include <cstdint>
#include <vector>

#include "run/workload.h"

namespace kclient::bench {

class LatencySlots {
 public:
  explicit LatencySlots(long total)
      : intended_(static_cast<size_t>(total), 0), acked_(intended_.size(), -1), consumed_(intended_.size(), -1) {}

  long total() const { return static_cast<long>(intended_.size()); }

  // Pacing loop: record `index` is due at `due_ns`; stamps `value` with both.
  void Intend(long index, int64_t due_ns, std::string* value) {
    intended_[static_cast<size_t>(index)] = due_ns;
    StampValue(value, due_ns, index);
  }
  // Delivery thread: record `index` was acknowledged at `now_ns`.
  void Acked(long index, int64_t now_ns) {
    acked_[static_cast<size_t>(index)] = now_ns - intended_[static_cast<size_t>(index)];
  }
  // Reader: a record with this value (stamped by Intend) was consumed at `now_ns`.
  void Consumed(const char* value, size_t size, int64_t now_ns) {
    if (size < 16) return;
    const int64_t index = ValueStamp(value + 8);
    if (index >= 0 && index < total()) consumed_[static_cast<size_t>(index)] = now_ns - ValueStamp(value);
  }

  // The latencies of the records after the warm-up, into `m`.
  void Collect(long warmup, Measurement* m) const {
    for (size_t i = static_cast<size_t>(warmup); i < intended_.size(); ++i) {
      if (acked_[i] >= 0) m->ack_latency_ns.push_back(acked_[i]);
      if (consumed_[i] >= 0) m->e2e_latency_ns.push_back(consumed_[i]);
    }
  }

 private:
  std::vector<int64_t> intended_;
  std::vector<int64_t> acked_;
  std::vector<int64_t> consumed_;
};

}  // namespace kclient::bench
