// Uuid: Kafka's 128-bit identifiers (topic ids, directory ids). Shown the way Kafka shows them:
// 22 characters of URL-safe base64 without padding.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kclient {

struct Uuid {
  uint64_t high = 0;  // most significant 64 bits, first on the wire
  uint64_t low = 0;

  /// The all-zero id Kafka uses for "no id".
  static constexpr Uuid Zero() { return {}; }
  bool is_zero() const { return high == 0 && low == 0; }

  /// URL-safe base64 without padding, as Kafka prints ids ("AAAAAAAAAAAAAAAAAAAAAA" for zero).
  std::string ToString() const;
  /// Parses the ToString() form; std::nullopt if `text` is not one.
  static std::optional<Uuid> Parse(std::string_view text);

  friend bool operator==(const Uuid&, const Uuid&) = default;
};

}  // namespace kclient
