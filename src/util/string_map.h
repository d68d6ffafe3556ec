// StringMap<V>: an unordered map keyed by std::string that is looked up with a std::string_view
// without building a std::string (C++20 heterogeneous lookup), so hot paths that find per-topic
// state by name do not allocate. Thread-safety: that of std::unordered_map.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace kclient::util {

// Hashes std::string, std::string_view and const char* alike; is_transparent opts into lookups
// by any of them.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

}  // namespace kclient::util
