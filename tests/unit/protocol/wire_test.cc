#include "protocol/wire.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <new>
#include <optional>
#include <string>
#include <vector>

// Allocation tracking, to show that a huge length prefix is rejected without allocating for it.
// This replaces the global operator new for this test binary only.
namespace {
std::atomic<size_t> g_largest_allocation{0};

void* TrackedAlloc(size_t n) {
  size_t prev = g_largest_allocation.load(std::memory_order_relaxed);
  while (n > prev && !g_largest_allocation.compare_exchange_weak(prev, n, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t n) { return TrackedAlloc(n); }
void* operator new[](size_t n) { return TrackedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }

namespace kclient::protocol {
namespace {

using ByteVec = std::vector<uint8_t>;

ByteVec Contents(const util::ByteBuffer& b) { return ByteVec(b.data(), b.data() + b.size()); }

// Encodes with `write` and returns the bytes; fails the test if the writer failed.
template <typename F>
ByteVec Encode(F write) {
  util::ByteBuffer buf;
  Writer w(&buf);
  write(w);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  return Contents(buf);
}

// ---------------------------------------------------------------------------------------------
// Fixed-width primitives: byte images (big-endian) and round trips.

TEST(WireTest, FixedWidthByteImages) {
  EXPECT_EQ(Encode([](Writer& w) { w.WriteInt8(-2); }), (ByteVec{0xfe}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteInt16(0x0102); }), (ByteVec{0x01, 0x02}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteInt16(-1); }), (ByteVec{0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteUint16(0xfffe); }), (ByteVec{0xff, 0xfe}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteInt32(0x01020304); }), (ByteVec{0x01, 0x02, 0x03, 0x04}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteUint32(0xdeadbeef); }), (ByteVec{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteInt64(0x0102030405060708); }),
            (ByteVec{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteBool(true); }), (ByteVec{0x01}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteBool(false); }), (ByteVec{0x00}));
  // IEEE 754 binary64, big-endian: 1.0 = 3ff0000000000000.
  EXPECT_EQ(Encode([](Writer& w) { w.WriteFloat64(1.0); }),
            (ByteVec{0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
  // Uuid: most significant half first.
  EXPECT_EQ(Encode([](Writer& w) { w.WriteUuid(Uuid{0x0011223344556677, 0x8899aabbccddeeff}); }),
            (ByteVec{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
                     0xee, 0xff}));
}

TEST(WireTest, VarintByteImages) {
  EXPECT_EQ(Encode([](Writer& w) { w.WriteUvarint32(300); }), (ByteVec{0xac, 0x02}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteVarint32(-1); }), (ByteVec{0x01}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteVarint32(150); }), (ByteVec{0xac, 0x02}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteVarint64(-2); }), (ByteVec{0x03}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteUvarint32(UINT32_MAX); }), (ByteVec{0xff, 0xff, 0xff, 0xff, 0x0f}));
}

