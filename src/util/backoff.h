// ExponentialBackoff: how long to wait before attempt n+1 of something that failed n times, as
// Java's org.apache.kafka.common.utils.ExponentialBackoff computes it (KIP-580):
//   base * m^min(n, e) * random(1 - jitter, 1 + jitter),  where base * m^e reaches max.
// The multiplier m is 2 for the client's own retries, so the wait doubles per failure up to about
// `max`, and the jitter (which may take it up to 20% past max) keeps many clients from retrying in
// lockstep. Reconnects and request retries use it; so do the listener container's redeliveries,
// with the multiplier the application chooses.
//
// Thread-safety: immutable after construction; the caller supplies the randomness.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace kclient::util {

class ExponentialBackoff {
 public:
  // `multiplier` must be above 1 for any growth; at or below 1 the wait stays at base.
  ExponentialBackoff(int64_t base_ms, int64_t max_ms, double jitter = 0.2, double multiplier = 2.0)
      : base_ms_(std::max<int64_t>(base_ms, 0)), max_ms_(max_ms), jitter_(jitter), multiplier_(multiplier) {
    // Java: when max <= base there is no growth at all, and base is used.
    exp_max_ = max_ms_ > base_ms_ && multiplier_ > 1.0
                   ? std::log(static_cast<double>(max_ms_) / static_cast<double>(std::max<int64_t>(base_ms_, 1))) /
                         std::log(multiplier_)
                   : 0.0;
  }

  // The wait after `failures` failures (0 for the first retry), with `random01` uniform in [0, 1).
  int64_t BackoffMs(uint32_t failures, double random01) const {
    if (exp_max_ == 0.0) return base_ms_;
    const double exp = std::min(static_cast<double>(failures), exp_max_);
    const double term = static_cast<double>(base_ms_) * std::pow(multiplier_, exp);
    const double factor = jitter_ < 1e-7 ? 1.0 : (1.0 - jitter_) + random01 * 2.0 * jitter_;
    return static_cast<int64_t>(factor * term);
  }

  template <typename Rng>
  int64_t BackoffMs(uint32_t failures, Rng& rng) const {
    return BackoffMs(failures, std::uniform_real_distribution<double>(0.0, 1.0)(rng));
  }

 private:
  int64_t base_ms_;
  int64_t max_ms_;
  double jitter_;
  double multiplier_;
  double exp_max_ = 0.0;
};

}  // namespace kclient::util
