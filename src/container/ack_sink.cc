#include "container/ack_sink.h"

#include <utility>

#include "kclient/container/acknowledgment.h"

namespace kclient::container {

void AckSink::Attach(std::function<void()> wake) {
  std::lock_guard lock(mu_);
  attached_ = true;
  owner_ = std::this_thread::get_id();
  wake_ = std::move(wake);
}

void AckSink::Detach() {
  std::lock_guard lock(mu_);
  attached_ = false;
  wake_ = nullptr;
  pending_.clear();
}

void AckSink::Add(PendingAck ack) {
  std::lock_guard lock(mu_);
  if (!attached_) return;
  pending_.push_back(std::move(ack));
  // The owning thread drains right after each listener call, so it need not be woken. Waking
  // under the lock keeps Detach from returning while the consumer is being woken (Wakeup is a
  // flag and an interrupt: it never blocks).
  if (wake_ && std::this_thread::get_id() != owner_) wake_();
}

std::vector<PendingAck> AckSink::Drain() {
  std::lock_guard lock(mu_);
  return std::exchange(pending_, {});
}

void Acknowledgment::Acknowledge() const {
  if (sink_) sink_->Add(PendingAck{partition_, offset_, epoch_});
}

}  // namespace kclient::container
