// Record-batch compression: the payload codecs of Kafka record batches (gzip, snappy, lz4,
// zstd), with byte formats that interoperate with the Java client and librdkafka.
//
// What goes on the wire (encode) and what is accepted (decode):
//   gzip    encode: one gzip member (RFC 1952) from zlib.
//           decode: gzip or zlib-wrapped deflate (auto-detected), concatenated gzip members.
//   snappy  encode: one raw snappy block, as librdkafka writes it; the Java client reads it
//                   because snappy-java falls back to raw snappy when the xerial header is
//                   absent.
//           decode: raw snappy, or the xerial/snappy-java stream the Java client writes
//                   (magic 0x82 "SNAPPY" 0, two big-endian int32s, then chunks of
//                   [int32 BE length][raw snappy block]), including concatenated xerial
//                   streams (a repeated header between chunks, as snappy-java accepts).
//   lz4     encode: one LZ4 frame with only the features Kafka's Java reader
//                   (Lz4BlockInputStream) accepts and its writer uses: 64 KiB independent
//                   blocks, no block checksum, no content checksum, no content size.
//           decode: any valid LZ4 frame (linked blocks, checksums, content size, skippable
//                   frames), and concatenated frames.
//   zstd    encode: one zstd frame (with its content size).
//           decode: any sequence of zstd frames, with or without content size. Frames may
//                   ask for a window of up to 2^27 bytes (zstd's default limit, which is also
//                   what a Java producer at level 22 can emit), so decoder memory is bounded
//                   by that, independently of max_output.
//
// Anything after the last complete frame/member/chunk is an error, not silently ignored:
// a record batch's payload is exactly its compressed bytes, so extra bytes mean corruption.
//
// Thread-safety: every function here may be called concurrently from any thread. The
// compressors and decompressors keep their (expensive to create) library contexts in
// thread-local storage, reset at the start of every call, so calls share no state.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <span>

#include "kclient/compression.h"
#include "kclient/status.h"
#include "util/byte_buffer.h"

namespace kclient::protocol {

/// "Use the codec's default level", i.e. what Kafka does when compression.<codec>.level is
/// not set: gzip -> zlib's default (6); lz4 -> Kafka's default 9, which Kafka encodes with
/// LZ4's fast compressor; zstd -> 3. The only level snappy and none accept.
inline constexpr int kDefaultCompressionLevel = INT_MIN;

/// Checks `level` against Kafka's compression.<codec>.level ranges (KIP-390):
///   gzip: 1..9, or -1 (Deflater.DEFAULT_COMPRESSION, Kafka's default value)
///   lz4:  1..17
///   zstd: ZSTD_minCLevel()..22 (-131072..22 with current libzstd)
///   snappy, none: no level
/// kDefaultCompressionLevel is valid for every codec. Returns kLocalInvalidArgument for a
/// level out of range and kUnsupportedCompressionType for a type that is not a known codec.
Status ValidateCompressionLevel(CompressionType type, int level) noexcept;

/// Appends the compressed form of `input` to `out` (kNone appends `input` unchanged).
/// Reserves the codec's worst-case bound first and compresses straight into `out`'s spare
/// capacity, so there is no intermediate buffer. `level` must pass ValidateCompressionLevel.
/// On failure `out` keeps its previous contents (its capacity may have grown).
Status Compress(CompressionType type, int level, std::span<const uint8_t> input,
                util::ByteBuffer* out) noexcept;

/// Appends the decompressed form of `input` to `out` (kNone appends `input` unchanged).
///
/// At most `max_output` bytes are appended: when the data would decompress to more, the call
/// fails with kLocalMalformed, and `out`'s capacity is never raised above
/// out->size() + max_output (or its current capacity, or 64 bytes, if larger). Sizes a frame
/// declares are checked before anything is reserved for them, so decompression bombs cost
/// at most max_output bytes of memory (plus the codec's own state, see above for zstd).
/// Invalid, truncated or trailing data fails with kCorruptMessage and a message naming the
/// codec and the problem; an unknown codec fails with kUnsupportedCompressionType. Arbitrary
/// input never crashes. Pass SIZE_MAX for no limit.
/// On failure `out` keeps its previous contents (its capacity may have grown).
Status Decompress(CompressionType type, std::span<const uint8_t> input, size_t max_output,
                  util::ByteBuffer* out) noexcept;

}  // namespace kclient::protocol
