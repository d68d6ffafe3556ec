// Record-batch compression codecs. See compression.h for the wire formats and guarantees.
//
// Structure: one encoder and one decoder per codec, each a small function over the codec
// library's own API, plus OutputSink, which is how every decoder enforces max_output.
//
// Thread-safety: the library contexts (zlib streams, LZ4F and zstd contexts) are cached per
// thread because creating them costs allocations of 100 KiB and more, which would dominate the
// cost of compressing a typical batch. Each call resets the context it uses before use, so a
// call that failed half-way leaves nothing behind for the next one.
#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <string_view>

namespace kclient::protocol {
namespace {

using util::ByteBuffer;

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

Status Corrupt(std::string_view codec, std::string_view what) {
  std::string m(codec);
  m += ": ";
  m += what;
  return Status(ErrorCode::kCorruptMessage, std::move(m));
}

Status TooLarge(std::string_view codec, size_t max_output) {
  return Status(ErrorCode::kLocalMalformed,
                std::string(codec) + ": decompressed data exceeds the limit of " +
                    std::to_string(max_output) + " bytes");
}

Status OutOfMemory(std::string_view codec) {
  return Status(ErrorCode::kLocalBufferExhausted, std::string(codec) + ": out of memory");
}

// A library refused to compress input we validated: a bug or resource problem, not bad data.
Status EncodeFailed(std::string_view codec, std::string_view why) {
  return Status(ErrorCode::kLocalIllegalState,
                std::string(codec) + ": compression failed: " + std::string(why));
}

Status Unsupported(CompressionType type) {
  return Status(ErrorCode::kUnsupportedCompressionType,
                "unsupported compression type " + std::to_string(static_cast<int>(type)));
}

bool IsKnownType(CompressionType type) {
  const int id = static_cast<int>(type);
  return id >= static_cast<int>(CompressionType::kNone) &&
         id <= static_cast<int>(CompressionType::kZstd);
}

// ---------------------------------------------------------------------------------------------
// Output buffer management
// ---------------------------------------------------------------------------------------------

// Codecs write straight into the ByteBuffer's spare capacity and then commit what they wrote.
// Returns the writable tail [size, capacity).
uint8_t* Tail(ByteBuffer* out) { return out->data() + out->size(); }
size_t Spare(const ByteBuffer* out) { return out->capacity() - out->size(); }

// Grows `out` so that it can hold `needed` bytes without its capacity exceeding `ceiling`
// (needed <= ceiling). ByteBuffer::reserve doubles the capacity, which could overshoot the
// bound Decompress promises; when it would, this grows to the exact size instead.
void ReserveWithin(ByteBuffer* out, size_t needed, size_t ceiling) {
  if (needed <= out->capacity()) return;
  const size_t doubled = out->capacity() < 64 ? 64 : out->capacity() * 2;
  if (doubled <= ceiling || doubled <= needed) {
    out->reserve(needed);
    return;
  }
  ByteBuffer exact(needed);
  exact.Append(out->span());
  *out = std::move(exact);
}

// The decompressed side of every decoder: appends to `out`, never past base + max_output
// bytes, and rolls back to base on failure. Growth is geometric (at least the amount already
// written) so decoding a stream of unknown size costs O(log n) reallocations.
class OutputSink {
 public:
  OutputSink(ByteBuffer* out, size_t max_output)
      : out_(out), base_(out->size()), max_output_(max_output) {}
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;
  // Undo partial output unless the decoder succeeded.
  ~OutputSink() {
    if (!committed_) out_->resize(base_);
  }

  size_t max_output() const { return max_output_; }
  size_t written() const { return out_->size() - base_; }
  size_t remaining() const { return max_output_ - written(); }

  // A writable region of at least min(want, remaining()) bytes when the buffer has to grow
  // (any spare capacity already there is used first), never longer than remaining().
  // Empty exactly when the limit has been reached.
  std::span<uint8_t> Room(size_t want) {
    const size_t rem = remaining();
    if (rem == 0) return {};
    if (Spare(out_) == 0) {
      const size_t grow = std::min({rem, std::max({want, written(), kMinGrowth}),
                                    SIZE_MAX - out_->size()});
      ReserveWithin(out_, out_->size() + grow, Ceiling());
    }
    return {Tail(out_), std::min(Spare(out_), rem)};
  }

  // Makes room for exactly `n` more bytes (n <= remaining()), e.g. a size a frame declared.
  uint8_t* ReserveExact(size_t n) {
    ReserveWithin(out_, out_->size() + n, Ceiling());
    return Tail(out_);
  }

  // Records that `n` bytes were written at the start of the last Room/ReserveExact region.
  void Commit(size_t n) { out_->resize(out_->size() + n); }

