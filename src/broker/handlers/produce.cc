// Produce: validates each partition's record batch the way Kafka 4.1 does and appends it to the
// partition leader's log, answering the base offset, log-append time and log start offset.
//
// Order of checks per partition, as in Kafka (KafkaApis.handleProduceRequest, then
// ReplicaManager.appendRecords/appendToLocalLog, Partition.appendRecordsToLeader,
// UnifiedLog.append/analyzeAndValidateRecords, LogValidator, ProducerAppendInfo):
//   1. the topic (by name, or by id from v13) and partition exist: UNKNOWN_TOPIC_OR_PARTITION /
//      UNKNOWN_TOPIC_ID. Produce never creates topics in Kafka 4 (only Metadata does).
//   2. the records hold exactly one magic-2 batch (ProduceRequest.validateRecords): INVALID_RECORD
//      for none, several, or an older magic; CORRUPT_MESSAGE for a batch size below 14 bytes or a
//      magic outside 0..2; UNSUPPORTED_COMPRESSION_TYPE for zstd before v7. Like Kafka's
//      ByteBufferLogInputStream, bytes after the batch too short to be a batch are ignored.
//   3. an injected fault for this partition (nothing is written).
//   4. acks is -1, 0 or 1: INVALID_REQUIRED_ACKS.
//   5. not an internal topic: INVALID_TOPIC_EXCEPTION; this broker leads: NOT_LEADER_OR_FOLLOWER
//      (with the current leader from v10, KIP-951); acks=-1 needs an ISR of at least
//      min(min.insync.replicas, replication factor): NOT_ENOUGH_REPLICAS, and nothing is written
//      (Partition.effectiveMinIsr; the cap is Kafka 3.7's, KAFKA-15583).
//   6. base offset 0 (INVALID_RECORD), size within max.message.bytes (MESSAGE_TOO_LARGE), CRC32C
//      (CORRUPT_MESSAGE), a known codec (Kafka's CompressionType.forId throws an
//      IllegalArgumentException, which surfaces as UNKNOWN_SERVER_ERROR).
//   7. LogValidator.validateBatch: a record count matching lastOffsetDelta + 1 and above zero,
//      no control batch from a client, a sequence for an idempotent batch: INVALID_RECORD.
//   8. every record decodes (INVALID_RECORD; CORRUPT_MESSAGE if the batch does not decompress),
//      has a key on a compacted topic (INVALID_RECORD) and a timestamp within
//      message.timestamp.{before,after}.max.ms (INVALID_TIMESTAMP), listed in record_errors.
//   9. the idempotent producer state (ProducerStateManager): a duplicate of one of the last five
//      batches is acknowledged with its original offsets and not written again;
//      INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER.
// Then the batch is appended with the partition's leader epoch. The max timestamp and the
// timestamp-type attribute are rewritten, with a new CRC, when the topic uses LogAppendTime or
// the producer's max timestamp was not its records' maximum (LogValidator's setMaxTimestamp).
//
// Replicas share the leader's log in-process, so an append is on every in-sync replica at once:
// the high watermark moves to the log end and acks=-1 answers immediately. Not modelled: Kafka
// 3.7+ holds the high watermark while the ISR is below the effective min ISR (the "strict min
// ISR" of maybeIncrementLeaderHW), so an acks=0/1 write to such a partition stays invisible to
// consumers until a follower rejoins; here it is visible at once. acks=0 gets no answer;
// if any partition failed the connection is closed instead, as Kafka does, so the producer
// notices.
//
// Versions: Kafka 4.1 advertises 0-13 but rejects 0-2 (KAFKA-18659: librdkafka needs to see 0
// advertised); so do we, by closing the connection.
//
// Thread-safety: loop thread only.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/cluster.h"
#include "broker/data_plane.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"
#include "util/crc32c.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

using protocol::ProduceRequest;
using protocol::ProduceResponse;

constexpr auto kProduceApiKey = static_cast<int16_t>(protocol::ProduceRequest::kApiKey);
// Kafka's LegacyRecord.RECORD_OVERHEAD_V0: the smallest size ByteBufferLogInputStream accepts.
constexpr int32_t kMinRecordOverhead = 14;
// DefaultRecordBatch's header is readable once this many bytes (up to the magic byte) are.
constexpr size_t kHeaderSizeUpToMagic = 17;

