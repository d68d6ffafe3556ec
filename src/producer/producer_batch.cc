#include "producer/producer_batch.h"

#include "producer/record_accumulator.h"

namespace kclient::producer {

void ProducerBatch::Reset(PartitionQueue* queue, uint64_t id, SteadyClock::time_point now, size_t reserved_bytes) {
  queue_ = queue;
  id_ = id;
  created_ = now;
  reserved_bytes_ = reserved_bytes;
  builder_.Reset();
  sealed_bytes_ = {};
  thunks_.clear();
  attempts = 0;
  retry_at = {};
  base_sequence = protocol::kNoSequence;
  producer_generation = 0;
  full = false;
  last_error = Status();
}

bool ProducerBatch::TryAppend(int64_t timestamp_ms, std::optional<protocol::ByteSpan> key,
                              std::optional<protocol::ByteSpan> value, std::span<const protocol::RecordHeader> headers,
                              size_t batch_size, RecordThunk&& thunk) {
  if (full || sealed()) return false;
  const int32_t count = builder_.record_count();
  if (count > 0) {
    const size_t added = protocol::RecordBatchBuilder::RecordSize(timestamp_ms - builder_.base_timestamp(), count, key,
                                                                  value, headers);
    if (builder_.estimated_size() + added > batch_size) {
      full = true;
      return false;
    }
  }
  builder_.Append(timestamp_ms, key, value, headers);
  thunks_.push_back(std::move(thunk));
  return true;
}

Status ProducerBatch::Seal(CompressionType compression, std::optional<int> level, int64_t producer_id,
                           int16_t producer_epoch, int32_t sequence) {
  if (sealed()) {
    builder_.Restamp(producer_id, producer_epoch, sequence);
    return Status();
  }
  protocol::RecordBatchBuilder::Options options;
  options.compression = compression;
  if (level) options.compression_level = *level;
  options.producer_id = producer_id;
  options.producer_epoch = producer_epoch;
  options.base_sequence = sequence;
  full = true;
  return builder_.Finish(options, &sealed_bytes_);
}

namespace {

void Deliver(RecordThunk& thunk, const Result<RecordMetadata>& result) {
  if (thunk.callback) thunk.callback(result);
  if (thunk.promise) thunk.promise->set_value(result);
}

}  // namespace

void ProducerBatch::Complete(int64_t base_offset, int64_t log_append_time_ms) {
  // One RecordMetadata for the whole batch, updated per record: no allocation per record.
  Result<RecordMetadata> result{RecordMetadata{}};
  RecordMetadata& m = result.value();
  m.topic = queue_->topic;
  m.partition = queue_->partition;
  for (size_t i = 0; i < thunks_.size(); ++i) {
    RecordThunk& t = thunks_[i];
    m.offset = base_offset < 0 ? -1 : base_offset + static_cast<int64_t>(i);
    m.timestamp_ms = log_append_time_ms >= 0 ? log_append_time_ms : t.timestamp_ms;
    m.serialized_key_size = t.key_size;
    m.serialized_value_size = t.value_size;
    Deliver(t, result);
  }
  thunks_.clear();
}

void ProducerBatch::Fail(const Status& status) {
  const Result<RecordMetadata> result(status);
  for (RecordThunk& t : thunks_) Deliver(t, result);
  thunks_.clear();
}

}  // namespace kclient::producer
