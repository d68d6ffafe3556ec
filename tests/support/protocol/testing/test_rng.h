// TestRng: the deterministic pseudo-random source the generated FillForTest functions
// (protocol/testing/message_fill.h) draw from. Same seed, same sequence, on every platform.
// Tests only. Thread-safety: none; one instance per test.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "protocol/types.h"

namespace kclient::protocol {

class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}

  // splitmix64 (Steele, Lea, Flood 2014): full 64-bit period, good enough mixing for tests.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform-ish in [0, n); 0 when n is 0. (Modulo bias is irrelevant for tests.)
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : Next() % n; }

  // True with probability 1/n (always for n <= 1).
  bool OneIn(int n) { return n <= 1 || Below(static_cast<uint64_t>(n)) == 0; }

  // 0-12 printable ASCII characters.
  std::string String() {
    std::string s(static_cast<size_t>(Below(13)), ' ');
    for (char& c : s) c = static_cast<char>(0x20 + Below(0x7f - 0x20));
    return s;
  }

  // 0-12 arbitrary bytes.
  Bytes ByteString() {
    Bytes b(static_cast<size_t>(Below(13)));
    for (uint8_t& x : b) x = static_cast<uint8_t>(Next());
    return b;
  }

  // A view of 0-40 bytes of a static buffer that is never freed, so messages holding it stay
  // valid for the whole test run.
  RecordsView Records() {
    const uint8_t* base = StaticBytes();
    const size_t n = static_cast<size_t>(Below(41));
    const size_t start = static_cast<size_t>(Below(kStaticSize - n + 1));
    return RecordsView(base + start, n);
  }

 private:
  static constexpr size_t kStaticSize = 256;
  static const uint8_t* StaticBytes() {
    static const uint8_t* const bytes = [] {
      auto* b = new uint8_t[kStaticSize];  // intentionally leaked
      uint64_t x = 0x243f6a8885a308d3ULL;
      for (size_t i = 0; i < kStaticSize; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = static_cast<uint8_t>(x);
      }
      return b;
    }();
    return bytes;
  }

  uint64_t state_;
};

}  // namespace kclient::protocol