TEST(WireTest, EveryPrimitiveRoundTrips) {
  const Uuid id{0x0123456789abcdef, 0xfedcba9876543210};
  const ByteVec bytes = Encode([&](Writer& w) {
    w.WriteInt8(INT8_MIN);
    w.WriteInt8(INT8_MAX);
    w.WriteInt16(INT16_MIN);
    w.WriteInt16(INT16_MAX);
    w.WriteUint16(UINT16_MAX);
    w.WriteInt32(INT32_MIN);
    w.WriteInt32(INT32_MAX);
    w.WriteUint32(UINT32_MAX);
    w.WriteInt64(std::numeric_limits<int64_t>::min());
    w.WriteInt64(std::numeric_limits<int64_t>::max());
    w.WriteFloat64(-3.25);
    w.WriteFloat64(std::numeric_limits<double>::infinity());
    w.WriteBool(true);
    w.WriteBool(false);
    w.WriteUuid(id);
    w.WriteUvarint32(0);
    w.WriteUvarint32(UINT32_MAX);
    w.WriteVarint32(INT32_MIN);
    w.WriteVarint32(INT32_MAX);
    w.WriteVarint64(std::numeric_limits<int64_t>::min());
    w.WriteVarint64(std::numeric_limits<int64_t>::max());
  });
  Reader r(bytes.data(), bytes.size());
  EXPECT_EQ(r.ReadInt8(), INT8_MIN);
  EXPECT_EQ(r.ReadInt8(), INT8_MAX);
  EXPECT_EQ(r.ReadInt16(), INT16_MIN);
  EXPECT_EQ(r.ReadInt16(), INT16_MAX);
  EXPECT_EQ(r.ReadUint16(), UINT16_MAX);
  EXPECT_EQ(r.ReadInt32(), INT32_MIN);
  EXPECT_EQ(r.ReadInt32(), INT32_MAX);
  EXPECT_EQ(r.ReadUint32(), UINT32_MAX);
  EXPECT_EQ(r.ReadInt64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.ReadInt64(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(r.ReadFloat64(), -3.25);
  EXPECT_EQ(r.ReadFloat64(), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(r.ReadBool());
  EXPECT_FALSE(r.ReadBool());
  EXPECT_EQ(r.ReadUuid(), id);
  EXPECT_EQ(r.ReadUvarint32(), 0u);
  EXPECT_EQ(r.ReadUvarint32(), UINT32_MAX);
  EXPECT_EQ(r.ReadVarint32(), INT32_MIN);
  EXPECT_EQ(r.ReadVarint32(), INT32_MAX);
  EXPECT_EQ(r.ReadVarint64(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(r.ReadVarint64(), std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_TRUE(r.status("primitives").ok());
}

TEST(WireTest, BoolReadsAnyNonZeroAsTrue) {
  const ByteVec in = {0x00, 0x01, 0x02, 0xff};
  Reader r(in.data(), in.size());
  EXPECT_FALSE(r.ReadBool());
  EXPECT_TRUE(r.ReadBool());
  EXPECT_TRUE(r.ReadBool());
  EXPECT_TRUE(r.ReadBool());
  EXPECT_TRUE(r.ok());
}

TEST(WireTest, FixedWidthReadsFailWhenTruncated) {
  const ByteVec in = {0x01, 0x02, 0x03};
  {
    Reader r(in.data(), in.size());
    EXPECT_EQ(r.ReadInt32(), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(in.data(), in.size());
    EXPECT_EQ(r.ReadInt16(), 0x0102);
    EXPECT_EQ(r.ReadInt16(), 0);  // one byte left
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(in.data(), 0);
    EXPECT_EQ(r.ReadInt8(), 0);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status("thing").code(), ErrorCode::kLocalMalformed);
    EXPECT_NE(r.status("thing").message().find("thing"), std::string_view::npos);
  }
  {
    Reader r(in.data(), in.size());
    r.ReadUuid();
    EXPECT_FALSE(r.ok());
  }
}

TEST(WireTest, MalformedVarintsFail) {
  const ByteVec six = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  {
    Reader r(six.data(), six.size());
    EXPECT_EQ(r.ReadUvarint32(), 0u);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(six.data(), six.size());
    EXPECT_EQ(r.ReadVarint32(), 0);
    EXPECT_FALSE(r.ok());
  }
  const ByteVec eleven(11, 0x80);
  {
    Reader r(eleven.data(), eleven.size());
    EXPECT_EQ(r.ReadVarint64(), 0);
    EXPECT_FALSE(r.ok());
  }
  const ByteVec truncated = {0x80};
  {
    Reader r(truncated.data(), truncated.size());
    r.ReadVarint64();
    EXPECT_FALSE(r.ok());
  }
}

// ---------------------------------------------------------------------------------------------
// Strings, bytes, arrays: compact (flexible versions) and classic length prefixes.

TEST(WireTest, StringEncodings) {
  EXPECT_EQ(Encode([](Writer& w) { w.WriteString("abc", /*compact=*/true); }), (ByteVec{0x04, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteString("abc", /*compact=*/false); }),
            (ByteVec{0x00, 0x03, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteString("", true); }), (ByteVec{0x01}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteString("", false); }), (ByteVec{0x00, 0x00}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableString(std::nullopt, false); }), (ByteVec{0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableString(std::nullopt, true); }), (ByteVec{0x00}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableString(std::string("x"), true); }), (ByteVec{0x02, 'x'}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableString(std::string("x"), false); }),
            (ByteVec{0x00, 0x01, 'x'}));
  // A compact length needing two varint bytes: 200 chars -> 201 = c9 01.
  const ByteVec long_compact = Encode([](Writer& w) { w.WriteString(std::string(200, 'z'), true); });
  ASSERT_EQ(long_compact.size(), 202u);
  EXPECT_EQ(long_compact[0], 0xc9);
  EXPECT_EQ(long_compact[1], 0x01);
}

TEST(WireTest, BytesAndRecordsEncodings) {
  const ByteVec abc = {'a', 'b', 'c'};
  EXPECT_EQ(Encode([&](Writer& w) { w.WriteBytes(abc, true); }), (ByteVec{0x04, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([&](Writer& w) { w.WriteBytes(abc, false); }),
            (ByteVec{0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableBytes(std::nullopt, false); }),
            (ByteVec{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableBytes(std::nullopt, true); }), (ByteVec{0x00}));
  EXPECT_EQ(Encode([&](Writer& w) { w.WriteNullableBytes(abc, true); }), (ByteVec{0x04, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([&](Writer& w) { w.WriteRecords(RecordsView(abc.data(), abc.size()), false); }),
            (ByteVec{0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableRecords(std::nullopt, false); }),
            (ByteVec{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteNullableRecords(std::nullopt, true); }), (ByteVec{0x00}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteBytes({}, false); }), (ByteVec{0x00, 0x00, 0x00, 0x00}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteBytes({}, true); }), (ByteVec{0x01}));
}

TEST(WireTest, ArrayLengthEncodings) {
  EXPECT_EQ(Encode([](Writer& w) { w.WriteArrayLength(3, true); }), (ByteVec{0x04}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteArrayLength(3, false); }), (ByteVec{0x00, 0x00, 0x00, 0x03}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteArrayLength(-1, true); }), (ByteVec{0x00}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteArrayLength(-1, false); }), (ByteVec{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteStringLength(-1, false); }), (ByteVec{0xff, 0xff}));
  EXPECT_EQ(Encode([](Writer& w) { w.WriteBytesLength(-1, true); }), (ByteVec{0x00}));
}

TEST(WireTest, StringsRoundTrip) {
  for (bool compact : {false, true}) {
    SCOPED_TRACE(compact ? "compact" : "classic");
    const std::string big(5000, 'q');
    const ByteVec bytes = Encode([&](Writer& w) {
      w.WriteString("hello", compact);
      w.WriteString("", compact);
      w.WriteNullableString(std::nullopt, compact);
      w.WriteNullableString(std::string("é"), compact);
      w.WriteString(big, compact);
    });
    Reader r(bytes.data(), bytes.size());
    EXPECT_EQ(r.ReadString(compact), "hello");
    EXPECT_EQ(r.ReadString(compact), "");
    EXPECT_EQ(r.ReadNullableString(compact), std::nullopt);
    EXPECT_EQ(r.ReadNullableString(compact), std::optional<std::string>("é"));
    EXPECT_EQ(r.ReadString(compact), big);
    EXPECT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(WireTest, BytesAndRecordsRoundTrip) {
  for (bool compact : {false, true}) {
    SCOPED_TRACE(compact ? "compact" : "classic");
    const Bytes payload = {0x00, 0xff, 0x10};
    const ByteVec bytes = Encode([&](Writer& w) {
      w.WriteBytes(payload, compact);
      w.WriteNullableBytes(std::nullopt, compact);
      w.WriteNullableBytes(Bytes{}, compact);
      w.WriteRecords(RecordsView(payload.data(), payload.size()), compact);
      w.WriteNullableRecords(std::nullopt, compact);
      w.WriteNullableRecords(RecordsView(payload.data(), 2), compact);
    });
    Reader r(bytes.data(), bytes.size());
    EXPECT_EQ(r.ReadBytes(compact), payload);
    EXPECT_EQ(r.ReadNullableBytes(compact), std::nullopt);
    EXPECT_EQ(r.ReadNullableBytes(compact), std::optional<Bytes>(Bytes{}));
    const uint8_t* records_start = r.position() + (compact ? 1 : 4);
    const RecordsView rec = r.ReadRecords(compact);
    EXPECT_EQ(rec, RecordsView(payload.data(), payload.size()));
    EXPECT_EQ(rec.data, records_start) << "records must be a view into the input, not a copy";
    EXPECT_EQ(r.ReadNullableRecords(compact), std::nullopt);
    const auto rec2 = r.ReadNullableRecords(compact);
    ASSERT_TRUE(rec2.has_value());
    EXPECT_EQ(*rec2, RecordsView(payload.data(), 2));
    EXPECT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.remaining(), 0u);
  }
}

TEST(WireTest, ReadSpanIsAViewAndChecksBounds) {
  const ByteVec in = {1, 2, 3, 4};
  Reader r(in.data(), in.size());
  auto s = r.ReadSpan(3);
  EXPECT_EQ(s.data(), in.data());
  EXPECT_EQ(s.size(), 3u);
  EXPECT_EQ(r.remaining(), 1u);
  EXPECT_TRUE(r.ReadSpan(2).empty());
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, NullWhereValueRequiredFails) {
  {
    const ByteVec in = {0xff, 0xff};
    Reader r(in.data(), in.size());
    EXPECT_EQ(r.ReadString(false), "");
    EXPECT_FALSE(r.ok());
  }
  {
    const ByteVec in = {0x00};
    Reader r(in.data(), in.size());
    r.ReadString(true);
    EXPECT_FALSE(r.ok());
  }
  {
    const ByteVec in = {0xff, 0xff, 0xff, 0xff};
    Reader r(in.data(), in.size());
    EXPECT_TRUE(r.ReadBytes(false).empty());
    EXPECT_FALSE(r.ok());
  }
  {
    const ByteVec in = {0x00};
    Reader r(in.data(), in.size());
    r.ReadRecords(true);
    EXPECT_FALSE(r.ok());
  }
}

TEST(WireTest, NullLengthsAreMinusOne) {
  const ByteVec in = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00};
  Reader r(in.data(), in.size());
  EXPECT_EQ(r.ReadArrayLength(false), -1);
  EXPECT_EQ(r.ReadStringLength(false), -1);
  EXPECT_EQ(r.ReadBytesLength(true), -1);
  EXPECT_EQ(r.ReadArrayLength(true), -1);
  EXPECT_TRUE(r.ok());
}

TEST(WireTest, NegativeLengthsOtherThanMinusOneAreRejected) {
  struct Case {
    const char* name;
    ByteVec in;
    int32_t (Reader::*read)(bool);
    bool compact;
  };
  const Case cases[] = {
      {"string -2", {0xff, 0xfe, 'a', 'b', 'c'}, &Reader::ReadStringLength, false},
      {"string INT16_MIN", {0x80, 0x00, 'a'}, &Reader::ReadStringLength, false},
      {"bytes -2", {0xff, 0xff, 0xff, 0xfe, 'a'}, &Reader::ReadBytesLength, false},
      {"bytes INT32_MIN", {0x80, 0x00, 0x00, 0x00, 'a'}, &Reader::ReadBytesLength, false},
      {"array -5", {0xff, 0xff, 0xff, 0xfb, 'a'}, &Reader::ReadArrayLength, false},
  };
  for (const Case& c : cases) {
    Reader r(c.in.data(), c.in.size());
    EXPECT_EQ((r.*c.read)(c.compact), 0) << c.name;
    EXPECT_FALSE(r.ok()) << c.name;
  }
  // The whole-value readers reject them too.
  const ByteVec s = {0xff, 0xfe, 'a', 'b'};
  Reader rs(s.data(), s.size());
  const auto str = rs.ReadNullableString(false);
  EXPECT_FALSE(rs.ok());
  EXPECT_TRUE(!str || str->empty());
  const ByteVec b = {0xff, 0xff, 0xff, 0xfe, 'a', 'b'};
  Reader rb(b.data(), b.size());
  const auto bytes = rb.ReadNullableBytes(false);
  EXPECT_FALSE(rb.ok());
  EXPECT_TRUE(!bytes || bytes->empty());
}

TEST(WireTest, LengthsBeyondRemainingAreRejectedWithoutAllocating) {
  struct Case {
    const char* name;
    ByteVec in;
  };
  // Each claims far more than the 3 bytes that follow.
  const Case classic_bytes{"classic bytes 0x7fffffff", {0x7f, 0xff, 0xff, 0xff, 'a', 'b', 'c'}};
  const Case compact_bytes{"compact bytes 2^32-2", {0xff, 0xff, 0xff, 0xff, 0x0f, 'a', 'b', 'c'}};
  const Case compact_bytes_small{"compact bytes 4", {0x05, 'a', 'b', 'c'}};
  for (const Case* c : {&classic_bytes, &compact_bytes, &compact_bytes_small}) {
    const bool compact = c != &classic_bytes;
    {
      Reader r(c->in.data(), c->in.size());
      g_largest_allocation = 0;
      const Bytes got = r.ReadBytes(compact);
      EXPECT_LT(g_largest_allocation.load(), size_t{4096}) << c->name;
      EXPECT_TRUE(got.empty()) << c->name;
      EXPECT_FALSE(r.ok()) << c->name;
    }
    {
      Reader r(c->in.data(), c->in.size());
      g_largest_allocation = 0;
      r.ReadNullableString(compact);
      EXPECT_LT(g_largest_allocation.load(), size_t{4096}) << c->name;
      EXPECT_FALSE(r.ok()) << c->name;
    }
    {
      Reader r(c->in.data(), c->in.size());
      EXPECT_EQ(r.ReadArrayLength(compact), 0) << c->name;
      EXPECT_FALSE(r.ok()) << c->name;
    }
    {
      Reader r(c->in.data(), c->in.size());
      r.ReadRecords(compact);
      EXPECT_FALSE(r.ok()) << c->name;
    }
  }
  // Classic string: int16 length 0x7fff with 3 bytes left.
  const ByteVec s = {0x7f, 0xff, 'a', 'b', 'c'};
  Reader r(s.data(), s.size());
  g_largest_allocation = 0;
  EXPECT_EQ(r.ReadString(false), "");
  EXPECT_LT(g_largest_allocation.load(), size_t{4096});
  EXPECT_FALSE(r.ok());
}

TEST(WireTest, LengthsUpToRemainingAreAccepted) {
  // Boundary of the check above: a length equal to what is left is fine.
  const ByteVec in = {0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c'};
  Reader r(in.data(), in.size());
  EXPECT_EQ(r.ReadArrayLength(false), 3);
  EXPECT_TRUE(r.ok());
  const ByteVec in2 = {0x00, 0x00, 0x00, 0x04, 'a', 'b', 'c'};
  Reader r2(in2.data(), in2.size());
  EXPECT_EQ(r2.ReadArrayLength(false), 0);
  EXPECT_FALSE(r2.ok());
}

TEST(WireTest, ErrorsAreSticky) {
  // A bad string length, followed by bytes that would read fine on their own.
  const ByteVec in = {0xff, 0xfe, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 'z'};
  Reader r(in.data(), in.size());
  r.ReadStringLength(false);
  ASSERT_FALSE(r.ok());
  const std::string first_error = r.error();
  EXPECT_EQ(r.ReadInt32(), 0);
  EXPECT_EQ(r.ReadInt8(), 0);
  EXPECT_EQ(r.ReadString(false), "");
  EXPECT_EQ(r.ReadVarint64(), 0);
  EXPECT_EQ(r.ReadUuid(), Uuid{});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(std::string(r.error()), first_error) << "the first failure is the one reported";
  const Status st = r.status("sticky");
  EXPECT_EQ(st.code(), ErrorCode::kLocalMalformed);
  EXPECT_NE(st.message().find(first_error), std::string_view::npos) << st.ToString();
}

TEST(WireTest, ReaderFailKeepsFirstReason) {
  const ByteVec in = {1, 2, 3, 4};
  Reader r(in.data(), in.size());
  r.Fail("first");
  r.Fail("second");
  EXPECT_STREQ(r.error(), "first");
  EXPECT_EQ(r.ReadInt8(), 0);
}

TEST(WireTest, WriterRejectsLongClassicString) {
  {
    util::ByteBuffer buf;
    Writer w(&buf);
    w.WriteString(std::string(32768, 'x'), /*compact=*/false);
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.status().code(), ErrorCode::kLocalInvalidArgument);
  }
  {
    util::ByteBuffer buf;
    Writer w(&buf);
    w.WriteNullableString(std::string(40000, 'x'), /*compact=*/false);
    EXPECT_FALSE(w.ok());
  }
  {
    // The limit itself is fine.
    util::ByteBuffer buf;
    Writer w(&buf);
    w.WriteString(std::string(32767, 'x'), /*compact=*/false);
    EXPECT_TRUE(w.ok());
    ASSERT_EQ(buf.size(), 32769u);
    EXPECT_EQ(buf.data()[0], 0x7f);
    EXPECT_EQ(buf.data()[1], 0xff);
  }
  {
    // Compact strings have no such limit.
    util::ByteBuffer buf;
    Writer w(&buf);
    w.WriteString(std::string(40000, 'x'), /*compact=*/true);
    EXPECT_TRUE(w.ok());
    Reader r(buf.data(), buf.size());
    EXPECT_EQ(r.ReadString(true).size(), 40000u);
    EXPECT_TRUE(r.ok());
  }
}

TEST(WireTest, WriterFailKeepsFirstReason) {
  util::ByteBuffer buf;
  Writer w(&buf);
  EXPECT_TRUE(w.status().ok());
  w.Fail("first problem");
  w.Fail("second problem");
  EXPECT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("first problem"), std::string_view::npos);
  EXPECT_EQ(w.status().message().find("second problem"), std::string_view::npos);
}

