// The spool's on-disk encodings, as symmetric pairs: an entry's payload (a SpooledRecord), its
// framing in a segment file, and the replay position file. Pure functions over bytes; the file
// handling lives in spool.cc and spool_files.h.
//
// Segment file:  "KCSPOOL1" then entries, each
//   length  u32   payload bytes
//   crc     u32   crc32c over the 4 length bytes and the payload
//   payload       EncodeSpooledRecord
// Payload (version 1), integers big-endian:
//   u8 version, i64 spooled_at_ms, i16 error, str error_message, str topic, i32 partition (-1:
//   none), bytes key, bytes value, u8 has_timestamp, i64 timestamp, u32 header count, then per
//   header str key, bytes value.  str: u32 length + bytes; bytes: i32 length (-1: null) + bytes.
// Position file: "KCSPPOS1", u64 segment, u64 offset (every entry before this position is done),
//   u32 count, count × (u64 segment, u64 offset) entries done beyond it, u32 crc32c of all before.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/container/spooled_record.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient::container::spool_format {

inline constexpr std::string_view kSegmentMagic = "KCSPOOL1";
inline constexpr std::string_view kPositionMagic = "KCSPPOS1";
inline constexpr size_t kFrameHeaderBytes = 8;

/// Appends the framed entry (length, crc, payload) for `record` to `out`.
void AppendFramedEntry(const SpooledRecord& record, std::string* out);

/// Decodes a payload (without framing). kLocalMalformed when it is truncated or inconsistent.
Result<SpooledRecord> DecodeSpooledRecord(std::span<const uint8_t> payload);

/// The result of looking at bytes where a framed entry should start.
struct FrameCheck {
  enum class Kind {
    kEntry,      ///< a whole entry whose CRC matches; `size` bytes long, payload after the header
    kEnd,        ///< no bytes left: the clean end of the segment
    kTorn,       ///< the header or the payload runs past the end of the data
    kCorrupt,    ///< the CRC does not match, or the length exceeds max_entry_bytes
  };
  Kind kind = Kind::kEnd;
  size_t size = 0;  ///< framing included, for kEntry
};

/// Checks the framed entry at the start of `data`.
FrameCheck CheckFrame(std::span<const uint8_t> data, uint64_t max_entry_bytes);

/// Replay progress: every entry before `base` is done, and so are those in `done_after`.
struct ReplayPosition {
  SpoolPosition base;
  std::vector<SpoolPosition> done_after;
};

std::string EncodeReplayPosition(const ReplayPosition& position);
/// kLocalMalformed when the bytes are not a whole position file with a matching CRC.
Result<ReplayPosition> DecodeReplayPosition(std::span<const uint8_t> bytes);

}  // namespace kclient::container::spool_format
