// BufferPool: the producer's buffer.memory. Every batch reserves its bytes here before it exists
// and gives them back when its records have their outcome, so the records waiting to be sent
// never take more than buffer.memory. When the pool is empty, Reserve waits (this is the
// backpressure max.block.ms bounds); TryReserve never waits.
//
// The memory itself is recycled by the RecordAccumulator (with the batch objects); this class
// only keeps the account, which keeps it simple and lock-light.
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "kclient/status.h"

namespace kclient::producer {

class BufferPool {
 public:
  explicit BufferPool(int64_t total_bytes) : total_(total_bytes), available_(total_bytes) {}

  // Takes `n` bytes, waiting until `deadline` for other batches to give bytes back.
  // kLocalBufferExhausted when the deadline passes (at once if `n` exceeds the whole pool);
  // kLocalClosed when the pool closes while waiting.
  Status Reserve(size_t n, std::chrono::steady_clock::time_point deadline);
  // Takes `n` bytes if they are free now.
  bool TryReserve(size_t n);
  void Release(size_t n);
  // Fails current and future waiters with kLocalClosed (TryReserve still works, so a closing
  // producer can fail records without waiting).
  void Close();

  int64_t total() const { return total_; }
  int64_t available() const;
  // Threads waiting in Reserve (for tests and metrics).
  int waiters() const;

 private:
  const int64_t total_;
  mutable std::mutex mu_;
  std::condition_variable room_;
  int64_t available_;  // guarded by mu_
  int waiters_ = 0;    // guarded by mu_
  bool closed_ = false;  // guarded by mu_
};

}  // namespace kclient::producer
