#include "broker/log/segment_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#include "util/endian.h"

namespace kclient::broker {
namespace {

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status(ErrorCode::kKafkaStorageError, what + " " + path + ": " + std::strerror(err));
}

// write(2) until everything is written, at `offset`.
bool PWriteAll(int fd, const uint8_t* p, size_t n, off_t offset, int* err) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, offset);
    if (w < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
    offset += w;
  }
  return true;
}

bool WriteAll(int fd, const char* p, size_t n, int* err) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      *err = errno;
      return false;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

std::string DirOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
}

}  // namespace

std::string SegmentFiles::FileName(int64_t base_offset, std::string_view suffix) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(base_offset));
  return std::string(digits) + std::string(suffix);
}

std::optional<int64_t> SegmentFiles::ParseFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t v = 0;
  for (size_t i = 0; i < 20; ++i) {
    const char c = name[i];
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

void SegmentFiles::EncodeIndexEntry(int64_t segment_base, int64_t last_offset, uint32_t position, std::string* out) {
  uint8_t e[kIndexEntrySize];
  util::StoreBE32(e, static_cast<uint32_t>(last_offset - segment_base));
  util::StoreBE32(e + 4, position);
  out->append(reinterpret_cast<const char*>(e), sizeof e);
}

Status SegmentFiles::WriteFileAtomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create", tmp, errno);
  int err = 0;
  const bool ok = WriteAll(fd, contents.data(), contents.size(), &err) && (::fsync(fd) == 0 || ((err = errno), false));
  ::close(fd);
  if (!ok) {
    ::unlink(tmp.c_str());
    return IoError("cannot write", tmp, err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return IoError("cannot rename to", path, err);
  }
  // The rename itself is durable once the directory is.
  const std::string dir = DirOf(path);
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status();
}

SegmentFiles::SegmentFiles(std::string dir) : dir_(std::move(dir)) {}

SegmentFiles::~SegmentFiles() {
  for (auto& [index, s] : segments_) FlushIndex(s);
  CloseActive();
}

std::string SegmentFiles::PathOf(int64_t base_offset, std::string_view suffix) const {
  return dir_ + "/" + FileName(base_offset, suffix);
}

void SegmentFiles::CloseActive() {
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = -1;
  active_ = UINT32_MAX;
}

void SegmentFiles::Adopt(uint32_t segment, int64_t base_offset, size_t size, size_t index_entries) {
  Segment& s = segments_[segment];
  s.base_offset = base_offset;
  s.size = size;
  s.index_entries_on_disk = index_entries;
  s.pending_index.clear();
}

int64_t SegmentFiles::base_offset(uint32_t segment) const {
  auto it = segments_.find(segment);
  return it == segments_.end() ? -1 : it->second.base_offset;
}

Status SegmentFiles::Append(uint32_t segment, uint32_t position, std::span<const uint8_t> batch, int64_t base_offset,
                            int64_t last_offset) {
  if (position == 0) {
    // A new segment (or one emptied by truncation that now starts again at another offset).
    if (Status s = Remove(segment); !s.ok()) return s;
    Segment& fresh = segments_[segment];
    fresh.base_offset = base_offset;
    ::unlink(PathOf(base_offset, kIndexSuffix).c_str());  // a stale index must not describe the new log
  }
  auto it = segments_.find(segment);
  if (it == segments_.end()) {
    return Status(ErrorCode::kKafkaStorageError, "segment " + std::to_string(segment) + " of " + dir_ + " has no files");
  }
  Segment& s = it->second;
  const std::string path = PathOf(s.base_offset, kLogSuffix);
  if (active_ != segment) {
    // Rolling: the old active segment is complete; like Kafka, flush it to disk now.
    if (active_ != UINT32_MAX) {
      auto old = segments_.find(active_);
      if (old != segments_.end()) FlushIndex(old->second);
      ::fdatasync(log_fd_);
    }
    CloseActive();
    const int flags = O_WRONLY | O_CLOEXEC | (position == 0 ? O_CREAT | O_TRUNC : 0);
    log_fd_ = ::open(path.c_str(), flags, 0644);
    if (log_fd_ < 0) {
      const int err = errno;
      if (position == 0) segments_.erase(segment);
      return IoError("cannot open", path, err);
    }
    active_ = segment;
  }
  if (s.size != position) {
    // Never expected: the file and the log disagree about where the segment ends.
    if (::ftruncate(log_fd_, position) != 0) return IoError("cannot truncate", path, errno);
    s.size = position;
  }
  int err = 0;
  if (!PWriteAll(log_fd_, batch.data(), batch.size(), position, &err)) {
    if (::ftruncate(log_fd_, position) != 0) { /* the recovery scan cuts the torn tail */ }
    if (position == 0) Remove(segment);
    return IoError("cannot write", path, err);
  }
  s.size = position + batch.size();
  EncodeIndexEntry(s.base_offset, last_offset, position, &s.pending_index);
  if (s.pending_index.size() >= 512 * kIndexEntrySize) FlushIndex(s);
  if (flush_interval_messages_ > 0 && flush_interval_messages_ != std::numeric_limits<int64_t>::max()) {
    unflushed_messages_ += last_offset - base_offset + 1;
    if (unflushed_messages_ >= flush_interval_messages_) {
      if (Status st = Flush(true); !st.ok()) return st;
    }
  }
  return Status();
}

Status SegmentFiles::FlushIndex(Segment& s) {
  if (s.pending_index.empty()) return Status();
  const std::string path = PathOf(s.base_offset, kIndexSuffix);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot open", path, errno);
  int err = 0;
  const bool ok = PWriteAll(fd, reinterpret_cast<const uint8_t*>(s.pending_index.data()), s.pending_index.size(),
                            static_cast<off_t>(s.index_entries_on_disk * kIndexEntrySize), &err);
  ::close(fd);
  if (!ok) return IoError("cannot write", path, err);
  s.index_entries_on_disk += s.pending_index.size() / kIndexEntrySize;
  s.pending_index.clear();
  return Status();
}

Status SegmentFiles::Truncate(uint32_t segment, size_t size, std::span<const IndexEntry> entries) {
  auto it = segments_.find(segment);
  if (it == segments_.end()) return Status();
  if (size == 0) return Remove(segment);
  Segment& s = it->second;
  const std::string path = PathOf(s.base_offset, kLogSuffix);
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return IoError("cannot truncate", path, errno);
  s.size = size;
  std::string index;
  index.reserve(entries.size() * kIndexEntrySize);
  for (const IndexEntry& e : entries) EncodeIndexEntry(s.base_offset, e.last_offset, e.position, &index);
  s.pending_index.clear();
  s.index_entries_on_disk = entries.size();
  return WriteFileAtomically(PathOf(s.base_offset, kIndexSuffix), index);
}

Status SegmentFiles::Remove(uint32_t segment) {
  auto it = segments_.find(segment);
  if (it == segments_.end()) return Status();
  if (active_ == segment) CloseActive();
  const int64_t base = it->second.base_offset;
  segments_.erase(it);
  Status result;
  for (std::string_view suffix : {kLogSuffix, kIndexSuffix}) {
    const std::string path = PathOf(base, suffix);
    if (::unlink(path.c_str()) != 0 && errno != ENOENT && result.ok()) result = IoError("cannot delete", path, errno);
  }
  return result;
}

Status SegmentFiles::WriteLogStartOffset(int64_t offset) {
  return WriteFileAtomically(dir_ + "/" + std::string(kStartOffsetFile), std::to_string(offset) + "\n");
}

Status SegmentFiles::Flush(bool sync) {
  Status result;
  for (auto& [index, s] : segments_) {
    if (Status st = FlushIndex(s); !st.ok() && result.ok()) result = st;
  }
  if (sync && log_fd_ >= 0) {
    if (::fdatasync(log_fd_) != 0 && result.ok()) result = IoError("cannot fsync", dir_, errno);
    unflushed_messages_ = 0;
  }
  return result;
}

int64_t SegmentFiles::LastModifiedMs(uint32_t segment) const {
  auto it = segments_.find(segment);
  if (it == segments_.end()) return -1;
  struct stat st {};
  if (::stat(PathOf(it->second.base_offset, kLogSuffix).c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
}

}  // namespace kclient::broker
