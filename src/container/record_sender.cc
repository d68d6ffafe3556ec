#include "kclient/container/record_sender.h"

#include <chrono>
#include <utility>

#include "kclient/container/spool.h"

namespace kclient::container {
namespace {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One record in flight: what the delivery callback needs once the producer reports.
struct InFlight {
  std::shared_ptr<const TemplateOptions> options;
  ProducerRecord record;
  SendCallback callback;
  std::promise<SendResult> promise;
};

SendResult Outcome(const InFlight& sent, const Result<RecordMetadata>& delivery) {
  SendResult result;
  if (delivery.ok()) {
    result.state = DeliveryState::kDelivered;
    result.metadata = *delivery;
    return result;
  }
  result.error = delivery.status();
  const std::shared_ptr<Spool>& spool = sent.options->spool;
  if (!spool || !ShouldSpool(delivery.status().code())) return result;
  SpooledRecord spooled;
  spooled.record = sent.record;
  spooled.error = delivery.status().code();
  spooled.error_message = std::string(delivery.status().message());
  spooled.spooled_at_ms = WallClockMs();
  if (Status appended = spool->Append(spooled); !appended.ok()) {
    result.error = Status(delivery.status().code(), delivery.status().ToString() +
                                                        "; and the spool refused the record: " + appended.ToString());
    return result;
  }
  result.state = DeliveryState::kSpooled;
  return result;
}

}  // namespace

RecordSender::RecordSender(Producer& producer, TemplateOptions options)
    : producer_(producer), options_(std::make_shared<const TemplateOptions>(std::move(options))) {}

std::future<SendResult> RecordSender::Send(ProducerRecord record, SendCallback callback) {
  if (!options_->default_headers.empty()) {
    record.headers.insert(record.headers.begin(), options_->default_headers.begin(), options_->default_headers.end());
  }
  if (options_->spool && !record.timestamp_ms) record.timestamp_ms = WallClockMs();
  auto sent = std::make_shared<InFlight>();
  sent->options = options_;
  sent->record = std::move(record);
  sent->callback = std::move(callback);
  std::future<SendResult> future = sent->promise.get_future();
  // `sent` owns the record the producer reads during Produce; the callback keeps it alive for
  // spooling, and lets go of it once it has run (the producer may keep the callback longer).
  const ProducerRecord& bytes = sent->record;
  producer_.Produce(bytes, [sent](const Result<RecordMetadata>& delivery) mutable {
    SendResult result = Outcome(*sent, delivery);
    if (sent->callback) sent->callback(result);
    sent->promise.set_value(std::move(result));
    sent.reset();
  });
  return future;
}

std::future<SendResult> RecordSender::Refuse(const Status& error, const SendCallback& callback) {
  SendResult result;
  result.error = error;
  if (callback) callback(result);
  std::promise<SendResult> promise;
  promise.set_value(std::move(result));
  return promise.get_future();
}

}  // namespace kclient::container
