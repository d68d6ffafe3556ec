// ContainerContext: what every consumer thread of one ListenerContainer shares: the options, the
// listener, the producer that parks failed records, the registry of halted partitions and the
// log. Owned by the container, which outlives its threads.
//
// Thread-safety: everything here may be used from every container thread at once (the
// producer is thread-safe; the registry locks).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "container/listener_invoker.h"
#include "kclient/container/container_options.h"
#include "kclient/producer.h"

namespace kclient::container {

class ContainerContext {
 public:
  ContainerContext(ContainerOptions options, ListenerInvoker invoker);

  const ContainerOptions& options() const { return options_; }
  const ListenerInvoker& invoker() const { return invoker_; }
  /// Null until SetProducer (the container creates it at Start when records may be parked).
  Producer* producer() const { return producer_.get(); }
  void SetProducer(std::unique_ptr<Producer> producer) { producer_ = std::move(producer); }
  /// The topics the consumers subscribe to: the sources and their retry topics.
  std::vector<std::string> SubscribedTopics() const;
  bool IsRetryTopic(std::string_view topic) const { return retry_topics_.count(std::string(topic)) > 0; }

  /// Set by Stop; every thread leaves its loop at its next turn (or record).
  void RequestStop() { stop_requested_ = true; }
  bool stop_requested() const { return stop_requested_; }

  /// Asks every thread to resume its halted partitions; a thread acts when the generation it
  /// last saw changes.
  void RequestResumeHalted() { ++resume_generation_; }
  uint64_t resume_generation() const { return resume_generation_; }

  void Log(LogLevel level, const std::string& message) const;

  void Halt(const HaltedPartition& halted);
  void ClearHalt(const TopicPartition& partition);
  std::vector<HaltedPartition> Halted() const;

 private:
  void ClearHaltLocked(const TopicPartition& partition);

  ContainerOptions options_;
  ListenerInvoker invoker_;
  std::unique_ptr<Producer> producer_;
  std::set<std::string> retry_topics_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<uint64_t> resume_generation_{0};

  mutable std::mutex mu_;
  std::vector<HaltedPartition> halted_;  // GUARDED_BY(mu_)
};

}  // namespace kclient::container
