#include "producer/sender.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "client/client_setup.h"
#include "protocol/messages/init_producer_id.h"
#include "protocol/messages/produce.h"

namespace kclient::producer {
namespace {

// Java caps the batches of one partition in flight at 5 when idempotent: the broker remembers
// the last 5 batches per producer to recognise duplicates.
constexpr int kMaxInFlightPerPartitionIdempotent = 5;

// Kafka's sequence numbers wrap from INT32_MAX to 0.
int32_t AddSequence(int32_t sequence, int32_t count) {
  const int64_t next = static_cast<int64_t>(sequence) + count;
  return static_cast<int32_t>(next > std::numeric_limits<int32_t>::max() ? next - (int64_t{1} << 31) : next);
}

// Errors after which the partition's leader may have moved: retry after fresh metadata.
bool InvalidatesMetadata(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kKafkaStorageError:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kNetworkException:
    case ErrorCode::kLocalTransport:
    case ErrorCode::kLocalTimedOut:
      return true;
    default:
      return false;
  }
}

std::string PartitionName(const PartitionQueue& q) { return q.topic + "-" + std::to_string(q.partition); }

}  // namespace

// One ProduceRequest in flight: its batches, owned until the response decides their fate.
struct Sender::InFlightProduce {
  int32_t node = -1;
  std::vector<std::unique_ptr<ProducerBatch>> batches;
  std::vector<std::pair<Uuid, std::string>> topic_names;  // v13+ responses name topics by id only
};

Sender::Sender(net::EventLoop* loop, const ProducerOptions& options, std::vector<net::BrokerAddress> bootstrap,
               RecordAccumulator* accumulator, ClusterView* view)
    : loop_(loop),
      options_(options),
      idempotent_(options.enable_idempotence),
      accumulator_(accumulator),
      view_(view),
      network_(loop, client::ToNetworkOptions(options.client), std::move(bootstrap)),
      metadata_(&network_, client::ToMetadataOptions(options.client)),
      // retry.backoff.ms above retry.backoff.max.ms: Java backs off by the max, constantly.
      retry_backoff_(std::min(options.client.retry_backoff_ms, options.client.retry_backoff_max_ms),
                     options.client.retry_backoff_max_ms) {
  metadata_.AddListener([this] { OnMetadataUpdate(); });
  if (idempotent_) EnsureProducerId();
}

Sender::~Sender() {
  *alive_ = false;
  if (timer_ != 0) loop_->CancelTimer(timer_);
}

void Sender::Wake() {
  if (run_scheduled_) return;
  run_scheduled_ = true;
  loop_->Post([this, alive = alive_] {
    if (*alive) RunOnce();
  });
}

void Sender::AddTopic(const std::string& topic) {
  metadata_.AddTopic(topic);
  // Already known (another Send asked first): make sure the view is published.
  PublishTopic(topic);
}

void Sender::BeginClose() {
  closing_ = true;
  Wake();
}

void Sender::Abort(const Status& why) {
  aborted_ = true;
  for (auto& batch : accumulator_->TakeAll()) FailBatch(std::move(batch), why);
  // In-flight requests complete through their callbacks with `why`, and fail (aborted_).
  network_.CloseAll(why);
}

// --- The loop --------------------------------------------------------------------------------

void Sender::RunOnce() {
  run_scheduled_ = false;
  if (aborted_) return;
  const auto now = SteadyClock::now();
  FailExpired(now);
  if (!fatal_.ok()) {
    for (auto& batch : accumulator_->TakeAll()) FailBatch(std::move(batch), fatal_);
    return;
  }
  // While anything is queued, look again at least every second, so batches expire on time even
  // when nothing else happens (no broker answers, no metadata).
  SteadyClock::time_point next =
      accumulator_->HasIncomplete()
          ? now + std::min(std::chrono::milliseconds(options_.delivery_timeout_ms), std::chrono::milliseconds(1000))
          : SteadyClock::time_point::max();
  if (idempotent_ && producer_id_ < 0) {
    EnsureProducerId();  // batches wait for it; its response runs this again
    ArmTimer(next);
    return;
  }
  auto ready = accumulator_->Ready(
      now, [this](const PartitionQueue& q) { return metadata_.LeaderFor(q.topic, q.partition); }, closing_);
  if (ready.unknown_leader) metadata_.RequestUpdate();
  for (auto& [node, queues] : ready.by_leader) {
    while (node_in_flight_[node] < options_.max_in_flight_requests_per_connection) {
      auto batches = Drain(node, queues);
      if (batches.empty()) break;
      SendProduce(node, std::move(batches));
    }
  }
  ArmTimer(std::min(next, ready.next_check));
}

