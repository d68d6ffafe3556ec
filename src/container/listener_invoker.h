// ListenerInvoker: calls the application's listener the way the container promises: exceptions
// become retriable failures, and a call that returns past listener_deadline_ms is a retriable
// failure whatever it returned (measured on a steady clock; the call is never interrupted, see
// container_options.h).
//
// Thread-safety: immutable after construction; called from every container thread at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "kclient/container/listener.h"

namespace kclient::container {

class ListenerInvoker {
 public:
  ListenerInvoker(RecordListener record, BatchListener batch, int64_t deadline_ms)
      : record_(std::move(record)), batch_(std::move(batch)), deadline_(deadline_ms) {}

  bool is_batch() const { return static_cast<bool>(batch_); }

  ListenerResult Call(const ConsumerRecord& record, const Acknowledgment& ack) const;
  ListenerResult Call(std::span<const ConsumerRecord> records, std::span<const Acknowledgment> acks) const;

 private:
  template <typename Fn>
  ListenerResult Guarded(Fn&& call) const;

  RecordListener record_;
  BatchListener batch_;
  std::chrono::milliseconds deadline_;
};

}  // namespace kclient::container
