#include "protocol/header.h"

namespace kclient::protocol {
void RequestHeader::Write(Writer& w, int16_t header_version) const {
  w.WriteInt16(api_key);
  w.WriteInt16(api_version);
  w.WriteInt32(correlation_id);
  if (header_version >= 1) w.WriteNullableString(client_id, /*compact=*/false);
  if (header_version >= 2) WriteTaggedFields(w, {}, nullptr, unknown_tagged_fields);
}

void RequestHeader::Read(Reader& r, int16_t header_version) {
  api_key = r.ReadInt16();
  api_version = r.ReadInt16();
  correlation_id = r.ReadInt32();
  if (header_version >= 1) client_id = r.ReadNullableString(/*compact=*/false);
  if (header_version >= 2) ReadUnknownTaggedFields(r, &unknown_tagged_fields);
}

void ResponseHeader::Write(Writer& w, int16_t header_version) const {
  w.WriteInt32(correlation_id);
  if (header_version >= 1) WriteTaggedFields(w, {}, nullptr, unknown_tagged_fields);
}

void ResponseHeader::Read(Reader& r, int16_t header_version) {
  correlation_id = r.ReadInt32();
  if (header_version >= 1) ReadUnknownTaggedFields(r, &unknown_tagged_fields);
}

Status ReadRequestHeader(std::span<const uint8_t> frame, RequestHeader* header,
                         std::span<const uint8_t>* body) {
  Reader peek(frame);
  const int16_t key = peek.ReadInt16();
  const int16_t version = peek.ReadInt16();
  if (!peek.ok()) return peek.status("request header");
  int16_t header_version = 1;
  if (const ApiInfo* api = FindApi(key);
      api != nullptr && version >= api->min_version && version <= api->max_version) {
    header_version = RequestHeaderVersion(api->key, version);
  }
  *header = RequestHeader();
  Reader r(frame);
  header->Read(r, header_version);
  if (!r.ok()) return r.status("request header");
  *body = frame.subspan(frame.size() - r.remaining());
  return Status();
}

}  // namespace kclient::protocol
