// Round trips every generated request and response at every version it supports: random
// contents (FillForTest), encode, decode, compare, re-encode, compare bytes; and every
// truncation of a valid encoding must be rejected cleanly.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/testing/message_fill.h"
#include "protocol/testing/test_rng.h"
#include "protocol/wire.h"
#include "util/byte_buffer.h"

namespace kclient::protocol {
namespace {

using ByteVec = std::vector<uint8_t>;

constexpr uint64_t kSeeds = 25;

ByteVec Contents(const util::ByteBuffer& b) { return ByteVec(b.data(), b.data() + b.size()); }

template <typename M>
void ExpectEveryPrefixFails(const util::ByteBuffer& enc, int16_t version) {
  const size_t n = enc.size();
  for (size_t len = 0; len < n; ++len) {
    // Copy the prefix into its own allocation so that a read past its end is caught by
    // sanitizers rather than landing in the rest of the encoding.
    const ByteVec prefix(enc.data(), enc.data() + len);
    M m;
    const Status s = m.Decode(std::span<const uint8_t>(prefix.data(), prefix.size()), version);
    if (s.ok()) {
      ADD_FAILURE() << M::kName << " v" << version << ": a " << len << "-byte prefix of a " << n
                    << "-byte encoding decoded";
      return;
    }
  }
}

template <typename M>
void RoundTripAllVersions() {
  int non_default = 0;
  for (int16_t version = M::kMinVersion; version <= M::kMaxVersion; ++version) {
    for (uint64_t seed = 0; seed < kSeeds; ++seed) {
      SCOPED_TRACE(std::string(M::kName) + " v" + std::to_string(version) + " seed " + std::to_string(seed));
      TestRng rng(seed * 0x10001 + static_cast<uint64_t>(version));
      M original;
      FillForTest(original, version, rng);
      if (!(original == M())) ++non_default;

      util::ByteBuffer enc;
      const Status es = original.Encode(&enc, version);
      ASSERT_TRUE(es.ok()) << es.ToString();

      M decoded;
      const Status ds = decoded.Decode(enc.span(), version);
      ASSERT_TRUE(ds.ok()) << ds.ToString();
      ASSERT_TRUE(decoded == original) << "decoded message differs from the one encoded";

      util::ByteBuffer again;
      ASSERT_TRUE(decoded.Encode(&again, version).ok());
      ASSERT_EQ(Contents(again), Contents(enc)) << "re-encoding changed the bytes";

      // One byte too many is rejected as well.
      ByteVec longer = Contents(enc);
      longer.push_back(0);
      M trailing;
      EXPECT_FALSE(trailing.Decode(longer, version).ok()) << "trailing byte accepted";

      ExpectEveryPrefixFails<M>(enc, version);
      if (::testing::Test::HasFailure()) return;
    }
  }
  // Guards against a FillForTest that fills nothing, which would make the above vacuous.
  EXPECT_GT(non_default, 0) << M::kName << ": FillForTest never changed anything";
}

template <typename M>
void RejectsVersionsOutOfRange() {
  M m;
  util::ByteBuffer out;
  EXPECT_EQ(m.Encode(&out, static_cast<int16_t>(M::kMaxVersion + 1)).code(), ErrorCode::kLocalUnsupportedVersion);
  EXPECT_EQ(m.Decode({}, static_cast<int16_t>(M::kMaxVersion + 1)).code(), ErrorCode::kLocalUnsupportedVersion);
  EXPECT_EQ(m.Encode(&out, -1).code(), ErrorCode::kLocalUnsupportedVersion);
}

#define KCLIENT_ROUND_TRIP_TEST(Type)                          \
  TEST(MessagesRoundTripTest, Type) { RoundTripAllVersions<Type>(); } \
  TEST(MessagesVersionRangeTest, Type) { RejectsVersionsOutOfRange<Type>(); }
KCLIENT_FOR_EACH_MESSAGE(KCLIENT_ROUND_TRIP_TEST)
#undef KCLIENT_ROUND_TRIP_TEST

TEST(TestRngTest, DeterministicAndInRange) {
  TestRng a(42);
  TestRng b(42);
  TestRng c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
  for (int i = 0; i < 1000; ++i) {
    EXPECT_LT(a.Below(7), 7u);
    const std::string s = a.String();
    EXPECT_LE(s.size(), 12u);
    for (char ch : s) {
      EXPECT_GE(ch, 0x20);
      EXPECT_LT(ch, 0x7f);
    }
    EXPECT_LE(a.ByteString().size(), 12u);
    const RecordsView r = a.Records();
    EXPECT_LE(r.size, 40u);
    EXPECT_NE(r.data, nullptr);
  }
  EXPECT_TRUE(a.OneIn(1));
}

// --- Fields a version cannot carry -----------------------------------------------------------

TEST(MessagesEncodeTest, ProduceTransactionalIdNeedsV3) {
  ProduceRequest req;
  req.acks = -1;
  req.timeout_ms = 30000;
  req.transactional_id = "txn";
  util::ByteBuffer out;
  const Status s = req.Encode(&out, 2);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kLocalInvalidArgument);
  util::ByteBuffer out3;
  EXPECT_TRUE(req.Encode(&out3, 3).ok());
  // Null is what v0-2 implicitly carry, so a null id encodes fine at v2.
  req.transactional_id.reset();
  util::ByteBuffer out2;
  EXPECT_TRUE(req.Encode(&out2, 2).ok());
}

TEST(MessagesEncodeTest, HeartbeatGroupInstanceIdNeedsV3) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 1;
  req.member_id = "m";
  req.group_instance_id = "static-1";
  util::ByteBuffer out;
  const Status s = req.Encode(&out, 2);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kLocalInvalidArgument);
  util::ByteBuffer out3;
  EXPECT_TRUE(req.Encode(&out3, 3).ok());
  req.group_instance_id.reset();
  util::ByteBuffer out2;
  EXPECT_TRUE(req.Encode(&out2, 2).ok());
}

