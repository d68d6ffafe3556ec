#include "consumer/fetch_collector.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "protocol/record_batch.h"

namespace kclient::consumer {
namespace {

// Decompressed batches may not grow beyond this (a guard against decompression bombs).
constexpr size_t kMaxDecompressedBatch = 256u << 20;

std::string_view View(protocol::ByteSpan s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

}  // namespace

struct FetchCollector::InProgress {
  explicit InProgress(CompletedFetch f) : fetch(std::move(f)), batches(fetch.records) {
    topic = std::make_shared<const std::string>(fetch.partition.topic);
    aborted.assign(fetch.aborted_transactions.begin(), fetch.aborted_transactions.end());
    std::sort(aborted.begin(), aborted.end(),
              [](const AbortedTransaction& a, const AbortedTransaction& b) { return a.first_offset < b.first_offset; });
  }

  CompletedFetch fetch;
  std::shared_ptr<const std::string> topic;  // what records' topic views point into
  bool kept_alive = false;                   // frame and topic handed to the current ConsumerRecords
  protocol::BatchIterator batches;
  protocol::RecordBatchHeader header;
  std::optional<protocol::RecordIterator> records;
  std::shared_ptr<util::ByteBuffer> scratch;  // the current batch's decompressed records
  SubscriptionState::Position position;
  std::deque<AbortedTransaction> aborted;      // not yet reached, by first offset
  std::set<int64_t> aborting;                  // producers whose aborted records are being skipped
};

FetchCollector::FetchCollector(SubscriptionState* subscriptions, FetchBuffer* buffer, const ConsumerOptions& options)
    : subscriptions_(subscriptions), buffer_(buffer), options_(options) {}

FetchCollector::~FetchCollector() = default;

void FetchCollector::Reset() {
  if (!current_) return;
  buffer_->Done(current_->fetch.partition);
  current_.reset();
}

void FetchCollector::FinishCurrent() {
  subscriptions_->SetPosition(current_->fetch.partition, current_->position);
  buffer_->Done(current_->fetch.partition);
  current_.reset();
}

Status FetchCollector::Collect(size_t max_records, ConsumerRecords* out) {
  Status error;
  // A new ConsumerRecords must keep alive what the current fetch's records point into.
  if (current_) {
    current_->kept_alive = false;
    if (current_->scratch) out->KeepAlive(current_->scratch);
  }
  while (out->size() < max_records && error.ok()) {
    if (!current_) {
      std::optional<CompletedFetch> f = buffer_->Take();
      if (!f) break;
      const TopicPartition tp = f->partition;
      const auto position = subscriptions_->position(tp);
      // Data fetched for an old assignment or position, or for a paused partition, is dropped.
      if (!position || position->offset != f->fetch_offset || subscriptions_->IsPaused(tp)) {
        buffer_->Done(tp);
        continue;
      }
      if (f->error != ErrorCode::kNone) {
        buffer_->Done(tp);
        error = Status(f->error, "fetching " + tp.ToString() + " at offset " + std::to_string(f->fetch_offset) +
                                     ": " + std::string(ErrorMessage(f->error)));
        break;
      }
      current_ = std::make_unique<InProgress>(std::move(*f));
      current_->position = *position;
    }
    if (!NextRecord(out, &error)) {
      if (current_) FinishCurrent();
    }
  }
  if (current_) subscriptions_->SetPosition(current_->fetch.partition, current_->position);
  return error;
}

bool FetchCollector::NextRecord(ConsumerRecords* out, Status* error) {
  InProgress& c = *current_;
  const TopicPartition& tp = c.fetch.partition;
  for (;;) {
    if (!c.records) {
      protocol::ByteSpan batch;
      if (!c.batches.Next(&c.header, &batch)) {
        if (!c.batches.status().ok()) {
          *error = Status(ErrorCode::kCorruptMessage, tp.ToString() + " at offset " +
                                                          std::to_string(c.position.offset) + ": " +
                                                          c.batches.status().ToString());
        }
        return false;
      }
      const protocol::RecordBatchHeader& h = c.header;
      if (h.last_offset() < c.position.offset) continue;  // already handed out
      // Transactions that abort at or before this batch.
      while (!c.aborted.empty() && c.aborted.front().first_offset <= h.last_offset()) {
        c.aborting.insert(c.aborted.front().producer_id);
        c.aborted.pop_front();
      }
      const bool skip_aborted = options_.isolation_level == IsolationLevel::kReadCommitted && h.is_transactional() &&
                                c.aborting.count(h.producer_id) > 0;
      if (h.is_control() || skip_aborted) {
        if (h.is_control()) {
          // An abort marker ends the producer's aborted transaction.
          util::ByteBuffer scratch;
          protocol::RecordIterator markers(h, batch, &scratch, kMaxDecompressedBatch, options_.check_crcs);
          protocol::Record marker;
          if (markers.Next(&marker) && marker.key) {
            auto type = protocol::ParseControlRecordKey(*marker.key);
            if (type == protocol::ControlType::kAbort) c.aborting.erase(h.producer_id);
          }
        }
        c.position.offset = h.last_offset() + 1;
        continue;
      }
      if (h.compression() != CompressionType::kNone) {
        c.scratch = std::make_shared<util::ByteBuffer>();
        out->KeepAlive(c.scratch);
      }
      c.records.emplace(h, batch, c.scratch.get(), kMaxDecompressedBatch, options_.check_crcs);
      if (!c.records->status().ok()) {
        *error = Status(ErrorCode::kCorruptMessage, tp.ToString() + " at offset " +
                                                        std::to_string(std::max(c.position.offset, h.base_offset)) +
                                                        ": " + c.records->status().ToString());
        c.records.reset();
        return false;
      }
    }
    protocol::Record r;
    if (!c.records->Next(&r)) {
      if (!c.records->status().ok()) {
        *error = Status(ErrorCode::kCorruptMessage, tp.ToString() + " at offset " +
                                                        std::to_string(c.position.offset) + ": " +
                                                        c.records->status().ToString());
        c.records.reset();
        return false;
      }
      // Compaction may leave gaps: the batch's last offset is where the next one starts.
      c.position.offset = std::max(c.position.offset, c.header.last_offset() + 1);
      c.records.reset();
      continue;
    }
    if (r.offset < c.position.offset) continue;
    if (!c.kept_alive) {
      out->KeepAlive(c.fetch.frame);
      out->KeepAlive(c.topic);
      c.kept_alive = true;
    }
    ConsumerRecord& rec = out->mutable_records().emplace_back();
    rec.topic = *c.topic;
    rec.partition = tp.partition;
    rec.offset = r.offset;
    rec.timestamp_ms = c.header.log_append_time() ? c.header.max_timestamp : r.timestamp;
    rec.timestamp_type = c.header.log_append_time() ? TimestampType::kLogAppendTime : TimestampType::kCreateTime;
    rec.leader_epoch = c.header.partition_leader_epoch;
    if (r.key) rec.key = View(*r.key);
    if (r.value) rec.value = View(*r.value);
    for (const auto& h : r.headers) {
      rec.headers.push_back({h.key, h.value ? std::optional<std::string_view>(View(*h.value)) : std::nullopt});
    }
    c.position = {r.offset + 1, c.header.partition_leader_epoch};
    return true;
  }
}

}  // namespace kclient::consumer