struct Outcome {
  ErrorCode error = ErrorCode::kNone;
  std::string message;
  int64_t base_offset = -1;
  int64_t log_append_time = -1;
  int64_t log_start_offset = -1;
  std::vector<ProduceResponse::BatchIndexAndErrorMessage> record_errors;
};

Outcome Fail(ErrorCode error, std::string message, int64_t log_start_offset = -1) {
  Outcome o;
  o.error = error;
  o.message = std::move(message);
  o.log_start_offset = log_start_offset;
  return o;
}

// The size of the next batch in `rest` as Kafka's ByteBufferLogInputStream.nextBatchSize sees
// it: 0 when `rest` is too short to hold one (the stream ends there), an error for a size below
// the minimum overhead or an impossible magic.
Result<size_t> NextBatchSize(std::span<const uint8_t> rest) {
  if (rest.size() < protocol::kBatchLogOverhead) return size_t{0};
  const auto length = static_cast<int32_t>(util::LoadBE32(rest.data() + protocol::kBatchLengthOffset));
  if (length < kMinRecordOverhead) {
    return Status(ErrorCode::kCorruptMessage, "record batch size " + std::to_string(length) +
                                                  " is less than the minimum record overhead (14)");
  }
  if (rest.size() < kHeaderSizeUpToMagic) return size_t{0};
  const auto magic = static_cast<int8_t>(rest[protocol::kMagicOffset]);
  if (magic < 0 || magic > protocol::kRecordBatchMagic) {
    return Status(ErrorCode::kCorruptMessage, "invalid magic " + std::to_string(magic) + " in record batch");
  }
  const size_t total = protocol::kBatchLogOverhead + static_cast<size_t>(length);
  return rest.size() < total ? size_t{0} : total;
}

// ProduceRequest.validateRecords (v3+): exactly one magic-2 batch.
Status SplitSingleBatch(std::span<const uint8_t> records, int16_t version, std::span<const uint8_t>* batch) {
  Result<size_t> first = NextBatchSize(records);
  if (!first.ok()) return first.status();
  if (*first == 0) {
    return Status(ErrorCode::kInvalidRecord, "produce requests must have at least one record batch per partition");
  }
  const auto magic = static_cast<int8_t>(records[protocol::kMagicOffset]);
  if (magic != protocol::kRecordBatchMagic) {
    return Status(ErrorCode::kInvalidRecord,
                  "produce requests with version " + std::to_string(version) +
                      " may only contain record batches with magic 2, not " + std::to_string(magic));
  }
  const auto codec = static_cast<int>(util::LoadBE16(records.data() + protocol::kAttributesOffset) &
                                      static_cast<uint16_t>(protocol::kCompressionMask));
  if (version < 7 && codec == static_cast<int>(CompressionType::kZstd)) {
    return Status(ErrorCode::kUnsupportedCompressionType,
                  "produce requests before version 7 may not use zstd compression");
  }
  Result<size_t> second = NextBatchSize(records.subspan(*first));
  if (!second.ok()) return second.status();
  if (*second != 0) {
    return Status(ErrorCode::kInvalidRecord, "produce requests may contain only one record batch per partition");
  }
  *batch = records.first(*first);
  return Status();
}

// now - ts, saturated instead of overflowing.
int64_t SaturatingDiff(int64_t now, int64_t ts) {
  int64_t d = 0;
  if (__builtin_sub_overflow(now, ts, &d)) {
    return ts < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
  }
  return d;
}

class PartitionAppender {
 public:
  PartitionAppender(Cluster& cluster, TopicState& topic, PartitionState& p, const TopicPolicy& policy,
                    std::span<const uint8_t> batch)
      : cluster_(cluster), topic_(topic), p_(p), policy_(policy), batch_(batch) {}

