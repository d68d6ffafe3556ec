#include "kclient/container/spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <system_error>
#include <utility>

#include "container/spool_files.h"
#include "container/spool_format.h"

namespace kclient::container {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSegmentSuffix = ".spool";
constexpr std::string_view kPositionFile = "replay.position";

// The segment number in a file name "<20 digits>.spool", or 0 when the name is not a segment's.
uint64_t SegmentNumber(const std::string& name) {
  if (name.size() != 20 + kSegmentSuffix.size() || !name.ends_with(kSegmentSuffix)) return 0;
  uint64_t n = 0;
  for (size_t i = 0; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return 0;
    n = n * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return n;
}

std::span<const uint8_t> AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace

Status SpoolOptions::Validate() const {
  if (directory.empty()) return Status(ErrorCode::kLocalInvalidConfig, "SpoolOptions.directory must be set");
  if (segment_bytes < 4096) {
    return Status(ErrorCode::kLocalInvalidConfig,
                  "SpoolOptions.segment_bytes must be at least 4096, got " + std::to_string(segment_bytes));
  }
  if (max_entry_bytes < 1024 || max_entry_bytes > INT32_MAX) {
    return Status(ErrorCode::kLocalInvalidConfig, "SpoolOptions.max_entry_bytes must be in [1024, 2^31-1], got " +
                                                      std::to_string(max_entry_bytes));
  }
  return Status::Ok();
}

bool ShouldSpool(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone:
    case ErrorCode::kLocalSerialization:
      return false;
    case ErrorCode::kBrokerNotAvailable:
    case ErrorCode::kLocalClosed:
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidRecord:
    case ErrorCode::kInvalidTimestamp:
    case ErrorCode::kPolicyViolation:
      return true;
    default:
      return IsRetriable(code);
  }
}

Spool::Spool(SpoolOptions options) : options_(std::move(options)) {}

Spool::~Spool() {
  if (active_fd_ >= 0) ::close(active_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

Result<std::unique_ptr<Spool>> Spool::Open(const SpoolOptions& options) {
  if (Status s = options.Validate(); !s.ok()) return s;
  std::error_code ec;
  fs::create_directories(options.directory, ec);
  if (ec) return Status(ErrorCode::kLocalIo, "spool: cannot create " + options.directory + ": " + ec.message());
  auto lock = spool_files::LockDirectory(options.directory);
  if (!lock.ok()) return lock.status();
  std::unique_ptr<Spool> spool(new Spool(options));
  spool->lock_fd_ = *lock;
  if (Status s = spool->Recover(); !s.ok()) return s;
  return spool;
}

std::string Spool::SegmentPath(uint64_t segment) const {
  char name[32];
  std::snprintf(name, sizeof name, "%020llu", static_cast<unsigned long long>(segment));
  return options_.directory + "/" + name + std::string(kSegmentSuffix);
}

Status Spool::Recover() {
  std::lock_guard lock(mu_);
  spool_format::ReplayPosition position;
  const std::string position_path = options_.directory + "/" + std::string(kPositionFile);
  if (fs::exists(position_path)) {
    auto bytes = spool_files::ReadWholeFile(position_path);
    if (!bytes.ok()) return bytes.status();
    auto decoded = spool_format::DecodeReplayPosition(AsBytes(*bytes));
    // A position file is replaced atomically, so a bad one is damage, not a crash. Counting
    // everything as pending replays duplicates but loses nothing.
    if (decoded.ok()) {
      position = std::move(*decoded);
    } else {
      recovery_.position_unreadable = true;
    }
  }
  const std::set<SpoolPosition> done_after(position.done_after.begin(), position.done_after.end());
  // New segments must sort after the position's: their entries would otherwise count as done.
  next_segment_ = std::max(next_segment_, position.base.segment + 1);

  std::vector<uint64_t> numbers;
  std::error_code ec;
  for (const auto& file : fs::directory_iterator(options_.directory, ec)) {
    if (uint64_t n = SegmentNumber(file.path().filename().string()); n != 0) numbers.push_back(n);
  }
  if (ec) return Status(ErrorCode::kLocalIo, "spool: cannot list " + options_.directory + ": " + ec.message());
  std::sort(numbers.begin(), numbers.end());

  for (uint64_t number : numbers) {
    next_segment_ = std::max(next_segment_, number + 1);
    const std::string path = SegmentPath(number);
    if (number < position.base.segment) {  // replayed; its deletion was cut short
      ::unlink(path.c_str());
      continue;
    }
    auto bytes = spool_files::ReadWholeFile(path);
    if (!bytes.ok()) return bytes.status();
    ++recovery_.segments;
    const std::span<const uint8_t> data = AsBytes(*bytes);
    Segment& segment = segments_[number];
    size_t offset = spool_format::kSegmentMagic.size();
    if (data.size() < offset || std::string_view(*bytes).substr(0, offset) != spool_format::kSegmentMagic) {
      // Created but cut short before its magic was written (a torn start), or not ours.
      if (!data.empty()) {
        recovery_.skipped_bytes += data.size();
        ++recovery_.damaged_segments;
      }
      continue;
    }
    for (;;) {
      const auto check =
          spool_format::CheckFrame(data.subspan(offset), static_cast<uint64_t>(options_.max_entry_bytes));
      if (check.kind == spool_format::FrameCheck::Kind::kEnd) break;
      if (check.kind != spool_format::FrameCheck::Kind::kEntry) {
        recovery_.skipped_bytes += data.size() - offset;
        ++recovery_.damaged_segments;
        break;
      }
      const SpoolPosition here{number, offset};
      Entry entry;
      entry.offset = offset;
      entry.size = static_cast<uint32_t>(check.size);
      entry.done = here < position.base || done_after.count(here) > 0;
      if (!entry.done) ++segment.pending;
      segment.entries.push_back(entry);
      ++recovery_.entries;
      offset += check.size;
    }
    pending_ += segment.pending;
  }
  recovery_.pending = pending_;
  DeleteFinishedSegmentsLocked();
  return Status::Ok();
}

Status Spool::StartSegmentLocked() {
  if (active_fd_ >= 0) ::close(active_fd_);
  active_fd_ = -1;
  const uint64_t number = next_segment_++;
  const std::string path = SegmentPath(number);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return spool_files::IoError("cannot create", path);
  Status s = spool_files::WriteAll(fd, spool_format::kSegmentMagic, path);
  if (s.ok() && options_.sync == SpoolSync::kEveryAppend) s = spool_files::SyncDirectory(options_.directory);
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  active_fd_ = fd;
  active_segment_ = number;
  active_size_ = spool_format::kSegmentMagic.size();
  segments_[number];
  return Status::Ok();
}

Status Spool::Append(const SpooledRecord& record) {
  std::string framed;
  spool_format::AppendFramedEntry(record, &framed);
  if (framed.size() - spool_format::kFrameHeaderBytes > static_cast<uint64_t>(options_.max_entry_bytes)) {
    return Status(ErrorCode::kLocalInvalidArgument, "spool: entry of " + std::to_string(framed.size()) +
                                                        " bytes exceeds max_entry_bytes");
  }
  std::lock_guard lock(mu_);
  const bool full = active_size_ > spool_format::kSegmentMagic.size() &&
                    active_size_ + framed.size() > static_cast<uint64_t>(options_.segment_bytes);
  if (active_fd_ < 0 || full) {
    if (Status s = StartSegmentLocked(); !s.ok()) return s;
  }
  const std::string path = SegmentPath(active_segment_);
  Status s = spool_files::WriteAll(active_fd_, framed, path);
  if (s.ok() && options_.sync == SpoolSync::kEveryAppend && ::fdatasync(active_fd_) != 0) {
    s = spool_files::IoError("cannot fsync", path);
  }
  if (!s.ok()) {
    // What the failed write left behind reads as a torn tail; nothing may follow it.
    ::close(active_fd_);
    active_fd_ = -1;
    return s;
  }
  Entry entry;
  entry.offset = active_size_;
  entry.size = static_cast<uint32_t>(framed.size());
  Segment& segment = segments_[active_segment_];
  segment.entries.push_back(entry);
  ++segment.pending;
  ++pending_;
  active_size_ += framed.size();
  return Status::Ok();
}

Result<std::vector<SpoolEntry>> Spool::ReadPending(size_t max_entries) const {
  struct Wanted {
    uint64_t segment;
    Entry entry;
  };
  std::vector<Wanted> wanted;
  {
    std::lock_guard lock(mu_);
    for (const auto& [number, segment] : segments_) {
      if (segment.pending == 0) continue;
      for (const Entry& e : segment.entries) {
        if (wanted.size() == max_entries) break;
        if (!e.done) wanted.push_back({number, e});
      }
    }
  }
  // Pending entries are never deleted, so they can be read without the lock (appends only add
  // bytes past them).
  std::vector<SpoolEntry> out;
  out.reserve(wanted.size());
  int fd = -1;
  uint64_t open_segment = 0;
  std::string frame;
  Status failure;
  for (const Wanted& w : wanted) {
    const std::string path = SegmentPath(w.segment);
    if (fd < 0 || open_segment != w.segment) {
      if (fd >= 0) ::close(fd);
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        failure = spool_files::IoError("cannot open", path);
        break;
      }
      open_segment = w.segment;
    }
    if (failure = spool_files::ReadAt(fd, w.entry.offset, w.entry.size, &frame, path); !failure.ok()) break;
    const auto check = spool_format::CheckFrame(AsBytes(frame), static_cast<uint64_t>(options_.max_entry_bytes));
    if (check.kind != spool_format::FrameCheck::Kind::kEntry || check.size != w.entry.size) {
      failure = Status(ErrorCode::kLocalMalformed,
                       "spool: entry at " + path + ":" + std::to_string(w.entry.offset) + " changed on disk");
      break;
    }
    auto decoded = spool_format::DecodeSpooledRecord(AsBytes(frame).subspan(spool_format::kFrameHeaderBytes));
    if (!decoded.ok()) {
      failure = decoded.status().WithContext(path + ":" + std::to_string(w.entry.offset));
      break;
    }
    out.push_back(SpoolEntry{SpoolPosition{w.segment, w.entry.offset}, std::move(*decoded)});
  }
  if (fd >= 0) ::close(fd);
  if (!failure.ok()) return failure;
  return out;
}

Status Spool::MarkDone(std::span<const SpoolPosition> positions) {
  std::lock_guard lock(mu_);
  std::vector<std::pair<Segment*, Entry*>> marked;
  for (const SpoolPosition& p : positions) {
    auto it = segments_.find(p.segment);
    if (it == segments_.end()) continue;
    auto& entries = it->second.entries;
    auto e = std::lower_bound(entries.begin(), entries.end(), p.offset,
                              [](const Entry& x, uint64_t offset) { return x.offset < offset; });
    if (e == entries.end() || e->offset != p.offset || e->done) continue;
    e->done = true;
    --it->second.pending;
    --pending_;
    marked.emplace_back(&it->second, &*e);
  }
  if (marked.empty()) return Status::Ok();
  if (Status s = PersistPositionLocked(); !s.ok()) {
    // Not durable, so not done: the entries will be read again.
    for (auto& [segment, entry] : marked) {
      entry->done = false;
      ++segment->pending;
      ++pending_;
    }
    return s;
  }
  DeleteFinishedSegmentsLocked();
  return Status::Ok();
}

Status Spool::PersistPositionLocked() {
  spool_format::ReplayPosition position;
  bool found_pending = false;
  for (const auto& [number, segment] : segments_) {
    for (const Entry& e : segment.entries) {
      if (!found_pending && !e.done) {
        position.base = {number, e.offset};
        found_pending = true;
      } else if (found_pending && e.done) {
        position.done_after.push_back({number, e.offset});
      }
    }
  }
  if (!found_pending) {
    // Everything is done. Entries appended later land after this point.
    position.base = active_fd_ >= 0 ? SpoolPosition{active_segment_, active_size_} : SpoolPosition{next_segment_, 0};
  }
  return spool_files::ReplaceFileAtomically(options_.directory, std::string(kPositionFile),
                                            spool_format::EncodeReplayPosition(position));
}

void Spool::DeleteFinishedSegmentsLocked() {
  for (auto it = segments_.begin(); it != segments_.end();) {
    if (it->second.pending != 0) {
      ++it;
      continue;
    }
    if (active_fd_ >= 0 && it->first == active_segment_) {
      ::close(active_fd_);
      active_fd_ = -1;
    }
    // A failed unlink leaves a segment whose entries the position file marks done.
    ::unlink(SegmentPath(it->first).c_str());
    it = segments_.erase(it);
  }
}

size_t Spool::pending() const {
  std::lock_guard lock(mu_);
  return pending_;
}

}  // namespace kclient::container
