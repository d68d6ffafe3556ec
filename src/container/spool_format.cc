#include "container/spool_format.h"

#include <cstring>
#include <optional>
#include <utility>

#include "util/crc32c.h"
#include "util/endian.h"

namespace kclient::container::spool_format {
namespace {

constexpr uint8_t kPayloadVersion = 1;

class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}
  void U8(uint8_t v) { out_->push_back(static_cast<char>(v)); }
  void U16(uint16_t v) {
    uint8_t b[2];
    util::StoreBE16(b, v);
    Raw(b, 2);
  }
  void U32(uint32_t v) {
    uint8_t b[4];
    util::StoreBE32(b, v);
    Raw(b, 4);
  }
  void U64(uint64_t v) {
    uint8_t b[8];
    util::StoreBE64(b, v);
    Raw(b, 8);
  }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    Raw(s.data(), s.size());
  }
  void Bytes(const std::optional<std::string>& s) {
    if (!s) {
      U32(static_cast<uint32_t>(-1));
      return;
    }
    Str(*s);
  }
  void Raw(const void* p, size_t n) { out_->append(static_cast<const char*>(p), n); }

 private:
  std::string* out_;
};

// Reads what Writer wrote; any read past the end sets a sticky failure instead.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}
  bool ok() const { return ok_; }
  bool AtEnd() const { return pos_ == data_.size(); }
  uint8_t U8() { return Take(1) ? data_[pos_ - 1] : 0; }
  uint16_t U16() { return Take(2) ? util::LoadBE16(&data_[pos_ - 2]) : 0; }
  uint32_t U32() { return Take(4) ? util::LoadBE32(&data_[pos_ - 4]) : 0; }
  uint64_t U64() { return Take(8) ? util::LoadBE64(&data_[pos_ - 8]) : 0; }
  std::string Str() {
    const uint32_t n = U32();
    if (!Take(n)) return {};
    return std::string(reinterpret_cast<const char*>(&data_[pos_ - n]), n);
  }
  std::optional<std::string> Bytes() {
    const uint32_t n = U32();
    if (n == static_cast<uint32_t>(-1)) return std::nullopt;
    if (!Take(n)) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(&data_[pos_ - n]), n);
  }
  std::string_view RawView(size_t n) {
    if (!Take(n)) return {};
    return {reinterpret_cast<const char*>(&data_[pos_ - n]), n};
  }

 private:
  bool Take(size_t n) {
    if (!ok_ || data_.size() - pos_ < n) {
      ok_ = false;
      return false;
    }
    pos_ += n;
    return true;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status Malformed(std::string what) { return Status(ErrorCode::kLocalMalformed, "spool: " + std::move(what)); }

}  // namespace

void AppendFramedEntry(const SpooledRecord& spooled, std::string* out) {
  const size_t start = out->size();
  out->append(kFrameHeaderBytes, '\0');
  Writer w(out);
  const ProducerRecord& r = spooled.record;
  w.U8(kPayloadVersion);
  w.U64(static_cast<uint64_t>(spooled.spooled_at_ms));
  w.U16(static_cast<uint16_t>(spooled.error));
  w.Str(spooled.error_message);
  w.Str(r.topic);
  w.U32(static_cast<uint32_t>(r.partition.value_or(-1)));
  w.Bytes(r.key);
  w.Bytes(r.value);
  w.U8(r.timestamp_ms.has_value() ? 1 : 0);
  w.U64(static_cast<uint64_t>(r.timestamp_ms.value_or(0)));
  w.U32(static_cast<uint32_t>(r.headers.size()));
  for (const Header& h : r.headers) {
    w.Str(h.key);
    w.Bytes(h.value);
  }
  auto* frame = reinterpret_cast<uint8_t*>(out->data() + start);
  const size_t payload_size = out->size() - start - kFrameHeaderBytes;
  util::StoreBE32(frame, static_cast<uint32_t>(payload_size));
  uint32_t crc = util::Crc32c(frame, 4);
  crc = util::Crc32c(crc, frame + kFrameHeaderBytes, payload_size);
  util::StoreBE32(frame + 4, crc);
}

