// CRC32C (Castagnoli), the checksum of Kafka's record batches (magic 2).
// Uses the SSE4.2 crc32 instruction when the CPU has it, a slicing-by-8 table otherwise.
// Thread-safe: pure functions over immutable tables.
#pragma once

#include <cstddef>
#include <cstdint>

namespace kclient::util {

// Extends `crc` (0 for a fresh checksum) over `n` bytes at `data`.
uint32_t Crc32c(uint32_t crc, const void* data, size_t n);
inline uint32_t Crc32c(const void* data, size_t n) { return Crc32c(0, data, n); }

// The portable implementation, exposed so tests can compare it with the hardware one.
uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t n);
// Whether Crc32c uses the SSE4.2 instruction on this CPU.
bool Crc32cHardwareAvailable();

}  // namespace kclient::util
