// FetchCollector: turns fetched partition data into the records Poll returns, on the polling
// thread. It walks batches without copying payloads (records are views into the response frame,
// or into a batch's decompressed bytes, both kept alive by the ConsumerRecords), skips what is
// below the position, control batches and (read_committed) aborted transactions, verifies CRCs
// (check.crcs), and advances positions as records are handed out.
//
// Thread-safety: the polling thread only.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "consumer/fetch_buffer.h"
#include "consumer/subscription_state.h"
#include "kclient/consumer_options.h"
#include "kclient/consumer_record.h"
#include "util/byte_buffer.h"

namespace kclient::consumer {

class FetchCollector {
 public:
  FetchCollector(SubscriptionState* subscriptions, FetchBuffer* buffer, const ConsumerOptions& options);
  ~FetchCollector();
  FetchCollector(const FetchCollector&) = delete;
  FetchCollector& operator=(const FetchCollector&) = delete;

  // Appends up to `max_records` records to `out`. An error (a corrupt batch, an offset out of
  // range with auto.offset.reset=none, a partition error) is returned after the records before
  // it; the partition's position stays at the record that could not be read.
  Status Collect(size_t max_records, ConsumerRecords* out);
  // Forgets the partition being handed out (its assignment or position changed).
  void Reset();

 private:
  struct InProgress;
  // Next record of the current fetch into `out`; false when the fetch is used up or failed.
  bool NextRecord(ConsumerRecords* out, Status* error);
  void FinishCurrent();

  SubscriptionState* subscriptions_;
  FetchBuffer* buffer_;
  const ConsumerOptions& options_;
  std::unique_ptr<InProgress> current_;
};

}  // namespace kclient::consumer
