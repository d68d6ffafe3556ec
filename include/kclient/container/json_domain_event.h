// JsonDomainEvent<Event>: a DomainEvent whose payload is the event as JSON (nlohmann/json,
// through kclient::JsonSerializer), with headers that let consumers route and upgrade without
// parsing: event-type, schema-version and content-type (application/json).
//
//   struct OrderPlaced : kclient::container::JsonDomainEvent<OrderPlaced> {
//     static constexpr std::string_view kType = "OrderPlaced";
//     static constexpr std::string_view kTopic = "shop.order-placed";
//     static constexpr int kSchemaVersion = 2;
//     std::string order_id; int64_t total_cents = 0;
//     std::optional<std::string> key() const override { return order_id; }
//   };
//   NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(OrderPlaced, order_id, total_cents)  // to_json/from_json
//
// Event must provide kType, kTopic and kSchemaVersion, key(), and a to_json nlohmann finds. This
// header needs nlohmann/json (see kclient/json_serde.h); the rest of the container layer does not.
//
// Thread-safety: as DomainEvent.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/container/domain_event.h"
#include "kclient/json_serde.h"

namespace kclient::container {

template <typename Event>
class JsonDomainEvent : public DomainEvent {
 public:
  std::string_view topic() const override { return Event::kTopic; }

  Status SerializePayload(std::string* out) const override {
    return JsonSerializer<Event>().Serialize(Event::kTopic, static_cast<const Event&>(*this), out);
  }

  void AppendHeaders(std::vector<Header>* headers) const override {
    headers->push_back({"event-type", std::string(Event::kType)});
    headers->push_back({"schema-version", std::to_string(Event::kSchemaVersion)});
    headers->push_back({"content-type", "application/json"});
  }

 protected:
  JsonDomainEvent() {
    static_assert(std::convertible_to<decltype(Event::kType), std::string_view>, "Event::kType: the event's name");
    static_assert(std::convertible_to<decltype(Event::kTopic), std::string_view>, "Event::kTopic: its topic");
    static_assert(std::convertible_to<decltype(Event::kSchemaVersion), int>, "Event::kSchemaVersion: an int");
  }
};

}  // namespace kclient::container