void Sender::ArmTimer(SteadyClock::time_point when) {
  if (when == SteadyClock::time_point::max()) return;
  if (timer_ != 0 && timer_at_ <= when) return;
  if (timer_ != 0) loop_->CancelTimer(timer_);
  timer_at_ = when;
  timer_ = loop_->AddTimer(when, [this] {
    timer_ = 0;
    timer_at_ = SteadyClock::time_point::max();
    RunOnce();
  });
}

// --- Metadata --------------------------------------------------------------------------------

void Sender::OnMetadataUpdate() {
  for (const std::string& topic : metadata_.topics()) PublishTopic(topic);
  Wake();
}

void Sender::PublishTopic(const std::string& topic) {
  const client::TopicMetadata* t = metadata_.topic(topic);
  if (t == nullptr) return;
  auto view = std::make_shared<TopicView>();
  view->error = t->error;
  if (t->error == ErrorCode::kNone && !t->partitions.empty()) {
    view->partition_count = t->partitions.back().partition + 1;
    view->queues.resize(static_cast<size_t>(view->partition_count));
    for (int32_t p = 0; p < view->partition_count; ++p) view->queues[p] = accumulator_->Queue(topic, p);
    for (const auto& p : t->partitions) {
      if (p.leader >= 0) view->available.push_back(p.partition);
    }
  }
  auto& last = published_[topic];
  if (last.first == view->partition_count && last.second == view->available && view_->Find(topic) != nullptr &&
      view_->Find(topic)->error == view->error) {
    return;
  }
  last = {view->partition_count, view->available};
  view_->Publish(topic, std::move(view));
}

// --- Idempotence -----------------------------------------------------------------------------

void Sender::EnsureProducerId() {
  if (producer_id_ >= 0 || producer_id_in_flight_ || aborted_) return;
  producer_id_in_flight_ = true;
  protocol::InitProducerIdRequest request;
  request.transactional_id = std::nullopt;
  request.transaction_timeout_ms = std::numeric_limits<int32_t>::max();  // as Java, when not transactional
  network_.Send<protocol::InitProducerIdRequest, protocol::InitProducerIdResponse>(
      net::NetworkClient::kAnyBroker, std::move(request),
      std::function<void(const Status&, protocol::InitProducerIdResponse&)>(
          [this, alive = alive_](const Status& s, protocol::InitProducerIdResponse& r) {
            if (!*alive) return;
            producer_id_in_flight_ = false;
            if (aborted_) return;
            Status error = s.ok() && r.error_code != 0
                               ? Status(static_cast<ErrorCode>(r.error_code), "InitProducerId refused")
                               : s;
            if (error.ok()) {
              producer_id_ = r.producer_id;
              producer_epoch_ = r.producer_epoch;
              producer_id_failures_ = 0;
              Wake();
              return;
            }
            if (!error.retriable() && error.code() != ErrorCode::kLocalUnsupportedVersion) {
              fatal_ = Status(error.code(), "the producer cannot get a producer id for idempotence: " +
                                                error.ToString());
              Wake();
              return;
            }
            if (error.code() == ErrorCode::kLocalUnsupportedVersion) {
              fatal_ = Status(error.code(), "the broker does not support idempotent producing; set "
                                            "enable.idempotence=false");
              Wake();
              return;
            }
            const int64_t wait = retry_backoff_.BackoffMs(static_cast<uint32_t>(producer_id_failures_++), rng_);
            loop_->AddTimer(std::chrono::milliseconds(wait), [this, alive] {
              if (*alive) EnsureProducerId();
            });
          }));
}

void Sender::ResetProducerId() {
  if (!idempotent_) return;
  producer_id_ = -1;
  producer_epoch_ = -1;
  ++generation_;
  EnsureProducerId();
}

bool Sender::CanTake(const PartitionQueue& queue, const ProducerBatch& batch) const {
  if (!idempotent_) {
    // Without sequence numbers only one batch in flight keeps a partition in order.
    return options_.max_in_flight_requests_per_connection > 1 || queue.in_flight == 0;
  }
  const bool retry = batch.base_sequence != protocol::kNoSequence && batch.producer_generation == generation_;
  if (retry) return queue.in_flight == 0;
  return queue.in_flight < kMaxInFlightPerPartitionIdempotent;
}

