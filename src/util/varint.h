// Varints as Kafka writes them: unsigned LEB128 (compact lengths, tags) and zig-zag signed
// varints/varlongs (record fields). Encoders and decoders come in pairs. Decoders take an end
// pointer and never read past it; they return nullptr on truncated or over-long input.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kclient::util {

inline constexpr int kMaxVarint32Bytes = 5;
inline constexpr int kMaxVarint64Bytes = 10;

inline uint32_t ZigZag32(int32_t v) { return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31); }
inline uint64_t ZigZag64(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int32_t UnZigZag32(uint32_t v) { return static_cast<int32_t>(v >> 1) ^ -static_cast<int32_t>(v & 1); }
inline int64_t UnZigZag64(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

// Writes `v` at `p` (room for kMaxVarint64Bytes) and returns the end.
inline uint8_t* PutUvarint64(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
inline uint8_t* PutUvarint32(uint8_t* p, uint32_t v) { return PutUvarint64(p, v); }
inline uint8_t* PutVarint32(uint8_t* p, int32_t v) { return PutUvarint64(p, ZigZag32(v)); }
inline uint8_t* PutVarint64(uint8_t* p, int64_t v) { return PutUvarint64(p, ZigZag64(v)); }

// How many bytes the encodings take.
inline int UvarintSize(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline int VarintSize32(int32_t v) { return UvarintSize(ZigZag32(v)); }
inline int VarintSize64(int64_t v) { return UvarintSize(ZigZag64(v)); }

// Reads an unsigned varint of at most `max_bytes` bytes from [p, end).
inline const uint8_t* GetUvarint(const uint8_t* p, const uint8_t* end, int max_bytes, uint64_t* out) {
  uint64_t result = 0;
  for (int shift = 0, i = 0; i < max_bytes; ++i, shift += 7) {
    if (p == end) return nullptr;
    const uint8_t b = *p++;
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = result;
      return p;
    }
  }
  return nullptr;  // more continuation bytes than the type allows
}
inline const uint8_t* GetUvarint32(const uint8_t* p, const uint8_t* end, uint32_t* out) {
  uint64_t v = 0;
  p = GetUvarint(p, end, kMaxVarint32Bytes, &v);
  if (p == nullptr || v > UINT32_MAX) return nullptr;
  *out = static_cast<uint32_t>(v);
  return p;
}
inline const uint8_t* GetVarint32(const uint8_t* p, const uint8_t* end, int32_t* out) {
  uint32_t v = 0;
  p = GetUvarint32(p, end, &v);
  if (p != nullptr) *out = UnZigZag32(v);
  return p;
}
inline const uint8_t* GetVarint64(const uint8_t* p, const uint8_t* end, int64_t* out) {
  uint64_t v = 0;
  p = GetUvarint(p, end, kMaxVarint64Bytes, &v);
  if (p != nullptr) *out = UnZigZag64(v);
  return p;
}

}  // namespace kclient::util