TEST(WireTest, PatchInt32) {
  util::ByteBuffer buf;
  Writer w(&buf);
  w.WriteInt8(0x11);
  w.WriteInt32(0);
  w.WriteInt8(0x22);
  w.PatchInt32(1, 0x0a0b0c0d);
  EXPECT_EQ(Contents(buf), (ByteVec{0x11, 0x0a, 0x0b, 0x0c, 0x0d, 0x22}));
}

TEST(WireTest, TaggedFieldsMergeKnownAndUnknownInTagOrder) {
  // Known tags 0 and 5 (values encoded in a scratch buffer), unknown tags 3 and 200.
  util::ByteBuffer scratch;
  scratch.Append("\xaa", 1);
  scratch.Append("\xbb\xcc", 2);
  const EncodedTag known[] = {{0, 0, 1}, {5, 1, 2}};
  const UnknownTaggedFields unknown = {{3, Bytes{0x01}}, {200, Bytes{}}};
  const ByteVec bytes = Encode([&](Writer& w) { WriteTaggedFields(w, known, &scratch, unknown); });
  EXPECT_EQ(bytes, (ByteVec{0x04,                    // four fields
                            0x00, 0x01, 0xaa,        // tag 0
                            0x03, 0x01, 0x01,        // tag 3
                            0x05, 0x02, 0xbb, 0xcc,  // tag 5
                            0xc8, 0x01, 0x00}));     // tag 200 (varint c8 01), empty
  EXPECT_EQ(Encode([](Writer& w) { WriteTaggedFields(w, {}, nullptr, {}); }), (ByteVec{0x00}));
}

}  // namespace
}  // namespace kclient::protocol
