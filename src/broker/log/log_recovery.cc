#include "broker/log/log_recovery.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>

#include "broker/log/segment_files.h"
#include "protocol/record_batch.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

namespace fs = std::filesystem;

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status(ErrorCode::kKafkaStorageError, what + " " + path + ": " + std::strerror(err));
}

Status ReadWholeFile(const std::string& path, util::ByteBuffer* out) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return IoError("cannot stat", path, err);
  }
  const auto size = static_cast<size_t>(st.st_size);
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    const ssize_t r = ::read(fd, out->data() + done, size - done);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      const int err = r < 0 ? errno : EIO;
      ::close(fd);
      return IoError("cannot read", path, err);
    }
    done += static_cast<size_t>(r);
  }
  ::close(fd);
  return Status();
}

// Validates the batches of one segment file. Returns how many leading bytes are whole, valid
// batches and, when that is less than the file, why the rest is not.
size_t ScanSegment(const util::ByteBuffer& bytes, int64_t min_offset, int64_t segment_base,
                   std::vector<RecoveredBatch>* batches, std::string* why) {
  size_t pos = 0;
  int64_t expected = min_offset;
  while (pos < bytes.size()) {
    const size_t rest = bytes.size() - pos;
    const uint8_t* p = bytes.data() + pos;
    if (rest < protocol::kBatchLogOverhead) {
      *why = std::to_string(rest) + " trailing bytes, too few for a batch's offset and length";
      return pos;
    }
    const auto length = static_cast<int32_t>(util::LoadBE32(p + protocol::kBatchLengthOffset));
    if (length < protocol::kRecordBatchHeaderSize - static_cast<int>(protocol::kBatchLogOverhead)) {
      *why = "batch length " + std::to_string(length) + " is shorter than a batch header";
      return pos;
    }
    const size_t size = protocol::kBatchLogOverhead + static_cast<size_t>(length);
    if (size > rest) {
      *why = "a partial batch: " + std::to_string(rest) + " of its " + std::to_string(size) + " bytes";
      return pos;
    }
    const std::span<const uint8_t> batch(p, size);
    protocol::RecordBatchHeader h;
    if (Status s = protocol::RecordBatchHeader::Parse(batch, &h); !s.ok()) {
      *why = "an invalid batch header: " + s.ToString();
      return pos;
    }
    if (!protocol::VerifyBatchCrc(batch)) {
      *why = "a batch whose CRC32C does not match its contents";
      return pos;
    }
    if (h.base_offset < expected) {
      *why = "a batch at offset " + std::to_string(h.base_offset) + ", below the expected " + std::to_string(expected);
      return pos;
    }
    if (h.last_offset() - segment_base > std::numeric_limits<int32_t>::max()) {
      *why = "a batch whose offset " + std::to_string(h.last_offset()) + " is too far from the segment's base";
      return pos;
    }
    batches->push_back(RecoveredBatch{h.base_offset, h.last_offset(), h.max_timestamp, h.partition_leader_epoch,
                                      static_cast<uint32_t>(pos), static_cast<uint32_t>(size)});
    expected = h.last_offset() + 1;
    pos += size;
  }
  return pos;
}

// Rewrites `index_path` unless it already holds exactly the entries `segment` implies.
Status CheckIndex(const std::string& index_path, const RecoveredSegment& segment, const RecoveryLogger& log,
                  RecoveredLog* out) {
  std::string expected;
  expected.reserve(segment.batches.size() * SegmentFiles::kIndexEntrySize);
  for (const RecoveredBatch& b : segment.batches) {
    SegmentFiles::EncodeIndexEntry(segment.base_offset, b.last_offset, b.position, &expected);
  }
  util::ByteBuffer actual;
  std::string problem;
  if (::access(index_path.c_str(), F_OK) != 0) {
    problem = "missing";
  } else if (Status s = ReadWholeFile(index_path, &actual); !s.ok()) {
    problem = "unreadable";
  } else if (actual.view() != expected) {
    const size_t n = actual.size() / SegmentFiles::kIndexEntrySize;
    problem = actual.size() % SegmentFiles::kIndexEntrySize != 0
                  ? "not a whole number of entries"
                  : std::to_string(n) + " entries where the log has " + std::to_string(segment.batches.size()) +
                        (n == segment.batches.size() ? ", some wrong" : "");
  }
  if (problem.empty()) return Status();
  if (Status s = SegmentFiles::WriteFileAtomically(index_path, expected); !s.ok()) return s;
  out->rebuilt_indexes++;
  log(index_path + ": rebuilt the offset index (" + problem + ")");
  return Status();
}

}  // namespace