// --- Byte images --------------------------------------------------------------------------

TEST(MessagesEncodeTest, HeartbeatRequestByteImages) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 5;
  req.member_id = "m";
  util::ByteBuffer v0;
  ASSERT_TRUE(req.Encode(&v0, 0).ok());
  EXPECT_EQ(Contents(v0), (ByteVec{0x00, 0x01, 'g', 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 'm'}));
  util::ByteBuffer v4;
  ASSERT_TRUE(req.Encode(&v4, 4).ok());
  // Flexible: compact strings, null group instance id = 00, empty tag buffer.
  EXPECT_EQ(Contents(v4), (ByteVec{0x02, 'g', 0x00, 0x00, 0x00, 0x05, 0x02, 'm', 0x00, 0x00}));
}

// --- Unknown tagged fields -------------------------------------------------------------------

TEST(MessagesTaggedFieldsTest, UnknownTopLevelTagRoundTrips) {
  HeartbeatRequest req;
  req.group_id = "g";
  req.generation_id = 5;
  req.member_id = "m";
  util::ByteBuffer enc;
  ASSERT_TRUE(req.Encode(&enc, 4).ok());
  ByteVec bytes = Contents(enc);
  ASSERT_EQ(bytes.back(), 0x00);  // empty tag buffer
  bytes.back() = 0x01;            // one tagged field:
  bytes.insert(bytes.end(), {0x63, 0x02, 0xab, 0xcd});  // tag 99, 2 bytes

  HeartbeatRequest decoded;
  ASSERT_TRUE(decoded.Decode(bytes, 4).ok());
  EXPECT_EQ(decoded.group_id, "g");
  EXPECT_EQ(decoded.member_id, "m");
  ASSERT_EQ(decoded.unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(decoded.unknown_tagged_fields[0].tag, 99u);
  EXPECT_EQ(decoded.unknown_tagged_fields[0].data, (Bytes{0xab, 0xcd}));

  util::ByteBuffer again;
  ASSERT_TRUE(decoded.Encode(&again, 4).ok());
  EXPECT_EQ(Contents(again), bytes);
}

TEST(MessagesTaggedFieldsTest, UnknownTagsMergeWithKnownTagsAndNestedStructs) {
  ApiVersionsResponse resp;
  resp.error_code = 0;
  resp.api_keys.push_back({18, 0, 4, {}});
  resp.throttle_time_ms = 0;
  resp.finalized_features_epoch = 5;  // known tag 1
  resp.zk_migration_ready = true;     // known tag 3
  util::ByteBuffer enc;
  ASSERT_TRUE(resp.Encode(&enc, 3).ok());
  const ByteVec expected = {0x00, 0x00,                          // error_code
                            0x02,                                // one api key (compact)
                            0x00, 0x12, 0x00, 0x00, 0x00, 0x04,  // 18, 0..4
                            0x00,                                // its tag buffer
                            0x00, 0x00, 0x00, 0x00,              // throttle_time_ms
                            0x02,                                // two tagged fields
                            0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5,  // tag 1: epoch 5
                            0x03, 0x01, 0x01};                   // tag 3: true
  ASSERT_EQ(Contents(enc), expected);

  // Add unknown tag 99 at the top level and unknown tag 7 inside the api key entry.
  const ByteVec with_unknown = {0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04,
                                0x01, 0x07, 0x01, 0xee,  // nested: tag 7 = ee
                                0x00, 0x00, 0x00, 0x00,
                                0x03, 0x01, 0x08, 0, 0, 0, 0, 0, 0, 0, 5, 0x03, 0x01, 0x01,
                                0x63, 0x02, 0xab, 0xcd};  // tag 99
  ApiVersionsResponse decoded;
  ASSERT_TRUE(decoded.Decode(with_unknown, 3).ok());
  EXPECT_EQ(decoded.finalized_features_epoch, 5);
  EXPECT_TRUE(decoded.zk_migration_ready);
  ASSERT_EQ(decoded.unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(decoded.unknown_tagged_fields[0], (UnknownTaggedField{99, Bytes{0xab, 0xcd}}));
  ASSERT_EQ(decoded.api_keys.size(), 1u);
  ASSERT_EQ(decoded.api_keys[0].unknown_tagged_fields.size(), 1u);
  EXPECT_EQ(decoded.api_keys[0].unknown_tagged_fields[0], (UnknownTaggedField{7, Bytes{0xee}}));

  util::ByteBuffer again;
  ASSERT_TRUE(decoded.Encode(&again, 3).ok());
  EXPECT_EQ(Contents(again), with_unknown);
}

TEST(MessagesTaggedFieldsTest, TruncatedTaggedFieldFails) {
  // Claims a 5-byte tag value with only 2 bytes present.
  const ByteVec bytes = {0x02, 'g', 0x00, 0x00, 0x00, 0x05, 0x02, 'm', 0x00, 0x01, 0x63, 0x05, 0xab, 0xcd};
  HeartbeatRequest decoded;
  EXPECT_FALSE(decoded.Decode(bytes, 4).ok());
}

}  // namespace
}  // namespace kclient::protocol
