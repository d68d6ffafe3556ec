#include "protocol/record_batch.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "protocol/compression.h"
#include "util/crc32c.h"
#include "util/endian.h"
#include "util/varint.h"

namespace kclient::protocol {
namespace {

Status Corrupt(std::string why) { return Status(ErrorCode::kCorruptMessage, std::move(why)); }

// a + b with two's-complement wrap-around, as Java's long arithmetic.
int64_t WrappingAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

size_t BytesFieldSize(std::optional<ByteSpan> b) {
  if (!b) return static_cast<size_t>(util::VarintSize32(-1));
  return static_cast<size_t>(util::VarintSize32(static_cast<int32_t>(b->size()))) + b->size();
}

uint8_t* PutBytesField(uint8_t* p, std::optional<ByteSpan> b) {
  if (!b) return util::PutVarint32(p, -1);
  p = util::PutVarint32(p, static_cast<int32_t>(b->size()));
  if (!b->empty()) std::memcpy(p, b->data(), b->size());
  return p + b->size();
}

size_t RecordBodySize(int64_t timestamp_delta, int32_t offset_delta, std::optional<ByteSpan> key,
                      std::optional<ByteSpan> value, std::span<const RecordHeader> headers) {
  size_t n = 1;  // attributes
  n += static_cast<size_t>(util::VarintSize64(timestamp_delta));
  n += static_cast<size_t>(util::VarintSize32(offset_delta));
  n += BytesFieldSize(key);
  n += BytesFieldSize(value);
  n += static_cast<size_t>(util::VarintSize32(static_cast<int32_t>(headers.size())));
  for (const RecordHeader& h : headers) {
    n += BytesFieldSize(ByteSpan(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size()));
    n += BytesFieldSize(h.value);
  }
  return n;
}

}  // namespace

RecordBatchHeader RecordBatchHeader::ReadFields(ByteSpan batch) {
  const uint8_t* p = batch.data();
  RecordBatchHeader h;
  h.base_offset = static_cast<int64_t>(util::LoadBE64(p));
  h.batch_length = static_cast<int32_t>(util::LoadBE32(p + kBatchLengthOffset));
  h.partition_leader_epoch = static_cast<int32_t>(util::LoadBE32(p + kPartitionLeaderEpochOffset));
  h.magic = static_cast<int8_t>(p[kMagicOffset]);
  h.crc = util::LoadBE32(p + kCrcOffset);
  h.attributes = static_cast<int16_t>(util::LoadBE16(p + kAttributesOffset));
  h.last_offset_delta = static_cast<int32_t>(util::LoadBE32(p + kLastOffsetDeltaOffset));
  h.base_timestamp = static_cast<int64_t>(util::LoadBE64(p + kBaseTimestampOffset));
  h.max_timestamp = static_cast<int64_t>(util::LoadBE64(p + kMaxTimestampOffset));
  h.producer_id = static_cast<int64_t>(util::LoadBE64(p + kProducerIdOffset));
  h.producer_epoch = static_cast<int16_t>(util::LoadBE16(p + kProducerEpochOffset));
  h.base_sequence = static_cast<int32_t>(util::LoadBE32(p + kBaseSequenceOffset));
  h.record_count = static_cast<int32_t>(util::LoadBE32(p + kRecordCountOffset));
  return h;
}

Status RecordBatchHeader::Parse(ByteSpan batch, RecordBatchHeader* out) {
  if (batch.size() < static_cast<size_t>(kRecordBatchHeaderSize)) {
    return Corrupt("record batch shorter than its header");
  }
  const RecordBatchHeader h = ReadFields(batch);
  if (h.magic != kRecordBatchMagic) {
    return Corrupt("record batch magic " + std::to_string(h.magic) + " (only magic 2 is supported)");
  }
  if (h.batch_length < kRecordBatchHeaderSize - static_cast<int>(kBatchLogOverhead)) {
    return Corrupt("record batch length " + std::to_string(h.batch_length) + " is smaller than its header");
  }
  if (h.record_count < 0) return Corrupt("negative record count");
  if (h.record_count > 0 && h.last_offset_delta < h.record_count - 1) {
    return Corrupt("lastOffsetDelta " + std::to_string(h.last_offset_delta) + " is inconsistent with " +
                   std::to_string(h.record_count) + " records");
  }
  if (h.last_offset_delta < 0) return Corrupt("negative lastOffsetDelta");
  if (static_cast<int>(h.compression()) > static_cast<int>(CompressionType::kZstd)) {
    return Status(ErrorCode::kUnsupportedCompressionType,
                  "record batch compression codec " + std::to_string(h.attributes & kCompressionMask));
  }
  *out = h;
  return Status();
}

bool VerifyBatchCrc(ByteSpan batch) {
  if (batch.size() < static_cast<size_t>(kRecordBatchHeaderSize)) return false;
  const uint32_t stored = util::LoadBE32(batch.data() + kCrcOffset);
  return util::Crc32c(batch.data() + kAttributesOffset, batch.size() - kAttributesOffset) == stored;
}

void AssignBatchOffsets(std::span<uint8_t> batch, int64_t base_offset, int32_t partition_leader_epoch) {
  util::StoreBE64(batch.data(), static_cast<uint64_t>(base_offset));
  util::StoreBE32(batch.data() + kPartitionLeaderEpochOffset, static_cast<uint32_t>(partition_leader_epoch));
}

// ---- RecordBatchBuilder -------------------------------------------------------------------

void RecordBatchBuilder::Reset() {
  buffer_.clear();
  buffer_.resize(kRecordBatchHeaderSize);
  record_count_ = 0;
  sealed_ = nullptr;
  base_timestamp_ = 0;
  max_timestamp_ = 0;
}

size_t RecordBatchBuilder::RecordSize(int64_t timestamp_delta, int32_t offset_delta,
                                      std::optional<ByteSpan> key, std::optional<ByteSpan> value,
                                      std::span<const RecordHeader> headers) {
  const size_t body = RecordBodySize(timestamp_delta, offset_delta, key, value, headers);
  return static_cast<size_t>(util::VarintSize32(static_cast<int32_t>(body))) + body;
}

void RecordBatchBuilder::Append(int64_t timestamp, std::optional<ByteSpan> key,
                                std::optional<ByteSpan> value, std::span<const RecordHeader> headers) {
  if (record_count_ == 0) {
    base_timestamp_ = timestamp;
    max_timestamp_ = timestamp;
  }
  max_timestamp_ = std::max(max_timestamp_, timestamp);
  const int64_t ts_delta = timestamp - base_timestamp_;
  const int32_t offset_delta = record_count_;
  const size_t body = RecordBodySize(ts_delta, offset_delta, key, value, headers);
  uint8_t* p = buffer_.Extend(static_cast<size_t>(util::VarintSize32(static_cast<int32_t>(body))) + body);
  p = util::PutVarint32(p, static_cast<int32_t>(body));
  *p++ = 0;  // record attributes: unused
  p = util::PutVarint64(p, ts_delta);
  p = util::PutVarint32(p, offset_delta);
  p = PutBytesField(p, key);
  p = PutBytesField(p, value);
  p = util::PutVarint32(p, static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    p = PutBytesField(p, ByteSpan(reinterpret_cast<const uint8_t*>(h.key.data()), h.key.size()));
    p = PutBytesField(p, h.value);
  }
  ++record_count_;
}

Status RecordBatchBuilder::Finish(const Options& o, ByteSpan* batch) {
  util::ByteBuffer* out = &buffer_;
  if (o.compression != CompressionType::kNone) {
    compressed_.clear();
    compressed_.resize(kRecordBatchHeaderSize);
    const ByteSpan records(buffer_.data() + kRecordBatchHeaderSize, buffer_.size() - kRecordBatchHeaderSize);
    Status s = Compress(o.compression, o.compression_level, records, &compressed_);
    if (!s.ok()) return s;
    out = &compressed_;
  }
  int16_t attributes = static_cast<int16_t>(o.compression);
  if (o.log_append_time) attributes |= kTimestampTypeLogAppend;
  if (o.transactional) attributes |= kTransactionalFlag;
  if (o.control) attributes |= kControlFlag;
  uint8_t* p = out->data();
  util::StoreBE64(p, static_cast<uint64_t>(o.base_offset));
  util::StoreBE32(p + kBatchLengthOffset, static_cast<uint32_t>(out->size() - kBatchLogOverhead));
  util::StoreBE32(p + kPartitionLeaderEpochOffset, static_cast<uint32_t>(o.partition_leader_epoch));
  p[kMagicOffset] = static_cast<uint8_t>(kRecordBatchMagic);
  util::StoreBE16(p + kAttributesOffset, static_cast<uint16_t>(attributes));
  util::StoreBE32(p + kLastOffsetDeltaOffset, static_cast<uint32_t>(record_count_ > 0 ? record_count_ - 1 : 0));
  util::StoreBE64(p + kBaseTimestampOffset, static_cast<uint64_t>(base_timestamp_));
  util::StoreBE64(p + kMaxTimestampOffset, static_cast<uint64_t>(max_timestamp_));
  util::StoreBE64(p + kProducerIdOffset, static_cast<uint64_t>(o.producer_id));
  util::StoreBE16(p + kProducerEpochOffset, static_cast<uint16_t>(o.producer_epoch));
  util::StoreBE32(p + kBaseSequenceOffset, static_cast<uint32_t>(o.base_sequence));
  util::StoreBE32(p + kRecordCountOffset, static_cast<uint32_t>(record_count_));
  util::StoreBE32(p + kCrcOffset, util::Crc32c(p + kAttributesOffset, out->size() - kAttributesOffset));
  *batch = out->span();
  sealed_ = out;
  return Status();
}

void RecordBatchBuilder::Restamp(int64_t producer_id, int16_t producer_epoch, int32_t base_sequence) {
  assert(sealed_ != nullptr);
  uint8_t* p = sealed_->data();
  util::StoreBE64(p + kProducerIdOffset, static_cast<uint64_t>(producer_id));
  util::StoreBE16(p + kProducerEpochOffset, static_cast<uint16_t>(producer_epoch));
  util::StoreBE32(p + kBaseSequenceOffset, static_cast<uint32_t>(base_sequence));
  util::StoreBE32(p + kCrcOffset, util::Crc32c(p + kAttributesOffset, sealed_->size() - kAttributesOffset));
}

// ---- BatchIterator -------------------------------------------------------------------------

bool BatchIterator::Next(RecordBatchHeader* header, ByteSpan* batch) {
  if (!status_.ok() || rest_.empty()) return false;
  // A fetch may end inside a batch; the length field is enough to tell, once it is readable.
  if (rest_.size() >= kBatchLogOverhead) {
    const int32_t length = static_cast<int32_t>(util::LoadBE32(rest_.data() + kBatchLengthOffset));
    if (length < kRecordBatchHeaderSize - static_cast<int>(kBatchLogOverhead)) {
      status_ = Corrupt("record batch length " + std::to_string(length) + " is smaller than its header");
      return false;
    }
  }
  if (rest_.size() < static_cast<size_t>(kRecordBatchHeaderSize)) {
    truncated_ = true;
    return false;
  }
  const int32_t length = static_cast<int32_t>(util::LoadBE32(rest_.data() + kBatchLengthOffset));
  if (kBatchLogOverhead + static_cast<size_t>(length) > rest_.size()) {
    truncated_ = true;
    return false;
  }
  status_ = RecordBatchHeader::Parse(rest_, header);
  if (!status_.ok()) return false;
  *batch = rest_.first(header->size_in_bytes());
  rest_ = rest_.subspan(header->size_in_bytes());
  return true;
}

// ---- RecordIterator ------------------------------------------------------------------------

RecordIterator::RecordIterator(const RecordBatchHeader& header, ByteSpan batch, util::ByteBuffer* scratch,
                               size_t max_decompressed, bool verify_crc)
    : header_(header), remaining_(header.record_count) {
  if (batch.size() != header.size_in_bytes()) {
    status_ = Corrupt("record batch size does not match its length field");
    return;
  }
  if (verify_crc && !VerifyBatchCrc(batch)) {
    status_ = Corrupt("record batch CRC32C mismatch at base offset " + std::to_string(header.base_offset));
    return;
  }
  ByteSpan records = batch.subspan(kRecordBatchHeaderSize);
  if (header.compression() != CompressionType::kNone) {
    scratch->clear();
    status_ = Decompress(header.compression(), records, max_decompressed, scratch);
    if (!status_.ok()) return;
    records = scratch->span();
  }
  pos_ = records.data();
  end_ = records.data() + records.size();
}

void RecordIterator::Fail(const char* why) {
  status_ = Corrupt(std::string(why) + " in the record batch at base offset " + std::to_string(header_.base_offset));
  remaining_ = 0;
}

namespace {

// Reads a varint-length-prefixed byte field; -1 is null.
bool ReadBytesField(const uint8_t*& p, const uint8_t* end, std::optional<ByteSpan>* out) {
  int32_t n = 0;
  p = util::GetVarint32(p, end, &n);
  if (p == nullptr || n < -1) return false;
  if (n == -1) {
    out->reset();
    return true;
  }
  if (static_cast<size_t>(end - p) < static_cast<size_t>(n)) return false;
  *out = ByteSpan(p, static_cast<size_t>(n));
  p += n;
  return true;
}

}  // namespace

bool RecordIterator::Next(Record* out) {
  if (!status_.ok() || remaining_ <= 0) {
    if (status_.ok() && pos_ != end_ && remaining_ == 0) {
      Fail("bytes left after the last record");
      pos_ = end_;
    }
    return false;
  }
  const uint8_t* p = pos_;
  int32_t length = 0;
  p = util::GetVarint32(p, end_, &length);
  if (p == nullptr || length < 0 || static_cast<size_t>(end_ - p) < static_cast<size_t>(length)) {
    Fail("truncated record");
    return false;
  }
  const uint8_t* record_end = p + length;
  if (p == record_end) {
    Fail("empty record");
    return false;
  }
  ++p;  // attributes
  int64_t ts_delta = 0;
  int32_t offset_delta = 0;
  int32_t header_count = 0;
  if ((p = util::GetVarint64(p, record_end, &ts_delta)) == nullptr ||
      (p = util::GetVarint32(p, record_end, &offset_delta)) == nullptr ||
      !ReadBytesField(p, record_end, &out->key) || !ReadBytesField(p, record_end, &out->value) ||
      (p = util::GetVarint32(p, record_end, &header_count)) == nullptr || header_count < 0 ||
      header_count > record_end - p) {
    Fail("malformed record");
    return false;
  }
  out->headers.clear();
  for (int32_t i = 0; i < header_count; ++i) {
    std::optional<ByteSpan> key;
    RecordHeader h;
    if (!ReadBytesField(p, record_end, &key) || !key || !ReadBytesField(p, record_end, &h.value)) {
      Fail("malformed record header");
      return false;
    }
    h.key = std::string_view(reinterpret_cast<const char*>(key->data()), key->size());
    out->headers.push_back(h);
  }
  if (p != record_end) {
    Fail("record length does not match its fields");
    return false;
  }
  if (offset_delta < 0 || offset_delta > header_.last_offset_delta) {
    Fail("record offset delta outside the batch");
    return false;
  }
  // Wrapping additions, as Java's longs: a corrupt or hostile batch near the end of the int64
  // range must not be undefined behaviour.
  out->offset = WrappingAdd(header_.base_offset, offset_delta);
  out->timestamp = header_.log_append_time() ? header_.max_timestamp : WrappingAdd(header_.base_timestamp, ts_delta);
  pos_ = record_end;
  --remaining_;
  return true;
}

std::optional<ControlType> ParseControlRecordKey(ByteSpan key) {
  if (key.size() < 4) return std::nullopt;
  const int16_t type = static_cast<int16_t>(util::LoadBE16(key.data() + 2));
  if (type != 0 && type != 1) return std::nullopt;
  return static_cast<ControlType>(type);
}

}  // namespace kclient::protocol
