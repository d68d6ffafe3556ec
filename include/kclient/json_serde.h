// JSON keys and values through nlohmann/json: JsonSerializer<T> writes a T as compact UTF-8 JSON
// text, JsonDeserializer<T> reads one back. T is nlohmann::json itself or any type nlohmann can
// convert: one with to_json / from_json found by argument-dependent lookup (or an
// nlohmann::adl_serializer specialization), standard containers, numbers, strings.
//
// This header needs nlohmann/json (3.x) on the include path, which kclient itself does not; it is
// apart from kclient/serde.h so that only code that wants JSON pays for including it. With CMake:
// find_package(nlohmann_json 3 REQUIRED) and link nlohmann_json::nlohmann_json.
//
// nlohmann reports failures by throwing; these classes catch everything that is thrown (also from
// your to_json / from_json) and return it as a kLocalSerialization Status instead: text that is not
// JSON, JSON of the wrong shape for T, or strings that are not valid UTF-8. No exception escapes.
//
// Thread-safety: stateless; one object may be used from any number of threads (as long as T's own
// conversions are thread-safe).
#pragma once

#include <cstdint>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "kclient/error_code.h"
#include "kclient/serde.h"
#include "kclient/status.h"

namespace kclient {

namespace serde_internal {

inline Status JsonFailure(std::string_view what, std::string_view topic, std::string_view reason) {
  return Status(ErrorCode::kLocalSerialization, std::string(what) + " for topic '" +
                                                    std::string(topic) + "' failed: " +
                                                    std::string(reason));
}

}  // namespace serde_internal

/// A T as JSON text (nlohmann::json::dump(), no whitespace).
template <typename T>
struct JsonSerializer {
  Status Serialize(std::string_view topic, const T& value, std::string* out) const noexcept {
    try {
      if constexpr (std::is_same_v<T, nlohmann::json>) {
        *out = value.dump();
      } else {
        *out = nlohmann::json(value).dump();
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return serde_internal::JsonFailure("JSON serialization", topic, e.what());
    } catch (...) {
      return serde_internal::JsonFailure("JSON serialization", topic, "unknown exception");
    }
  }
};

/// JSON text (UTF-8) as a T. The whole input must be one JSON value.
template <typename T>
struct JsonDeserializer {
  Status Deserialize(std::string_view topic, std::span<const uint8_t> bytes,
                     T* out) const noexcept {
    try {
      nlohmann::json json = nlohmann::json::parse(bytes.data(), bytes.data() + bytes.size());
      if constexpr (std::is_same_v<T, nlohmann::json>) {
        *out = std::move(json);
      } else {
        *out = json.get<T>();
      }
      return Status::Ok();
    } catch (const std::exception& e) {
      return serde_internal::JsonFailure("JSON deserialization", topic, e.what());
    } catch (...) {
      return serde_internal::JsonFailure("JSON deserialization", topic, "unknown exception");
    }
  }
};

}  // namespace kclient
