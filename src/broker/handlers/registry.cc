#include "broker/handlers/registry.h"

#include "broker/handlers/handlers.h"

namespace kclient::broker {
namespace {

using protocol::ApiKey;

// The versions each API is served at. Lower bounds reach back to what librdkafka 2.x and older
// Java clients send; upper bounds are what Kafka 4.1 serves (stable versions only).
constexpr HandlerEntry kHandlers[] = {
    {ApiKey::kMetadata, 0, 13, HandleMetadata},
    {ApiKey::kApiVersions, 0, 4, HandleApiVersions},
};

}  // namespace

std::span<const HandlerEntry> ServedApis() { return kHandlers; }

const HandlerEntry* FindHandler(int16_t key) {
  for (const HandlerEntry& e : kHandlers) {
    if (static_cast<int16_t>(e.key) == key) return &e;
  }
  return nullptr;
}

}  // namespace kclient::broker
