#include "producer/kafka_producer.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "net/network_client.h"

namespace kclient {

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  Status valid = options.Validate();
  if (!valid.ok()) return valid;
  auto bootstrap = net::ParseBootstrapServers(options.client.bootstrap_servers);
  if (!bootstrap.ok()) return bootstrap.status();
  return std::unique_ptr<Producer>(new producer::KafkaProducer(options, std::move(bootstrap.value())));
}

Result<std::unique_ptr<Producer>> Producer::Create(const Properties& properties) {
  auto options = ProducerOptions::FromProperties(properties);
  if (!options.ok()) return options.status();
  return Create(options.value());
}

namespace producer {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// now + timeout, saturating (a timeout of milliseconds::max() means "no deadline").
SteadyClock::time_point DeadlineAfter(std::chrono::milliseconds timeout) {
  const auto now = SteadyClock::now();
  if (timeout >= std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::time_point::max() - now)) {
    return SteadyClock::time_point::max();
  }
  return now + timeout;
}

std::optional<protocol::ByteSpan> AsBytes(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  return protocol::ByteSpan(reinterpret_cast<const uint8_t*>(s->data()), s->size());
}

void Deliver(RecordThunk& thunk, const Status& error) {
  const Result<RecordMetadata> result(error);
  if (thunk.callback) thunk.callback(result);
  if (thunk.promise) thunk.promise->set_value(result);
}

RecordAccumulator::Options AccumulatorOptions(const ProducerOptions& o) {
  RecordAccumulator::Options a;
  // A batch never reserves more than the whole buffer (buffer.memory below batch.size is legal).
  a.batch_size = static_cast<size_t>(std::min<int64_t>(o.batch_size, o.buffer_memory));
  a.buffer_memory = o.buffer_memory;
  a.linger = std::chrono::milliseconds(o.linger_ms);
  return a;
}

}  // namespace

KafkaProducer::KafkaProducer(const ProducerOptions& options, std::vector<net::BrokerAddress> bootstrap)
    : options_(options), accumulator_(AccumulatorOptions(options)), sticky_(options.batch_size) {
  if (options.partitioner == PartitionerKind::kRoundRobin) partitioner_ = MakeRoundRobinPartitioner();
  if (options.partitioner == PartitionerKind::kCustom) partitioner_ = options.custom_partitioner;
  thread_.Call([&] {
    sender_ = std::make_unique<Sender>(&thread_.loop(), options_, std::move(bootstrap), &accumulator_, &view_);
  });
}

KafkaProducer::~KafkaProducer() { Close(std::chrono::milliseconds::max()); }

void KafkaProducer::WakeSender() {
  thread_.Post([this] {
    if (sender_) sender_->Wake();
  });
}

Result<std::shared_ptr<const TopicView>> KafkaProducer::TopicFor(const std::string& topic,
                                                                 SteadyClock::time_point deadline, bool may_block) {
  std::shared_ptr<const TopicView> view = view_.Find(topic);
  if (view && view->partition_count > 0) return view;
  thread_.Post([this, topic] {
    if (sender_) sender_->AddTopic(topic);
  });
  if (may_block) view = view_.WaitForPartitions(topic, deadline);
  if (view && view->partition_count > 0) return view;
  if (closed_) return Status(ErrorCode::kLocalClosed, "the producer is closed");
  if (view && view->error != ErrorCode::kNone) {
    return Status(view->error, "topic '" + topic + "' is not available: " + std::string(ErrorMessage(view->error)));
  }
  return Status(ErrorCode::kLocalTimedOut,
                may_block ? "topic '" + topic + "' not present in metadata after " +
                                std::to_string(options_.max_block_ms) + " ms"
                          : "metadata for topic '" + topic + "' is not known yet");
}

Result<int32_t> KafkaProducer::ChoosePartition(const ProducerRecord& record, const TopicView& view, bool* sticky) {
  *sticky = false;
  if (record.partition) {
    const int32_t p = *record.partition;
    if (p < 0 || p >= view.partition_count) {
      return Status(ErrorCode::kLocalInvalidArgument, "partition " + std::to_string(p) + " of topic '" + record.topic +
                                                          "' is not in [0, " + std::to_string(view.partition_count) +
                                                          ")");
    }
    return p;
  }
  const PartitionerContext context{record.topic, view.partition_count, view.available};
  if (partitioner_) {
    const int32_t p = partitioner_->Partition(context, record.key, record.value);
    if (p < 0 || p >= view.partition_count) {
      return Status(ErrorCode::kLocalInvalidArgument,
                    "the partitioner chose partition " + std::to_string(p) + " of topic '" + record.topic +
                        "', which has " + std::to_string(view.partition_count));
    }
    return p;
  }
  if (record.key && options_.partitioner == PartitionerKind::kDefault) {
    return PartitionForKey(*record.key, view.partition_count);
  }
  *sticky = true;
  return sticky_.Partition(context);
}

