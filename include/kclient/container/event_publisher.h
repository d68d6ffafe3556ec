// EventPublisher: how a service publishes its domain events. Code that raises events depends on
// this interface only, so it can be tested with a fake and does not know about topics, keys,
// serialization or Kafka; the event type (DomainEvent) chooses all of that.
//
//   KafkaEventPublisher publisher(*producer, options);      // options.spool: survive outages
//   publisher.Publish(OrderPlaced{...}, [](const SendResult& r) { ... });
//
// KafkaEventPublisher is the Kafka-backed implementation: a KafkaTemplate of bytes, so default
// headers and the spool (TemplateOptions) work the same as for any template.
//
// Thread-safety: Publish may be called from any number of threads at once (implementations must
// allow it). KafkaEventPublisher's outcomes arrive as SendCallback says.
#pragma once

#include <chrono>
#include <future>
#include <string>

#include "kclient/container/domain_event.h"
#include "kclient/container/kafka_template.h"
#include "kclient/container/send_result.h"
#include "kclient/container/template_options.h"
#include "kclient/producer.h"
#include "kclient/serde.h"

namespace kclient::container {

class EventPublisher {
 public:
  virtual ~EventPublisher() = default;

  /// Publishes `event`: its record goes to event.topic() with event.key(), the serialized
  /// payload and event.AppendHeaders(). The outcome goes to the future and, if given, to
  /// `callback`, exactly once. A payload that cannot be serialized fails at once (kFailed,
  /// kLocalSerialization) and nothing is sent. `event` is not used after Publish returns.
  virtual std::future<SendResult> Publish(const DomainEvent& event, SendCallback callback = {}) = 0;

 protected:
  EventPublisher() = default;
};

/// Publishes through a Producer, which must outlive it and every event it published.
/// TemplateOptions::default_topic is not used (events name their topic).
class KafkaEventPublisher final : public EventPublisher {
 public:
  explicit KafkaEventPublisher(Producer& producer, TemplateOptions options = {});

  std::future<SendResult> Publish(const DomainEvent& event, SendCallback callback = {}) override;

  /// Waits until every event published so far has its outcome (Producer::Flush).
  Status Flush(std::chrono::milliseconds timeout = std::chrono::milliseconds::max());

 private:
  KafkaTemplate<std::string, std::string, StringSerializer, StringSerializer> template_;
};

}  // namespace kclient::container
