// KafkaConsumer: the Consumer behind Consumer::Create.
//
// Two threads: the polling thread (the application's, in every public method) and an I/O
// thread (a LoopThread) that owns the connections, metadata, the fetcher, offset lookups and the
// group coordinator with its heartbeats. The polling thread drives what the application must see
// happen in order (rebalance callbacks, commits before revocation, auto commits, position
// lookups), handing the I/O work to the I/O thread and waiting for it within Poll's timeout.
// Fetched data comes back through the FetchBuffer.
//
// Thread-safety: as Consumer (include/kclient/consumer.h): one polling thread, plus Wakeup.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "consumer/fetch_buffer.h"
#include "consumer/fetch_collector.h"
#include "consumer/group_coordinator.h"
#include "consumer/offset_lookup.h"
#include "consumer/subscription_state.h"
#include "kclient/consumer.h"
#include "net/loop_thread.h"

namespace kclient::consumer {

class KafkaConsumer final : public Consumer {
 public:
  KafkaConsumer(const ConsumerOptions& options, std::vector<net::BrokerAddress> bootstrap);
  ~KafkaConsumer() override;

  Status Subscribe(const std::vector<std::string>& topics, std::shared_ptr<RebalanceListener> listener) override;
  Status SubscribePattern(const std::string& pattern, std::shared_ptr<RebalanceListener> listener) override;
  Status Unsubscribe() override;
  Status Assign(const std::vector<TopicPartition>& partitions) override;
  std::vector<TopicPartition> Assignment() const override;
  std::vector<std::string> Subscription() const override;
  Result<std::vector<int32_t>> PartitionsFor(const std::string& topic, Duration timeout) override;

  Result<ConsumerRecords> Poll(Duration timeout) override;
  void Wakeup() override;

  Result<int64_t> Position(const TopicPartition& partition, Duration timeout) override;
  Status Seek(const TopicPartition& partition, int64_t offset) override;
  Status SeekToBeginning(const std::vector<TopicPartition>& partitions) override;
  Status SeekToEnd(const std::vector<TopicPartition>& partitions) override;
  Result<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>> OffsetsForTimes(
      const std::map<TopicPartition, int64_t>& timestamps, Duration timeout) override;
  Result<std::map<TopicPartition, int64_t>> BeginningOffsets(const std::vector<TopicPartition>& partitions,
                                                             Duration timeout) override;
  Result<std::map<TopicPartition, int64_t>> EndOffsets(const std::vector<TopicPartition>& partitions,
                                                       Duration timeout) override;
  Status Pause(const std::vector<TopicPartition>& partitions) override;
  Status Resume(const std::vector<TopicPartition>& partitions) override;
  std::vector<TopicPartition> Paused() const override;

  Status CommitSync(Duration timeout) override;
  Status CommitSync(const OffsetMap& offsets, Duration timeout) override;
  void CommitAsync(CommitCallback callback) override;
  void CommitAsync(const OffsetMap& offsets, CommitCallback callback) override;
  Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> Committed(
      const std::vector<TopicPartition>& partitions, Duration timeout) override;

  Status Close(Duration timeout) override;

 private:
  struct Io;  // the I/O thread's objects
  using Clock = std::chrono::steady_clock;

  // Runs `start` on the I/O thread and waits until it calls back or `deadline` passes.
  template <typename T>
  std::optional<T> OnIo(std::function<void(Io&, std::function<void(T)>)> start, Clock::time_point deadline);

  Status EnsureGroup(Clock::time_point deadline, bool* joined);
  Status RevokeForEagerJoin(Clock::time_point deadline);
  void ApplyJoin(const GroupCoordinator::JoinResult& result, Clock::time_point deadline);
  Status UpdatePositions(Clock::time_point deadline);
  // Pattern subscriptions: matches the pattern against every topic, at most once per
  // metadata.max.age.ms (and right after SubscribePattern).
  Status RefreshPatternTopics(Clock::time_point deadline);
  void MaybeAutoCommit();
  void RunCommitCallbacks();
  OffsetMap ConsumedOffsets(const std::vector<TopicPartition>& partitions) const;
  void AddTopics(const std::set<std::string>& topics);
  void WakeFetcher();
  Status CheckGroup() const;
  // Why an I/O-thread call gave no answer: closed, or out of time.
  Status NoAnswer(const char* what) const;
  Result<OffsetLookup::Offsets> Lookup(const std::map<TopicPartition, int64_t>& timestamps, Duration timeout);

  const ConsumerOptions options_;
  const bool cooperative_;  // every configured assignor is cooperative
  SubscriptionState subscriptions_;
  FetchBuffer buffer_;
  FetchCollector collector_;
  std::atomic<bool> wakeup_{false};
  bool closed_ = false;
  bool subscription_changed_ = false;
  std::shared_ptr<std::promise<GroupCoordinator::JoinResult>> join_promise_;
  std::shared_future<GroupCoordinator::JoinResult> pending_join_;
  Clock::time_point next_auto_commit_;
  Clock::time_point next_pattern_refresh_ = Clock::time_point::min();
  Status deferred_error_;  // found after records were already collected; reported next Poll

  struct DoneCommit {
    OffsetMap offsets;
    Status status;
    CommitCallback callback;
  };
  std::mutex commits_mu_;
  std::deque<DoneCommit> done_commits_;  // guarded by commits_mu_

  GroupCoordinator* group_ = nullptr;  // owned by io_; its atomics are read from this thread
  std::unique_ptr<Io> io_;             // created, used and destroyed on thread_
  net::LoopThread thread_;
};

}  // namespace kclient::consumer
