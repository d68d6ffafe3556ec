#include "protocol/header.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/api_keys.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/metadata.h"

namespace kclient::protocol {
namespace {

using ByteVec = std::vector<uint8_t>;

ByteVec Contents(const util::ByteBuffer& b) { return ByteVec(b.data(), b.data() + b.size()); }

ByteVec WriteRequestHeader(const RequestHeader& h, int16_t header_version) {
  util::ByteBuffer buf;
  Writer w(&buf);
  h.Write(w, header_version);
  EXPECT_TRUE(w.ok());
  return Contents(buf);
}

// Byte images from the protocol guide (kafka.apache.org/protocol, "Headers"):
//   Request Header v1 => request_api_key request_api_version correlation_id client_id
//     request_api_key INT16, request_api_version INT16, correlation_id INT32,
//     client_id NULLABLE_STRING (int16 length, -1 for null; never compact)
//   Request Header v2 => the same, then TAG_BUFFER (an unsigned varint count, 0 when empty)
TEST(HeaderTest, RequestHeaderV1ByteImage) {
  RequestHeader h;
  h.api_key = 3;  // Metadata
  h.api_version = 8;
  h.correlation_id = 0x01020304;
  h.client_id = "kc";
  const ByteVec expected = {0x00, 0x03,              // api key
                            0x00, 0x08,              // api version
                            0x01, 0x02, 0x03, 0x04,  // correlation id
                            0x00, 0x02, 'k', 'c'};   // client id
  EXPECT_EQ(WriteRequestHeader(h, 1), expected);
}

TEST(HeaderTest, RequestHeaderV2ByteImage) {
  RequestHeader h;
  h.api_key = 18;  // ApiVersions
  h.api_version = 3;
  h.correlation_id = 7;
  h.client_id = "cli";
  const ByteVec expected = {0x00, 0x12,                  // api key 18
                            0x00, 0x03,                  // api version 3
                            0x00, 0x00, 0x00, 0x07,      // correlation id
                            0x00, 0x03, 'c', 'l', 'i',   // client id: int16 length, not compact
                            0x00};                       // no tagged fields
  EXPECT_EQ(WriteRequestHeader(h, 2), expected);
}

TEST(HeaderTest, NullClientId) {
  RequestHeader h;
  h.api_key = 0;
  h.api_version = 9;
  h.correlation_id = -1;
  h.client_id = std::nullopt;
  EXPECT_EQ(WriteRequestHeader(h, 1), (ByteVec{0x00, 0x00, 0x00, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(WriteRequestHeader(h, 2),
            (ByteVec{0x00, 0x00, 0x00, 0x09, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00}));
}

TEST(HeaderTest, RequestHeaderV2TaggedFieldsRoundTrip) {
  RequestHeader h;
  h.api_key = 1;
  h.api_version = 12;
  h.correlation_id = 99;
  h.client_id = "x";
  h.unknown_tagged_fields = {{5, Bytes{0x01, 0x02}}};
  const ByteVec bytes = WriteRequestHeader(h, 2);
  const ByteVec expected = {0x00, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x63, 0x00, 0x01, 'x',
                            0x01, 0x05, 0x02, 0x01, 0x02};
  EXPECT_EQ(bytes, expected);
  Reader r(bytes.data(), bytes.size());
  RequestHeader back;
  back.Read(r, 2);
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(back, h);
}

TEST(HeaderTest, ResponseHeaderByteImages) {
  ResponseHeader h;
  h.correlation_id = 0x0a0b0c0d;
  {
    util::ByteBuffer buf;
    Writer w(&buf);
    h.Write(w, 0);
    EXPECT_EQ(Contents(buf), (ByteVec{0x0a, 0x0b, 0x0c, 0x0d}));
  }
  {
    util::ByteBuffer buf;
    Writer w(&buf);
    h.Write(w, 1);
    EXPECT_EQ(Contents(buf), (ByteVec{0x0a, 0x0b, 0x0c, 0x0d, 0x00}));
  }
}

TEST(HeaderTest, HeaderVersions) {
  // ApiVersions responses always use header v0, even at flexible versions (KIP-511).
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, 3), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kApiVersions, 0), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kMetadata, 12), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kMetadata, 9), 1);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kMetadata, 8), 0);
  EXPECT_EQ(ResponseHeaderVersion(ApiKey::kSaslHandshake, 1), 0);  // never flexible
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 3), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kApiVersions, 2), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kMetadata, 8), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 9), 2);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kProduce, 8), 1);
  EXPECT_EQ(RequestHeaderVersion(ApiKey::kSaslHandshake, 1), 1);
}

