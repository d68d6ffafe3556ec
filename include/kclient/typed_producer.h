// TypedProducer: a Producer that takes keys and values as C++ types and serializes them with
// serializers (serde.h, json_serde.h, or your own type with a Serialize member).
//
//   kclient::TypedProducer<std::string, Order, kclient::StringSerializer, kclient::JsonSerializer<Order>>
//       orders(*producer);
//   kclient::TypedRecord<std::string, Order> record;
//   record.topic = "orders";
//   record.key = order.id;
//   record.value = order;
//   auto f = orders.Send(record);
//
// A serializer's failure is the record's outcome (kLocalSerialization, on the calling thread),
// like any error found before a record is queued; the producer goes on.
//
// Thread-safety: as the serializers and the Producer: the built-in serializers are stateless, so
// a TypedProducer may be shared between threads. It does not own the Producer, which must
// outlive it.
#pragma once

#include <future>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kclient/producer.h"
#include "kclient/record.h"
#include "kclient/serde.h"

namespace kclient {

template <typename K, typename V>
struct TypedRecord {
  std::string topic;
  std::optional<int32_t> partition;
  std::optional<K> key;    ///< std::nullopt: a null key
  std::optional<V> value;  ///< std::nullopt: a null value (a tombstone)
  std::vector<Header> headers;
  std::optional<int64_t> timestamp_ms;
};

template <typename K, typename V, typename KeySerializer = DefaultSerializer<K>,
          typename ValueSerializer = DefaultSerializer<V>>
  requires Serializer<KeySerializer, K> && Serializer<ValueSerializer, V>
class TypedProducer {
 public:
  explicit TypedProducer(Producer& producer, KeySerializer key_serializer = {},
                         ValueSerializer value_serializer = {})
      : producer_(producer), keys_(std::move(key_serializer)), values_(std::move(value_serializer)) {}

  /// Serializes and sends `record` (Producer::Send's contract).
  std::future<Result<RecordMetadata>> Send(const TypedRecord<K, V>& record, DeliveryCallback callback = {}) {
    ProducerRecord bytes;
    if (Status s = Serialize(record, &bytes); !s.ok()) {
      std::promise<Result<RecordMetadata>> failed;
      if (callback) callback(Result<RecordMetadata>(s));
      failed.set_value(Result<RecordMetadata>(s));
      return failed.get_future();
    }
    return producer_.Send(bytes, std::move(callback));
  }

  /// Serializes and produces `record` without a future (Producer::Produce's contract).
  void Produce(const TypedRecord<K, V>& record, DeliveryCallback callback) {
    ProducerRecord bytes;
    if (Status s = Serialize(record, &bytes); !s.ok()) {
      if (callback) callback(Result<RecordMetadata>(s));
      return;
    }
    producer_.Produce(bytes, std::move(callback));
  }

  /// Serializes, sends and waits (Producer::SendSync's contract).
  Result<RecordMetadata> SendSync(const TypedRecord<K, V>& record) {
    ProducerRecord bytes;
    if (Status s = Serialize(record, &bytes); !s.ok()) return s;
    return producer_.SendSync(bytes);
  }

  Producer& producer() { return producer_; }

  /// Turns `record` into the bytes Send would hand the producer: topic, partition, headers and
  /// timestamp copied, key and value serialized. A serializer's failure is returned (and *out is
  /// then unspecified). For layers that send through the producer themselves (KafkaTemplate).
  /// Thread-safe as the serializers are.
  Status Serialize(const TypedRecord<K, V>& record, ProducerRecord* out) {
    out->topic = record.topic;
    out->partition = record.partition;
    out->headers = record.headers;
    out->timestamp_ms = record.timestamp_ms;
    if (record.key) {
      if (Status s = keys_.Serialize(record.topic, *record.key, &out->key.emplace()); !s.ok()) return s;
    }
    if (record.value) {
      if (Status s = values_.Serialize(record.topic, *record.value, &out->value.emplace()); !s.ok()) return s;
    }
    return Status();
  }

 private:
  Producer& producer_;
  KeySerializer keys_;
  ValueSerializer values_;
};

}  // namespace kclient