  Outcome Run() {
    const int64_t log_start = p_.log.log_start_offset();
    const auto base_offset = static_cast<int64_t>(util::LoadBE64(batch_.data()));
    // UnifiedLog.analyzeAndValidateRecords.
    if (base_offset != 0) {
      return Fail(ErrorCode::kInvalidRecord,
                  "the base offset of a produced record batch must be 0, not " + std::to_string(base_offset), log_start);
    }
    if (batch_.size() > static_cast<size_t>(policy_.max_message_bytes)) {
      return Fail(ErrorCode::kMessageTooLarge, "the record batch size " + std::to_string(batch_.size()) +
                                                   " exceeds max.message.bytes " +
                                                   std::to_string(policy_.max_message_bytes));
    }
    if (batch_.size() < static_cast<size_t>(protocol::kRecordBatchHeaderSize) || !protocol::VerifyBatchCrc(batch_)) {
      return Fail(ErrorCode::kCorruptMessage, "record batch CRC32C mismatch (or a batch shorter than its header)");
    }
    const auto attributes = static_cast<int16_t>(util::LoadBE16(batch_.data() + protocol::kAttributesOffset));
    if ((attributes & protocol::kCompressionMask) > static_cast<int16_t>(CompressionType::kZstd)) {
      return Fail(ErrorCode::kUnknownServerError,
                  "unknown compression type id " + std::to_string(attributes & protocol::kCompressionMask), log_start);
    }
    protocol::RecordBatchHeader h;
    ReadHeader(&h);
    // LogValidator.validateBatch.
    const int64_t count_from_offsets = static_cast<int64_t>(h.last_offset_delta) + 1;
    if (count_from_offsets <= 0) {
      return Fail(ErrorCode::kInvalidRecord, "record batch has an invalid offset range [0, " +
                                                 std::to_string(h.last_offset_delta) + "]", log_start);
    }
    if (h.record_count <= 0) {
      return Fail(ErrorCode::kInvalidRecord, "invalid record count " + std::to_string(h.record_count), log_start);
    }
    if (count_from_offsets != h.record_count) {
      return Fail(ErrorCode::kInvalidRecord, "inconsistent record batch offset range [0, " +
                                                 std::to_string(h.last_offset_delta) + "] and record count " +
                                                 std::to_string(h.record_count), log_start);
    }
    if (h.is_control()) {
      return Fail(ErrorCode::kInvalidRecord, "clients may not write control records", log_start);
    }
    const bool idempotent = h.producer_id >= 0;
    if (idempotent && h.base_sequence < 0) {
      return Fail(ErrorCode::kInvalidRecord, "invalid sequence number " + std::to_string(h.base_sequence) +
                                                 " for producer " + std::to_string(h.producer_id), log_start);
    }
    const int64_t now = cluster_.NowMs();
    int64_t records_max_ts = -1;
    if (Outcome o = ValidateRecords(h, now, &records_max_ts); o.error != ErrorCode::kNone) {
      o.log_start_offset = log_start;
      return o;
    }

    // Producer state (UnifiedLog.analyzeAndValidateProducerState).
    int32_t last_seq = -1;
    if (idempotent) {
      last_seq = ProducerStateManager::LastSequence(h.base_sequence, h.last_offset_delta);
      cluster_.producer_state().EnsureLoaded(topic_.id, p_.index, p_.log);
      ProducerStateManager::Verdict v = cluster_.producer_state().Check(topic_.id, p_.index, h.producer_id,
                                                                         h.producer_epoch, h.base_sequence, last_seq);
      if (v.duplicate) {
        // Kafka answers a duplicate with the original batch's offsets and, whatever the topic's
        // timestamp type, its stored max timestamp as the log-append time.
        Outcome o;
        o.base_offset = v.duplicate->first_offset;
        o.log_append_time = v.duplicate->timestamp;
        o.log_start_offset = log_start;
        return o;
      }
      if (v.error != ErrorCode::kNone) return Fail(v.error, v.message, log_start);
    }

    // LogValidator: the stored max timestamp and timestamp type.
    const int64_t max_ts = policy_.log_append_time ? now : records_max_ts;
    auto new_attributes = static_cast<int16_t>(policy_.log_append_time ? (attributes | protocol::kTimestampTypeLogAppend)
                                                                        : (attributes & ~protocol::kTimestampTypeLogAppend));
    std::span<const uint8_t> stored = batch_;
    util::ByteBuffer patched;
    if (max_ts != h.max_timestamp || new_attributes != attributes) {
      patched.Append(batch_);
      uint8_t* b = patched.data();
      util::StoreBE16(b + protocol::kAttributesOffset, static_cast<uint16_t>(new_attributes));
      util::StoreBE64(b + protocol::kMaxTimestampOffset, static_cast<uint64_t>(max_ts));
      util::StoreBE32(b + protocol::kCrcOffset,
                      util::Crc32c(b + protocol::kAttributesOffset, patched.size() - protocol::kAttributesOffset));
      stored = patched.span();
    }

    const int64_t base = p_.log.Append(stored, p_.leader_epoch);
    if (base < 0) {
      // A durable log could not write the batch; it is unchanged.
      return Fail(ErrorCode::kKafkaStorageError, std::string(p_.log.storage_error().message()));
    }
    // Every in-sync replica shares this log: the append is replicated as it happens.
    p_.log.set_high_watermark(p_.log.log_end_offset());
    if (idempotent) {
      ProducerStateManager::BatchMetadata meta;
      meta.first_seq = h.base_sequence;
      meta.last_seq = last_seq;
      meta.first_offset = base;
      meta.last_offset = base + h.last_offset_delta;
      meta.timestamp = max_ts;
      cluster_.producer_state().OnAppend(topic_.id, p_.index, h.producer_id, h.producer_epoch, meta);
    }
    cluster_.fetch_waiters().Wake(topic_.name, p_.index);
    Outcome o;
    o.base_offset = base;
    o.log_append_time = policy_.log_append_time ? now : -1;
    o.log_start_offset = p_.log.log_start_offset();
    return o;
  }

