#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <string_view>
#include <vector>

namespace kclient::util {
namespace {

// The CRC-32C check value: CRC of the ASCII digits "123456789" (RFC 3720 appendix B.4 and the
// CRC catalogue's "check" field for CRC-32/ISCSI).
constexpr std::string_view kCheckInput = "123456789";
constexpr uint32_t kCheckValue = 0xE3069283;

TEST(Crc32cTest, CheckValue) {
  EXPECT_EQ(Crc32c(kCheckInput.data(), kCheckInput.size()), kCheckValue);
  EXPECT_EQ(Crc32c(0, kCheckInput.data(), kCheckInput.size()), kCheckValue);
}

TEST(Crc32cTest, PortableCheckValue) {
  EXPECT_EQ(Crc32cPortable(0, kCheckInput.data(), kCheckInput.size()), kCheckValue);
}

TEST(Crc32cTest, EmptyInputLeavesCrcUnchanged) {
  EXPECT_EQ(Crc32c(nullptr, 0), 0u);
  EXPECT_EQ(Crc32c(0x12345678, nullptr, 0), 0x12345678u);
  EXPECT_EQ(Crc32cPortable(0x12345678, nullptr, 0), 0x12345678u);
}

// RFC 3720 appendix B.4 test vectors.
TEST(Crc32cTest, Rfc3720Vectors) {
  std::vector<uint8_t> zeros(32, 0x00);
  std::vector<uint8_t> ones(32, 0xff);
  std::vector<uint8_t> incrementing(32);
  std::vector<uint8_t> decrementing(32);
  for (int i = 0; i < 32; ++i) {
    incrementing[i] = static_cast<uint8_t>(i);
    decrementing[i] = static_cast<uint8_t>(31 - i);
  }
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(incrementing.data(), incrementing.size()), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(decrementing.data(), decrementing.size()), 0x113FDB5Cu);
  EXPECT_EQ(Crc32cPortable(0, zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(Crc32cPortable(0, ones.data(), ones.size()), 0x62A8AB43u);
  EXPECT_EQ(Crc32cPortable(0, incrementing.data(), incrementing.size()), 0x46DD794Eu);
  EXPECT_EQ(Crc32cPortable(0, decrementing.data(), decrementing.size()), 0x113FDB5Cu);
}

TEST(Crc32cTest, DispatchAndPortableAgreeOnRandomBuffers) {
  // Whether or not the CPU has SSE4.2, Crc32c must equal the portable table implementation for
  // every length (covering the 8-byte main loops and their tails) and every start alignment.
  std::mt19937_64 rng(20240917);
  std::vector<uint8_t> buf(4096 + 16);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  std::vector<size_t> lengths;
  for (size_t n = 0; n <= 80; ++n) lengths.push_back(n);
  for (size_t n : {127, 128, 129, 255, 256, 257, 511, 1000, 1023, 1024, 1025, 4095, 4096}) lengths.push_back(n);
  for (size_t misalign = 0; misalign < 16; ++misalign) {
    for (size_t n : lengths) {
      const uint8_t* p = buf.data() + misalign;
      const uint32_t seed = static_cast<uint32_t>(rng());
      ASSERT_EQ(Crc32c(p, n), Crc32cPortable(0, p, n)) << "n=" << n << " misalign=" << misalign;
      ASSERT_EQ(Crc32c(seed, p, n), Crc32cPortable(seed, p, n)) << "n=" << n << " misalign=" << misalign;
    }
  }
}

TEST(Crc32cTest, DifferentInputsGiveDifferentCrcs) {
  std::vector<uint8_t> a(100, 0x5a);
  const uint32_t before = Crc32c(a.data(), a.size());
  a[37] ^= 0x01;
  EXPECT_NE(Crc32c(a.data(), a.size()), before);
  EXPECT_NE(Crc32cPortable(0, a.data(), a.size()), before);
}

TEST(Crc32cTest, IncrementalEqualsOneShot) {
  std::mt19937_64 rng(7);
  std::vector<uint8_t> buf(3000);
  for (auto& b : buf) b = static_cast<uint8_t>(rng());
  const uint32_t whole = Crc32c(buf.data(), buf.size());
  const uint32_t whole_portable = Crc32cPortable(0, buf.data(), buf.size());
  ASSERT_EQ(whole, whole_portable);
  for (size_t split : {size_t{0}, size_t{1}, size_t{3}, size_t{7}, size_t{8}, size_t{9}, size_t{61},
                       size_t{1499}, size_t{2999}, size_t{3000}}) {
    const uint32_t first = Crc32c(buf.data(), split);
    EXPECT_EQ(Crc32c(first, buf.data() + split, buf.size() - split), whole) << "split=" << split;
    const uint32_t first_p = Crc32cPortable(0, buf.data(), split);
    EXPECT_EQ(Crc32cPortable(first_p, buf.data() + split, buf.size() - split), whole) << "split=" << split;
  }
  // Many small irregular pieces.
  uint32_t crc = 0;
  size_t pos = 0;
  size_t piece = 1;
  while (pos < buf.size()) {
    const size_t n = std::min(piece, buf.size() - pos);
    crc = Crc32c(crc, buf.data() + pos, n);
    pos += n;
    piece = piece % 13 + 1;
  }
  EXPECT_EQ(crc, whole);
  // The check value piecewise.
  uint32_t c = Crc32c(kCheckInput.data(), 4);
  c = Crc32c(c, kCheckInput.data() + 4, 5);
  EXPECT_EQ(c, kCheckValue);
}

}  // namespace
}  // namespace kclient::util
