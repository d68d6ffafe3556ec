// Serializers and deserializers: how typed keys and values become the bytes a record carries, and
// back. Two concepts say what one is, so any type with the right member function fits:
//
//   Serializer<S, T>    Status s.Serialize(std::string_view topic, const T& value,
//                                          std::string* out)
//   Deserializer<D, T>  Status d.Deserialize(std::string_view topic,
//                                            std::span<const uint8_t> bytes, T* out)
//
// A failure is a Status with ErrorCode::kLocalSerialization saying what could not be converted;
// nothing throws. `topic` is the record's topic, for serializers whose format depends on it (a
// schema per topic); the built-ins ignore it. Kafka's null key or value never reaches them: the
// producer sends an empty std::optional as null, and the consumer hands null over as such.
//
// Built-ins, byte for byte what the Java client's serializers of the same name write:
//   StringSerializer / StringDeserializer    the bytes as they are (UTF-8 if the text is), no
//                                            transcoding; Java's default encoding is UTF-8
//   BytesSerializer / BytesDeserializer      raw bytes (ByteArraySerializer)
//   Int32Serializer / Int32Deserializer      4 bytes big-endian (IntegerSerializer)
//   Int64Serializer / Int64Deserializer      8 bytes big-endian (LongSerializer)
// DefaultSerializer<T> / DefaultDeserializer<T> name the built-in for a type; specialize them for
// your own types. JSON lives in kclient/json_serde.h.
//
// Thread-safety: the built-ins are stateless; one object may be used from any number of threads.
// A user-written serializer is called from every thread that sends, and must be thread-safe too.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kclient/error_code.h"
#include "kclient/status.h"

namespace kclient {

/// S turns a T into bytes: Serialize replaces *out with them, or returns a failure (after which
/// *out is unspecified).
template <typename S, typename T>
concept Serializer = requires(S& s, std::string_view topic, const T& value, std::string* out) {
  { s.Serialize(topic, value, out) } -> std::same_as<Status>;
};

/// D turns bytes into a T: Deserialize replaces *out, or returns a failure (after which *out is
/// unspecified). `bytes` is only valid during the call.
template <typename D, typename T>
concept Deserializer =
    requires(D& d, std::string_view topic, std::span<const uint8_t> bytes, T* out) {
      { d.Deserialize(topic, bytes, out) } -> std::same_as<Status>;
    };

namespace serde_internal {

// Integer types whose every value the target type holds: the integer serializers take these and
// refuse wider ones, so that an int64_t is never cut to 32 bits without a word. bool is not a
// number here.
template <typename From, typename To>
concept LosslessIntegerFor = std::integral<From> && !std::same_as<From, bool> &&
                             std::in_range<To>(std::numeric_limits<From>::min()) &&
                             std::in_range<To>(std::numeric_limits<From>::max());

template <size_t N>
void StoreBigEndian(uint64_t value, std::string* out) {
  char bytes[N];
  for (size_t i = 0; i < N; ++i) bytes[i] = static_cast<char>(value >> (8 * (N - 1 - i)));
  out->assign(bytes, N);
}

template <size_t N>
uint64_t LoadBigEndian(std::span<const uint8_t> bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < N; ++i) value = value << 8 | bytes[i];
  return value;
}

inline Status WrongSize(std::string_view deserializer, size_t expected, size_t actual) {
  return Status(ErrorCode::kLocalSerialization,
                std::string(deserializer) + " expects " + std::to_string(expected) +
                    " bytes, got " + std::to_string(actual));
}

}  // namespace serde_internal

// --- Serializers ------------------------------------------------------------------------------

/// Text as its bytes: std::string, std::string_view, string literals and const char*.
struct StringSerializer {
  Status Serialize(std::string_view /*topic*/, std::string_view value, std::string* out) const {
    out->assign(value.data(), value.size());
    return Status::Ok();
  }
  /// A null pointer is an error (send std::nullopt for Kafka's null instead).
  Status Serialize(std::string_view topic, const char* value, std::string* out) const {
    if (value == nullptr) {
      return Status(ErrorCode::kLocalSerialization, "StringSerializer got a null const char*");
    }
    return Serialize(topic, std::string_view(value), out);
  }
};