// The same bytes read differently depending on the version in them: a flexible ApiVersions
// request (v3) has a tagged-field byte after the client id; v2 does not.
TEST(HeaderTest, ReadRequestHeaderPicksV2ForFlexibleVersion) {
  const ByteVec frame = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 'c', 'l', 'i',
                         0x00,                                 // header tagged fields
                         0x03, 'k', 'c', 0x02, '1', 0x00};     // body
  RequestHeader h;
  std::span<const uint8_t> body;
  ASSERT_TRUE(ReadRequestHeader(frame, &h, &body).ok());
  EXPECT_EQ(h.api_key, 18);
  EXPECT_EQ(h.api_version, 3);
  EXPECT_EQ(h.correlation_id, 7);
  EXPECT_EQ(h.client_id, std::optional<std::string>("cli"));
  EXPECT_TRUE(h.unknown_tagged_fields.empty());
  ASSERT_EQ(body.size(), 6u);
  EXPECT_EQ(body.data(), frame.data() + 14);

  ApiVersionsRequest req;
  ASSERT_TRUE(req.Decode(body, 3).ok());
  EXPECT_EQ(req.client_software_name, "kc");
  EXPECT_EQ(req.client_software_version, "1");
}

TEST(HeaderTest, ReadRequestHeaderPicksV1ForNonFlexibleVersion) {
  const ByteVec frame = {0x00, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 'c', 'l', 'i',
                         0x00, 0xab};
  RequestHeader h;
  std::span<const uint8_t> body;
  ASSERT_TRUE(ReadRequestHeader(frame, &h, &body).ok());
  EXPECT_EQ(h.api_version, 2);
  EXPECT_EQ(h.client_id, std::optional<std::string>("cli"));
  ASSERT_EQ(body.size(), 2u);  // the 00 after the client id belongs to the body at v2
  EXPECT_EQ(body.data(), frame.data() + 13);
}

TEST(HeaderTest, ReadRequestHeaderUnknownApiReadAsV1) {
  // API key 999 does not exist; version 50 is irrelevant. Header v1, so no tagged-field byte.
  const ByteVec frame = {0x03, 0xe7, 0x00, 0x32, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 'z', 0x00, 0x01};
  RequestHeader h;
  std::span<const uint8_t> body;
  ASSERT_TRUE(ReadRequestHeader(frame, &h, &body).ok());
  EXPECT_EQ(h.api_key, 999);
  EXPECT_EQ(h.api_version, 50);
  EXPECT_EQ(h.correlation_id, 256);
  EXPECT_EQ(h.client_id, std::optional<std::string>("z"));
  EXPECT_EQ(body.size(), 2u);
}

TEST(HeaderTest, ReadRequestHeaderUnsupportedVersionOfKnownApiReadAsV1) {
  // ApiVersions v99: a newer client probing; answered with header v1 parsing so the broker
  // can still reply UNSUPPORTED_VERSION with the right correlation id.
  const ByteVec frame = {0x00, 0x12, 0x00, 0x63, 0x00, 0x00, 0x00, 0x05, 0xff, 0xff, 0x00};
  RequestHeader h;
  std::span<const uint8_t> body;
  ASSERT_TRUE(ReadRequestHeader(frame, &h, &body).ok());
  EXPECT_EQ(h.api_version, 99);
  EXPECT_EQ(h.correlation_id, 5);
  EXPECT_EQ(h.client_id, std::nullopt);
  EXPECT_EQ(body.size(), 1u);
}

TEST(HeaderTest, ReadRequestHeaderRejectsTruncatedFrames) {
  const ByteVec full = {0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07, 0x00, 0x03, 'c', 'l', 'i', 0x00};
  for (size_t n = 0; n < full.size(); ++n) {
    RequestHeader h;
    std::span<const uint8_t> body;
    const Status s = ReadRequestHeader(std::span<const uint8_t>(full.data(), n), &h, &body);
    EXPECT_FALSE(s.ok()) << "prefix of " << n << " bytes";
    EXPECT_EQ(s.code(), ErrorCode::kLocalMalformed);
  }
  RequestHeader h;
  std::span<const uint8_t> body;
  EXPECT_TRUE(ReadRequestHeader(full, &h, &body).ok());
  EXPECT_TRUE(body.empty());
}

