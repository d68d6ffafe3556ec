#include "util/murmur2.h"

namespace kclient::util {

int32_t Murmur2(const void* data, size_t n) {
  // Java works on signed ints with wrapping arithmetic and logical shifts (>>>); unsigned
  // arithmetic gives the same bits without undefined behaviour.
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* p = static_cast<const uint8_t*>(data);
  const auto length = static_cast<uint32_t>(n);
  uint32_t h = kSeed ^ length;
  const size_t words = n / 4;
  for (size_t i = 0; i < words; ++i) {
    const uint8_t* w = p + i * 4;
    uint32_t k = uint32_t{w[0]} | uint32_t{w[1]} << 8 | uint32_t{w[2]} << 16 | uint32_t{w[3]} << 24;
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const uint8_t* tail = p + words * 4;
  switch (n % 4) {
    case 3:
      h ^= uint32_t{tail[2]} << 16;
      [[fallthrough]];
    case 2:
      h ^= uint32_t{tail[1]} << 8;
      [[fallthrough]];
    case 1:
      h ^= uint32_t{tail[0]};
      h *= kM;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace kclient::util
