// SendResult: what became of one record handed to a KafkaTemplate or an EventPublisher. Unlike a
// plain Producer outcome, a record can end in three ways: written to the cluster, kept in the
// local spool for a later replay (not delivered yet, but not lost), or failed.
//
// Thread-safety: plain values.
#pragma once

#include <functional>

#include "kclient/record.h"
#include "kclient/status.h"

namespace kclient::container {

enum class DeliveryState {
  kDelivered,  ///< the cluster has the record; SendResult::metadata says where
  kSpooled,    ///< the cluster did not take it, the spool did: a SpoolReplayer will send it
  kFailed,     ///< neither: the record is lost to this path (SendResult::error says why)
};

struct SendResult {
  DeliveryState state = DeliveryState::kFailed;
  /// Where the record was written; meaningful only when kDelivered.
  RecordMetadata metadata;
  /// Ok when kDelivered. When kSpooled, the delivery error that sent the record to the spool.
  /// When kFailed, why it was not delivered (and, if the spool refused it too, why not).
  Status error;

  bool delivered() const { return state == DeliveryState::kDelivered; }
  bool spooled() const { return state == DeliveryState::kSpooled; }
  bool failed() const { return state == DeliveryState::kFailed; }
};

/// Called exactly once per record, with its outcome. Runs on the producer's sender thread, or on
/// the sending thread when the record fails before it is queued (a serialization failure, a full
/// buffer or unknown metadata past max.block.ms); it must be quick and thread-safe.
using SendCallback = std::function<void(const SendResult& result)>;

}  // namespace kclient::container
