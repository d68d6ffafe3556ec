// DomainEvent: something that happened in a service, which it announces without knowing who
// listens. The event type decides everything about its record: the topic, the key (the entity
// the event is about, so that one entity's events stay in order on one partition), the payload
// bytes and the headers. Services hand events to an EventPublisher (event_publisher.h).
//
// Derive from JsonDomainEvent<YourEvent> (json_domain_event.h) for JSON payloads with
// event-type and schema-version headers, or implement the four functions yourself.
//
// Thread-safety: publishers call the const members from the publishing thread only; they must
// not depend on other threads' state without synchronization.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/record.h"
#include "kclient/status.h"

namespace kclient::container {

class DomainEvent {
 public:
  virtual ~DomainEvent() = default;

  /// The topic events of this type go to.
  virtual std::string_view topic() const = 0;

  /// The record key: the id of the entity the event is about (an order id). std::nullopt: a
  /// null key, for events with no ordering needs (the partitioner spreads them).
  virtual std::optional<std::string> key() const = 0;

  /// Writes the payload (the record value) into *out, or returns why it cannot
  /// (kLocalSerialization); the event is then not published.
  virtual Status SerializePayload(std::string* out) const = 0;

  /// Appends the headers this event carries (its type, schema version, content type). Default:
  /// none.
  virtual void AppendHeaders(std::vector<Header>* headers) const { (void)headers; }

  /// When it happened, in milliseconds since the Unix epoch; std::nullopt (the default): the
  /// time of publishing.
  virtual std::optional<int64_t> occurred_at_ms() const { return std::nullopt; }

 protected:
  DomainEvent() = default;
  DomainEvent(const DomainEvent&) = default;
  DomainEvent& operator=(const DomainEvent&) = default;
};

}  // namespace kclient::container
