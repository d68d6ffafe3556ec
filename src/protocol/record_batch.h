// Kafka record batches (magic 2): the unit producers send, brokers store and consumers fetch.
//
//   RecordBatchBuilder  appends records in their wire form, then compresses and seals the batch
//                       (attributes, CRC32C) in place.
//   RecordBatchHeader   the fixed 61-byte header, parsed and validated.
//   BatchIterator       walks the concatenated batches of a `records` field, tolerating the
//                       partial batch a fetch may end with.
//   RecordIterator      walks the records of one batch, decompressing once, without copying
//                       keys, values or headers.
//
// Every decoder checks bounds and returns a Status; none trusts a length it has not checked.
// Thread-safety: none; each instance belongs to one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "kclient/compression.h"
#include "kclient/status.h"
#include "util/byte_buffer.h"

namespace kclient::protocol {

using ByteSpan = std::span<const uint8_t>;

inline constexpr int kRecordBatchHeaderSize = 61;
inline constexpr int8_t kRecordBatchMagic = 2;
// Offsets of header fields inside a batch.
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kPartitionLeaderEpochOffset = 12;
inline constexpr size_t kMagicOffset = 16;
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;  // the CRC covers from here to the end
inline constexpr size_t kLastOffsetDeltaOffset = 23;
inline constexpr size_t kBaseTimestampOffset = 27;
inline constexpr size_t kMaxTimestampOffset = 35;
inline constexpr size_t kProducerIdOffset = 43;
inline constexpr size_t kProducerEpochOffset = 51;
inline constexpr size_t kBaseSequenceOffset = 53;
inline constexpr size_t kRecordCountOffset = 57;
// baseOffset and batchLength precede what batchLength counts.
inline constexpr size_t kBatchLogOverhead = 12;

// Attribute bits.
inline constexpr int16_t kCompressionMask = 0x07;
inline constexpr int16_t kTimestampTypeLogAppend = 0x08;
inline constexpr int16_t kTransactionalFlag = 0x10;
inline constexpr int16_t kControlFlag = 0x20;
inline constexpr int16_t kDeleteHorizonFlag = 0x40;

inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;

struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after this field
  int32_t partition_leader_epoch = -1;
  int8_t magic = kRecordBatchMagic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t record_count = 0;

  CompressionType compression() const { return static_cast<CompressionType>(attributes & kCompressionMask); }
  bool is_transactional() const { return (attributes & kTransactionalFlag) != 0; }
  bool is_control() const { return (attributes & kControlFlag) != 0; }
  bool log_append_time() const { return (attributes & kTimestampTypeLogAppend) != 0; }
  // Total size on the wire, header included.
  size_t size_in_bytes() const { return kBatchLogOverhead + static_cast<size_t>(batch_length); }
  int64_t last_offset() const { return base_offset + last_offset_delta; }

  // Reads every header field of `batch`, which must hold at least kRecordBatchHeaderSize bytes,
  // without judging any of them (for callers that validate in an order of their own).
  static RecordBatchHeader ReadFields(ByteSpan batch);

  // Parses and validates the header at the start of `batch` (which may extend beyond it):
  // magic 2, a batch length that covers the header, a record count that is not negative and a
  // lastOffsetDelta consistent with it. Does not check the CRC.
  static Status Parse(ByteSpan batch, RecordBatchHeader* out);
};

// Whether the CRC32C stored in `batch` (one whole batch) matches its contents.
bool VerifyBatchCrc(ByteSpan batch);
// Rewrites the fields a broker assigns on append (base offset, leader epoch); they sit outside
// the CRC so the checksum stays valid.
void AssignBatchOffsets(std::span<uint8_t> batch, int64_t base_offset, int32_t partition_leader_epoch);

struct RecordHeader {
  std::string_view key;
  std::optional<ByteSpan> value;
};

// One record inside a batch; the spans point into the batch (or its decompressed records).
struct Record {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<ByteSpan> key;
  std::optional<ByteSpan> value;
  std::vector<RecordHeader> headers;  // reused across RecordIterator::Next calls
};