Status KafkaProducer::Enqueue(const ProducerRecord& record, RecordThunk& thunk, bool may_block) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the producer is closed");
  const SteadyClock::time_point deadline = DeadlineAfter(std::chrono::milliseconds(options_.max_block_ms));
  auto view = TopicFor(record.topic, deadline, may_block);
  if (!view.ok()) return view.status();

  // Headers as the batch builder wants them; the scratch vector keeps its capacity per thread.
  thread_local std::vector<protocol::RecordHeader> headers;
  headers.clear();
  for (const Header& h : record.headers) headers.push_back({h.key, AsBytes(h.value)});
  const auto key = AsBytes(record.key);
  const auto value = AsBytes(record.value);

  const size_t record_size = protocol::RecordBatchBuilder::RecordSize(0, 0, key, value, headers);
  const size_t batch_size = record_size + static_cast<size_t>(protocol::kRecordBatchHeaderSize);
  if (batch_size > static_cast<size_t>(options_.max_request_size) ||
      static_cast<int64_t>(batch_size) > options_.buffer_memory) {
    return Status(ErrorCode::kMessageTooLarge,
                  "the record is " + std::to_string(batch_size) + " bytes when serialized, more than " +
                      (batch_size > static_cast<size_t>(options_.max_request_size)
                           ? "max.request.size (" + std::to_string(options_.max_request_size) + ")"
                           : "buffer.memory (" + std::to_string(options_.buffer_memory) + ")"));
  }

  bool sticky = false;
  auto partition = ChoosePartition(record, **view, &sticky);
  if (!partition.ok()) return partition.status();

  const int64_t timestamp = record.timestamp_ms.value_or(NowMs());
  thunk.timestamp_ms = timestamp;
  thunk.key_size = static_cast<uint32_t>(record.key ? record.key->size() : 0);
  thunk.value_size = static_cast<uint32_t>(record.value ? record.value->size() : 0);
  PartitionQueue* queue = (*view)->queues[static_cast<size_t>(*partition)];
  auto appended = accumulator_.Append(queue, timestamp, key, value, headers, record_size, thunk,
                                      may_block ? std::optional(deadline) : std::nullopt);
  if (!appended.status.ok()) return appended.status;
  if (sticky) sticky_.OnAppend(record.topic, *partition, record_size);
  if (appended.new_batch) WakeSender();
  return Status();
}

std::future<Result<RecordMetadata>> KafkaProducer::Send(const ProducerRecord& record, DeliveryCallback callback) {
  RecordThunk thunk;
  thunk.callback = std::move(callback);
  auto future = thunk.promise.emplace().get_future();
  Status s = Enqueue(record, thunk, true);
  if (!s.ok()) Deliver(thunk, s);
  return future;
}

void KafkaProducer::Produce(const ProducerRecord& record, DeliveryCallback callback) {
  RecordThunk thunk;
  thunk.callback = std::move(callback);
  Status s = Enqueue(record, thunk, true);
  if (!s.ok()) Deliver(thunk, s);
}

Status KafkaProducer::TrySend(const ProducerRecord& record, DeliveryCallback callback) {
  RecordThunk thunk;
  thunk.callback = std::move(callback);
  return Enqueue(record, thunk, false);
}

Result<RecordMetadata> KafkaProducer::SendSync(const ProducerRecord& record) {
  if (OnSenderThread()) return Status(ErrorCode::kLocalIllegalState, "SendSync called from a delivery callback");
  auto future = Send(record, {});
  // Do not let the record linger: nobody else may be producing to fill its batch.
  accumulator_.BeginFlush();
  WakeSender();
  Result<RecordMetadata> result = future.get();
  accumulator_.EndFlush();
  return result;
}

Status KafkaProducer::Flush(std::chrono::milliseconds timeout) {
  if (OnSenderThread()) return Status(ErrorCode::kLocalIllegalState, "Flush called from a delivery callback");
  const auto deadline = DeadlineAfter(timeout);
  const uint64_t last = accumulator_.LastBatchId();
  accumulator_.BeginFlush();
  WakeSender();
  const bool done = accumulator_.WaitForCompletion(last, deadline);
  accumulator_.EndFlush();
  if (!done) return Status(ErrorCode::kLocalTimedOut, "flush timed out before every record had its outcome");
  return Status();
}

Result<std::vector<int32_t>> KafkaProducer::PartitionsFor(const std::string& topic) {
  auto view = TopicFor(topic, DeadlineAfter(std::chrono::milliseconds(options_.max_block_ms)), true);
  if (!view.ok()) return view.status();
  std::vector<int32_t> partitions;
  for (int32_t p = 0; p < (*view)->partition_count; ++p) partitions.push_back(p);
  return partitions;
}

Status KafkaProducer::Close(std::chrono::milliseconds timeout) {
  if (OnSenderThread()) return Status(ErrorCode::kLocalIllegalState, "Close called from a delivery callback");
  std::lock_guard lock(close_mu_);
  if (close_done_) return close_status_;
  closed_ = true;
  view_.Close();         // Sends waiting for metadata give up,
  accumulator_.Close();  // and those waiting for buffer memory.
  thread_.Post([this] {
    if (sender_) sender_->BeginClose();
  });
  const bool delivered = accumulator_.WaitForCompletion(UINT64_MAX, DeadlineAfter(timeout));
  thread_.Call([this] {
    sender_->Abort(Status(ErrorCode::kLocalClosed, "the producer was closed before the record was delivered"));
    sender_.reset();
  });
  thread_.Stop();
  close_done_ = true;
  if (!delivered) {
    close_status_ = Status(ErrorCode::kLocalTimedOut, "close timed out; undelivered records were failed");
  }
  return close_status_;
}

}  // namespace producer
}  // namespace kclient
