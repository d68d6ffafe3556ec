#include "util/murmur2.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace kclient::util {
namespace {

// Golden values from the Java client itself, not from this implementation: a small Java program
// compiled against kafka-clients-4.1.1.jar printed, for each key,
//   org.apache.kafka.common.utils.Utils.murmur2(key)
// and, for 1, 3, 7, 12, 100 and 1000 partitions,
//   org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(key, n)
// (= Utils.toPositive(Utils.murmur2(key)) % n, the default partitioner for keyed records).
// Keys are the UTF-8 bytes of the strings; the lengths cover every tail length (n % 4).
constexpr std::array<int, 6> kPartitionCounts = {1, 3, 7, 12, 100, 1000};

struct Golden {
  std::string_view key;
  int32_t hash;
  std::array<int, 6> partitions;  // for kPartitionCounts
};

const Golden kGolden[] = {
    {std::string_view("", 0), 275646681, {0, 0, 2, 9, 81, 681}},
    {"a", -1563381124, {0, 1, 5, 4, 24, 524}},
    {"ab", 316155434, {0, 2, 0, 2, 34, 434}},
    {"abc", 479470107, {0, 0, 4, 3, 7, 107}},
    {"abcd", -1323649548, {0, 2, 5, 8, 0, 100}},
    {"abcde", 461995741, {0, 1, 4, 1, 41, 741}},
    {"21", -973932308, {0, 0, 3, 0, 40, 340}},
    {"foobar", -790332482, {0, 0, 0, 6, 66, 166}},
    {"a-little-bit-long-string", -985981536, {0, 2, 1, 8, 12, 112}},
    {"a-little-bit-longer-string", -1486304829, {0, 2, 0, 11, 19, 819}},
    {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971, {0, 2, 3, 5, 77, 677}},
    {"The quick brown fox jumps over the lazy dog", 495243318, {0, 0, 3, 6, 18, 318}},
    {"order-42", 501153024, {0, 0, 1, 0, 24, 24}},
    // "héllo wörld" in UTF-8 (13 bytes).
    {"\x68\xc3\xa9\x6c\x6c\x6f\x20\x77\xc3\xb6\x72\x6c\x64", 439213890, {0, 0, 3, 6, 90, 890}},
    // "日本語のキー" in UTF-8 (18 bytes).
    {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x82\xad\xe3\x83\xbc", -734675706,
     {0, 2, 0, 2, 42, 942}},
    // Bytes >= 0x80 in the tail: Java's bytes are signed, its tail code masks them with 0xff.
    {"\xff", -311467685, {0, 0, 5, 3, 63, 963}},
    {"\x80\xff", -80095470, {0, 2, 2, 2, 78, 178}},
    {"\xff\xfe\xfd", 998637092, {0, 2, 5, 8, 92, 92}},
    {"\x80\x81\x82\x83\xfe", 152038955, {0, 2, 5, 11, 55, 955}},
};

int PartitionForKey(std::string_view key, int num_partitions) {
  return ToPositive(Murmur2(key.data(), key.size())) % num_partitions;
}

TEST(Murmur2Test, MatchesJavaUtilsMurmur2) {
  for (const Golden& g : kGolden) {
    EXPECT_EQ(Murmur2(g.key.data(), g.key.size()), g.hash) << "key of " << g.key.size() << " bytes: " << g.key;
  }
}

TEST(Murmur2Test, MatchesJavaDefaultPartitioner) {
  for (const Golden& g : kGolden) {
    for (size_t i = 0; i < kPartitionCounts.size(); ++i) {
      EXPECT_EQ(PartitionForKey(g.key, kPartitionCounts[i]), g.partitions[i])
          << "key " << g.key << ", " << kPartitionCounts[i] << " partitions";
    }
  }
}

TEST(Murmur2Test, LongBinaryKey) {
  // 1000 bytes, byte i = (i * 31 + 7) mod 256; from the same Java program.
  std::vector<uint8_t> key(1000);
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 31 + 7);
  const int32_t h = Murmur2(key.data(), key.size());
  EXPECT_EQ(h, -974371678);
  const std::array<int, 6> expected = {0, 1, 2, 10, 70, 970};
  for (size_t i = 0; i < kPartitionCounts.size(); ++i) {
    EXPECT_EQ(ToPositive(h) % kPartitionCounts[i], expected[i]) << kPartitionCounts[i] << " partitions";
  }
}

TEST(Murmur2Test, DoesNotDependOnAlignment) {
  const std::string_view key = "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8";
  std::vector<uint8_t> buf(key.size() + 8);
  for (size_t shift = 0; shift < 8; ++shift) {
    std::copy(key.begin(), key.end(), buf.begin() + static_cast<std::ptrdiff_t>(shift));
    EXPECT_EQ(Murmur2(buf.data() + shift, key.size()), -58897971) << "shift " << shift;
  }
}

TEST(Murmur2Test, ToPositiveClearsOnlyTheSignBit) {
  // Java's Utils.toPositive is `number & 0x7fffffff`, not Math.abs.
  EXPECT_EQ(ToPositive(0), 0);
  EXPECT_EQ(ToPositive(5), 5);
  EXPECT_EQ(ToPositive(-1), 0x7fffffff);
  EXPECT_EQ(ToPositive(INT32_MIN), 0);
  EXPECT_EQ(ToPositive(INT32_MAX), INT32_MAX);
  EXPECT_EQ(ToPositive(-1563381124), 584102524);
}

}  // namespace
}  // namespace kclient::util
