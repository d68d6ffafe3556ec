// Murmur2 exactly as the Java client's Utils.murmur2 computes it, so that keyed records land in
// the same partition whichever client produced them. Thread-safe: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kclient::util {

// The signed 32-bit hash Java returns for these bytes.
int32_t Murmur2(const void* data, size_t n);

// Java's Utils.toPositive: clears the sign bit (not abs, so INT_MIN maps to 0).
inline int32_t ToPositive(int32_t v) { return v & 0x7fffffff; }

}  // namespace kclient::util