 private:
  void ReadHeader(protocol::RecordBatchHeader* h) const {
    *h = protocol::RecordBatchHeader::ReadFields(batch_);
    // Already checked, in Kafka's order, before the header is read as a whole.
    h->base_offset = 0;
    h->magic = protocol::kRecordBatchMagic;
  }

  // LogValidator's per-record pass. Sets *max_ts to the largest record timestamp.
  Outcome ValidateRecords(const protocol::RecordBatchHeader& h, int64_t now, int64_t* max_ts) {
    const size_t max_decompressed =
        std::max<size_t>(size_t{64} << 20, static_cast<size_t>(policy_.max_message_bytes) * 16);
    util::ByteBuffer scratch;
    protocol::RecordIterator it(h, batch_, &scratch, max_decompressed, /*verify_crc=*/false);
    if (!it.status().ok()) {
      // The records section does not decompress (Kafka fails such a batch while reading it).
      return Fail(ErrorCode::kCorruptMessage, "cannot decompress the record batch: " + std::string(it.status().message()));
    }
    protocol::Record record;
    std::vector<ProduceResponse::BatchIndexAndErrorMessage> errors;
    bool timestamp_error = false;
    int32_t index = 0;
    while (it.Next(&record)) {
      if (record.timestamp > *max_ts) *max_ts = record.timestamp;
      std::string problem;
      if (policy_.compact && !record.key) {
        problem = "compacted topic cannot accept a record without a key";
      } else if (!policy_.log_append_time && record.timestamp != -1) {
        const int64_t diff = SaturatingDiff(now, record.timestamp);
        if (diff > policy_.timestamp_before_max_ms ||
            (diff < 0 && (diff == std::numeric_limits<int64_t>::min() || -diff > policy_.timestamp_after_max_ms))) {
          problem = "timestamp " + std::to_string(record.timestamp) + " of record " + std::to_string(index) +
                    " is out of range (broker time " + std::to_string(now) + ")";
          timestamp_error = true;
        }
      } else if (h.log_append_time()) {
        problem = "producers should not set the timestamp type to LogAppendTime";
        timestamp_error = true;
      }
      if (!problem.empty()) {
        auto& e = errors.emplace_back();
        e.batch_index = index;
        e.batch_index_error_message = std::move(problem);
      }
      ++index;
    }
    if (!it.status().ok()) {
      // A record that does not parse is Kafka's InvalidRecordException.
      return Fail(ErrorCode::kInvalidRecord, std::string(it.status().message()));
    }
    if (index != h.record_count) {
      return Fail(ErrorCode::kInvalidRecord, "record batch declares " + std::to_string(h.record_count) +
                                                 " records but holds " + std::to_string(index));
    }
    if (errors.empty()) return Outcome();
    Outcome o;
    if (timestamp_error) {
      o.error = ErrorCode::kInvalidTimestamp;
      o.message = "One or more records have been rejected due to invalid timestamp";
    } else {
      o.error = ErrorCode::kInvalidRecord;
      o.message = "One or more records have been rejected due to " + std::to_string(errors.size()) +
                  " record errors in total";
    }
    o.record_errors = std::move(errors);
    return o;
  }

  Cluster& cluster_;
  TopicState& topic_;
  PartitionState& p_;
  const TopicPolicy& policy_;
  std::span<const uint8_t> batch_;
};