/// Raw bytes: std::vector<uint8_t>, std::span<const uint8_t> and std::span<const std::byte>.
struct BytesSerializer {
  Status Serialize(std::string_view /*topic*/, std::span<const uint8_t> value,
                   std::string* out) const {
    out->assign(reinterpret_cast<const char*>(value.data()), value.size());
    return Status::Ok();
  }
  Status Serialize(std::string_view /*topic*/, std::span<const std::byte> value,
                   std::string* out) const {
    out->assign(reinterpret_cast<const char*>(value.data()), value.size());
    return Status::Ok();
  }
};

/// An int32_t as 4 bytes, big-endian (two's complement), like Java's IntegerSerializer. Takes any
/// integer type that fits in 32 bits without loss.
struct Int32Serializer {
  Status Serialize(std::string_view /*topic*/,
                   serde_internal::LosslessIntegerFor<int32_t> auto value,
                   std::string* out) const {
    serde_internal::StoreBigEndian<4>(static_cast<uint32_t>(static_cast<int32_t>(value)), out);
    return Status::Ok();
  }
};

/// An int64_t as 8 bytes, big-endian (two's complement), like Java's LongSerializer. Takes any
/// integer type that fits in 64 bits without loss.
struct Int64Serializer {
  Status Serialize(std::string_view /*topic*/,
                   serde_internal::LosslessIntegerFor<int64_t> auto value,
                   std::string* out) const {
    serde_internal::StoreBigEndian<8>(static_cast<uint64_t>(static_cast<int64_t>(value)), out);
    return Status::Ok();
  }
};

/// The built-in serializer for T; not defined for types without one. Specialize it for your own
/// types (derive from, or be, a Serializer<…, T>).
template <typename T>
struct DefaultSerializer;

template <>
struct DefaultSerializer<std::string> : StringSerializer {};
template <>
struct DefaultSerializer<std::string_view> : StringSerializer {};
template <>
struct DefaultSerializer<const char*> : StringSerializer {};
template <>
struct DefaultSerializer<std::vector<uint8_t>> : BytesSerializer {};
template <>
struct DefaultSerializer<std::span<const uint8_t>> : BytesSerializer {};
template <>
struct DefaultSerializer<std::span<const std::byte>> : BytesSerializer {};
template <>
struct DefaultSerializer<int32_t> : Int32Serializer {};
template <>
struct DefaultSerializer<int64_t> : Int64Serializer {};

// --- Deserializers ----------------------------------------------------------------------------

/// The bytes as a std::string (no validation: they need not be UTF-8).
struct StringDeserializer {
  Status Deserialize(std::string_view /*topic*/, std::span<const uint8_t> bytes,
                     std::string* out) const {
    out->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return Status::Ok();
  }
};

/// The bytes as a std::vector<uint8_t>.
struct BytesDeserializer {
  Status Deserialize(std::string_view /*topic*/, std::span<const uint8_t> bytes,
                     std::vector<uint8_t>* out) const {
    out->assign(bytes.begin(), bytes.end());
    return Status::Ok();
  }
};

/// Exactly 4 big-endian bytes as an int32_t (Java's IntegerDeserializer); any other size is an
/// error.
struct Int32Deserializer {
  Status Deserialize(std::string_view /*topic*/, std::span<const uint8_t> bytes,
                     int32_t* out) const {
    if (bytes.size() != 4) return serde_internal::WrongSize("Int32Deserializer", 4, bytes.size());
    *out = static_cast<int32_t>(static_cast<uint32_t>(serde_internal::LoadBigEndian<4>(bytes)));
    return Status::Ok();
  }
};

/// Exactly 8 big-endian bytes as an int64_t (Java's LongDeserializer); any other size is an
/// error.
struct Int64Deserializer {
  Status Deserialize(std::string_view /*topic*/, std::span<const uint8_t> bytes,
                     int64_t* out) const {
    if (bytes.size() != 8) return serde_internal::WrongSize("Int64Deserializer", 8, bytes.size());
    *out = static_cast<int64_t>(serde_internal::LoadBigEndian<8>(bytes));
    return Status::Ok();
  }
};

/// The built-in deserializer for T; not defined for types without one. Specialize it for your
/// own types.
template <typename T>
struct DefaultDeserializer;

template <>
struct DefaultDeserializer<std::string> : StringDeserializer {};
template <>
struct DefaultDeserializer<std::vector<uint8_t>> : BytesDeserializer {};
template <>
struct DefaultDeserializer<int32_t> : Int32Deserializer {};
template <>
struct DefaultDeserializer<int64_t> : Int64Deserializer {};

}  // namespace kclient
