// Value types that generated protocol messages hold besides scalars and strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "kclient/uuid.h"

namespace kclient::protocol {

using kclient::Uuid;

// An owned `bytes` field.
using Bytes = std::vector<uint8_t>;

// A `records` field: a view of record batches inside a buffer someone else owns. Decoding points
// it into the frame being decoded (no copy); encoding copies the viewed bytes onto the wire. The
// owner of the bytes must outlive the message.
struct RecordsView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  RecordsView() = default;
  RecordsView(const uint8_t* d, size_t n) : data(d), size(n) {}
  explicit RecordsView(std::span<const uint8_t> s) : data(s.data()), size(s.size()) {}
  std::span<const uint8_t> span() const { return {data, size}; }
  bool empty() const { return size == 0; }

  friend bool operator==(const RecordsView& a, const RecordsView& b) {
    return a.size == b.size && (a.size == 0 || std::memcmp(a.data, b.data, a.size) == 0);
  }
};

// A tagged field this code does not know (from a newer peer), kept so it round-trips.
struct UnknownTaggedField {
  uint32_t tag = 0;
  Bytes data;
  friend bool operator==(const UnknownTaggedField&, const UnknownTaggedField&) = default;
};
using UnknownTaggedFields = std::vector<UnknownTaggedField>;

}  // namespace kclient::protocol
