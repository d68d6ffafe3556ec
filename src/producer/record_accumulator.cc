#include "producer/record_accumulator.h"

#include <algorithm>

namespace kclient::producer {

RecordAccumulator::RecordAccumulator(const Options& options) : options_(options), pool_(options.buffer_memory) {}

RecordAccumulator::~RecordAccumulator() = default;

RecordAccumulator::AppendResult RecordAccumulator::Append(PartitionQueue* queue, int64_t timestamp_ms,
                                                          std::optional<protocol::ByteSpan> key,
                                                          std::optional<protocol::ByteSpan> value,
                                                          std::span<const protocol::RecordHeader> headers,
                                                          size_t record_size, RecordThunk& thunk,
                                                          std::optional<SteadyClock::time_point> block_deadline) {
  if (closed_) return {Status(ErrorCode::kLocalClosed, "the producer is closed"), false};
  {
    std::lock_guard lock(queue->mu);
    // Checked again under the lock: Close takes every queued batch after setting closed_.
    if (closed_) return {Status(ErrorCode::kLocalClosed, "the producer is closed"), false};
    if (!queue->batches.empty() &&
        queue->batches.back()->TryAppend(timestamp_ms, key, value, headers, options_.batch_size, std::move(thunk))) {
      return {};
    }
  }
  // A new batch: reserve its memory without holding the queue's lock, since this may wait.
  const size_t reserve =
      std::max(options_.batch_size, record_size + static_cast<size_t>(protocol::kRecordBatchHeaderSize));
  if (block_deadline) {
    Status s = pool_.Reserve(reserve, *block_deadline);
    if (!s.ok()) return {std::move(s), false};
  } else if (!pool_.TryReserve(reserve)) {
    return {Status(ErrorCode::kLocalBufferExhausted, "buffer.memory is full"), false};
  }
  std::lock_guard lock(queue->mu);
  if (closed_) {
    pool_.Release(reserve);
    return {Status(ErrorCode::kLocalClosed, "the producer is closed"), false};
  }
  // Another thread may have started a batch while this one waited.
  if (!queue->batches.empty() &&
      queue->batches.back()->TryAppend(timestamp_ms, key, value, headers, options_.batch_size, std::move(thunk))) {
    pool_.Release(reserve);
    return {};
  }
  std::unique_ptr<ProducerBatch> batch = NewBatch(queue, reserve);
  batch->TryAppend(timestamp_ms, key, value, headers, reserve, std::move(thunk));  // a first record always fits
  queue->batches.push_back(std::move(batch));
  return {Status(), true};
}

std::unique_ptr<ProducerBatch> RecordAccumulator::NewBatch(PartitionQueue* queue, size_t reserved) {
  std::unique_ptr<ProducerBatch> batch;
  {
    std::lock_guard lock(free_mu_);
    if (!free_.empty()) {
      batch = std::move(free_.back());
      free_.pop_back();
    }
  }
  if (!batch) batch = std::make_unique<ProducerBatch>();
  const uint64_t id = next_batch_id_.fetch_add(1);
  {
    std::lock_guard lock(incomplete_mu_);
    incomplete_.insert(std::upper_bound(incomplete_.begin(), incomplete_.end(), id), id);
  }
  batch->Reset(queue, id, SteadyClock::now(), reserved);
  return batch;
}

bool RecordAccumulator::WaitForCompletion(uint64_t id, SteadyClock::time_point deadline) {
  std::unique_lock lock(incomplete_mu_);
  return completed_.wait_until(lock, deadline, [&] { return incomplete_.empty() || incomplete_.front() > id; });
}

void RecordAccumulator::Close() {
  closed_ = true;
  pool_.Close();
}

PartitionQueue* RecordAccumulator::Queue(const std::string& topic, int32_t partition) {
  auto& slot = queues_[{topic, partition}];
  if (!slot) {
    slot = std::make_unique<PartitionQueue>(topic, partition);
    queue_list_.push_back(slot.get());
  }
  return slot.get();
}

RecordAccumulator::ReadyResult RecordAccumulator::Ready(
    SteadyClock::time_point now, util::FunctionRef<int32_t(const PartitionQueue&)> leader_of, bool send_now) {
  ReadyResult result;
  // Threads waiting for memory can only go on once batches are sent: send what there is.
  send_now = send_now || flushing() || pool_.waiters() > 0;
  for (PartitionQueue* q : queue_list_) {
    SteadyClock::time_point ready_at;
    {
      std::lock_guard lock(q->mu);
      if (q->batches.empty()) continue;
      const ProducerBatch& head = *q->batches.front();
      const bool full = q->batches.size() > 1 || head.full;
      ready_at = head.attempts > 0 ? head.retry_at : (full || send_now ? now : head.created() + options_.linger);
    }
    const int32_t leader = leader_of(*q);
    if (leader < 0) {
      result.unknown_leader = true;
      continue;
    }
    if (ready_at <= now) {
      result.by_leader[leader].push_back(q);
    } else {
      result.next_check = std::min(result.next_check, ready_at);
    }
  }
  return result;
}

std::unique_ptr<ProducerBatch> RecordAccumulator::TakeFront(PartitionQueue* queue,
                                                            util::FunctionRef<bool(const ProducerBatch&)> accept) {
  std::lock_guard lock(queue->mu);
  if (queue->batches.empty() || !accept(*queue->batches.front())) return nullptr;
  std::unique_ptr<ProducerBatch> batch = std::move(queue->batches.front());
  queue->batches.pop_front();
  batch->full = true;
  return batch;
}

void RecordAccumulator::Reenqueue(std::unique_ptr<ProducerBatch> batch) {
  PartitionQueue* q = batch->queue();
  std::lock_guard lock(q->mu);
  auto pos = q->batches.begin();
  // Retried batches keep their sequence order; batches never sent come after them.
  while (pos != q->batches.end() && (*pos)->base_sequence != protocol::kNoSequence &&
         (*pos)->producer_generation == batch->producer_generation && (*pos)->base_sequence < batch->base_sequence) {
    ++pos;
  }
  q->batches.insert(pos, std::move(batch));
}

std::vector<std::unique_ptr<ProducerBatch>> RecordAccumulator::TakeExpired(SteadyClock::time_point now,
                                                                           std::chrono::milliseconds timeout) {
  std::vector<std::unique_ptr<ProducerBatch>> expired;
  for (PartitionQueue* q : queue_list_) {
    std::lock_guard lock(q->mu);
    // Oldest first, so expiry stops at the first batch still in time.
    while (!q->batches.empty() && q->batches.front()->created() + timeout <= now) {
      expired.push_back(std::move(q->batches.front()));
      q->batches.pop_front();
    }
  }
  return expired;
}

std::vector<std::unique_ptr<ProducerBatch>> RecordAccumulator::TakeAll() {
  std::vector<std::unique_ptr<ProducerBatch>> all;
  for (PartitionQueue* q : queue_list_) {
    std::lock_guard lock(q->mu);
    for (auto& b : q->batches) all.push_back(std::move(b));
    q->batches.clear();
  }
  return all;
}

void RecordAccumulator::Complete(std::unique_ptr<ProducerBatch> batch, int64_t base_offset,
                                 int64_t log_append_time_ms) {
  ReleaseMemory(*batch);
  batch->Complete(base_offset, log_append_time_ms);
  Recycle(std::move(batch));
}

void RecordAccumulator::Fail(std::unique_ptr<ProducerBatch> batch, const Status& status) {
  ReleaseMemory(*batch);
  batch->Fail(status);
  Recycle(std::move(batch));
}

void RecordAccumulator::ReleaseMemory(ProducerBatch& batch) {
  pool_.Release(batch.reserved_bytes());
  batch.set_reserved_bytes(0);
}

void RecordAccumulator::Recycle(std::unique_ptr<ProducerBatch> batch) {
  const uint64_t id = batch->id();
  {
    std::lock_guard lock(free_mu_);
    // Keep as many spare batches as the memory could hold at once; drop the rest.
    if (static_cast<int64_t>(free_.size() * std::max<size_t>(options_.batch_size, 1)) < pool_.total()) free_.push_back(std::move(batch));
  }
  {
    std::lock_guard lock(incomplete_mu_);
    const auto it = std::lower_bound(incomplete_.begin(), incomplete_.end(), id);
    if (it != incomplete_.end() && *it == id) incomplete_.erase(it);
  }
  completed_.notify_all();
}

bool RecordAccumulator::HasIncomplete() const {
  std::lock_guard lock(incomplete_mu_);
  return !incomplete_.empty();
}

}  // namespace kclient::producer
