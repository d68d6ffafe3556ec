#include "broker/group/offset_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>

#include "util/crc32c.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

// File layout, big-endian:
//   magic "KCOFFS" u16 format version (1)
//   u32 groups { str32 group, u32 topics { str32 topic, u32 partitions {
//       i32 partition, i64 offset, i32 leader epoch, i64 commit time, str32 metadata } } }
//   u32 CRC32C of everything between the magic+version and the checksum
constexpr char kMagic[6] = {'K', 'C', 'O', 'F', 'F', 'S'};
constexpr uint16_t kFormatVersion = 1;
constexpr const char* kFileName = "committed-offsets";

class Writer {
 public:
  void U16(uint16_t v) { util::StoreBE16(Grow(2), v); }
  void U32(uint32_t v) { util::StoreBE32(Grow(4), v); }
  void U64(uint64_t v) { util::StoreBE64(Grow(8), v); }
  void Str32(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    Raw(s.data(), s.size());
  }
  void Raw(const void* p, size_t n) {
    if (n > 0) std::memcpy(Grow(n), p, n);
  }
  std::string& bytes() { return out_; }

 private:
  uint8_t* Grow(size_t n) {
    out_.resize(out_.size() + n);
    return reinterpret_cast<uint8_t*>(out_.data() + out_.size() - n);
  }
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  uint16_t U16() { return Need(2) ? util::LoadBE16(Take(2)) : 0; }
  uint32_t U32() { return Need(4) ? util::LoadBE32(Take(4)) : 0; }
  uint64_t U64() { return Need(8) ? util::LoadBE64(Take(8)) : 0; }
  std::string Str(size_t n) {
    if (!Need(n)) return {};
    return std::string(reinterpret_cast<const char*>(Take(n)), n);
  }