Result<RecoveredLog> RecoverLogDir(const std::string& dir, const RecoveryLogger& log) {
  RecoveredLog out;
  std::map<int64_t, std::string> logs;  // base offset -> .log path
  std::vector<std::string> indexes;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (auto base = SegmentFiles::ParseFileName(name, SegmentFiles::kLogSuffix)) {
      logs.emplace(*base, entry.path().string());
    } else if (SegmentFiles::ParseFileName(name, SegmentFiles::kIndexSuffix)) {
      indexes.push_back(name);
    } else if (name.size() > 4 && name.ends_with(".tmp")) {
      fs::remove(entry.path(), ec);  // an atomic write that never got renamed
    }
  }
  if (ec) return Status(ErrorCode::kKafkaStorageError, "cannot list " + dir + ": " + ec.message());
  for (const std::string& name : indexes) {
    const int64_t base = *SegmentFiles::ParseFileName(name, SegmentFiles::kIndexSuffix);
    if (logs.count(base) == 0) {
      ::unlink((dir + "/" + name).c_str());
      log(dir + "/" + name + ": removed an index without its log segment");
    }
  }

  int64_t next_offset = 0;
  bool cut = false;  // once the log ends early, every later segment goes
  for (auto& [base, path] : logs) {
    const std::string index_path = dir + "/" + SegmentFiles::FileName(base, SegmentFiles::kIndexSuffix);
    if (cut) {
      struct stat st {};
      const size_t size = ::stat(path.c_str(), &st) == 0 ? static_cast<size_t>(st.st_size) : 0;
      if (::unlink(path.c_str()) != 0) return IoError("cannot delete", path, errno);
      ::unlink(index_path.c_str());
      out.truncated_bytes += size;
      out.deleted_segments++;
      log(path + ": deleted the segment (" + std::to_string(size) + " bytes), which follows a cut");
      continue;
    }
    RecoveredSegment seg;
    seg.base_offset = base;
    if (Status s = ReadWholeFile(path, &seg.bytes); !s.ok()) return s;
    std::string why;
    const size_t valid = ScanSegment(seg.bytes, std::max(base, next_offset), base, &seg.batches, &why);
    if (valid < seg.bytes.size()) {
      const size_t cut_bytes = seg.bytes.size() - valid;
      if (::truncate(path.c_str(), static_cast<off_t>(valid)) != 0) return IoError("cannot truncate", path, errno);
      seg.bytes.resize(valid);
      out.truncated_bytes += cut_bytes;
      cut = true;
      log(path + ": cut " + std::to_string(cut_bytes) + " bytes at position " + std::to_string(valid) + " after " +
          std::to_string(seg.batches.size()) + " valid batches: " + why);
    }
    if (seg.batches.empty()) {
      if (::unlink(path.c_str()) != 0) return IoError("cannot delete", path, errno);
      ::unlink(index_path.c_str());
      out.deleted_segments++;
      log(path + ": deleted the segment, which holds no valid batch");
      continue;
    }
    if (Status s = CheckIndex(index_path, seg, log, &out); !s.ok()) return s;
    next_offset = seg.batches.back().last_offset + 1;
    out.segments.push_back(std::move(seg));
  }

  util::ByteBuffer start;
  const std::string start_path = dir + "/" + std::string(SegmentFiles::kStartOffsetFile);
  if (::access(start_path.c_str(), F_OK) == 0) {
    if (Status s = ReadWholeFile(start_path, &start); !s.ok()) return s;
    std::string_view text = start.view();
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    int64_t v = -1;
    auto [end, perr] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (perr == std::errc() && end == text.data() + text.size() && v >= 0) {
      out.checkpointed_log_start_offset = v;
    } else {
      log(start_path + ": ignored an unreadable log start offset");
    }
  }
  return out;
}

}  // namespace kclient::broker