// Builds one batch. Append writes each record straight into its wire form; Finish compresses the
// records section if asked and fills in the header and CRC. Reusable after Reset.
class RecordBatchBuilder {
 public:
  struct Options {
    CompressionType compression = CompressionType::kNone;
    int compression_level = INT32_MIN;  // the codec's default
    int64_t producer_id = kNoProducerId;
    int16_t producer_epoch = kNoProducerEpoch;
    int32_t base_sequence = kNoSequence;
    bool transactional = false;
    bool control = false;
    bool log_append_time = false;
    int32_t partition_leader_epoch = -1;
    int64_t base_offset = 0;
  };

  RecordBatchBuilder() { Reset(); }

  // Starts a new, empty batch.
  void Reset();

  // Appends a record. Timestamps are milliseconds since the epoch.
  void Append(int64_t timestamp, std::optional<ByteSpan> key, std::optional<ByteSpan> value,
              std::span<const RecordHeader> headers = {});

  int32_t record_count() const { return record_count_; }
  // The first record's timestamp, which later records are stored relative to (0 while empty).
  int64_t base_timestamp() const { return base_timestamp_; }
  // Bytes the batch would take uncompressed (header included): what batch.size compares to.
  size_t estimated_size() const { return buffer_.size(); }
  // Exact uncompressed size the next Append would add.
  static size_t RecordSize(int64_t timestamp_delta, int32_t offset_delta, std::optional<ByteSpan> key,
                           std::optional<ByteSpan> value, std::span<const RecordHeader> headers);

  // Seals the batch and returns its bytes (valid until the next Reset or Append).
  Status Finish(const Options& options, ByteSpan* batch);

  // After Finish: rewrites the sealed batch's producer id, epoch and base sequence, and its CRC
  // (a producer resending the batch under a new producer id).
  void Restamp(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence);

 private:
  util::ByteBuffer buffer_;      // header placeholder + uncompressed records
  util::ByteBuffer compressed_;  // header + compressed records, when compressing
  util::ByteBuffer* sealed_ = nullptr;  // what the last Finish sealed: buffer_ or compressed_
  int32_t record_count_ = 0;
  int64_t base_timestamp_ = 0;
  int64_t max_timestamp_ = 0;
};

// Walks the batches in a `records` field. A final batch cut short by the fetch size limit is not
// an error: it ends the iteration and `truncated()` says so.
class BatchIterator {
 public:
  explicit BatchIterator(ByteSpan records) : rest_(records) {}

  // Yields the next whole batch; false at the end or on error (see status()).
  bool Next(RecordBatchHeader* header, ByteSpan* batch);
  const Status& status() const { return status_; }
  bool truncated() const { return truncated_; }

 private:
  ByteSpan rest_;
  Status status_;
  bool truncated_ = false;
};

// Walks the records of one batch. Decompresses into `scratch` (at most `max_decompressed`
// bytes) once, up front. Record spans stay valid while both the batch and scratch do.
class RecordIterator {
 public:
  // `batch` is one whole batch as BatchIterator yields it. With verify_crc, a checksum mismatch
  // is reported as CORRUPT_MESSAGE before any record is read.
  RecordIterator(const RecordBatchHeader& header, ByteSpan batch, util::ByteBuffer* scratch,
                 size_t max_decompressed, bool verify_crc = true);

  // Fills `out` with the next record; false at the end or on error (see status()). Bytes left
  // over after the last record are reported by the call that returns false, so check status()
  // only once Next has returned false.
  bool Next(Record* out);
  const Status& status() const { return status_; }

 private:
  void Fail(const char* why);

  RecordBatchHeader header_;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  int32_t remaining_ = 0;
  Status status_;
};

// Control records (commit/abort markers written by transaction coordinators).
enum class ControlType : int16_t { kAbort = 0, kCommit = 1 };
// Reads the control type from a control record's key; std::nullopt if malformed.
std::optional<ControlType> ParseControlRecordKey(ByteSpan key);

}  // namespace kclient::protocol
