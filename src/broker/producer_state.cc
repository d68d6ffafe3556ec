#include "broker/producer_state.h"

#include <limits>

#include "protocol/record_batch.h"

namespace kclient::broker {
namespace {

constexpr int16_t kNoEpoch = -1;

// Kafka's TransactionMetadata.isEpochExhausted: the last epoch a producer id can be bumped to
// leaves room for one fencing bump.
bool EpochExhausted(int16_t epoch) { return epoch >= std::numeric_limits<int16_t>::max() - 1; }

bool InSequence(int32_t last_seq, int32_t next_seq) {
  return static_cast<int64_t>(next_seq) == static_cast<int64_t>(last_seq) + 1 ||
         (next_seq == 0 && last_seq == std::numeric_limits<int32_t>::max());
}

}  // namespace

// ---- ProducerIdManager ---------------------------------------------------------------------

ProducerIdManager::InitResult ProducerIdManager::InitTransactional(const std::string& transactional_id,
                                                                   int32_t timeout_ms, int64_t expected_id,
                                                                   int16_t expected_epoch) {
  InitResult result;
  if (timeout_ms <= 0 || timeout_ms > kTransactionMaxTimeoutMs) {
    result.error = ErrorCode::kInvalidTransactionTimeout;
    return result;
  }
  auto [it, created] = transactional_ids_.try_emplace(transactional_id);
  TransactionalIdState& s = it->second;
  if (created) s.producer_id = Next();
  const bool has_expected = expected_id != -1;

  // TransactionCoordinator.prepareInitProducerIdTransit: a request naming a producer fences
  // itself unless the metadata was just created, it names the current id, or it names the
  // previous id at an exhausted epoch (a retry after a rotation it never heard about).
  if (has_expected) {
    const bool valid = s.producer_epoch == kNoEpoch || expected_id == s.producer_id ||
                       (expected_id == s.previous_producer_id && EpochExhausted(expected_epoch));
    if (!valid) {
      result.error = ErrorCode::kProducerFenced;
      return result;
    }
  }
  // Transactions are not served yet, so the state is always Empty/Complete* here: no ongoing
  // transaction to abort and no CONCURRENT_TRANSACTIONS.
  if (EpochExhausted(s.producer_epoch) && (!has_expected || expected_epoch == s.producer_epoch)) {
    // prepareProducerIdRotation: a new id at epoch 0, remembering the old one.
    s.previous_producer_id = has_expected ? s.producer_id : -1;
    s.last_producer_epoch = has_expected ? s.producer_epoch : kNoEpoch;
    s.producer_id = Next();
    s.producer_epoch = 0;
  } else {
    // prepareIncrementProducerEpoch.
    const auto bumped = static_cast<int16_t>(s.producer_epoch + 1);
    if (!has_expected) {
      s.last_producer_epoch = kNoEpoch;
      s.producer_epoch = bumped;
    } else if (s.producer_epoch == kNoEpoch || expected_epoch == s.producer_epoch) {
      s.last_producer_epoch = s.producer_epoch;
      s.producer_epoch = bumped;
    } else if (expected_epoch == s.last_producer_epoch) {
      // A retry of a bump that succeeded: answer the current epoch again.
    } else {
      result.error = ErrorCode::kProducerFenced;
      return result;
    }
  }
  s.timeout_ms = timeout_ms;
  result.producer_id = s.producer_id;
  result.producer_epoch = s.producer_epoch;
  return result;
}

const ProducerIdManager::TransactionalIdState* ProducerIdManager::Find(const std::string& transactional_id) const {
  auto it = transactional_ids_.find(transactional_id);
  return it == transactional_ids_.end() ? nullptr : &it->second;
}

// ---- ProducerStateManager ------------------------------------------------------------------

int32_t ProducerStateManager::LastSequence(int32_t base_sequence, int32_t last_offset_delta) {
  if (base_sequence > std::numeric_limits<int32_t>::max() - last_offset_delta) {
    return last_offset_delta - (std::numeric_limits<int32_t>::max() - base_sequence) - 1;
  }
  return base_sequence + last_offset_delta;
}

ProducerStateManager::Verdict ProducerStateManager::Check(const Uuid& topic, int32_t partition, int64_t producer_id,
                                                          int16_t epoch, int32_t first_seq, int32_t last_seq) const {
  Verdict v;
  auto pit = partitions_.find(Key(topic, partition));
  if (pit == partitions_.end()) return v;
  auto eit = pit->second.find(producer_id);
  if (eit == pit->second.end()) return v;  // no state: any sequence starts it (KIP-360)
  const Entry& e = eit->second;

  // ProducerStateEntry.findDuplicateBatch: same epoch and exactly the sequence range of one of
  // the retained batches.
  if (epoch == e.epoch) {
    for (const BatchMetadata& b : e.batches) {
      if (b.first_seq == first_seq && b.last_seq == last_seq) {
        v.duplicate = b;
        return v;
      }
    }
  }
  // ProducerAppendInfo.checkProducerEpoch (data batches): an older epoch is fenced.
  if (epoch < e.epoch) {
    v.error = ErrorCode::kInvalidProducerEpoch;
    v.message = "producer " + std::to_string(producer_id) + " epoch " + std::to_string(epoch) +
                " is older than the last seen epoch " + std::to_string(e.epoch);
    return v;
  }
  // ProducerAppendInfo.checkSequence.
  if (epoch != e.epoch) {
    if (first_seq != 0 && e.epoch != kNoEpoch) {
      v.error = ErrorCode::kOutOfOrderSequenceNumber;
      v.message = "producer " + std::to_string(producer_id) + " started epoch " + std::to_string(epoch) +
                  " at sequence " + std::to_string(first_seq) + " instead of 0";
    }
    return v;
  }
  const int32_t last = e.batches.empty() ? -1 : e.batches.back().last_seq;
  if (e.epoch != kNoEpoch && !InSequence(last, first_seq)) {
    v.error = ErrorCode::kOutOfOrderSequenceNumber;
    v.message = "producer " + std::to_string(producer_id) + " sent sequence " + std::to_string(first_seq) +
                " after " + std::to_string(last);
  }
  return v;
}

void ProducerStateManager::EnsureLoaded(const Uuid& topic, int32_t partition, const PartitionLog& log) {
  if (!loaded_.insert(Key(topic, partition)).second) return;
  for (const PartitionLog::BatchEntry& e : log.batches()) {
    std::span<const uint8_t> bytes = log.Read(e.base_offset, 0, /*at_least_one=*/true, std::numeric_limits<int64_t>::max());
    protocol::RecordBatchHeader h;
    if (!protocol::RecordBatchHeader::Parse(bytes, &h).ok()) continue;
    if (h.producer_id < 0 || h.is_control()) continue;
    BatchMetadata b;
    b.first_seq = h.base_sequence;
    b.last_seq = LastSequence(h.base_sequence, h.last_offset_delta);
    b.first_offset = h.base_offset;
    b.last_offset = h.last_offset();
    b.timestamp = h.max_timestamp;
    OnAppend(topic, partition, h.producer_id, h.producer_epoch, b);
  }
}

void ProducerStateManager::OnAppend(const Uuid& topic, int32_t partition, int64_t producer_id, int16_t epoch,
                                    const BatchMetadata& batch) {
  Entry& e = partitions_[Key(topic, partition)][producer_id];
  if (e.epoch != epoch) {
    // ProducerStateEntry.maybeUpdateProducerEpoch: a new epoch starts with no batches.
    e.batches.clear();
    e.epoch = epoch;
  }
  if (e.batches.size() == kBatchesToRetain) e.batches.pop_front();
  e.batches.push_back(batch);
}

void ProducerStateManager::ForgetTopic(const Uuid& topic) {
  auto it = partitions_.lower_bound(Key(topic, std::numeric_limits<int32_t>::min()));
  while (it != partitions_.end() && it->first.first == std::make_pair(topic.high, topic.low)) it = partitions_.erase(it);
  std::erase_if(loaded_, [&](const PartitionKey& k) { return k.first == std::make_pair(topic.high, topic.low); });
}

}  // namespace kclient::broker