void HandleProduceRequest(RequestContext& ctx, ProduceRequest& request, Responder responder) {
  const int16_t version = ctx.version();
  if (version < 3) {
    // KAFKA-18659: advertised for librdkafka's sake, rejected when used.
    responder.CloseConnection("Produce v" + std::to_string(version) + " is not supported (v3 is the oldest)");
    return;
  }
  Cluster& cluster = *ctx.cluster;
  const bool valid_acks = request.acks == -1 || request.acks == 0 || request.acks == 1;
  const bool by_id = version >= 13;
  ProduceResponse response;
  bool any_error = false;
  std::set<int32_t> leaders_to_describe;

  for (const auto& td : request.topic_data) {
    auto& tr = response.responses.emplace_back();
    if (by_id) {
      tr.topic_id = td.topic_id;
    } else {
      tr.name = td.name;
    }
    TopicState* topic = by_id ? cluster.topics().FindById(td.topic_id) : cluster.topics().Find(td.name);
    const TopicPolicy policy = topic != nullptr ? TopicPolicy::For(cluster, *topic) : TopicPolicy();
    for (const auto& pd : td.partition_data) {
      auto& pr = tr.partition_responses.emplace_back();
      pr.index = pd.index;
      PartitionState* p = topic != nullptr ? topic->partition(pd.index) : nullptr;
      Outcome o;
      std::span<const uint8_t> batch;
      if (p == nullptr) {
        o = Fail(by_id && topic == nullptr ? ErrorCode::kUnknownTopicId : ErrorCode::kUnknownTopicOrPartition,
                 "this server does not host this topic-partition");
      } else if (Status s = SplitSingleBatch(pd.records ? pd.records->span() : std::span<const uint8_t>(), version,
                                             &batch);
                 !s.ok()) {
        o = Fail(s.code(), std::string(s.message()));
      } else if (auto injected = cluster.faults().empty()
                                     ? std::nullopt
                                     : cluster.faults().TakeError(kProduceApiKey, ctx.broker_id, topic->name, pd.index)) {
        o = Fail(*injected, "injected fault");
      } else if (!valid_acks) {
        o = Fail(ErrorCode::kInvalidRequiredAcks, "acks must be -1, 0 or 1");
      } else if (topic->internal) {
        o = Fail(ErrorCode::kInvalidTopicException, "cannot append to internal topic " + topic->name);
      } else if (p->leader != ctx.broker_id) {
        o = Fail(ErrorCode::kNotLeaderOrFollower, "broker " + std::to_string(ctx.broker_id) + " is not the leader");
        if (version >= 10) {
          pr.current_leader.leader_id = p->leader;
          pr.current_leader.leader_epoch = p->leader_epoch;
          if (p->leader != -1) leaders_to_describe.insert(p->leader);
        }
      } else if (request.acks == -1 && static_cast<int32_t>(p->isr.size()) < EffectiveMinIsr(policy, *p)) {
        o = Fail(ErrorCode::kNotEnoughReplicas,
                 "the in-sync replicas (" + std::to_string(p->isr.size()) + ") are fewer than min.insync.replicas (" +
                     std::to_string(EffectiveMinIsr(policy, *p)) + ")",
                 p->log.log_start_offset());
      } else {
        o = PartitionAppender(cluster, *topic, *p, policy, batch).Run();
      }
      pr.error_code = static_cast<int16_t>(o.error);
      pr.base_offset = o.base_offset;
      pr.log_append_time_ms = o.log_append_time;
      pr.log_start_offset = o.log_start_offset;
      if (o.error != ErrorCode::kNone) {
        any_error = true;
        if (version >= 8) {
          pr.error_message = o.message;
          pr.record_errors = std::move(o.record_errors);
        }
      }
    }
  }

  if (request.acks == 0) {
    if (any_error) {
      responder.CloseConnection("acks=0 produce failed for at least one partition");
    } else {
      responder.SendNothing();
    }
    return;
  }
  for (int32_t id : leaders_to_describe) {
    const Cluster::Broker* b = cluster.broker(id);
    if (b == nullptr || !b->running()) continue;
    auto& ne = response.node_endpoints.emplace_back();
    ne.node_id = id;
    ne.host = b->host;
    ne.port = b->port;
  }
  responder.Send(response);
}

}  // namespace

void HandleProduce(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<ProduceRequest, HandleProduceRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
