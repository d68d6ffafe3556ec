// ConsumerWorker: one consumer of a ListenerContainer and the thread that polls it. It owns the
// consumer, the per-partition state of what it delivered (offset trackers, retries in progress,
// pauses, halts) and its commit schedule; it calls the listener, parks failed records, and
// commits. Everything but RequestStop, the finish wait and Assignment runs on its thread, the
// rebalance callbacks included (they run inside Poll).
//
// Thread-safety: Start and Join from the owning container; RequestStop, WaitFinished,
// IsCurrentThread and Assignment from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "container/ack_sink.h"
#include "container/commit_policy.h"
#include "container/container_context.h"
#include "container/offset_tracker.h"
#include "kclient/consumer.h"

namespace kclient::container {

class ConsumerWorker {
 public:
  using Clock = std::chrono::steady_clock;

  ConsumerWorker(ContainerContext& context, int index);
  ~ConsumerWorker();

  /// Creates the consumer, subscribes and starts the thread.
  Status Start();
  /// Asks the thread to stop after the listener call in progress (and wakes it from Poll).
  void RequestStop();
  /// Wakes the thread from Poll, to act on a request at once.
  void Wake() {
    if (consumer_) consumer_->Wakeup();
  }
  /// Whether the thread finished (its last commit and Close done) by `deadline`.
  bool WaitFinished(Clock::time_point deadline);
  /// Joins the thread (waits however long it takes).
  void Join();
  bool IsCurrentThread() const { return std::this_thread::get_id() == thread_id_.load(); }
  /// Whether the calling thread is a worker of the container that owns `context`.
  static bool OnWorkerThreadOf(const ContainerContext& context);
  std::vector<TopicPartition> Assignment() const;

 private:
  class Rebalances;
  struct PartitionState {
    uint64_t epoch = 0;  // which assignment of this partition (acknowledgements name it)
    OffsetTracker tracker;
    int64_t failing_offset = -1;  // the record being retried in place, and its attempts so far
    int32_t attempts = 0;
    std::optional<Clock::time_point> resume_at;  // paused until then (a backoff, a due time)
    bool halted = false;                         // paused for good: its record could not be parked
  };
  enum class Next { kContinue, kSkipPartition };

  void Run();
  Clock::duration PollTimeout() const;
  void ResumeDue();
  void ResumeHaltedIfAsked();
  void ProcessEach(const ConsumerRecords& records);
  void ProcessBatch(const ConsumerRecords& records);
  PartitionState* Deliverable(const TopicPartition& tp);
  Next WaitIfNotDue(const ConsumerRecord& record, PartitionState& state);
  Next HandleFailure(const ConsumerRecord& record, PartitionState& state, const ListenerResult& result);
  void PauseAt(const TopicPartition& tp, PartitionState& state, int64_t offset, std::optional<Clock::time_point> until);
  void Succeeded(const ConsumerRecord& record, PartitionState& state);
  void AfterListenerCall();
  bool DrainAcks();
  void Commit(const std::vector<TopicPartition>* only = nullptr);
  Acknowledgment AckFor(const TopicPartition& tp, int64_t offset, const PartitionState& state);

  PartitionState NewState();
  void OnAssigned(const std::vector<TopicPartition>& partitions);
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool commit);
  void PublishAssignment();

  ContainerContext& context_;
  const ContainerOptions& options_;
  const int index_;
  std::unique_ptr<Consumer> consumer_;
  std::shared_ptr<AckSink> acks_ = std::make_shared<AckSink>();
  CommitPolicy policy_;
  std::map<TopicPartition, PartitionState> partitions_;
  uint64_t next_epoch_ = 1;
  std::mt19937_64 random_{std::random_device{}()};
  uint64_t resume_generation_seen_ = 0;
  ErrorCode last_poll_error_ = ErrorCode::kNone;
  int64_t repeated_poll_errors_ = 0;

  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::atomic<std::thread::id> thread_id_{};
  std::promise<void> finished_;
  std::shared_future<void> finished_future_ = finished_.get_future().share();

  mutable std::mutex assignment_mu_;
  std::vector<TopicPartition> assignment_;  // GUARDED_BY(assignment_mu_), for Assignment()
};

}  // namespace kclient::container
