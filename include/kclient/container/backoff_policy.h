// BackoffPolicy: how often, and how far apart, a ListenerContainer redelivers a record whose
// listener failed retriably. Used for blocking retries (the record is redelivered in place: its
// partition is paused, not the thread) and, as the list of delays, for retry topics.
//
//   BackoffPolicy::Fixed(1000, 3)                       3 attempts, 1 s apart
//   BackoffPolicy::Exponential(1000, 2.0, 30000, 5)     5 attempts: 1 s, 2 s, 4 s, 8 s apart
//   policy.jitter = 0.2;                                each wait * random(0.8, 1.2)
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <vector>

#include "kclient/status.h"

namespace kclient::container {

struct BackoffPolicy {
  /// How many times the listener is called for a record in all, the first delivery included;
  /// 1 means no retry. Default 3.
  int32_t max_attempts = 3;
  /// The wait before the first redelivery. Default 1000.
  int64_t initial_interval_ms = 1000;
  /// Each further wait is the previous one times this (1.0: a fixed backoff). Default 1.0.
  double multiplier = 1.0;
  /// No wait is longer than this (before jitter). Default 30000.
  int64_t max_interval_ms = 30000;
  /// Each wait is scaled by a random factor in [1 - jitter, 1 + jitter]. Default 0.
  double jitter = 0.0;

  static BackoffPolicy Fixed(int64_t interval_ms, int32_t max_attempts);
  static BackoffPolicy Exponential(int64_t initial_interval_ms, double multiplier, int64_t max_interval_ms,
                                   int32_t max_attempts);

  /// The wait before redelivery number `retry` (0 for the first), with `random01` uniform in
  /// [0, 1) for the jitter.
  int64_t DelayMs(int32_t retry, double random01 = 0.5) const;
  /// The waits before each redelivery, without jitter (max_attempts - 1 of them).
  std::vector<int64_t> Delays() const;

  /// Checks the fields; the message names the one at fault (kLocalInvalidConfig).
  Status Validate() const;
};

}  // namespace kclient::container