Result<SpooledRecord> DecodeSpooledRecord(std::span<const uint8_t> payload) {
  Reader r(payload);
  const uint8_t version = r.U8();
  if (r.ok() && version != kPayloadVersion) return Malformed("unknown entry version " + std::to_string(version));
  SpooledRecord out;
  out.spooled_at_ms = static_cast<int64_t>(r.U64());
  out.error = static_cast<ErrorCode>(static_cast<int16_t>(r.U16()));
  out.error_message = r.Str();
  out.record.topic = r.Str();
  const auto partition = static_cast<int32_t>(r.U32());
  if (partition >= 0) out.record.partition = partition;
  out.record.key = r.Bytes();
  out.record.value = r.Bytes();
  const bool has_timestamp = r.U8() != 0;
  const auto timestamp = static_cast<int64_t>(r.U64());
  if (has_timestamp) out.record.timestamp_ms = timestamp;
  const uint32_t headers = r.U32();
  for (uint32_t i = 0; r.ok() && i < headers; ++i) {
    Header h;
    h.key = r.Str();
    h.value = r.Bytes();
    out.record.headers.push_back(std::move(h));
  }
  if (!r.ok()) return Malformed("truncated entry");
  if (!r.AtEnd()) return Malformed("trailing bytes after entry");
  return out;
}

FrameCheck CheckFrame(std::span<const uint8_t> data, uint64_t max_entry_bytes) {
  FrameCheck check;
  if (data.empty()) return check;
  if (data.size() < kFrameHeaderBytes) {
    check.kind = FrameCheck::Kind::kTorn;
    return check;
  }
  const uint32_t length = util::LoadBE32(data.data());
  if (length > max_entry_bytes) {
    check.kind = FrameCheck::Kind::kCorrupt;
    return check;
  }
  if (data.size() - kFrameHeaderBytes < length) {
    check.kind = FrameCheck::Kind::kTorn;
    return check;
  }
  uint32_t crc = util::Crc32c(data.data(), 4);
  crc = util::Crc32c(crc, data.data() + kFrameHeaderBytes, length);
  if (crc != util::LoadBE32(data.data() + 4)) {
    check.kind = FrameCheck::Kind::kCorrupt;
    return check;
  }
  check.kind = FrameCheck::Kind::kEntry;
  check.size = kFrameHeaderBytes + length;
  return check;
}

std::string EncodeReplayPosition(const ReplayPosition& position) {
  std::string out;
  Writer w(&out);
  w.Raw(kPositionMagic.data(), kPositionMagic.size());
  w.U64(position.base.segment);
  w.U64(position.base.offset);
  w.U32(static_cast<uint32_t>(position.done_after.size()));
  for (const SpoolPosition& p : position.done_after) {
    w.U64(p.segment);
    w.U64(p.offset);
  }
  w.U32(util::Crc32c(out.data(), out.size()));
  return out;
}

Result<ReplayPosition> DecodeReplayPosition(std::span<const uint8_t> bytes) {
  if (bytes.size() < 4) return Malformed("position file too short");
  const size_t body = bytes.size() - 4;
  if (util::Crc32c(bytes.data(), body) != util::LoadBE32(bytes.data() + body)) {
    return Malformed("position file fails its CRC");
  }
  Reader r(bytes.first(body));
  if (r.RawView(kPositionMagic.size()) != kPositionMagic) return Malformed("not a position file");
  ReplayPosition out;
  out.base.segment = r.U64();
  out.base.offset = r.U64();
  const uint32_t count = r.U32();
  for (uint32_t i = 0; r.ok() && i < count; ++i) {
    SpoolPosition p;
    p.segment = r.U64();
    p.offset = r.U64();
    out.done_after.push_back(p);
  }
  if (!r.ok() || !r.AtEnd()) return Malformed("position file is inconsistent");
  return out;
}

}  // namespace kclient::container::spool_format