 private:
  bool Need(size_t n) {
    if (!ok_ || in_.size() - pos_ < n) ok_ = false;
    return ok_;
  }
  const uint8_t* Take(size_t n) {
    const auto* p = reinterpret_cast<const uint8_t*>(in_.data() + pos_);
    pos_ += n;
    return p;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

Status IoError(const std::string& what) {
  return Status(ErrorCode::kLocalIo, what + ": " + std::strerror(errno));
}

// Writes `data` to `path` through a temporary file and a rename, syncing both the file and the
// directory so the rename itself survives a crash.
Status WriteAtomically(const std::string& dir, const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("cannot create " + tmp);
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = IoError("cannot write " + tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return s;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = IoError("cannot sync " + tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = IoError("cannot rename " + tmp);
    ::unlink(tmp.c_str());
    return s;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status();
}

}  // namespace

OffsetStore::OffsetStore(std::string data_dir) : dir_(std::move(data_dir)) {
  if (!dir_.empty()) path_ = (std::filesystem::path(dir_) / kFileName).string();
}

Status OffsetStore::Load() {
  offsets_.clear();
  if (path_.empty()) return Status();
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return Status();
  std::ifstream in(path_, std::ios::binary);
  if (!in) return IoError("cannot open " + path_);
  const std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto corrupt = [&](const std::string& why) {
    return Status(ErrorCode::kLocalIo, path_ + " is damaged: " + why);
  };
  constexpr size_t kHeader = sizeof kMagic + 2;
  if (data.size() < kHeader + 4 || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) return corrupt("bad header");
  const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
  if (util::LoadBE16(bytes + sizeof kMagic) != kFormatVersion) return corrupt("unknown format version");
  const std::string_view body(data.data() + kHeader, data.size() - kHeader - 4);
  if (util::Crc32c(body.data(), body.size()) != util::LoadBE32(bytes + data.size() - 4)) {
    return corrupt("checksum mismatch");
  }

  Reader r(body);
  const uint32_t groups = r.U32();
  for (uint32_t g = 0; g < groups && r.ok(); ++g) {
    std::string group = r.Str(r.U32());
    TopicOffsets& topics = offsets_[group];
    const uint32_t topic_count = r.U32();
    for (uint32_t t = 0; t < topic_count && r.ok(); ++t) {
      std::string topic = r.Str(r.U32());
      PartitionOffsets& partitions = topics[topic];
      const uint32_t partition_count = r.U32();
      for (uint32_t p = 0; p < partition_count && r.ok(); ++p) {
        const auto partition = static_cast<int32_t>(r.U32());
        CommittedOffset v;
        v.offset = static_cast<int64_t>(r.U64());
        v.leader_epoch = static_cast<int32_t>(r.U32());
        v.commit_timestamp_ms = static_cast<int64_t>(r.U64());
        v.metadata = r.Str(r.U32());
        partitions[partition] = std::move(v);
      }
    }
  }
  if (!r.ok() || !r.done()) {
    offsets_.clear();
    return corrupt("truncated content");
  }
  return Status();
}

Status OffsetStore::Persist() const {
  if (path_.empty()) return Status();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return Status(ErrorCode::kLocalIo, "cannot create " + dir_ + ": " + ec.message());
  Writer body;
  body.U32(static_cast<uint32_t>(offsets_.size()));
  for (const auto& [group, topics] : offsets_) {
    body.Str32(group);
    body.U32(static_cast<uint32_t>(topics.size()));
    for (const auto& [topic, partitions] : topics) {
      body.Str32(topic);
      body.U32(static_cast<uint32_t>(partitions.size()));
      for (const auto& [partition, v] : partitions) {
        body.U32(static_cast<uint32_t>(partition));
        body.U64(static_cast<uint64_t>(v.offset));
        body.U32(static_cast<uint32_t>(v.leader_epoch));
        body.U64(static_cast<uint64_t>(v.commit_timestamp_ms));
        body.Str32(v.metadata);
      }
    }
  }
  Writer file;
  file.Raw(kMagic, sizeof kMagic);
  file.U16(kFormatVersion);
  file.Raw(body.bytes().data(), body.bytes().size());
  file.U32(util::Crc32c(body.bytes().data(), body.bytes().size()));
  return WriteAtomically(dir_, path_, file.bytes());
}

Status OffsetStore::Commit(const std::string& group, const std::vector<Entry>& entries) {
  if (entries.empty()) return Status();
  // Remember what is replaced so that a failed write leaves the store as it was.
  struct Previous {
    const Entry* entry;
    std::optional<CommittedOffset> value;
  };
  const bool group_existed = offsets_.count(group) != 0;
  TopicOffsets& topics = offsets_[group];
  std::vector<Previous> previous;
  previous.reserve(entries.size());
  for (const Entry& e : entries) {
    PartitionOffsets& partitions = topics[e.topic];
    auto it = partitions.find(e.partition);
    previous.push_back({&e, it == partitions.end() ? std::nullopt : std::optional<CommittedOffset>(it->second)});
    partitions[e.partition] = e.value;
  }
  Status s = Persist();
  if (!s.ok()) {
    for (auto it = previous.rbegin(); it != previous.rend(); ++it) {
      PartitionOffsets& partitions = topics[it->entry->topic];
      if (it->value) {
        partitions[it->entry->partition] = *it->value;
      } else {
        partitions.erase(it->entry->partition);
        if (partitions.empty()) topics.erase(it->entry->topic);
      }
    }
    if (!group_existed) offsets_.erase(group);
  }
  return s;
}

const CommittedOffset* OffsetStore::Get(const std::string& group, const std::string& topic, int32_t partition) const {
  auto g = offsets_.find(group);
  if (g == offsets_.end()) return nullptr;
  auto t = g->second.find(topic);
  if (t == g->second.end()) return nullptr;
  auto p = t->second.find(partition);
  return p == t->second.end() ? nullptr : &p->second;
}

const OffsetStore::TopicOffsets* OffsetStore::GroupOffsets(const std::string& group) const {
  auto g = offsets_.find(group);
  return g == offsets_.end() ? nullptr : &g->second;
}

std::vector<std::string> OffsetStore::Groups() const {
  std::vector<std::string> out;
  for (const auto& [group, topics] : offsets_) {
    if (!topics.empty()) out.push_back(group);
  }
  return out;
}

}  // namespace kclient::broker