  // Keeps the output: called once the whole input decoded successfully.
  Status Done() {
    committed_ = true;
    return Status::Ok();
  }

 private:
  static constexpr size_t kMinGrowth = 64 * 1024;
  size_t Ceiling() const {
    // Saturating (max_output may be SIZE_MAX for "no limit"), and never below the capacity
    // the buffer already has, so ReserveWithin never shrinks it.
    const size_t limit_end = base_ + std::min(max_output_, SIZE_MAX - base_);
    return std::max(out_->capacity(), limit_end);
  }

  ByteBuffer* out_;
  size_t base_;
  size_t max_output_;
  bool committed_ = false;
};

// Streaming decoders first ask for this much room when the content size is unknown: record
// batches typically compress 2-5x, so 4x the input usually avoids any regrowth. Capped so a
// huge input does not reserve a huge guess up front; growth past it is geometric anyway.
size_t InitialGuess(size_t input_size) {
  constexpr size_t kFloor = 64 * 1024;
  constexpr size_t kCap = 32 << 20;
  return input_size >= kCap / 4 ? kCap : std::max(kFloor, input_size * 4);
}

// Compressors reserve the codec's worst-case bound up front and write into the spare capacity.
// A plain reserve is fine here: the bound is a small constant factor over the input.
uint8_t* ReserveBound(ByteBuffer* out, size_t bound) {
  out->reserve(out->size() + bound);
  return Tail(out);
}

// ---------------------------------------------------------------------------------------------
// gzip (zlib)
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kGzip = "gzip";
// zlib counts in uInt (32 bits); larger spans are fed in pieces of this size.
constexpr size_t kZlibChunk = 1u << 30;

// Per-thread deflate stream. deflateInit2 allocates ~270 KiB; reusing the stream across calls
// at the same level reduces each call to a deflateReset.
struct Deflater {
  z_stream stream{};
  bool ready = false;
  int level = 0;
  ~Deflater() {
    if (ready) deflateEnd(&stream);
  }
};

// Per-thread inflate stream (inflateInit2 allocates the 32 KiB window lazily, then keeps it).
struct Inflater {
  z_stream stream{};
  bool ready = false;
  ~Inflater() {
    if (ready) inflateEnd(&stream);
  }
};

thread_local Deflater tls_deflater;
thread_local Inflater tls_inflater;

// deflateReset/inflateReset keep next_in/avail_in: after a call that stopped early (an error,
// a limit) they would still point into that call's input, which may be gone.
void ForgetBuffers(z_stream* s) {
  s->next_in = nullptr;
  s->avail_in = 0;
  s->next_out = nullptr;
  s->avail_out = 0;
}

// A deflate stream that writes a gzip wrapper (windowBits 15 + 16), ready for a new member.
z_stream* ThreadDeflater(int zlib_level) {
  Deflater& d = tls_deflater;
  if (d.ready && d.level != zlib_level) {
    deflateEnd(&d.stream);
    d.ready = false;
  }
  if (!d.ready) {
    d.stream = z_stream{};
    if (deflateInit2(&d.stream, zlib_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return nullptr;
    }
    d.ready = true;
    d.level = zlib_level;
  } else if (deflateReset(&d.stream) != Z_OK) {
    return nullptr;
  }
  ForgetBuffers(&d.stream);
  return &d.stream;
}

// An inflate stream that auto-detects a gzip or zlib wrapper (windowBits 15 + 32).
z_stream* ThreadInflater() {
  Inflater& i = tls_inflater;
  if (!i.ready) {
    i.stream = z_stream{};
    if (inflateInit2(&i.stream, 15 + 32) != Z_OK) return nullptr;
    i.ready = true;
  } else if (inflateReset(&i.stream) != Z_OK) {
    return nullptr;
  }
  ForgetBuffers(&i.stream);
  return &i.stream;
}

// Kafka's default gzip level is Deflater.DEFAULT_COMPRESSION (-1), which is zlib's
// Z_DEFAULT_COMPRESSION (-1, meaning level 6): both spellings of "default" map there.
int ZlibLevel(int level) {
  return level == kDefaultCompressionLevel ? Z_DEFAULT_COMPRESSION : level;
}

Status CompressGzip(int level, std::span<const uint8_t> input, ByteBuffer* out) {
  z_stream* s = ThreadDeflater(ZlibLevel(level));
  if (s == nullptr) return OutOfMemory(kGzip);
  // deflateBound accounts for the gzip header and trailer of an initialised stream.
  ReserveBound(out, deflateBound(s, input.size()));
  const uint8_t* next = input.data();
  size_t left = input.size();
  for (;;) {
    if (s->avail_in == 0 && left > 0) {
      const size_t n = std::min(left, kZlibChunk);
      s->next_in = const_cast<Bytef*>(next);  // zlib's API is not const-correct; it only reads.
      s->avail_in = static_cast<uInt>(n);
      next += n;
      left -= n;
    }
    if (Spare(out) == 0) out->reserve(out->size() + 64 * 1024);  // Only if the bound was short.
    const size_t room = std::min(Spare(out), kZlibChunk);
    s->next_out = Tail(out);
    s->avail_out = static_cast<uInt>(room);
    const int rc = deflate(s, left == 0 ? Z_FINISH : Z_NO_FLUSH);
    out->resize(out->size() + (room - s->avail_out));
    if (rc == Z_STREAM_END) return Status::Ok();
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return EncodeFailed(kGzip, s->msg != nullptr ? s->msg : "deflate error " + std::to_string(rc));
    }
  }
}

// Whether `p` (with `n` bytes) starts with the two gzip magic bytes (RFC 1952 ID1, ID2).
bool StartsGzipMember(const uint8_t* p, size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

Status DecompressGzip(std::span<const uint8_t> input, OutputSink& sink) {
  if (input.empty()) return Corrupt(kGzip, "empty input");
  z_stream* s = ThreadInflater();
  if (s == nullptr) return OutOfMemory(kGzip);
  const uint8_t* next = input.data();
  size_t left = input.size();  // Not yet handed to zlib; zlib's avail_in is handed but unread.
  size_t want = InitialGuess(input.size());
  for (;;) {
    if (s->avail_in == 0 && left > 0) {
      const size_t n = std::min(left, kZlibChunk);
      s->next_in = const_cast<Bytef*>(next);
      s->avail_in = static_cast<uInt>(n);
      next += n;
      left -= n;
    }
    // Once max_output bytes are out, keep decoding into a 1-byte probe: the stream may still
    // end without producing anything (trailer, empty final block); any byte means too large.
    uint8_t probe;
    std::span<uint8_t> room = sink.Room(want);
    const bool probing = room.empty();
    const size_t avail = probing ? 1 : std::min(room.size(), kZlibChunk);
    s->next_out = probing ? &probe : room.data();
    s->avail_out = static_cast<uInt>(avail);
    const int rc = inflate(s, Z_NO_FLUSH);
    const size_t produced = avail - s->avail_out;
    if (probing && produced > 0) return TooLarge(kGzip, sink.max_output());
    sink.Commit(produced);
    const size_t unread = left + s->avail_in;
    switch (rc) {
      case Z_STREAM_END:
        if (unread == 0) return sink.Done();
        // Java's GZIPInputStream reads concatenated gzip members; so do we. Anything else
        // after the end of the stream is corruption.
        // The unread bytes are contiguous: zlib's unread tail of the chunk, then `left`.
        if (!StartsGzipMember(next - s->avail_in, unread)) {
          return Corrupt(kGzip, std::to_string(unread) + " trailing bytes after the compressed stream");
        }
        if (inflateReset(s) != Z_OK) return Corrupt(kGzip, "cannot restart for the next member");
        break;
      case Z_OK:
        break;
      case Z_BUF_ERROR:  // No progress was possible: zlib needs input we do not have.
        if (unread == 0) return Corrupt(kGzip, "truncated input: the stream ends before its trailer");
        return Corrupt(kGzip, "decoder made no progress");
      case Z_NEED_DICT:
        return Corrupt(kGzip, "stream requires a preset dictionary, which Kafka never uses");
      case Z_MEM_ERROR:
        return OutOfMemory(kGzip);
      case Z_DATA_ERROR:
      default:
        return Corrupt(kGzip, std::string("invalid compressed data: ") +
                                  (s->msg != nullptr ? s->msg : std::to_string(rc)));
    }
    want = 0;  // After the first allocation, grow geometrically (OutputSink's policy).
  }
}

// ---------------------------------------------------------------------------------------------
// snappy
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kSnappy = "snappy";

// snappy-java's stream header: 0x82 "SNAPPY" 0, then int32 BE version and int32 BE minimum
// compatible version. Only the 8 magic bytes identify it, as in librdkafka (which ignores the
// two version fields too);
// a raw snappy block can never start with them, because after the 2-byte length varint
// (0x82 0x53) comes 'N' (0x4e), a copy tag, and a raw block must start with a literal.
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeaderSize = 16;

bool StartsXerialHeader(const uint8_t* p, size_t n) {
  return n >= sizeof(kXerialMagic) && std::memcmp(p, kXerialMagic, sizeof(kXerialMagic)) == 0;
}

uint32_t LoadBigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Raw snappy, which is what librdkafka writes; snappy-java (the Java client's reader) falls
// back to raw snappy when the xerial magic is absent, so both peers read it.
Status CompressSnappy(std::span<const uint8_t> input, ByteBuffer* out) {
  // The raw format stores the length as a 32-bit varint.
  if (input.size() > UINT32_MAX) {
    return Status(ErrorCode::kLocalInvalidArgument, "snappy: input larger than 4 GiB");
  }
  uint8_t* dst = ReserveBound(out, snappy::MaxCompressedLength(input.size()));
  size_t written = 0;
  snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                      reinterpret_cast<char*>(dst), &written);
  out->resize(out->size() + written);
  return Status::Ok();
}

// The uncompressed length a raw snappy block declares, or an error if its header is invalid.
Status SnappyLength(const uint8_t* p, size_t n, size_t* length) {
  if (!snappy::GetUncompressedLength(reinterpret_cast<const char*>(p), n, length)) {
    return Corrupt(kSnappy, "invalid block header");
  }
  return Status::Ok();
}

// Decodes one raw block into `dst`, which has room for exactly `length` bytes (as declared).
// RawUncompress bounds-checks every copy and fails unless the block yields exactly `length`
// bytes and consumes all of its input, so arbitrary bytes are safe here.
Status SnappyBlock(const uint8_t* p, size_t n, uint8_t* dst) {
  if (!snappy::RawUncompress(reinterpret_cast<const char*>(p), n, reinterpret_cast<char*>(dst))) {
    return Corrupt(kSnappy, "invalid compressed block");
  }
  return Status::Ok();
}

Status DecompressRawSnappy(std::span<const uint8_t> input, OutputSink& sink) {
  size_t length = 0;
  if (Status st = SnappyLength(input.data(), input.size(), &length); !st.ok()) return st;
  if (length > sink.remaining()) return TooLarge(kSnappy, sink.max_output());
  uint8_t* dst = sink.ReserveExact(length);
  if (Status st = SnappyBlock(input.data(), input.size(), dst); !st.ok()) return st;
  sink.Commit(length);
  return sink.Done();
}

// Walks an xerial stream: header, then chunks of [int32 BE length][raw snappy block], where a
// repeated header may separate chunks (snappy-java reads concatenated streams). Calls
// on_chunk(data, size) for each block; stops at the first error.
template <typename OnChunk>
Status WalkXerialChunks(std::span<const uint8_t> input, OnChunk&& on_chunk) {
  const uint8_t* p = input.data();
  const size_t n = input.size();
  size_t pos = kXerialHeaderSize;
  while (pos < n) {
    if (StartsXerialHeader(p + pos, n - pos)) {
      if (n - pos < kXerialHeaderSize) return Corrupt(kSnappy, "truncated xerial header");
      pos += kXerialHeaderSize;
      continue;
    }
    if (n - pos < 4) {
      return Corrupt(kSnappy, "truncated xerial chunk length at offset " + std::to_string(pos));
    }
    const uint32_t chunk = LoadBigEndian32(p + pos);
    pos += 4;
    if (chunk > n - pos) {
      return Corrupt(kSnappy, "xerial chunk of " + std::to_string(chunk) + " bytes at offset " +
                                  std::to_string(pos - 4) + " runs past the end of the input (" +
                                  std::to_string(n) + " bytes)");
    }
    if (Status st = on_chunk(p + pos, chunk); !st.ok()) return st;
    pos += chunk;
  }
  return Status::Ok();
}

// Two passes, like librdkafka: the first validates the framing and sums the lengths the
// blocks declare (O(1) per block), so the limit is checked and the output reserved exactly
// once before anything is decompressed.
Status DecompressXerialSnappy(std::span<const uint8_t> input, OutputSink& sink) {
  size_t total = 0;
  Status st = WalkXerialChunks(input, [&](const uint8_t* p, size_t n) {
    size_t length = 0;
    if (Status s = SnappyLength(p, n, &length); !s.ok()) return s;
    if (length > sink.remaining() - total) return TooLarge(kSnappy, sink.max_output());
    total += length;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  uint8_t* dst = sink.ReserveExact(total);
  st = WalkXerialChunks(input, [&](const uint8_t* p, size_t n) {
    size_t length = 0;
    (void)SnappyLength(p, n, &length);  // Cannot fail: the first pass validated it.
    if (Status s = SnappyBlock(p, n, dst); !s.ok()) return s;
    dst += length;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  sink.Commit(total);
  return sink.Done();
}

Status DecompressSnappy(std::span<const uint8_t> input, OutputSink& sink) {
  if (input.empty()) return Corrupt(kSnappy, "empty input");
  if (StartsXerialHeader(input.data(), input.size())) {
    if (input.size() < kXerialHeaderSize) return Corrupt(kSnappy, "truncated xerial header");
    return DecompressXerialSnappy(input, sink);
  }
  return DecompressRawSnappy(input, sink);
}

// ---------------------------------------------------------------------------------------------
// lz4 (frame format)
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kLz4 = "lz4";

struct Lz4Contexts {
  LZ4F_cctx* cctx = nullptr;
  LZ4F_dctx* dctx = nullptr;
  ~Lz4Contexts() {
    LZ4F_freeCompressionContext(cctx);
    LZ4F_freeDecompressionContext(dctx);
  }
};

thread_local Lz4Contexts tls_lz4;

// The compression context keeps its HC state (~256 KiB) between frames; LZ4F_compressBegin
// starts a fresh frame on it.
LZ4F_cctx* ThreadLz4Compressor() {
  if (tls_lz4.cctx == nullptr &&
      LZ4F_isError(LZ4F_createCompressionContext(&tls_lz4.cctx, LZ4F_VERSION))) {
    tls_lz4.cctx = nullptr;
  }
  return tls_lz4.cctx;
}

// The decompression context keeps its block buffers between calls; it is reset so that a
// frame abandoned by a failed call does not leak into the next one.
LZ4F_dctx* ThreadLz4Decompressor() {
  if (tls_lz4.dctx == nullptr) {
    if (LZ4F_isError(LZ4F_createDecompressionContext(&tls_lz4.dctx, LZ4F_VERSION))) {
      tls_lz4.dctx = nullptr;
    }
  } else {
    LZ4F_resetDecompressionContext(tls_lz4.dctx);
  }
  return tls_lz4.dctx;
}

// Kafka's Java producer (Lz4BlockOutputStream) uses lz4-java's fast compressor at the default
// level 9 (even when 9 is set explicitly) and LZ4HC at any other level. LZ4F expresses "fast"
// as level 0; its HC levels stop at 12, where lz4-java's 13..17 also end up natively.
int Lz4fLevel(int level) {
  constexpr int kKafkaDefaultLz4Level = 9;
  constexpr int kLz4HcMaxLevel = 12;  // LZ4HC_CLEVEL_MAX
  if (level == kDefaultCompressionLevel || level == kKafkaDefaultLz4Level) return 0;
  return std::min(level, kLz4HcMaxLevel);
}

// Frame settings Kafka's Java reader (Lz4BlockInputStream) accepts, matching its own writer
// and librdkafka's: independent blocks (the reader rejects linked blocks), 64 KiB maximum
// block size, no block checksum, no content checksum, no content size. autoFlush makes each
// compressUpdate emit its blocks, so the frame bound covers every step.
LZ4F_preferences_t KafkaLz4Preferences(int level) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
  prefs.frameInfo.frameType = LZ4F_frame;
  prefs.frameInfo.contentSize = 0;
  prefs.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
  prefs.compressionLevel = Lz4fLevel(level);
  prefs.autoFlush = 1;
  return prefs;
}

Status CompressLz4(int level, std::span<const uint8_t> input, ByteBuffer* out) {
  LZ4F_cctx* cctx = ThreadLz4Compressor();
  if (cctx == nullptr) return OutOfMemory(kLz4);
  const LZ4F_preferences_t prefs = KafkaLz4Preferences(level);
  // Header, then all blocks and the end mark (LZ4F_compressBound includes the footer).
  ReserveBound(out, LZ4F_HEADER_SIZE_MAX + LZ4F_compressBound(input.size(), &prefs));

  size_t r = LZ4F_compressBegin(cctx, Tail(out), Spare(out), &prefs);
  if (LZ4F_isError(r)) return EncodeFailed(kLz4, LZ4F_getErrorName(r));
  out->resize(out->size() + r);

  if (!input.empty()) {
    LZ4F_compressOptions_t options;
    std::memset(&options, 0, sizeof(options));
    options.stableSrc = 1;  // The input outlives the call: no need to copy it internally.
    r = LZ4F_compressUpdate(cctx, Tail(out), Spare(out), input.data(), input.size(), &options);
    if (LZ4F_isError(r)) return EncodeFailed(kLz4, LZ4F_getErrorName(r));
    out->resize(out->size() + r);
  }

  const size_t end_bound = LZ4F_compressBound(0, &prefs);
  if (Spare(out) < end_bound) out->reserve(out->size() + end_bound);
  r = LZ4F_compressEnd(cctx, Tail(out), Spare(out), nullptr);
  if (LZ4F_isError(r)) return EncodeFailed(kLz4, LZ4F_getErrorName(r));
  out->resize(out->size() + r);
  return Status::Ok();
}

// Reads the first frame's header to size the output: a declared content size above the limit
// fails before anything is allocated; otherwise it becomes the first reservation. Returns the
// number of header bytes consumed via *consumed (0 if the header is not a plain LZ4 frame
// header, in which case LZ4F_decompress will report the problem).
Status PeekLz4Frame(LZ4F_dctx* dctx, std::span<const uint8_t> input, const OutputSink& sink,
                    size_t* consumed, size_t* want) {
  LZ4F_frameInfo_t info;
  std::memset(&info, 0, sizeof(info));
  size_t header = input.size();
  const size_t r = LZ4F_getFrameInfo(dctx, &info, input.data(), &header);
  if (LZ4F_isError(r)) {
    if (input.size() < LZ4F_HEADER_SIZE_MIN) {
      return Corrupt(kLz4, "truncated input: shorter than a frame header");
    }
    return Corrupt(kLz4, std::string("invalid frame header: ") + LZ4F_getErrorName(r));
  }
  *consumed = header;
  if (info.contentSize != 0) {
    if (info.contentSize > sink.remaining()) return TooLarge(kLz4, sink.max_output());
    *want = static_cast<size_t>(info.contentSize);
  }
  return Status::Ok();
}

// liblz4 (1.9.4) LZ4F_resetDecompressionContext does not clear the remaining content size of
// an abandoned frame that declared one, and the next frame then fails with frameSize_wrong.
// So a context whose last frame was not finished is discarded instead of reused.
class DiscardLz4ContextUnlessFinished {
 public:
  DiscardLz4ContextUnlessFinished() = default;
  DiscardLz4ContextUnlessFinished(const DiscardLz4ContextUnlessFinished&) = delete;
  DiscardLz4ContextUnlessFinished& operator=(const DiscardLz4ContextUnlessFinished&) = delete;
  ~DiscardLz4ContextUnlessFinished() {
    if (finished_) return;
    LZ4F_freeDecompressionContext(tls_lz4.dctx);
    tls_lz4.dctx = nullptr;
  }
  Status Finish(OutputSink& sink) {
    finished_ = true;
    return sink.Done();
  }

 private:
  bool finished_ = false;
};

Status DecompressLz4(std::span<const uint8_t> input, OutputSink& sink) {
  if (input.empty()) return Corrupt(kLz4, "empty input");
  LZ4F_dctx* dctx = ThreadLz4Decompressor();
  if (dctx == nullptr) return OutOfMemory(kLz4);
  DiscardLz4ContextUnlessFinished guard;
  size_t pos = 0;
  size_t want = InitialGuess(input.size());
  if (Status st = PeekLz4Frame(dctx, input, sink, &pos, &want); !st.ok()) return st;

  LZ4F_decompressOptions_t options;
  std::memset(&options, 0, sizeof(options));  // stableDst = 0: `out` may move between calls.
  size_t frames_done = 0;
  bool at_frame_start = false;  // Whether the decoder sits between two frames.
  for (;;) {
    uint8_t probe;  // See DecompressGzip: detects output beyond the limit without storing it.
    std::span<uint8_t> room = sink.Room(want);
    const bool probing = room.empty();
    size_t dst_size = probing ? 1 : room.size();
    size_t src_size = input.size() - pos;
    const size_t r = LZ4F_decompress(dctx, probing ? &probe : room.data(), &dst_size,
                                     input.data() + pos, &src_size, &options);
    if (LZ4F_isError(r)) {
      if (at_frame_start) {
        return Corrupt(kLz4, std::to_string(input.size() - pos) + " trailing bytes after frame " +
                                 std::to_string(frames_done) + ": " + LZ4F_getErrorName(r));
      }
      return Corrupt(kLz4, std::string("invalid frame: ") + LZ4F_getErrorName(r));
    }
    if (probing && dst_size > 0) return TooLarge(kLz4, sink.max_output());
    if (!probing) sink.Commit(dst_size);
    pos += src_size;
    if (r == 0) {  // A frame ended and all its output has been delivered.
      ++frames_done;
      at_frame_start = true;
      if (pos == input.size()) return guard.Finish(sink);
      continue;  // Concatenated frame: the context is ready for the next header.
    }
    at_frame_start = false;
    if (src_size == 0 && dst_size == 0) {
      if (pos == input.size()) return Corrupt(kLz4, "truncated input: the frame ends before its end mark");
      return Corrupt(kLz4, "decoder made no progress");
    }
    want = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// zstd
// ---------------------------------------------------------------------------------------------

constexpr std::string_view kZstd = "zstd";

struct ZstdContexts {
  ZSTD_CCtx* cctx = nullptr;
  ZSTD_DCtx* dctx = nullptr;
  ~ZstdContexts() {
    ZSTD_freeCCtx(cctx);
    ZSTD_freeDCtx(dctx);
  }
};

thread_local ZstdContexts tls_zstd;

ZSTD_CCtx* ThreadZstdCompressor() {
  if (tls_zstd.cctx == nullptr) tls_zstd.cctx = ZSTD_createCCtx();
  return tls_zstd.cctx;  // ZSTD_compressCCtx resets its parameters on every call.
}

// Keeps zstd's default window limit (2^27, ZSTD_WINDOWLOG_LIMIT_DEFAULT): a Java producer at
// level 22 streams frames with that window, so a lower limit would reject valid batches.
ZSTD_DCtx* ThreadZstdDecompressor() {
  if (tls_zstd.dctx == nullptr) {
    tls_zstd.dctx = ZSTD_createDCtx();
  } else {
    ZSTD_DCtx_reset(tls_zstd.dctx, ZSTD_reset_session_only);
  }
  return tls_zstd.dctx;
}

Status CompressZstd(int level, std::span<const uint8_t> input, ByteBuffer* out) {
  ZSTD_CCtx* cctx = ThreadZstdCompressor();
  if (cctx == nullptr) return OutOfMemory(kZstd);
  const int zstd_level = level == kDefaultCompressionLevel ? ZSTD_CLEVEL_DEFAULT : level;
  const size_t bound = ZSTD_compressBound(input.size());
  if (ZSTD_isError(bound)) return EncodeFailed(kZstd, ZSTD_getErrorName(bound));
  uint8_t* dst = ReserveBound(out, bound);
  const size_t r = ZSTD_compressCCtx(cctx, dst, bound, input.data(), input.size(), zstd_level);
  if (ZSTD_isError(r)) return EncodeFailed(kZstd, ZSTD_getErrorName(r));
  out->resize(out->size() + r);
  return Status::Ok();
}

// One frame that declares its size and spans the whole input (what kclient and most one-shot
// encoders write): decoded in one call straight into an exactly sized region, with no
// streaming window to allocate.
Status DecompressZstdSingleFrame(ZSTD_DCtx* dctx, std::span<const uint8_t> input, size_t size,
                                 OutputSink& sink) {
  uint8_t* dst = sink.ReserveExact(size);
  const size_t r = ZSTD_decompressDCtx(dctx, dst, size, input.data(), input.size());
  if (ZSTD_isError(r)) return Corrupt(kZstd, std::string("invalid frame: ") + ZSTD_getErrorName(r));
  if (r != size) return Corrupt(kZstd, "frame content size does not match its header");
  sink.Commit(size);
  return sink.Done();
}

Status DecompressZstd(std::span<const uint8_t> input, OutputSink& sink) {
  if (input.empty()) return Corrupt(kZstd, "empty input");
  ZSTD_DCtx* dctx = ThreadZstdDecompressor();
  if (dctx == nullptr) return OutOfMemory(kZstd);

  size_t want = InitialGuess(input.size());
  const unsigned long long declared = ZSTD_getFrameContentSize(input.data(), input.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) {
    return Corrupt(kZstd, "invalid or truncated frame header");
  }
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN) {
    if (declared > sink.remaining()) return TooLarge(kZstd, sink.max_output());
    const size_t frame_size = ZSTD_findFrameCompressedSize(input.data(), input.size());
    if (!ZSTD_isError(frame_size) && frame_size == input.size()) {
      return DecompressZstdSingleFrame(dctx, input, static_cast<size_t>(declared), sink);
    }
    want = static_cast<size_t>(declared);
  }

  // Streaming: frames without a content size (Java's ZstdOutputStream), or several frames.
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t frames_done = 0;
  bool at_frame_start = false;
  for (;;) {
    uint8_t probe;  // See DecompressGzip: detects output beyond the limit without storing it.
    std::span<uint8_t> room = sink.Room(want);
    const bool probing = room.empty();
    ZSTD_outBuffer ob{probing ? &probe : room.data(), probing ? 1 : room.size(), 0};
    const size_t in_before = in.pos;
    const size_t r = ZSTD_decompressStream(dctx, &ob, &in);
    if (ZSTD_isError(r)) {
      if (at_frame_start) {
        return Corrupt(kZstd, std::to_string(in.size - in_before) + " trailing bytes after frame " +
                                  std::to_string(frames_done) + ": " + ZSTD_getErrorName(r));
      }
      return Corrupt(kZstd, std::string("invalid frame: ") + ZSTD_getErrorName(r));
    }
    if (probing && ob.pos > 0) return TooLarge(kZstd, sink.max_output());
    if (!probing) sink.Commit(ob.pos);
    if (r == 0) {  // A frame is fully decoded and flushed.
      ++frames_done;
      at_frame_start = true;
      if (in.pos == in.size) return sink.Done();
      continue;
    }
    at_frame_start = false;
    if (in.pos == in_before && ob.pos == 0) {
      if (in.pos == in.size) return Corrupt(kZstd, "truncated input: the frame ends early");
      return Corrupt(kZstd, "decoder made no progress");
    }
    want = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// none
// ---------------------------------------------------------------------------------------------

Status CopyWithin(std::span<const uint8_t> input, OutputSink& sink) {
  if (input.size() > sink.remaining()) return TooLarge("none", sink.max_output());
  if (!input.empty()) std::memcpy(sink.ReserveExact(input.size()), input.data(), input.size());
  sink.Commit(input.size());
  return sink.Done();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

Status ValidateCompressionLevel(CompressionType type, int level) noexcept {
  try {
    if (!IsKnownType(type)) return Unsupported(type);
    if (level == kDefaultCompressionLevel) return Status::Ok();
    auto out_of_range = [&](std::string_view range) {
      return Status(ErrorCode::kLocalInvalidArgument,
                    std::string(CompressionName(type)) + " compression level must be " +
                        std::string(range) + ", got " + std::to_string(level));
    };
    switch (type) {
      case CompressionType::kNone:
      case CompressionType::kSnappy:
        return Status(ErrorCode::kLocalInvalidArgument,
                      std::string(CompressionName(type)) +
                          " takes no compression level, got " + std::to_string(level));
      case CompressionType::kGzip:
        // Deflater.BEST_SPEED..BEST_COMPRESSION, or DEFAULT_COMPRESSION (-1), Kafka's default.
        if ((level >= 1 && level <= 9) || level == -1) return Status::Ok();
        return out_of_range("1..9 or -1 (default)");
      case CompressionType::kLz4:
        // net.jpountz.lz4.LZ4Constants' range, which Kafka validates against.
        if (level >= 1 && level <= 17) return Status::Ok();
        return out_of_range("1..17");
      case CompressionType::kZstd: {
        // Kafka hard-codes zstd's ZSTD_minCLevel() (-131072) and ZSTD_MAX_CLEVEL (22).
        const int min_level = ZSTD_minCLevel();
        if (level >= min_level && level <= 22) return Status::Ok();
        return out_of_range(std::to_string(min_level) + "..22");
      }
    }
    return Unsupported(type);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(CompressionName(type));
  } catch (...) {
    return Status(ErrorCode::kLocalIllegalState, "unexpected exception validating level");
  }
}

Status Compress(CompressionType type, int level, std::span<const uint8_t> input,
                util::ByteBuffer* out) noexcept {
  const size_t base = out != nullptr ? out->size() : 0;
  try {
    if (out == nullptr) {
      return Status(ErrorCode::kLocalInvalidArgument, "Compress: null output buffer");
    }
    if (Status st = ValidateCompressionLevel(type, level); !st.ok()) return st;
    Status st;
    switch (type) {
      case CompressionType::kNone:
        out->Append(input);
        break;
      case CompressionType::kGzip:
        st = CompressGzip(level, input, out);
        break;
      case CompressionType::kSnappy:
        st = CompressSnappy(input, out);
        break;
      case CompressionType::kLz4:
        st = CompressLz4(level, input, out);
        break;
      case CompressionType::kZstd:
        st = CompressZstd(level, input, out);
        break;
    }
    if (!st.ok()) out->resize(base);
    return st;
  } catch (const std::bad_alloc&) {
    if (out != nullptr) out->resize(base);
    return OutOfMemory(CompressionName(type));
  } catch (...) {
    if (out != nullptr) out->resize(base);
    return Status(ErrorCode::kLocalIllegalState,
                  std::string(CompressionName(type)) + ": unexpected exception while compressing");
  }
}

Status Decompress(CompressionType type, std::span<const uint8_t> input, size_t max_output,
                  util::ByteBuffer* out) noexcept {
  try {
    if (out == nullptr) {
      return Status(ErrorCode::kLocalInvalidArgument, "Decompress: null output buffer");
    }
    if (!IsKnownType(type)) return Unsupported(type);
    // The sink rolls `out` back unless the decoder reports success through it, including
    // when an exception unwinds through here.
    OutputSink sink(out, max_output);
    switch (type) {
      case CompressionType::kNone:
        return CopyWithin(input, sink);
      case CompressionType::kGzip:
        return DecompressGzip(input, sink);
      case CompressionType::kSnappy:
        return DecompressSnappy(input, sink);
      case CompressionType::kLz4:
        return DecompressLz4(input, sink);
      case CompressionType::kZstd:
        return DecompressZstd(input, sink);
    }
    return Unsupported(type);
  } catch (const std::bad_alloc&) {
    return OutOfMemory(CompressionName(type));
  } catch (...) {
    return Status(ErrorCode::kLocalIllegalState,
                  std::string(CompressionName(type)) + ": unexpected exception while decompressing");
  }
}

}  // namespace kclient::protocol
