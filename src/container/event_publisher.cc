#include "kclient/container/event_publisher.h"

#include <utility>
#include <vector>

namespace kclient::container {

KafkaEventPublisher::KafkaEventPublisher(Producer& producer, TemplateOptions options)
    : template_(producer, std::move(options)) {}

std::future<SendResult> KafkaEventPublisher::Publish(const DomainEvent& event, SendCallback callback) {
  TypedRecord<std::string, std::string> record;
  record.topic = std::string(event.topic());
  record.key = event.key();
  if (Status s = event.SerializePayload(&record.value.emplace()); !s.ok()) {
    return RecordSender::Refuse(s.WithContext("publishing to " + record.topic), callback);
  }
  event.AppendHeaders(&record.headers);
  record.timestamp_ms = event.occurred_at_ms();
  return template_.Send(record, std::move(callback));
}

Status KafkaEventPublisher::Flush(std::chrono::milliseconds timeout) { return template_.Flush(timeout); }

}  // namespace kclient::container
