// Idempotent and transactional producer state: which producer ids exist, which epoch each
// transactional id is at, and, per partition and producer id, the epoch and the last five batches
// appended, so that a retried batch is recognised and acknowledged instead of written twice.
//
//   ProducerIdManager     allocates producer ids and runs InitProducerId's epoch logic for
//                         transactional ids (Kafka's TransactionCoordinator.handleInitProducerId,
//                         minus the transactions themselves).
//   ProducerStateManager  per (topic id, partition) per producer id: epoch and the last five batch
//                         sequences (Kafka's ProducerStateManager / ProducerStateEntry /
//                         ProducerAppendInfo).
//
// The replicas of a partition share the leader's log in-process, so they share this state too: a
// new leader knows every sequence the old one accepted, as a Kafka follower would after replaying
// the log. A partition's state is rebuilt from its log the first time it is needed (a durable
// log recovered at start holds batches this process never validated), as Kafka replays the log.
//
// Thread-safety: loop thread only (owned by the Cluster).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "broker/log/partition_log.h"
#include "kclient/error_code.h"
#include "kclient/uuid.h"

namespace kclient::broker {

// Kafka's transaction.max.timeout.ms default.
inline constexpr int32_t kTransactionMaxTimeoutMs = 900000;

class ProducerIdManager {
 public:
  struct InitResult {
    ErrorCode error = ErrorCode::kNone;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
  };

  // A fresh producer id (idempotent producers get a new one on every InitProducerId, as in Kafka).
  int64_t Next() { return next_producer_id_++; }

  // InitProducerId for a transactional id. `expected_id` / `expected_epoch` are the request's
  // producer id and epoch (-1 / -1 when the client has none, versions before 3 always). Returns
  // PRODUCER_FENCED for a stale producer (the handler maps it to INVALID_PRODUCER_EPOCH before
  // v4), INVALID_TRANSACTION_TIMEOUT for a timeout outside (0, transaction.max.timeout.ms].
  InitResult InitTransactional(const std::string& transactional_id, int32_t timeout_ms, int64_t expected_id,
                               int16_t expected_epoch);

  struct TransactionalIdState {
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int64_t previous_producer_id = -1;  // set when the epoch ran out and a new id was allocated
    int16_t last_producer_epoch = -1;   // the epoch before the last bump (retry detection)
    int32_t timeout_ms = 0;
  };
  // The state of a transactional id, or nullptr (for the transactions work to build on).
  const TransactionalIdState* Find(const std::string& transactional_id) const;

 private:
  int64_t next_producer_id_ = 1000;
  std::map<std::string, TransactionalIdState, std::less<>> transactional_ids_;
};

class ProducerStateManager {
 public:
  // Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN.
  static constexpr size_t kBatchesToRetain = 5;

  struct BatchMetadata {
    int32_t first_seq = -1;
    int32_t last_seq = -1;
    int64_t first_offset = -1;
    int64_t last_offset = -1;
    int64_t timestamp = -1;  // the batch's max timestamp as stored
  };

  // What an idempotent batch may do: be appended, be acknowledged as a duplicate of `duplicate`,
  // or fail with `error` (INVALID_PRODUCER_EPOCH or OUT_OF_ORDER_SEQUENCE_NUMBER).
  struct Verdict {
    ErrorCode error = ErrorCode::kNone;
    std::string message;
    std::optional<BatchMetadata> duplicate;
  };

  // Validates a batch of producer `producer_id` (>= 0) before it is appended to topic-partition.
  // Follows Kafka 4.1's UnifiedLog.analyzeAndValidateProducerState for client appends: a batch
  // whose epoch and sequence range equal one of the last five is a duplicate; an older epoch is
  // INVALID_PRODUCER_EPOCH; a newer epoch must start at sequence 0; the same epoch must continue
  // the last sequence; a producer with no state here may start anywhere.
  Verdict Check(const Uuid& topic, int32_t partition, int64_t producer_id, int16_t epoch, int32_t first_seq,
                int32_t last_seq) const;
  // Rebuilds the state of topic-partition from `log` unless that was done before: every
  // idempotent data batch in it, in order. Call before Check.
  void EnsureLoaded(const Uuid& topic, int32_t partition, const PartitionLog& log);
  // Records an appended batch (after Check allowed it).
  void OnAppend(const Uuid& topic, int32_t partition, int64_t producer_id, int16_t epoch,
                const BatchMetadata& batch);
  // Forgets the producers of every partition of `topic` (a deleted topic).
  void ForgetTopic(const Uuid& topic);

  // The last sequence of a batch starting at `base_sequence` with `last_offset_delta`, wrapping
  // past INT32_MAX to 0 as Kafka's DefaultRecordBatch.incrementSequence does.
  static int32_t LastSequence(int32_t base_sequence, int32_t last_offset_delta);

 private:
  struct Entry {
    int16_t epoch = -1;
    std::deque<BatchMetadata> batches;  // oldest first, at most kBatchesToRetain
  };
  using PartitionKey = std::pair<std::pair<uint64_t, uint64_t>, int32_t>;
  static PartitionKey Key(const Uuid& topic, int32_t partition) { return {{topic.high, topic.low}, partition}; }

  std::map<PartitionKey, std::map<int64_t, Entry>> partitions_;
  std::set<PartitionKey> loaded_;
};

}  // namespace kclient::broker
