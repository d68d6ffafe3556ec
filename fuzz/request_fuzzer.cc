// Fuzzes what a broker does with untrusted bytes: a request frame body (header and message)
// through ReadRequestHeader and the decoder of the request type the header names.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "fuzz_decode.h"
#include "protocol/header.h"
#include "protocol/testing/message_fill.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace kp = kclient::protocol;
  kp::RequestHeader header;
  std::span<const uint8_t> body;
  if (!kp::ReadRequestHeader({data, size}, &header, &body).ok()) return 0;
#define KCLIENT_TRY_REQUEST(M)                                                          \
  if constexpr (kp::M::kName.ends_with("Request")) {                                    \
    if (header.api_key == static_cast<int16_t>(kp::M::kApiKey)) {                       \
      kclient::fuzz::DecodeAndReencode<kp::M>(header.api_version, body);                \
    }                                                                                   \
  }
  KCLIENT_FOR_EACH_MESSAGE(KCLIENT_TRY_REQUEST)
#undef KCLIENT_TRY_REQUEST
  return 0;
}