Status Sender::Stamp(ProducerBatch* batch) {
  if (!idempotent_) return batch->Seal(options_.compression, options_.compression_level, protocol::kNoProducerId,
                                       protocol::kNoProducerEpoch, protocol::kNoSequence);
  PartitionQueue* q = batch->queue();
  if (batch->base_sequence == protocol::kNoSequence || batch->producer_generation != generation_) {
    if (q->sequence_generation != generation_) {
      q->sequence_generation = generation_;
      q->next_sequence = 0;
      q->acked_sequence_end = 0;
    }
    batch->base_sequence = q->next_sequence;
    batch->producer_generation = generation_;
    q->next_sequence = AddSequence(q->next_sequence, batch->record_count());
  }
  return batch->Seal(options_.compression, options_.compression_level, producer_id_, producer_epoch_,
                     batch->base_sequence);
}

// --- Sending ---------------------------------------------------------------------------------

std::vector<std::unique_ptr<ProducerBatch>> Sender::Drain(int32_t node, const std::vector<PartitionQueue*>& queues) {
  std::vector<std::unique_ptr<ProducerBatch>> out;
  size_t bytes = 0;
  const size_t limit = static_cast<size_t>(options_.max_request_size);
  size_t& start = drain_start_[node];
  for (size_t i = 0; i < queues.size(); ++i) {
    PartitionQueue* q = queues[(start + i) % queues.size()];
    auto batch = accumulator_->TakeFront(q, [&](const ProducerBatch& b) {
      if (!out.empty() && bytes + b.size_bytes() > limit) return false;
      return CanTake(*q, b);
    });
    if (!batch) continue;
    Status stamped = Stamp(batch.get());
    if (!stamped.ok()) {
      FailBatch(std::move(batch), stamped);
      continue;
    }
    bytes += batch->sealed_bytes().size();
    ++q->in_flight;
    ++batch->attempts;
    out.push_back(std::move(batch));
  }
  if (!queues.empty()) start = (start + 1) % queues.size();
  return out;
}

void Sender::SendProduce(int32_t node, std::vector<std::unique_ptr<ProducerBatch>> batches) {
  auto request_state = std::make_shared<InFlightProduce>();
  request_state->node = node;
  protocol::ProduceRequest request;
  request.acks = static_cast<int16_t>(options_.acks);
  request.timeout_ms = options_.client.request_timeout_ms;
  bool all_ids_known = true;
  for (auto& batch : batches) {
    const std::string& topic = batch->queue()->topic;
    // A request names a handful of topics at most: a scan beats building an index for it.
    size_t index = 0;
    while (index < request.topic_data.size() && request.topic_data[index].name != topic) ++index;
    if (index == request.topic_data.size()) {
      auto& td = request.topic_data.emplace_back();
      td.name = topic;
      const client::TopicMetadata* t = metadata_.topic(topic);
      if (t != nullptr && !t->id.is_zero()) {
        td.topic_id = t->id;
        request_state->topic_names.emplace_back(t->id, topic);
      } else {
        all_ids_known = false;
      }
    }
    auto& pd = request.topic_data[index].partition_data.emplace_back();
    pd.index = batch->queue()->partition;
    pd.records = protocol::RecordsView(batch->sealed_bytes());
  }
  request_state->batches = std::move(batches);
  ++node_in_flight_[node];

  net::SendOptions send;
  send.min_version = 3;  // the first with record batches (magic 2)
  // v13 names topics by id only; without every id, stay at v12.
  send.max_version = all_ids_known ? protocol::ProduceRequest::kMaxStableVersion : 12;
  send.expect_response = options_.acks != Acks::kNone;
  network_.Send<protocol::ProduceRequest, protocol::ProduceResponse>(
      node, std::move(request),
      std::function<void(const Status&, protocol::ProduceResponse&, int16_t, net::ResponseFrame&)>(
          [this, alive = alive_, request_state](const Status& s, protocol::ProduceResponse& r, int16_t version,
                                                net::ResponseFrame&) {
            if (*alive) OnProduceResponse(*request_state, s, r, version);
          }),
      send);
}

