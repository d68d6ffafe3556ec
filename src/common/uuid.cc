#include "kclient/uuid.h"

#include <array>

namespace kclient {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::string Uuid::ToString() const {
  std::array<uint8_t, 16> bytes;
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<uint8_t>(high >> (56 - 8 * i));
    bytes[8 + i] = static_cast<uint8_t>(low >> (56 - 8 * i));
  }
  std::string out;
  out.reserve(22);
  // 16 bytes = five 3-byte groups and one trailing byte (two characters, no padding).
  for (int i = 0; i < 15; i += 3) {
    const uint32_t n = uint32_t{bytes[i]} << 16 | uint32_t{bytes[i + 1]} << 8 | bytes[i + 2];
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  out += kAlphabet[bytes[15] >> 2];
  out += kAlphabet[(bytes[15] & 3) << 4];
  return out;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != 22) return std::nullopt;
  std::array<uint8_t, 16> bytes{};
  int filled = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = DecodeChar(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (filled == 16) return std::nullopt;
      bytes[filled++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  // The last character carries four padding bits that must be zero in canonical form.
  if (filled != 16 || (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  Uuid id;
  for (int i = 0; i < 8; ++i) {
    id.high = (id.high << 8) | bytes[i];
    id.low = (id.low << 8) | bytes[8 + i];
  }
  return id;
}

}  // namespace kclient
