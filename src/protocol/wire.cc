#include "protocol/wire.h"

#include <algorithm>
#include <bit>

namespace kclient::protocol {

Status Reader::status(std::string_view what) const {
  if (ok()) return Status();
  std::string m(what);
  m += ": ";
  m += error_;
  return Status(ErrorCode::kLocalMalformed, std::move(m));
}

double Reader::ReadFloat64() { return std::bit_cast<double>(ReadFixed<uint64_t, 8>()); }

Uuid Reader::ReadUuid() {
  Uuid id;
  id.high = ReadFixed<uint64_t, 8>();
  id.low = ReadFixed<uint64_t, 8>();
  return id;
}

uint32_t Reader::ReadUvarint32() {
  uint32_t v = 0;
  const uint8_t* p = util::GetUvarint32(pos_, end_, &v);
  if (p == nullptr) {
    Fail("bad unsigned varint");
    return 0;
  }
  pos_ = p;
  return v;
}

int32_t Reader::ReadVarint32() {
  int32_t v = 0;
  const uint8_t* p = util::GetVarint32(pos_, end_, &v);
  if (p == nullptr) {
    Fail("bad varint");
    return 0;
  }
  pos_ = p;
  return v;
}

int64_t Reader::ReadVarint64() {
  int64_t v = 0;
  const uint8_t* p = util::GetVarint64(pos_, end_, &v);
  if (p == nullptr) {
    Fail("bad varlong");
    return 0;
  }
  pos_ = p;
  return v;
}

std::span<const uint8_t> Reader::ReadSpan(size_t n) {
  if (remaining() < n) {
    Fail("truncated");
    return {};
  }
  std::span<const uint8_t> s(pos_, n);
  pos_ += n;
  return s;
}

int32_t Reader::ReadLength(bool compact) {
  int64_t n;
  if (compact) {
    n = static_cast<int64_t>(ReadUvarint32()) - 1;
  } else {
    n = ReadInt32();
  }
  if (!ok()) return 0;
  if (n < -1) {
    Fail("negative length");
    return 0;
  }
  // Every element of every array takes at least one byte, so no valid count exceeds what is left.
  if (n > static_cast<int64_t>(remaining())) {
    Fail("length exceeds the remaining input");
    return 0;
  }
  return static_cast<int32_t>(n);
}

int32_t Reader::ReadStringLength(bool compact) {
  if (compact) return ReadLength(true);
  const int32_t n = ReadInt16();
  if (!ok()) return 0;
  if (n < -1) {
    Fail("negative string length");
    return 0;
  }
  if (n > static_cast<int32_t>(std::min<size_t>(remaining(), INT16_MAX))) {
    Fail("string length exceeds the remaining input");
    return 0;
  }
  return n;
}

int32_t Reader::ReadBytesLength(bool compact) { return ReadLength(compact); }
int32_t Reader::ReadArrayLength(bool compact) { return ReadLength(compact); }

std::string Reader::ReadString(bool compact) {
  const int32_t n = ReadStringLength(compact);
  if (n < 0) {
    Fail("null where a string is required");
    return {};
  }
  auto s = ReadSpan(static_cast<size_t>(n));
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

std::optional<std::string> Reader::ReadNullableString(bool compact) {
  const int32_t n = ReadStringLength(compact);
  if (n < 0) return std::nullopt;
  auto s = ReadSpan(static_cast<size_t>(n));
  return std::string(reinterpret_cast<const char*>(s.data()), s.size());
}

Bytes Reader::ReadBytes(bool compact) {
  const int32_t n = ReadBytesLength(compact);
  if (n < 0) {
    Fail("null where bytes are required");
    return {};
  }
  auto s = ReadSpan(static_cast<size_t>(n));
  return Bytes(s.begin(), s.end());
}

std::optional<Bytes> Reader::ReadNullableBytes(bool compact) {
  const int32_t n = ReadBytesLength(compact);
  if (n < 0) return std::nullopt;
  auto s = ReadSpan(static_cast<size_t>(n));
  return Bytes(s.begin(), s.end());
}

RecordsView Reader::ReadRecords(bool compact) {
  const int32_t n = ReadBytesLength(compact);
  if (n < 0) {
    Fail("null where records are required");
    return {};
  }
  return RecordsView(ReadSpan(static_cast<size_t>(n)));
}

std::optional<RecordsView> Reader::ReadNullableRecords(bool compact) {
  const int32_t n = ReadBytesLength(compact);
  if (n < 0) return std::nullopt;
  return RecordsView(ReadSpan(static_cast<size_t>(n)));
}

Status Writer::status() const {
  if (ok()) return Status();
  return Status(ErrorCode::kLocalInvalidArgument, error_);
}

void Writer::WriteFloat64(double v) { WriteInt64(std::bit_cast<int64_t>(v)); }

void Writer::WriteUvarint32(uint32_t v) {
  uint8_t tmp[util::kMaxVarint32Bytes];
  out_->Append(tmp, static_cast<size_t>(util::PutUvarint32(tmp, v) - tmp));
}
void Writer::WriteVarint32(int32_t v) {
  uint8_t tmp[util::kMaxVarint32Bytes];
  out_->Append(tmp, static_cast<size_t>(util::PutVarint32(tmp, v) - tmp));
}
void Writer::WriteVarint64(int64_t v) {
  uint8_t tmp[util::kMaxVarint64Bytes];
  out_->Append(tmp, static_cast<size_t>(util::PutVarint64(tmp, v) - tmp));
}

void Writer::WriteStringLength(int32_t n, bool compact) {
  if (compact) {
    WriteUvarint32(static_cast<uint32_t>(n + 1));
  } else if (n > INT16_MAX) {
    Fail("string longer than 32767 bytes in a non-flexible version");
  } else {
    WriteInt16(static_cast<int16_t>(n));
  }
}
void Writer::WriteBytesLength(int32_t n, bool compact) {
  if (compact) {
    WriteUvarint32(static_cast<uint32_t>(n + 1));
  } else {
    WriteInt32(n);
  }
}
void Writer::WriteArrayLength(int32_t n, bool compact) { WriteBytesLength(n, compact); }

void Writer::WriteString(std::string_view s, bool compact) {
  WriteStringLength(static_cast<int32_t>(s.size()), compact);
  out_->Append(s.data(), s.size());
}
void Writer::WriteNullableString(const std::optional<std::string>& s, bool compact) {
  if (!s) {
    WriteStringLength(-1, compact);
  } else {
    WriteString(*s, compact);
  }
}
void Writer::WriteBytes(std::span<const uint8_t> b, bool compact) {
  WriteBytesLength(static_cast<int32_t>(b.size()), compact);
  out_->Append(b.data(), b.size());
}
void Writer::WriteNullableBytes(const std::optional<Bytes>& b, bool compact) {
  if (!b) {
    WriteBytesLength(-1, compact);
  } else {
    WriteBytes(*b, compact);
  }
}
void Writer::WriteRecords(RecordsView r, bool compact) { WriteBytes(r.span(), compact); }
void Writer::WriteNullableRecords(const std::optional<RecordsView>& r, bool compact) {
  if (!r) {
    WriteBytesLength(-1, compact);
  } else {
    WriteRecords(*r, compact);
  }
}

void WriteTaggedFields(Writer& w, std::span<const EncodedTag> known, const util::ByteBuffer* scratch,
                       const UnknownTaggedFields& unknown) {
  w.WriteUvarint32(static_cast<uint32_t>(known.size() + unknown.size()));
  size_t k = 0;
  size_t u = 0;
  while (k < known.size() || u < unknown.size()) {
    const bool take_known =
        u == unknown.size() || (k < known.size() && known[k].tag < unknown[u].tag);
    if (take_known) {
      const EncodedTag& t = known[k++];
      w.WriteUvarint32(t.tag);
      w.WriteUvarint32(static_cast<uint32_t>(t.size));
      w.WriteRaw(scratch->data() + t.offset, t.size);
    } else {
      const UnknownTaggedField& t = unknown[u++];
      w.WriteUvarint32(t.tag);
      w.WriteUvarint32(static_cast<uint32_t>(t.data.size()));
      w.WriteRaw(t.data.data(), t.data.size());
    }
  }
}

void ReadUnknownTaggedFields(Reader& r, UnknownTaggedFields* unknown) {
  const uint32_t count = r.ReadUvarint32();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t tag = r.ReadUvarint32();
    const auto data = r.ReadSpan(r.ReadUvarint32());
    if (r.ok()) unknown->push_back(UnknownTaggedField{tag, Bytes(data.begin(), data.end())});
  }
}

}  // namespace kclient::protocol
