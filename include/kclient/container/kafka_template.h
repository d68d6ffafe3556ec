// KafkaTemplate: typed publishing in one call. Serializes keys and values (with TypedProducer's
// serializers), adds default and per-send headers, sends to a given or a default topic, and
// reports each record's SendResult: delivered, spooled (kept on disk for a SpoolReplayer when
// the cluster did not take it; see TemplateOptions::spool), or failed.
//
//   #include "kclient/container/kafka_template.h"
//   #include "kclient/json_serde.h"        // for the default value serializer, JSON
//
//   TemplateOptions options;
//   options.default_topic = "orders";
//   options.default_headers = {{"producer", "order-service"}};
//   KafkaTemplate<std::string, Order> orders(*producer, options);
//   auto written = orders.Send(order.id, order);                         // the default topic
//   orders.Send("orders.audit", order.id, order, {{"trace-id", trace}},  // per-send headers
//               [](const SendResult& r) { if (r.failed()) ... });
//
// Serializers: keys by DefaultSerializer<K> (serde.h), values by JsonSerializer<V> unless you
// name others. JsonSerializer is only declared here, so that this header does not pull in
// nlohmann/json: code that uses the JSON default includes kclient/json_serde.h itself (and
// links nlohmann_json). A serializer's failure is the record's outcome (kFailed with
// kLocalSerialization, on the calling thread); it is never spooled, since there are no bytes.
//
// Owns the serializers and a RecordSender (with the options). Does not own the Producer, which
// must outlive the template and every record sent through it.
//
// Thread-safety: every method may be called from any number of threads at once, as long as the
// serializers are thread-safe (the built-ins are). Callbacks run as SendCallback says.
#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kclient/container/record_sender.h"
#include "kclient/container/send_result.h"
#include "kclient/container/template_options.h"
#include "kclient/producer.h"
#include "kclient/record.h"
#include "kclient/serde.h"
#include "kclient/typed_producer.h"

namespace kclient {
template <typename T>
struct JsonSerializer;  // kclient/json_serde.h
}  // namespace kclient

namespace kclient::container {

template <typename K, typename V, typename KeySerializer = DefaultSerializer<K>,
          typename ValueSerializer = JsonSerializer<V>>
class KafkaTemplate {
 public:
  explicit KafkaTemplate(Producer& producer, TemplateOptions options = {}, KeySerializer key_serializer = {},
                         ValueSerializer value_serializer = {})
      : typed_(producer, std::move(key_serializer), std::move(value_serializer)),
        sender_(producer, std::move(options)) {}

  /// Sends `value` keyed by `key` to `topic`, with `headers` after the default ones. Returns at
  /// once unless the producer must wait (Producer::Send's max.block.ms). The outcome goes to the
  /// future and, if given, to `callback`, exactly once (RecordSender::Send).
  std::future<SendResult> Send(std::string_view topic, const K& key, const V& value,
                               std::vector<Header> headers, SendCallback callback = {}) {
    TypedRecord<K, V> record;
    record.topic = std::string(topic);
    record.key = key;
    record.value = value;
    record.headers = std::move(headers);
    return Send(record, std::move(callback));
  }

  /// The same without per-send headers.
  std::future<SendResult> Send(std::string_view topic, const K& key, const V& value, SendCallback callback = {}) {
    return Send(topic, key, value, std::vector<Header>{}, std::move(callback));
  }

  /// Sends to TemplateOptions::default_topic (kFailed with kLocalInvalidArgument when none is
  /// set).
  std::future<SendResult> Send(const K& key, const V& value, SendCallback callback = {}) {
    if (sender_.options().default_topic.empty()) {
      return RecordSender::Refuse(Status(ErrorCode::kLocalInvalidArgument,
                                         "KafkaTemplate: Send(key, value) needs TemplateOptions.default_topic"),
                                  callback);
    }
    return Send(sender_.options().default_topic, key, value, std::vector<Header>{}, std::move(callback));
  }

  /// Full control: an explicit partition, a null key or value (a tombstone), a timestamp.
  std::future<SendResult> Send(const TypedRecord<K, V>& record, SendCallback callback = {}) {
    ProducerRecord bytes;
    if (Status s = typed_.Serialize(record, &bytes); !s.ok()) return RecordSender::Refuse(s, callback);
    return sender_.Send(std::move(bytes), std::move(callback));
  }

  /// Producer::Flush: waits until every record sent so far has its outcome (spooling included),
  /// or `timeout` passes (kLocalTimedOut).
  Status Flush(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) {
    return typed_.producer().Flush(timeout);
  }

  const TemplateOptions& options() const { return sender_.options(); }
  Producer& producer() { return typed_.producer(); }

 private:
  TypedProducer<K, V, KeySerializer, ValueSerializer> typed_;
  RecordSender sender_;
};

}  // namespace kclient::container
