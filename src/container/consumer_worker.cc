#include "container/consumer_worker.h"

#include <algorithm>
#include <set>
#include <string>

#include "container/record_headers.h"
#include "container/record_parker.h"
#include "kclient/container/dead_letter.h"

namespace kclient::container {
namespace {

using std::chrono::milliseconds;

// The context of the container whose worker runs on this thread, if any.
thread_local const ContainerContext* current_context = nullptr;

}  // namespace

bool ConsumerWorker::OnWorkerThreadOf(const ContainerContext& context) { return current_context == &context; }

// Forwards the consumer's rebalance calls (made on the worker thread, inside Poll or Close).
class ConsumerWorker::Rebalances : public RebalanceListener {
 public:
  explicit Rebalances(ConsumerWorker& worker) : worker_(worker) {}
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override { worker_.OnRevoked(p, true); }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override { worker_.OnAssigned(p); }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override { worker_.OnRevoked(p, false); }

 private:
  ConsumerWorker& worker_;
};

ConsumerWorker::ConsumerWorker(ContainerContext& context, int index)
    : context_(context),
      options_(context.options()),
      index_(index),
      policy_(options_.ack_mode, options_.ack_count, options_.ack_time_ms) {}

ConsumerWorker::~ConsumerWorker() {
  RequestStop();
  Join();
}

Status ConsumerWorker::Start() {
  ConsumerOptions o = options_.consumer;
  o.enable_auto_commit = false;  // the container commits
  if (o.client.client_id.empty() || options_.concurrency > 1) {
    o.client.client_id = (o.client.client_id.empty() ? o.group_id : o.client.client_id) + "-" + std::to_string(index_);
  }
  auto consumer = Consumer::Create(o);
  if (!consumer.ok()) return consumer.status();
  consumer_ = std::move(*consumer);
  if (Status s = consumer_->Subscribe(context_.SubscribedTopics(), std::make_shared<Rebalances>(*this)); !s.ok()) {
    return s;
  }
  thread_ = std::thread([this] { Run(); });
  return Status();
}

void ConsumerWorker::RequestStop() {
  stop_ = true;
  if (consumer_) consumer_->Wakeup();
}

bool ConsumerWorker::WaitFinished(Clock::time_point deadline) {
  if (!thread_.joinable()) return true;
  return finished_future_.wait_until(deadline) == std::future_status::ready;
}

void ConsumerWorker::Join() {
  if (thread_.joinable() && !IsCurrentThread()) thread_.join();
}

std::vector<TopicPartition> ConsumerWorker::Assignment() const {
  std::lock_guard lock(assignment_mu_);
  return assignment_;
}

// --- The poll loop ----------------------------------------------------------------------------

void ConsumerWorker::Run() {
  thread_id_ = std::this_thread::get_id();
  current_context = &context_;
  Consumer* consumer = consumer_.get();
  acks_->Attach(options_.ack_mode == AckMode::kManualImmediate ? std::function<void()>([consumer] { consumer->Wakeup(); })
                                                               : std::function<void()>());
  while (!stop_ && !context_.stop_requested()) {
    if (DrainAcks() && options_.ack_mode == AckMode::kManualImmediate) Commit();
    ResumeHaltedIfAsked();
    ResumeDue();
    if (policy_.AtTurn(Clock::now())) Commit();
    auto records = consumer_->Poll(std::chrono::ceil<milliseconds>(PollTimeout()));
    if (!records.ok()) {
      if (records.status().code() == ErrorCode::kLocalWakeup) continue;
      // Poll reports most errors once and recovers by itself (a rejoin after eviction, a topic
      // that appears); one that repeats is logged on change and then every hundredth time.
      const ErrorCode code = records.status().code();
      repeated_poll_errors_ = code == last_poll_error_ ? repeated_poll_errors_ + 1 : 0;
      last_poll_error_ = code;
      if (repeated_poll_errors_ % 100 == 0) context_.Log(LogLevel::kWarning, "poll: " + records.status().ToString());
      continue;
    }
    last_poll_error_ = ErrorCode::kNone;
    if (records->empty()) continue;
    if (context_.invoker().is_batch()) {
      ProcessBatch(*records);
    } else {
      ProcessEach(*records);
    }
    if (policy_.AfterPoll()) Commit();
  }
  // Stopping: commit what is done (not what was fetched), then leave the group. Close revokes
  // the assignment through OnRevoked, which commits again only if something changed.
  DrainAcks();
  Commit();
  acks_->Detach();
  if (Status s = consumer_->Close(milliseconds(options_.commit_timeout_ms)); !s.ok()) {
    context_.Log(LogLevel::kWarning, "close: " + s.ToString());
  }
  finished_.set_value();
}

ConsumerWorker::Clock::duration ConsumerWorker::PollTimeout() const {
  const Clock::time_point now = Clock::now();
  Clock::time_point until = now + milliseconds(options_.poll_timeout_ms);
  for (const auto& [tp, state] : partitions_) {
    if (state.resume_at && !state.halted) until = std::min(until, *state.resume_at);
  }
  if (auto commit = policy_.NextCommit()) until = std::min(until, *commit);
  return std::max(Clock::duration::zero(), until - now);
}

void ConsumerWorker::ResumeDue() {
  const Clock::time_point now = Clock::now();
  std::vector<TopicPartition> due;
  for (auto& [tp, state] : partitions_) {
    if (state.halted || !state.resume_at || *state.resume_at > now) continue;
    state.resume_at.reset();
    due.push_back(tp);
  }
  if (!due.empty()) (void)consumer_->Resume(due);
}

void ConsumerWorker::ResumeHaltedIfAsked() {
  const uint64_t generation = context_.resume_generation();
  if (generation == resume_generation_seen_) return;
  resume_generation_seen_ = generation;
  for (auto& [tp, state] : partitions_) {
    if (!state.halted) continue;
    state.halted = false;
    state.resume_at = Clock::now();  // ResumeDue resumes it right away
    context_.ClearHalt(tp);
    context_.Log(LogLevel::kInfo, "resuming " + tp.ToString() + " after its halt");
  }
}

// --- Delivering records -----------------------------------------------------------------------

ConsumerWorker::PartitionState* ConsumerWorker::Deliverable(const TopicPartition& tp) {
  auto it = partitions_.find(tp);
  if (it == partitions_.end()) {
    // Records only come from assigned partitions, whose state OnAssigned made; be safe anyway.
    it = partitions_.emplace(tp, NewState()).first;
  }
  PartitionState& state = it->second;
  // Paused partitions return nothing, and a seek drops what was fetched; this guards the records
  // of the same poll after a failure.
  if (state.halted || state.resume_at) return nullptr;
  return &state;
}

void ConsumerWorker::ProcessEach(const ConsumerRecords& records) {
  std::set<TopicPartition> skip;  // partitions whose later records wait for a redelivery
  for (const ConsumerRecord& record : records) {
    if (stop_ || context_.stop_requested()) break;  // what is left is delivered again after the restart or rebalance
    TopicPartition tp = record.topic_partition();
    if (skip.count(tp) > 0) continue;
    PartitionState* state = Deliverable(tp);
    if (state == nullptr) continue;
    if (WaitIfNotDue(record, *state) == Next::kSkipPartition) {
      skip.insert(std::move(tp));
      continue;
    }
    state->tracker.Delivered(record.offset);
    ListenerResult result = context_.invoker().Call(record, AckFor(tp, record.offset, *state));
    if (result.ok()) {
      Succeeded(record, *state);
    } else if (HandleFailure(record, *state, result) == Next::kSkipPartition) {
      skip.insert(std::move(tp));
    }
    AfterListenerCall();
  }
}

void ConsumerWorker::ProcessBatch(const ConsumerRecords& records) {
  std::vector<ConsumerRecord> batch;
  std::set<TopicPartition> skip;
  for (const ConsumerRecord& record : records) {
    TopicPartition tp = record.topic_partition();
    if (skip.count(tp) > 0) continue;
    PartitionState* state = Deliverable(tp);
    if (state == nullptr) continue;
    if (WaitIfNotDue(record, *state) == Next::kSkipPartition) {
      skip.insert(std::move(tp));
      continue;
    }
    batch.push_back(record);
  }
  if (batch.empty()) return;
  std::vector<Acknowledgment> acks;
  acks.reserve(batch.size());
  for (const ConsumerRecord& record : batch) {
    PartitionState& state = partitions_.at(record.topic_partition());
    state.tracker.Delivered(record.offset);
    acks.push_back(AckFor(record.topic_partition(), record.offset, state));
  }
  ListenerResult result = context_.invoker().Call(batch, acks);
  if (result.ok()) {
    for (const ConsumerRecord& record : batch) Succeeded(record, partitions_.at(record.topic_partition()));
    AfterListenerCall();
    return;
  }
  // The records before the failed one are processed; the failed one is retried or parked; the
  // ones after it were not processed, so their partitions go back to them.
  const size_t failed = std::min(result.failed_index().value_or(0), batch.size() - 1);
  for (size_t i = 0; i < failed; ++i) Succeeded(batch[i], partitions_.at(batch[i].topic_partition()));
  const ConsumerRecord& record = batch[failed];
  std::set<TopicPartition> rewound;
  if (HandleFailure(record, partitions_.at(record.topic_partition()), result) == Next::kSkipPartition) {
    rewound.insert(record.topic_partition());
  }
  for (size_t i = failed + 1; i < batch.size(); ++i) {
    TopicPartition tp = batch[i].topic_partition();
    if (!rewound.insert(tp).second) continue;
    auto it = partitions_.find(tp);
    if (it == partitions_.end()) continue;
    it->second.tracker.Rewind(batch[i].offset);
    (void)consumer_->Seek(tp, batch[i].offset);
  }
  AfterListenerCall();
}

Acknowledgment ConsumerWorker::AckFor(const TopicPartition& tp, int64_t offset, const PartitionState& state) {
  if (!IsManual(options_.ack_mode)) return Acknowledgment();
  return Acknowledgment(acks_, tp, offset, state.epoch);
}

void ConsumerWorker::Succeeded(const ConsumerRecord& record, PartitionState& state) {
  if (state.failing_offset == record.offset) {
    state.failing_offset = -1;
    state.attempts = 0;
  }
  if (IsManual(options_.ack_mode)) return;  // done when acknowledged
  state.tracker.Completed(record.offset);
  policy_.Done();
}

void ConsumerWorker::AfterListenerCall() {
  const bool acknowledged = DrainAcks();
  if ((acknowledged && options_.ack_mode == AckMode::kManualImmediate) || policy_.AfterRecord()) Commit();
}

// A retry topic's record is processed at its due time, not before: until then its partition is
// paused at it (records behind it are due later still, as they were parked later).
ConsumerWorker::Next ConsumerWorker::WaitIfNotDue(const ConsumerRecord& record, PartitionState& state) {
  if (!context_.IsRetryTopic(record.topic)) return Next::kContinue;
  auto due = FindIntHeader(record, kRetryDueMs);
  const int64_t now = WallClockMs();
  if (!due || *due <= now) return Next::kContinue;
  PauseAt(record.topic_partition(), state, record.offset, Clock::now() + milliseconds(*due - now));
  return Next::kSkipPartition;
}

// --- Failures ---------------------------------------------------------------------------------

ConsumerWorker::Next ConsumerWorker::HandleFailure(const ConsumerRecord& record, PartitionState& state,
                                                   const ListenerResult& result) {
  const TopicPartition tp = record.topic_partition();
  const bool non_blocking = options_.retry_topics.enabled;
  int32_t attempts = 0;
  if (non_blocking) {
    attempts = static_cast<int32_t>(FindIntHeader(record, kAttempts).value_or(0)) + 1;
  } else {
    if (state.failing_offset != record.offset) {
      state.failing_offset = record.offset;
      state.attempts = 0;
    }
    attempts = ++state.attempts;
  }
  const BackoffPolicy& policy = non_blocking ? options_.retry_topics.backoff : options_.backoff;
  const bool exhausted = !result.retriable() || attempts >= policy.max_attempts;
  context_.Log(LogLevel::kInfo, "listener failed on " + tp.ToString() + "@" + std::to_string(record.offset) +
                                    " (attempt " + std::to_string(attempts) + "): " + result.error_class() + ": " +
                                    result.message());
  if (!non_blocking && !exhausted) {
    // Redeliver in place: back to the record, and the partition rests until the backoff ends.
    const int64_t delay = policy.DelayMs(attempts - 1, std::uniform_real_distribution<double>(0.0, 1.0)(random_));
    PauseAt(tp, state, record.offset, Clock::now() + milliseconds(delay));
    return Next::kSkipPartition;
  }
  Status parked = ParkFailedRecord(context_, record, result, attempts, exhausted,
                                   std::uniform_real_distribution<double>(0.0, 1.0)(random_));
  if (parked.ok()) {
    state.failing_offset = -1;
    state.attempts = 0;
    state.tracker.Completed(record.offset);
    policy_.Done();
    return Next::kContinue;
  }
  // Nowhere to park it: stop here, commit nothing at or past it, and say so.
  PauseAt(tp, state, record.offset, std::nullopt);
  state.halted = true;
  context_.Halt(HaltedPartition{tp, record.offset, parked});
  return Next::kSkipPartition;
}

// Seeks `tp` back to `offset` and pauses it, until `until` (never, without one).
void ConsumerWorker::PauseAt(const TopicPartition& tp, PartitionState& state, int64_t offset,
                             std::optional<Clock::time_point> until) {
  state.tracker.Rewind(offset);
  (void)consumer_->Seek(tp, offset);
  (void)consumer_->Pause({tp});
  state.resume_at = until ? until : std::optional<Clock::time_point>(Clock::time_point::max());
}

// --- Commits ----------------------------------------------------------------------------------

bool ConsumerWorker::DrainAcks() {
  if (!IsManual(options_.ack_mode)) return false;
  bool any = false;
  for (const PendingAck& ack : acks_->Drain()) {
    auto it = partitions_.find(ack.partition);
    if (it == partitions_.end() || it->second.epoch != ack.epoch) continue;  // revoked since
    it->second.tracker.Completed(ack.offset);
    policy_.Done();
    any = true;
  }
  return any;
}

void ConsumerWorker::Commit(const std::vector<TopicPartition>* only) {
  OffsetMap offsets;
  for (const auto& [tp, state] : partitions_) {
    if (only != nullptr && std::find(only->begin(), only->end(), tp) == only->end()) continue;
    if (state.tracker.HasUncommitted()) offsets[tp] = OffsetAndMetadata{*state.tracker.Committable(), "", -1};
  }
  const Clock::time_point now = Clock::now();
  if (offsets.empty()) {
    if (only == nullptr) policy_.Committed(now);
    return;
  }
  Status s = consumer_->CommitSync(offsets, milliseconds(options_.commit_timeout_ms));
  if (s.ok()) {
    for (const auto& [tp, committed] : offsets) partitions_.at(tp).tracker.MarkCommitted(committed.offset);
    if (only == nullptr) policy_.Committed(now);
  } else {
    context_.Log(LogLevel::kWarning, "commit: " + s.ToString());
  }
  if (options_.on_commit) options_.on_commit(offsets, s);
}

// --- Rebalances -------------------------------------------------------------------------------

ConsumerWorker::PartitionState ConsumerWorker::NewState() {
  PartitionState state;
  state.epoch = next_epoch_++;
  return state;
}

void ConsumerWorker::OnAssigned(const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& tp : partitions) {
    partitions_.insert_or_assign(tp, NewState());
  }
  // A partition comes back unpaused, whatever happened to it before it left.
  if (!partitions.empty()) (void)consumer_->Resume(partitions);
  PublishAssignment();
}

void ConsumerWorker::OnRevoked(const std::vector<TopicPartition>& partitions, bool commit) {
  if (commit) {
    DrainAcks();
    Commit(&partitions);
  }
  for (const TopicPartition& tp : partitions) {
    if (partitions_.erase(tp) > 0) context_.ClearHalt(tp);
  }
  PublishAssignment();
}

void ConsumerWorker::PublishAssignment() {
  std::vector<TopicPartition> assigned;
  for (const auto& [tp, state] : partitions_) assigned.push_back(tp);
  std::lock_guard lock(assignment_mu_);
  assignment_ = std::move(assigned);
}

}  // namespace kclient::container
