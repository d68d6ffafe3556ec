// Reader and Writer: Kafka's primitive wire encodings, in symmetric pairs.
//
// Both carry a sticky error: after the first failure every read returns a zero value and every
// write is dropped, so generated code reads or writes a whole message straight through and checks
// once at the end. Reader never reads past its end and never allocates more than the bytes it has
// left can justify, whatever a length prefix claims.
//
// Thread-safety: none; each instance belongs to the one thread decoding or encoding.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/status.h"
#include "protocol/types.h"
#include "util/byte_buffer.h"
#include "util/endian.h"
#include "util/varint.h"

namespace kclient::protocol {

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : pos_(data), end_(data + size) {}
  explicit Reader(std::span<const uint8_t> s) : Reader(s.data(), s.size()) {}

  bool ok() const { return error_ == nullptr; }
  // What went wrong first, or nullptr.
  const char* error() const { return error_; }
  size_t remaining() const { return static_cast<size_t>(end_ - pos_); }
  const uint8_t* position() const { return pos_; }

  // Marks the input malformed; `why` must be a string literal.
  void Fail(const char* why) {
    if (error_ == nullptr) error_ = why;
    pos_ = end_;
  }
  // ok(), or kLocalMalformed naming the first failure and `what` was being decoded.
  Status status(std::string_view what) const;

  int8_t ReadInt8() { return static_cast<int8_t>(ReadFixed<uint8_t, 1>()); }
  int16_t ReadInt16() { return static_cast<int16_t>(ReadFixed<uint16_t, 2>()); }
  uint16_t ReadUint16() { return ReadFixed<uint16_t, 2>(); }
  int32_t ReadInt32() { return static_cast<int32_t>(ReadFixed<uint32_t, 4>()); }
  uint32_t ReadUint32() { return ReadFixed<uint32_t, 4>(); }
  int64_t ReadInt64() { return static_cast<int64_t>(ReadFixed<uint64_t, 8>()); }
  double ReadFloat64();
  bool ReadBool() { return ReadInt8() != 0; }
  Uuid ReadUuid();

  uint32_t ReadUvarint32();
  int32_t ReadVarint32();
  int64_t ReadVarint64();

  // Reads `n` raw bytes as a view into the input.
  std::span<const uint8_t> ReadSpan(size_t n);
  void Skip(size_t n) { ReadSpan(n); }

  // Lengths. A result of -1 means null; anything else is a validated count no larger than what
  // is left of the input. After a failure they return 0 (and the reader stays failed).
  int32_t ReadStringLength(bool compact);
  int32_t ReadBytesLength(bool compact);
  int32_t ReadArrayLength(bool compact);

  // Whole values. A null where `nullable` is false fails the reader.
  std::string ReadString(bool compact);
  std::optional<std::string> ReadNullableString(bool compact);
  Bytes ReadBytes(bool compact);
  std::optional<Bytes> ReadNullableBytes(bool compact);
  RecordsView ReadRecords(bool compact);
  std::optional<RecordsView> ReadNullableRecords(bool compact);

 private:
  template <typename T, size_t N>
  T ReadFixed() {
    if (remaining() < N) {
      Fail("truncated");
      return 0;
    }
    T v;
    if constexpr (N == 1) {
      v = *pos_;
    } else if constexpr (N == 2) {
      v = util::LoadBE16(pos_);
    } else if constexpr (N == 4) {
      v = util::LoadBE32(pos_);
    } else {
      v = util::LoadBE64(pos_);
    }
    pos_ += N;
    return v;
  }
  int32_t ReadLength(bool compact);

  const uint8_t* pos_;
  const uint8_t* end_;
  const char* error_ = nullptr;
};

class Writer {
 public:
  explicit Writer(util::ByteBuffer* out) : out_(out) {}

  bool ok() const { return error_.empty(); }
  // ok(), or kLocalInvalidArgument saying what could not be encoded.
  Status status() const;
  // Records that the message cannot be encoded at this version (first failure wins).
  void Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
  }
  util::ByteBuffer* buffer() { return out_; }
  size_t size() const { return out_->size(); }

  void WriteInt8(int8_t v) { out_->push_back(static_cast<uint8_t>(v)); }
  void WriteInt16(int16_t v) { util::StoreBE16(out_->Extend(2), static_cast<uint16_t>(v)); }
  void WriteUint16(uint16_t v) { util::StoreBE16(out_->Extend(2), v); }
  void WriteInt32(int32_t v) { util::StoreBE32(out_->Extend(4), static_cast<uint32_t>(v)); }
  void WriteUint32(uint32_t v) { util::StoreBE32(out_->Extend(4), v); }
  void WriteInt64(int64_t v) { util::StoreBE64(out_->Extend(8), static_cast<uint64_t>(v)); }
  void WriteFloat64(double v);
  void WriteBool(bool v) { WriteInt8(v ? 1 : 0); }
  void WriteUuid(const Uuid& v) {
    WriteInt64(static_cast<int64_t>(v.high));
    WriteInt64(static_cast<int64_t>(v.low));
  }
  void WriteUvarint32(uint32_t v);
  void WriteVarint32(int32_t v);
  void WriteVarint64(int64_t v);
  void WriteRaw(const void* p, size_t n) { out_->Append(p, n); }

  // Length prefixes; -1 writes null.
  void WriteStringLength(int32_t n, bool compact);
  void WriteBytesLength(int32_t n, bool compact);
  void WriteArrayLength(int32_t n, bool compact);

  void WriteString(std::string_view s, bool compact);
  void WriteNullableString(const std::optional<std::string>& s, bool compact);
  void WriteBytes(std::span<const uint8_t> b, bool compact);
  void WriteNullableBytes(const std::optional<Bytes>& b, bool compact);
  void WriteRecords(RecordsView r, bool compact);
  void WriteNullableRecords(const std::optional<RecordsView>& r, bool compact);

  // Overwrites 4 bytes written earlier (a size computed after the fact).
  void PatchInt32(size_t offset, int32_t v) {
    util::StoreBE32(out_->data() + offset, static_cast<uint32_t>(v));
  }

 private:
  util::ByteBuffer* out_;
  std::string error_;
};

// Tagged-field sections (flexible versions): unknown tags are kept verbatim so messages from
// newer peers round-trip. Writes `known` (already-encoded tag/value pairs, sorted by tag)
// merged with `unknown` in ascending tag order.
struct EncodedTag {
  uint32_t tag;
  size_t offset;  // into the scratch buffer
  size_t size;
};
void WriteTaggedFields(Writer& w, std::span<const EncodedTag> known, const util::ByteBuffer* scratch,
                       const UnknownTaggedFields& unknown);
// Reads a tagged-field section in which no tag is known, keeping every field verbatim.
void ReadUnknownTaggedFields(Reader& r, UnknownTaggedFields* unknown);

}  // namespace kclient::protocol
