#include "util/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace kclient::util {
namespace {

using ByteVec = std::vector<uint8_t>;

ByteVec EncodeUvarint(uint64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  return ByteVec(buf, PutUvarint64(buf, v));
}
ByteVec EncodeUvarint32(uint32_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  return ByteVec(buf, PutUvarint32(buf, v));
}
ByteVec EncodeVarint32(int32_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  return ByteVec(buf, PutVarint32(buf, v));
}
ByteVec EncodeVarint64(int64_t v) {
  uint8_t buf[kMaxVarint64Bytes];
  return ByteVec(buf, PutVarint64(buf, v));
}

// Unsigned LEB128, as Kafka's ByteUtils.writeUnsignedVarint writes it.
TEST(VarintTest, KnownUnsignedEncodings) {
  EXPECT_EQ(EncodeUvarint32(0), (ByteVec{0x00}));
  EXPECT_EQ(EncodeUvarint32(1), (ByteVec{0x01}));
  EXPECT_EQ(EncodeUvarint32(127), (ByteVec{0x7f}));
  EXPECT_EQ(EncodeUvarint32(128), (ByteVec{0x80, 0x01}));
  EXPECT_EQ(EncodeUvarint32(300), (ByteVec{0xac, 0x02}));
  EXPECT_EQ(EncodeUvarint32(16383), (ByteVec{0xff, 0x7f}));
  EXPECT_EQ(EncodeUvarint32(16384), (ByteVec{0x80, 0x80, 0x01}));
  EXPECT_EQ(EncodeUvarint32(UINT32_MAX), (ByteVec{0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(EncodeUvarint(UINT64_MAX),
            (ByteVec{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(VarintTest, KnownZigZag) {
  EXPECT_EQ(ZigZag32(0), 0u);
  EXPECT_EQ(ZigZag32(-1), 1u);
  EXPECT_EQ(ZigZag32(1), 2u);
  EXPECT_EQ(ZigZag32(-2), 3u);
  EXPECT_EQ(ZigZag32(2), 4u);
  EXPECT_EQ(ZigZag32(2147483647), 4294967294u);
  EXPECT_EQ(ZigZag32(-2147483647 - 1), 4294967295u);
  EXPECT_EQ(ZigZag64(0), 0u);
  EXPECT_EQ(ZigZag64(-1), 1u);
  EXPECT_EQ(ZigZag64(1), 2u);
  EXPECT_EQ(ZigZag64(-2), 3u);
  EXPECT_EQ(ZigZag64(std::numeric_limits<int64_t>::max()), UINT64_MAX - 1);
  EXPECT_EQ(ZigZag64(std::numeric_limits<int64_t>::min()), UINT64_MAX);
  for (int32_t v : {0, 1, -1, 2, -2, 63, -64, 64, 1000000, -1000000, INT32_MAX, INT32_MIN}) {
    EXPECT_EQ(UnZigZag32(ZigZag32(v)), v);
    EXPECT_EQ(UnZigZag64(ZigZag64(v)), v);
  }
  EXPECT_EQ(UnZigZag64(ZigZag64(std::numeric_limits<int64_t>::min())), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(UnZigZag64(ZigZag64(std::numeric_limits<int64_t>::max())), std::numeric_limits<int64_t>::max());
}

TEST(VarintTest, KnownSignedEncodings) {
  EXPECT_EQ(EncodeVarint32(0), (ByteVec{0x00}));
  EXPECT_EQ(EncodeVarint32(-1), (ByteVec{0x01}));
  EXPECT_EQ(EncodeVarint32(1), (ByteVec{0x02}));
  EXPECT_EQ(EncodeVarint32(-64), (ByteVec{0x7f}));
  EXPECT_EQ(EncodeVarint32(64), (ByteVec{0x80, 0x01}));
  EXPECT_EQ(EncodeVarint32(150), (ByteVec{0xac, 0x02}));
  EXPECT_EQ(EncodeVarint32(INT32_MAX), (ByteVec{0xfe, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(EncodeVarint32(INT32_MIN), (ByteVec{0xff, 0xff, 0xff, 0xff, 0x0f}));
  EXPECT_EQ(EncodeVarint64(-1), (ByteVec{0x01}));
  EXPECT_EQ(EncodeVarint64(std::numeric_limits<int64_t>::min()),
            (ByteVec{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(VarintTest, SizesMatchEncodings) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128}, uint64_t{16383}, uint64_t{16384},
                     uint64_t{UINT32_MAX}, uint64_t{1} << 56, UINT64_MAX}) {
    EXPECT_EQ(static_cast<size_t>(UvarintSize(v)), EncodeUvarint(v).size()) << v;
  }
  EXPECT_EQ(UvarintSize(0), 1);
  EXPECT_EQ(UvarintSize(128), 2);
  EXPECT_EQ(UvarintSize(UINT64_MAX), 10);
  EXPECT_EQ(VarintSize32(-1), 1);
  EXPECT_EQ(VarintSize32(64), 2);
  EXPECT_EQ(VarintSize32(INT32_MIN), 5);
  EXPECT_EQ(VarintSize64(std::numeric_limits<int64_t>::min()), 10);
  EXPECT_EQ(VarintSize64(std::numeric_limits<int64_t>::max()), 10);
}

TEST(VarintTest, DecodeKnownBytes) {
  const ByteVec in = {0x80, 0x80, 0x01, 0xff};  // 16384 then a stray byte
  uint32_t u = 0;
  const uint8_t* end = GetUvarint32(in.data(), in.data() + in.size(), &u);
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(u, 16384u);
  EXPECT_EQ(end, in.data() + 3);  // stops right after the last byte of the varint

  const ByteVec signed_in = {0xac, 0x02};
  int32_t s = 0;
  ASSERT_NE(GetVarint32(signed_in.data(), signed_in.data() + signed_in.size(), &s), nullptr);
  EXPECT_EQ(s, 150);
  int64_t l = 0;
  ASSERT_NE(GetVarint64(signed_in.data(), signed_in.data() + signed_in.size(), &l), nullptr);
  EXPECT_EQ(l, 150);
}

TEST(VarintTest, Varint32RoundTrip) {
  std::vector<int32_t> values = {0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, INT32_MAX, INT32_MIN,
                                 INT32_MAX - 1, INT32_MIN + 1};
  for (int shift = 0; shift < 31; ++shift) {
    values.push_back(int32_t{1} << shift);
    values.push_back(-(int32_t{1} << shift));
  }
  for (int32_t v : values) {
    const ByteVec enc = EncodeVarint32(v);
    int32_t out = 0x5a5a5a5a;
    const uint8_t* end = GetVarint32(enc.data(), enc.data() + enc.size(), &out);
    ASSERT_EQ(end, enc.data() + enc.size()) << v;
    EXPECT_EQ(out, v);
  }
}

TEST(VarintTest, Varint64RoundTripIncludingMinMax) {
  std::vector<int64_t> values = {0, 1, -1, std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max() - 1, std::numeric_limits<int64_t>::min() + 1,
                                 INT32_MAX, INT32_MIN, int64_t{INT32_MAX} + 1, int64_t{INT32_MIN} - 1};
  for (int shift = 0; shift < 63; ++shift) {
    values.push_back(int64_t{1} << shift);
    values.push_back(-(int64_t{1} << shift));
  }
  for (int64_t v : values) {
    const ByteVec enc = EncodeVarint64(v);
    EXPECT_EQ(enc.size(), static_cast<size_t>(VarintSize64(v)));
    int64_t out = 0x5a5a5a5a;
    const uint8_t* end = GetVarint64(enc.data(), enc.data() + enc.size(), &out);
    ASSERT_EQ(end, enc.data() + enc.size()) << v;
    EXPECT_EQ(out, v);
  }
}

TEST(VarintTest, Uvarint32RoundTrip) {
  for (uint32_t v : {0u, 1u, 127u, 128u, 300u, 16383u, 16384u, 2097151u, 2097152u, 268435455u, 268435456u,
                     UINT32_MAX}) {
    const ByteVec enc = EncodeUvarint32(v);
    uint32_t out = 12345;
    ASSERT_EQ(GetUvarint32(enc.data(), enc.data() + enc.size(), &out), enc.data() + enc.size()) << v;
    EXPECT_EQ(out, v);
  }
}

TEST(VarintTest, DecodersRejectTruncatedInput) {
  for (uint64_t v : {uint64_t{128}, uint64_t{16384}, uint64_t{UINT32_MAX}}) {
    const ByteVec enc = EncodeUvarint(v);
    for (size_t n = 0; n < enc.size(); ++n) {
      uint32_t u = 0;
      EXPECT_EQ(GetUvarint32(enc.data(), enc.data() + n, &u), nullptr) << v << " cut to " << n;
      int32_t s = 0;
      EXPECT_EQ(GetVarint32(enc.data(), enc.data() + n, &s), nullptr) << v << " cut to " << n;
    }
  }
  const ByteVec enc = EncodeVarint64(std::numeric_limits<int64_t>::min());
  ASSERT_EQ(enc.size(), 10u);
  for (size_t n = 0; n < enc.size(); ++n) {
    int64_t l = 0;
    EXPECT_EQ(GetVarint64(enc.data(), enc.data() + n, &l), nullptr) << "cut to " << n;
  }
  // Empty input.
  const uint8_t none = 0;
  uint32_t u = 7;
  EXPECT_EQ(GetUvarint32(&none, &none, &u), nullptr);
  EXPECT_EQ(u, 7u);  // untouched on failure
}

TEST(VarintTest, DecodersDoNotReadPastEnd) {
  // Continuation bit set on the last byte in range; the byte after `end` would terminate the
  // varint, but the decoder must not look at it.
  const ByteVec in = {0x80, 0x80, 0x01};
  uint32_t u = 0;
  EXPECT_EQ(GetUvarint32(in.data(), in.data() + 2, &u), nullptr);
  int64_t l = 0;
  EXPECT_EQ(GetVarint64(in.data(), in.data() + 2, &l), nullptr);
}

TEST(VarintTest, Varint32RejectsOverlongInput) {
  // Six bytes: five continuation bytes then a terminator. Kafka's readUnsignedVarint throws.
  const ByteVec six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  uint32_t u = 0;
  EXPECT_EQ(GetUvarint32(six.data(), six.data() + six.size(), &u), nullptr);
  int32_t s = 0;
  EXPECT_EQ(GetVarint32(six.data(), six.data() + six.size(), &s), nullptr);
  // Five bytes whose value exceeds 32 bits.
  const ByteVec too_big = {0xff, 0xff, 0xff, 0xff, 0x1f};
  EXPECT_EQ(GetUvarint32(too_big.data(), too_big.data() + too_big.size(), &u), nullptr);
  // A five-byte encoding that fits is accepted.
  const ByteVec five = {0xff, 0xff, 0xff, 0xff, 0x0f};
  ASSERT_NE(GetUvarint32(five.data(), five.data() + five.size(), &u), nullptr);
  EXPECT_EQ(u, UINT32_MAX);
}

TEST(VarintTest, Varint64RejectsOverlongInput) {
  // Eleven bytes: ten continuation bytes then a terminator.
  const ByteVec eleven = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  int64_t l = 0;
  EXPECT_EQ(GetVarint64(eleven.data(), eleven.data() + eleven.size(), &l), nullptr);
  // Ten bytes is the most a varlong takes, and is accepted.
  const ByteVec ten = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  ASSERT_EQ(GetVarint64(ten.data(), ten.data() + ten.size(), &l), ten.data() + ten.size());
  EXPECT_EQ(l, 0);
}

}  // namespace
}  // namespace kclient::util
