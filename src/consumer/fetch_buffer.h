// FetchBuffer: fetched partition data on its way from the I/O thread (which fetches) to the
// polling thread (which turns it into records). One CompletedFetch per partition at a time:
// the fetcher does not fetch a partition again while data for it is buffered or being handed
// out, which bounds memory by what one fetch per broker returns (fetch.max.bytes).
//
// Thread-safety: every method is thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <vector>

#include "kclient/error_code.h"
#include "kclient/topic_partition.h"
#include "net/broker_connection.h"
#include "protocol/record_batch.h"

namespace kclient::consumer {

struct AbortedTransaction {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
};

// One partition's part of a fetch response.
struct CompletedFetch {
  TopicPartition partition;
  int64_t fetch_offset = 0;  // the position the fetch was made from
  ErrorCode error = ErrorCode::kNone;
  int64_t high_watermark = -1;
  int64_t last_stable_offset = -1;
  int64_t log_start_offset = -1;
  std::vector<AbortedTransaction> aborted_transactions;
  // The response frame the records point into (shared by the partitions of one response).
  std::shared_ptr<const net::ResponseFrame> frame;
  protocol::ByteSpan records;
};

class FetchBuffer {
 public:
  // `on_drained` runs (on the polling thread) when a partition's data has all been handed out,
  // so the fetcher can fetch it again.
  explicit FetchBuffer(std::function<void()> on_drained) : on_drained_(std::move(on_drained)) {}

  // I/O thread: adds fetched data and wakes a waiting Poll.
  void Add(std::vector<CompletedFetch> fetches);
  // Whether data for `tp` is buffered or being handed out (the fetcher skips it).
  bool Holds(const TopicPartition& tp) const;

  // Polling thread: the next buffered fetch, marked as being handed out until Done(tp).
  std::optional<CompletedFetch> Take();
  void Done(const TopicPartition& tp);
  // Drops buffered data of partitions not in `keep` (after a rebalance or a seek).
  void Retain(const std::function<bool(const CompletedFetch&)>& keep);
  // Waits until data is buffered, `deadline` passes or Interrupt is called.
  void Wait(std::chrono::steady_clock::time_point deadline);
  void Interrupt();

 private:
  std::function<void()> on_drained_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<CompletedFetch> ready_;      // guarded by mu_
  std::set<TopicPartition> held_;         // buffered or being handed out; guarded by mu_
  bool interrupted_ = false;              // guarded by mu_
};

}  // namespace kclient::consumer
