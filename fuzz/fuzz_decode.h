// Shared by the fuzz targets: decode a message of type M, and if that succeeds, check that
// re-encoding it succeeds and decodes to the same value. Any violation aborts (a finding).
#pragma once

#include <cstdlib>
#include <span>

#include "util/byte_buffer.h"

namespace kclient::fuzz {

template <typename M>
void DecodeAndReencode(int16_t version, std::span<const uint8_t> body) {
  if (version < M::kMinVersion || version > M::kMaxVersion) return;
  M first;
  if (!first.Decode(body, version).ok()) return;
  util::ByteBuffer again;
  if (!first.Encode(&again, version).ok()) std::abort();
  M second;
  if (!second.Decode(again.span(), version).ok()) std::abort();
  if (!(first == second)) std::abort();
}

}  // namespace kclient::fuzz
