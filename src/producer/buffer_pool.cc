#include "producer/buffer_pool.h"

#include <string>

namespace kclient::producer {

Status BufferPool::Reserve(size_t n, std::chrono::steady_clock::time_point deadline) {
  const auto want = static_cast<int64_t>(n);
  if (want > total_) {
    return Status(ErrorCode::kLocalBufferExhausted,
                  "a batch of " + std::to_string(n) + " bytes exceeds buffer.memory (" + std::to_string(total_) + ")");
  }
  std::unique_lock lock(mu_);
  ++waiters_;
  const bool got = room_.wait_until(lock, deadline, [&] { return closed_ || available_ >= want; });
  --waiters_;
  if (closed_) return Status(ErrorCode::kLocalClosed, "the producer is closed");
  if (!got) {
    return Status(ErrorCode::kLocalBufferExhausted,
                  "no room in buffer.memory for " + std::to_string(n) + " bytes within max.block.ms");
  }
  available_ -= want;
  return Status();
}

bool BufferPool::TryReserve(size_t n) {
  std::lock_guard lock(mu_);
  if (available_ < static_cast<int64_t>(n)) return false;
  available_ -= static_cast<int64_t>(n);
  return true;
}

void BufferPool::Release(size_t n) {
  {
    std::lock_guard lock(mu_);
    available_ += static_cast<int64_t>(n);
    if (waiters_ == 0) return;
  }
  room_.notify_all();
}

void BufferPool::Close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  room_.notify_all();
}

int64_t BufferPool::available() const {
  std::lock_guard lock(mu_);
  return available_;
}

int BufferPool::waiters() const {
  std::lock_guard lock(mu_);
  return waiters_;
}

}  // namespace kclient::producer
