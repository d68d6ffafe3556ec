// CompressionType: the codecs Kafka record batches can be compressed with. The numeric values
// are the codec bits (0-2) of a record batch's attributes.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace kclient {

enum class CompressionType : int8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};

/// "none", "gzip", "snappy", "lz4" or "zstd" (Kafka's compression.type values).
std::string_view CompressionName(CompressionType type) noexcept;

/// Parses a compression.type value; std::nullopt for anything else.
std::optional<CompressionType> ParseCompressionType(std::string_view name) noexcept;

}  // namespace kclient
