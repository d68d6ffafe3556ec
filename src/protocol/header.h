// Request and response headers, and whole-frame encoding (size prefix + header + body).
//
// Header versions follow Kafka: requests use v1 (client id) or v2 (plus tagged fields) when the
// API version is flexible; responses use v0 or v1 likewise, except ApiVersions responses, which
// are always v0 so a client can read them before it knows what the broker speaks.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kclient/status.h"
#include "protocol/api_keys.h"
#include "protocol/types.h"
#include "protocol/wire.h"
#include "util/byte_buffer.h"

namespace kclient::protocol {

// Requests larger than this are refused before any allocation (Kafka's socket.request.max.bytes).
inline constexpr int32_t kDefaultMaxFrameSize = 100 * 1024 * 1024;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;  // header v1+; always the non-compact encoding
  UnknownTaggedFields unknown_tagged_fields;  // header v2

  void Write(Writer& w, int16_t header_version) const;
  void Read(Reader& r, int16_t header_version);
  friend bool operator==(const RequestHeader&, const RequestHeader&) = default;
};

struct ResponseHeader {
  int32_t correlation_id = 0;
  UnknownTaggedFields unknown_tagged_fields;  // header v1

  void Write(Writer& w, int16_t header_version) const;
  void Read(Reader& r, int16_t header_version);
  friend bool operator==(const ResponseHeader&, const ResponseHeader&) = default;
};

// Reads a request header from the start of a frame body (after the size prefix). The header
// version comes from the API key and version, which lead every request header; an unknown API
// or version is read as header v1, enough to answer it with an error. On success `body` is what
// follows the header.
Status ReadRequestHeader(std::span<const uint8_t> frame, RequestHeader* header,
                         std::span<const uint8_t>* body);

// Appends a complete request frame: int32 size, header, body.
template <typename Request>
Status EncodeRequestFrame(const Request& request, int16_t version, int32_t correlation_id,
                          const std::optional<std::string>& client_id, util::ByteBuffer* out) {
  const size_t start = out->size();
  Writer w(out);
  w.WriteInt32(0);
  RequestHeader h;
  h.api_key = static_cast<int16_t>(Request::kApiKey);
  h.api_version = version;
  h.correlation_id = correlation_id;
  h.client_id = client_id;
  h.Write(w, RequestHeaderVersion(Request::kApiKey, version));
  Status s = request.Encode(out, version);
  if (!s.ok()) return s;
  w.PatchInt32(start, static_cast<int32_t>(out->size() - start - 4));
  return w.status();
}

// Appends a complete response frame: int32 size, header, body.
template <typename Response>
Status EncodeResponseFrame(const Response& response, int16_t version, int32_t correlation_id,
                           util::ByteBuffer* out) {
  const size_t start = out->size();
  Writer w(out);
  w.WriteInt32(0);
  ResponseHeader h;
  h.correlation_id = correlation_id;
  h.Write(w, ResponseHeaderVersion(Response::kApiKey, version));
  Status s = response.Encode(out, version);
  if (!s.ok()) return s;
  w.PatchInt32(start, static_cast<int32_t>(out->size() - start - 4));
  return w.status();
}

// Decodes a response frame body (after the size prefix) whose API and version the caller knows
// from the correlation id it sent.
template <typename Response>
Status DecodeResponseFrame(std::span<const uint8_t> frame, int16_t version, ResponseHeader* header,
                           Response* response) {
  Reader r(frame);
  header->Read(r, ResponseHeaderVersion(Response::kApiKey, version));
  if (!r.ok()) return r.status("response header");
  return response->Decode(frame.subspan(frame.size() - r.remaining()), version);
}

}  // namespace kclient::protocol