TEST(HeaderTest, EncodeRequestFrame) {
  ApiVersionsRequest req;
  req.client_software_name = "kc";
  req.client_software_version = "1";
  util::ByteBuffer out;
  out.Append("\xee", 1);  // frames are appended after whatever is already there
  ASSERT_TRUE(EncodeRequestFrame(req, 3, 7, std::optional<std::string>("cli"), &out).ok());
  const ByteVec expected = {0xee,
                            0x00, 0x00, 0x00, 0x14,                                  // size: 20
                            0x00, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x07,          // key, version, corr
                            0x00, 0x03, 'c', 'l', 'i', 0x00,                         // client id, tags
                            0x03, 'k', 'c', 0x02, '1', 0x00};                        // body
  EXPECT_EQ(Contents(out), expected);

  // Non-flexible: header v1, and the body of ApiVersions v2 is empty.
  util::ByteBuffer out2;
  ASSERT_TRUE(EncodeRequestFrame(ApiVersionsRequest{}, 2, 1, std::nullopt, &out2).ok());
  EXPECT_EQ(Contents(out2), (ByteVec{0x00, 0x00, 0x00, 0x0a, 0x00, 0x12, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
                                     0xff, 0xff}));
}

TEST(HeaderTest, EncodeRequestFrameSizeMatchesForLargerBodies) {
  MetadataRequest req;
  req.allow_auto_topic_creation = false;
  util::ByteBuffer out;
  ASSERT_TRUE(EncodeRequestFrame(req, 12, 42, std::optional<std::string>(std::string(300, 'c')), &out).ok());
  ASSERT_GE(out.size(), 4u);
  const uint32_t size = util::LoadBE32(out.data());
  EXPECT_EQ(size, out.size() - 4);
  // Parse it back: header v2 for Metadata v12, then the body decodes.
  RequestHeader h;
  std::span<const uint8_t> body;
  ASSERT_TRUE(ReadRequestHeader(out.span().subspan(4), &h, &body).ok());
  EXPECT_EQ(h.api_key, 3);
  EXPECT_EQ(h.api_version, 12);
  EXPECT_EQ(h.correlation_id, 42);
  EXPECT_EQ(h.client_id, std::optional<std::string>(std::string(300, 'c')));
  MetadataRequest back;
  ASSERT_TRUE(back.Decode(body, 12).ok());
  EXPECT_EQ(back, req);
}

TEST(HeaderTest, EncodeRequestFrameFailsWhenBodyCannotBeEncoded) {
  HeartbeatRequest req;
  req.group_instance_id = "instance";  // needs v3+
  util::ByteBuffer out;
  EXPECT_FALSE(EncodeRequestFrame(req, 2, 1, std::nullopt, &out).ok());
}

TEST(HeaderTest, ResponseFrameRoundTrip) {
  HeartbeatResponse resp;
  resp.throttle_time_ms = 5;
  resp.error_code = 27;
  util::ByteBuffer out;
  ASSERT_TRUE(EncodeResponseFrame(resp, 4, 0x11223344, &out).ok());
  // v4 is flexible: response header v1 (correlation id + tag byte), body int32 int16 tags.
  const ByteVec expected = {0x00, 0x00, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44, 0x00,
                            0x00, 0x00, 0x00, 0x05, 0x00, 0x1b, 0x00};
  EXPECT_EQ(Contents(out), expected);
  ResponseHeader h;
  HeartbeatResponse back;
  ASSERT_TRUE(DecodeResponseFrame(out.span().subspan(4), 4, &h, &back).ok());
  EXPECT_EQ(h.correlation_id, 0x11223344);
  EXPECT_EQ(back, resp);
}

TEST(HeaderTest, ApiVersionsResponseFrameUsesHeaderV0) {
  ApiVersionsResponse resp;
  resp.error_code = 35;
  util::ByteBuffer out;
  ASSERT_TRUE(EncodeResponseFrame(resp, 3, 9, &out).ok());
  ASSERT_GE(out.size(), 10u);
  // size, then correlation id, then directly the body's error_code (no tag byte in between).
  EXPECT_EQ(util::LoadBE32(out.data()), out.size() - 4);
  EXPECT_EQ(util::LoadBE32(out.data() + 4), 9u);
  EXPECT_EQ(util::LoadBE16(out.data() + 8), 35u);
  ResponseHeader h;
  ApiVersionsResponse back;
  ASSERT_TRUE(DecodeResponseFrame(out.span().subspan(4), 3, &h, &back).ok());
  EXPECT_EQ(back.error_code, 35);
  EXPECT_EQ(h.correlation_id, 9);
}

TEST(HeaderTest, DecodeResponseFrameRejectsTruncatedHeader) {
  const ByteVec frame = {0x00, 0x00, 0x01};
  ResponseHeader h;
  HeartbeatResponse r;
  EXPECT_FALSE(DecodeResponseFrame(frame, 4, &h, &r).ok());
  const ByteVec no_tags = {0x00, 0x00, 0x00, 0x01};  // v1 header needs the tag count
  EXPECT_FALSE(DecodeResponseFrame(no_tags, 4, &h, &r).ok());
}

}  // namespace
}  // namespace kclient::protocol