void Sender::OnProduceResponse(InFlightProduce& request, const Status& status, protocol::ProduceResponse& response,
                               int16_t version) {
  --node_in_flight_[request.node];
  if (!status.ok()) {
    for (auto& batch : request.batches) {
      OnBatchResult(std::move(batch), status.code(), std::string(status.message()), -1, -1);
    }
    Wake();
    return;
  }
  if (options_.acks == Acks::kNone) {
    for (auto& batch : request.batches) OnBatchResult(std::move(batch), ErrorCode::kNone, "", -1, -1);
    Wake();
    return;
  }
  for (auto& topic : response.responses) {
    std::string name = topic.name;
    if (version >= 13) {
      auto it = std::find_if(request.topic_names.begin(), request.topic_names.end(),
                             [&](const auto& entry) { return entry.first == topic.topic_id; });
      if (it == request.topic_names.end()) continue;
      name = it->second;
    }
    for (auto& p : topic.partition_responses) {
      for (auto& batch : request.batches) {
        if (!batch || batch->queue()->partition != p.index || batch->queue()->topic != name) continue;
        std::string message = p.error_message.value_or("");
        OnBatchResult(std::move(batch), static_cast<ErrorCode>(p.error_code), message, p.base_offset,
                      p.log_append_time_ms);
        break;
      }
    }
  }
  for (auto& batch : request.batches) {
    if (batch) {
      OnBatchResult(std::move(batch), ErrorCode::kUnknownServerError, "the produce response left this partition out",
                    -1, -1);
    }
  }
  Wake();
}

void Sender::OnBatchResult(std::unique_ptr<ProducerBatch> batch, ErrorCode code, const std::string& message,
                           int64_t base_offset, int64_t log_append_time_ms) {
  PartitionQueue* q = batch->queue();
  --q->in_flight;
  const bool current = idempotent_ && batch->producer_generation == generation_;
  if (code == ErrorCode::kNone || code == ErrorCode::kDuplicateSequenceNumber) {
    if (current) q->acked_sequence_end = AddSequence(batch->base_sequence, batch->record_count());
    // A duplicate was written before; the broker does not say where.
    accumulator_->Complete(std::move(batch), code == ErrorCode::kNone ? base_offset : -1, log_append_time_ms);
    return;
  }
  Status error(code, message.empty() ? std::string(ErrorMessage(code)) : message);
  bool retriable = error.retriable();
  if (current && code == ErrorCode::kOutOfOrderSequenceNumber && batch->base_sequence != q->acked_sequence_end) {
    // An earlier batch of the partition failed, so the broker saw a gap: this one goes again
    // once the earlier one is through.
    retriable = true;
  }
  if (idempotent_ && code == ErrorCode::kUnknownProducerId) {
    // The broker forgot this producer (its records were deleted by retention): start over with a
    // new producer id, and resend under it.
    if (current) ResetProducerId();
    retriable = true;
  }
  const auto now = SteadyClock::now();
  const bool expired = now >= batch->created() + std::chrono::milliseconds(options_.delivery_timeout_ms);
  const bool attempts_left = batch->attempts <= options_.retries;
  if (retriable && !aborted_ && !expired && attempts_left) {
    if (InvalidatesMetadata(code)) metadata_.RequestUpdate();
    Retry(std::move(batch), error);
    return;
  }
  if (retriable && expired) {
    error = Status(ErrorCode::kLocalTimedOut, "delivery.timeout.ms expired for " + PartitionName(*q) +
                                                  " after " + std::to_string(batch->attempts) +
                                                  " attempt(s); last error: " + error.ToString());
  }
  if (InvalidatesMetadata(code)) metadata_.RequestUpdate();
  FailBatch(std::move(batch), error);
}

void Sender::Retry(std::unique_ptr<ProducerBatch> batch, const Status& error) {
  batch->last_error = error;
  batch->retry_at = SteadyClock::now() + std::chrono::milliseconds(retry_backoff_.BackoffMs(
                                             static_cast<uint32_t>(std::max(batch->attempts - 1, 0)), rng_));
  accumulator_->Reenqueue(std::move(batch));
}

void Sender::FailBatch(std::unique_ptr<ProducerBatch> batch, const Status& error) {
  // A sequence that will never reach the broker leaves a gap it would refuse forever.
  if (idempotent_ && batch->base_sequence != protocol::kNoSequence && batch->producer_generation == generation_ &&
      !aborted_) {
    ResetProducerId();
  }
  accumulator_->Fail(std::move(batch), error);
}

void Sender::FailExpired(SteadyClock::time_point now) {
  for (auto& batch : accumulator_->TakeExpired(now, std::chrono::milliseconds(options_.delivery_timeout_ms))) {
    std::string why = "delivery.timeout.ms (" + std::to_string(options_.delivery_timeout_ms) + " ms) expired for " +
                      std::to_string(batch->record_count()) + " record(s) of " + PartitionName(*batch->queue());
    if (!batch->last_error.ok()) why += "; last error: " + batch->last_error.ToString();
    FailBatch(std::move(batch), Status(ErrorCode::kLocalTimedOut, why));
  }
}

}  // namespace kclient::producer
