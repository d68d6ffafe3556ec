#include "protocol/header.h"

namespace kclient::protocol {
namespace {

void WriteHeaderTags(Writer& w, const UnknownTaggedFields& tags) {
  WriteTaggedFields(w, {}, nullptr, tags);
}

void ReadHeaderTags(Reader& r, UnknownTaggedFields* tags) {
  const uint32_t count = r.ReadUvarint32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t tag = r.ReadUvarint32();
    const auto data = r.ReadSpan(r.ReadUvarint32());
    if (r.ok()) tags->push_back(UnknownTaggedField{tag, Bytes(data.begin(), data.end())});
  }
}

}  // namespace

void RequestHeader::Write(Writer& w, int16_t header_version) const {
  w.WriteInt16(api_key);
  w.WriteInt16(api_version);
  w.WriteInt32(correlation_id);
  if (header_version >= 1) w.WriteNullableString(client_id, /*compact=*/false);
  if (header_version >= 2) WriteHeaderTags(w, unknown_tagged_fields);
}

void RequestHeader::Read(Reader& r, int16_t header_version) {
  api_key = r.ReadInt16();
  api_version = r.ReadInt16();
  correlation_id = r.ReadInt32();
  if (header_version >= 1) client_id = r.ReadNullableString(/*compact=*/false);
  if (header_version >= 2) ReadHeaderTags(r, &unknown_tagged_fields);
}

void ResponseHeader::Write(Writer& w, int16_t header_version) const {
  w.WriteInt32(correlation_id);
  if (header_version >= 1) WriteHeaderTags(w, unknown_tagged_fields);
}

void ResponseHeader::Read(Reader& r, int16_t header_version) {
  correlation_id = r.ReadInt32();
  if (header_version >= 1) ReadHeaderTags(r, &unknown_tagged_fields);
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
