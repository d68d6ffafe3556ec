// Fuzzes what a client does with untrusted bytes: a response body. The first two bytes pick the
// API key and the next two the version (a client knows both from the correlation id).
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_decode.h"
#include "protocol/testing/message_fill.h"
#include "util/endian.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace kp = kclient::protocol;
  if (size < 4) return 0;
  const auto key = static_cast<int16_t>(kclient::util::LoadBE16(data));
  const auto version = static_cast<int16_t>(kclient::util::LoadBE16(data + 2));
  const std::span<const uint8_t> body(data + 4, size - 4);
#define KCLIENT_TRY_RESPONSE(M)                                               \
  if constexpr (kp::M::kName.ends_with("Response")) {                         \
    if (key == static_cast<int16_t>(kp::M::kApiKey)) {                        \
      kclient::fuzz::DecodeAndReencode<kp::M>(version, body);                 \
    }                                                                         \
  }
  KCLIENT_FOR_EACH_MESSAGE(KCLIENT_TRY_RESPONSE)
#undef KCLIENT_TRY_RESPONSE
  return 0;
}
