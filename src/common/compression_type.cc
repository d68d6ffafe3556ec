// CompressionName / ParseCompressionType: the spellings of Kafka's compression.type setting.
// Kafka matches these case-sensitively (CompressionType.forName), so kclient does too: a
// config that the Java client would reject is rejected here as well.
//
// Thread-safety: pure functions over static data.
#include "kclient/compression.h"

#include <array>
#include <optional>
#include <string_view>

namespace kclient {
namespace {

struct NamedType {
  std::string_view name;
  CompressionType type;
};

// Indexed by the codec id, so CompressionName is a bounds check and a load.
constexpr std::array<NamedType, 5> kNames = {{
    {"none", CompressionType::kNone},
    {"gzip", CompressionType::kGzip},
    {"snappy", CompressionType::kSnappy},
    {"lz4", CompressionType::kLz4},
    {"zstd", CompressionType::kZstd},
}};

}  // namespace

std::string_view CompressionName(CompressionType type) noexcept {
  const auto id = static_cast<int>(type);
  // A value cast from unchecked wire bits (attributes 5..7) must not index out of range.
  if (id < 0 || id >= static_cast<int>(kNames.size())) return "unknown";
  return kNames[static_cast<size_t>(id)].name;
}

std::optional<CompressionType> ParseCompressionType(std::string_view name) noexcept {
  for (const NamedType& entry : kNames) {
    if (entry.name == name) return entry.type;
  }
  return std::nullopt;
}

}  // namespace kclient
