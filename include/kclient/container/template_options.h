// TemplateOptions: what a KafkaTemplate (and the KafkaEventPublisher over one) adds to every
// record it sends: a default topic, default headers, and a spool for records the cluster does
// not take.
//
// Thread-safety: a plain value; the template copies it at construction.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "kclient/record.h"

namespace kclient::container {

class Spool;

struct TemplateOptions {
  /// The topic of Send(key, value). Empty (the default): such sends fail with
  /// kLocalInvalidArgument.
  std::string default_topic;

  /// Headers added to every record, before the record's own (so a record's header of the same
  /// key comes later, and Kafka consumers that read the last value see the record's). For what
  /// is the same for every record: the producing service, a content type.
  std::vector<Header> default_headers;

  /// When set, a record whose delivery fails with an error ShouldSpool (spool.h) accepts is
  /// appended to this spool, and its outcome is DeliveryState::kSpooled. Records without a
  /// timestamp are stamped with the time of sending, so that a replay keeps it. The append runs
  /// on the producer's sender thread (see SpoolSync for its cost). Shared: the same spool usually
  /// also feeds a SpoolReplayer. Default: no spool; failed records are DeliveryState::kFailed.
  std::shared_ptr<Spool> spool;
};

}  // namespace kclient::container
