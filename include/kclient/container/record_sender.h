// RecordSender: sends records that are already bytes through a Producer and turns each outcome
// into a SendResult: delivered; spooled when the cluster did not take the record and the spool
// did; or failed. It applies TemplateOptions (default headers, the spool). KafkaTemplate
// serializes and hands its records here; use it directly to publish bytes you built yourself.
//
// Owns: a copy of the options (shared with the callbacks of records still in flight, so records
// complete correctly even if the RecordSender is destroyed first). Does not own the Producer,
// which must outlive the RecordSender and every record it sent.
//
// Thread-safety: Send may be called from any number of threads at once. Outcomes come on the
// producer's sender thread (spooling included), or on the calling thread for records refused
// before they are queued.
#pragma once

#include <chrono>
#include <future>
#include <memory>

#include "kclient/container/send_result.h"
#include "kclient/container/template_options.h"
#include "kclient/producer.h"
#include "kclient/record.h"

namespace kclient::container {

class RecordSender {
 public:
  RecordSender(Producer& producer, TemplateOptions options);

  /// Adds the default headers to `record` (and a timestamp, when a spool is set and the record
  /// has none), then sends it with Producer::Produce. The outcome goes to the returned future
  /// and, if given, to `callback` (first), exactly once. If delivery fails with an error that
  /// ShouldSpool accepts and a spool is set, the record is appended to the spool before the
  /// outcome is reported: kSpooled when the append succeeded, kFailed (with both errors) when
  /// it did not.
  std::future<SendResult> Send(ProducerRecord record, SendCallback callback = {});

  /// The outcome of a record that never reached the producer (a serialization failure): runs
  /// `callback` and returns a ready future, both with kFailed and `error`. Never spools.
  static std::future<SendResult> Refuse(const Status& error, const SendCallback& callback);

  const TemplateOptions& options() const { return *options_; }
  Producer& producer() { return producer_; }

 private:
  Producer& producer_;
  std::shared_ptr<const TemplateOptions> options_;
};

}  // namespace kclient::container
