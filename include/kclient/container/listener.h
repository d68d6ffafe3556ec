// What a ListenerContainer calls with records, and what it expects back.
//
//   RecordListener  called once per record:  ListenerResult(const ConsumerRecord&, Acknowledgment)
//   BatchListener   called once per poll:    ListenerResult(std::span<const ConsumerRecord>,
//                                                           std::span<const Acknowledgment>)
//
// A listener's result is a value: ListenerResult::Ok(), or a failure that says whether trying
// again may help (Retriable) or not (NonRetriable: bad data, a bug). A kclient::Status converts
// to one, retriable as the error table says. A listener that throws has failed retriably (the
// exception's what() is the message); nothing a listener throws leaves the container thread.
// A listener that returns after ContainerOptions::listener_deadline_ms has failed retriably too,
// whatever it returned (see container_options.h for how that is measured, and its limit).
//
// Records (keys, values, headers) are views that stay valid only during the call; copy what
// must outlive it. The Acknowledgment (one per record for a batch) matters only in the manual
// ack modes.
//
// Thread-safety: a listener is called on the container thread that owns the record's partition;
// with concurrency > 1 the same listener object is called from several threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "kclient/consumer_record.h"
#include "kclient/container/acknowledgment.h"
#include "kclient/status.h"

namespace kclient::container {

class ListenerResult {
 public:
  /// Success.
  ListenerResult() = default;
  /// From a Status: ok is success; a failure is retriable as the error table says, its error
  /// class is the error's name (e.g. LOCAL_SERIALIZATION, which is not retriable).
  ListenerResult(const Status& status);  // NOLINT(google-explicit-constructor)

  static ListenerResult Ok() { return ListenerResult(); }
  /// A failure that may go away if the record is tried again (a down dependency, a timeout).
  static ListenerResult Retriable(std::string message, std::string error_class = "RetriableError");
  /// A failure that trying again cannot fix (bad data, deserialization, a bug): the record goes
  /// to the dead-letter topic at once.
  static ListenerResult NonRetriable(std::string message, std::string error_class = "NonRetriableError");

  /// For a BatchListener: which record of the batch failed (the ones before it are processed).
  /// Without it the whole batch counts as failed at its first record.
  ListenerResult& AtIndex(size_t index) {
    failed_index_ = index;
    return *this;
  }

  bool ok() const { return !failed_; }
  bool retriable() const { return retriable_; }
  const std::string& error_class() const { return error_class_; }
  const std::string& message() const { return message_; }
  std::optional<size_t> failed_index() const { return failed_index_; }

 private:
  bool failed_ = false;
  bool retriable_ = false;
  std::string error_class_;
  std::string message_;
  std::optional<size_t> failed_index_;
};

using RecordListener = std::function<ListenerResult(const ConsumerRecord& record, Acknowledgment ack)>;
using BatchListener = std::function<ListenerResult(std::span<const ConsumerRecord> records,
                                                   std::span<const Acknowledgment> acks)>;

}  // namespace kclient::container
