// Acknowledgment: the handle a listener uses, in the manual ack modes, to say that one record is
// done. It is a small value that may be copied, kept and used later from any thread; the
// container commits acknowledged records in offset order, so acknowledging out of order never
// commits past a record that is not yet acknowledged.
//
// An acknowledgement for a partition the container no longer owns (revoked in a rebalance since
// the record was delivered) is ignored: the record will be delivered again to its new owner.
// Acknowledging twice is harmless. In the automatic ack modes Acknowledge does nothing.
//
// Thread-safety: every method may be called from any thread, also after the container stopped.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>

#include "kclient/topic_partition.h"

namespace kclient::container {

class AckSink;         // internal: where acknowledgements go (src/container/ack_sink.h)
class ConsumerWorker;  // internal: the container thread that delivers records

class Acknowledgment {
 public:
  /// A handle that acknowledges nothing (what listeners get in the automatic ack modes).
  Acknowledgment() = default;

  /// Marks the record done. In kManualImmediate mode it is committed promptly by the container
  /// thread (Acknowledge itself never blocks on the broker).
  void Acknowledge() const;

  const TopicPartition& partition() const { return partition_; }
  int64_t offset() const { return offset_; }

 private:
  friend class ConsumerWorker;  // hands them out, one per delivered record
  Acknowledgment(std::shared_ptr<AckSink> sink, TopicPartition partition, int64_t offset, uint64_t epoch)
      : sink_(std::move(sink)), partition_(std::move(partition)), offset_(offset), epoch_(epoch) {}

  std::shared_ptr<AckSink> sink_;
  TopicPartition partition_;
  int64_t offset_ = -1;
  uint64_t epoch_ = 0;
};

}  // namespace kclient::container
