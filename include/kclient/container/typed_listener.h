// TypedListener: adapts a listener that takes deserialized keys and values to the container's
// RecordListener. A key or value that does not deserialize is a non-retriable failure
// (error class "DeserializationError"): no redelivery can fix the bytes, so the record goes to
// the dead-letter topic at once, and the listener is not called.
//
//   auto listener = kclient::container::TypedListener<std::string, Order>(
//       [](const kclient::container::TypedConsumerRecord<std::string, Order>& r, kclient::container::Acknowledgment) {
//         return Handle(*r.value);
//       },
//       kclient::StringDeserializer{}, kclient::JsonDeserializer<Order>{});
//
// Thread-safety: as the deserializers and the function (called from every container thread).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>

#include "kclient/consumer_record.h"
#include "kclient/container/listener.h"
#include "kclient/serde.h"

namespace kclient::container {

template <typename K, typename V>
struct TypedConsumerRecord {
  const ConsumerRecord& raw;  ///< topic, partition, offset, headers, timestamp
  std::optional<K> key;       ///< std::nullopt: a null key
  std::optional<V> value;     ///< std::nullopt: a null value
};

template <typename K, typename V, typename KeyDeserializer = DefaultDeserializer<K>,
          typename ValueDeserializer = DefaultDeserializer<V>, typename Fn>
  requires Deserializer<KeyDeserializer, K> && Deserializer<ValueDeserializer, V>
RecordListener TypedListener(Fn fn, KeyDeserializer keys = {}, ValueDeserializer values = {}) {
  return [fn = std::move(fn), keys = std::move(keys), values = std::move(values)](
             const ConsumerRecord& record, Acknowledgment ack) mutable -> ListenerResult {
    auto bytes = [](std::string_view v) {
      return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    };
    TypedConsumerRecord<K, V> typed{record, std::nullopt, std::nullopt};
    if (record.key) {
      if (Status s = keys.Deserialize(record.topic, bytes(*record.key), &typed.key.emplace()); !s.ok()) {
        return ListenerResult::NonRetriable("key: " + std::string(s.message()), "DeserializationError");
      }
    }
    if (record.value) {
      if (Status s = values.Deserialize(record.topic, bytes(*record.value), &typed.value.emplace()); !s.ok()) {
        return ListenerResult::NonRetriable("value: " + std::string(s.message()), "DeserializationError");
      }
    }
    return fn(typed, std::move(ack));
  };
}

}  // namespace kclient::container
