// OffsetLookup: offsets by timestamp from partition leaders (ListOffsets): the log start (-2),
// the log end (-1, the last stable offset under read_committed) or the first offset at or after
// a time. Leaders that moved and retriable errors are retried, with fresh metadata, until the
// deadline.
//
// Thread-safety: the I/O thread only; `done` runs there.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>

#include "client/metadata.h"
#include "kclient/consumer_record.h"
#include "kclient/result.h"
#include "net/network_client.h"
#include "util/backoff.h"

namespace kclient::consumer {

inline constexpr int64_t kEarliestTimestamp = -2;
inline constexpr int64_t kLatestTimestamp = -1;

class OffsetLookup {
 public:
  // Per partition: the offset found, or std::nullopt when there is none (no record at or after
  // the timestamp).
  using Offsets = std::map<TopicPartition, std::optional<OffsetAndTimestamp>>;
  using Done = std::function<void(Result<Offsets>)>;

  OffsetLookup(net::NetworkClient* network, client::Metadata* metadata, int8_t isolation_level,
               const util::ExponentialBackoff& backoff);
  ~OffsetLookup();

  void Lookup(const std::map<TopicPartition, int64_t>& timestamps, net::Clock::time_point deadline, Done done);

 private:
  struct Pending;
  void Attempt(std::shared_ptr<Pending> pending);
  void RetryLater(std::shared_ptr<Pending> pending, const Status& why);

  net::NetworkClient* network_;
  client::Metadata* metadata_;
  const int8_t isolation_level_;
  util::ExponentialBackoff backoff_;
  std::mt19937 rng_{std::random_device{}()};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kclient::consumer
