// RetryTopicOptions: non-blocking retries. Instead of redelivering a failed record in place
// (which holds up its partition), the container parks it on a retry topic per delay and goes
// on with the next record:
//
//   orders  --fail-->  orders-retry-1000  --fail-->  orders-retry-2000  --fail-->  orders-dlt
//
// A parked record keeps its key, value and headers, and gets the dead_letter.h headers naming
// where it came from, its attempt count and its due time (kRetryDueMs). The same container
// consumes the retry topics: it pauses a retry partition until its head record is due, so a
// record is never processed before its time (and the thread never sleeps). The records of one
// source partition go to the same partition of each retry topic, so that their order is kept.
//
// At Start the container creates the retry topics and the dead-letter topic (with Admin) with the
// source topic's partition count, unless they exist.
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kclient/container/backoff_policy.h"
#include "kclient/status.h"

namespace kclient::container {

struct RetryTopicOptions {
  /// false (the default): failures are retried in place (ContainerOptions::backoff).
  bool enabled = false;
  /// The delays: one retry topic per distinct delay, in order; max_attempts - 1 retries.
  /// Default: 3 attempts, 1 s then 2 s.
  BackoffPolicy backoff = BackoffPolicy{3, 1000, 2.0, 30000, 0.0};
  /// Retry topic names are "<topic><suffix><delay ms>". Default "-retry-".
  std::string retry_topic_suffix = "-retry-";
  /// Create the retry and dead-letter topics at Start. Default true.
  bool create_topics = true;
  /// Replication factor of created topics; -1 for the broker's default.
  int16_t replication_factor = -1;

  /// The retry topic for retry number `retry` (0 for the first) of records from `topic`.
  std::string RetryTopic(const std::string& topic, int32_t retry) const;
  /// Every distinct retry topic of `topic`, in order.
  std::vector<std::string> RetryTopics(const std::string& topic) const;

  Status Validate() const;
};

}  // namespace kclient::container
