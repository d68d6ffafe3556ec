// OffsetStore: the committed offsets of every group, per topic and partition, with the commit's
// leader epoch, metadata string and time. Kafka keeps them in __consumer_offsets; here they live
// in memory and, when the cluster has a data directory, in one file there
// (<data_dir>/committed-offsets) rewritten after every commit: written to a
// temporary file, flushed, then renamed over the old one, so a crash leaves either the old or the
// new content, never a torn file. A CRC32C over the content catches a damaged file at load.
//
// Thread-safety: loop thread only (owned by the GroupCoordinator).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "kclient/status.h"

namespace kclient::broker {

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;  // -1: none given
  std::string metadata;       // Kafka stores a null metadata string as ""
  int64_t commit_timestamp_ms = 0;
};

class OffsetStore {
 public:
  using PartitionOffsets = std::map<int32_t, CommittedOffset>;
  using TopicOffsets = std::map<std::string, PartitionOffsets, std::less<>>;

  struct Entry {
    std::string topic;
    int32_t partition = 0;
    CommittedOffset value;
  };

  // `data_dir` empty: memory only.
  explicit OffsetStore(std::string data_dir);

  // Reads the file, if there is one. A file that does not parse or fails its checksum is an
  // error (LOCAL_IO), not silently an empty store.
  Status Load();

  // Stores `entries` for `group` and persists them. On a write failure nothing changes and the
  // error is returned.
  Status Commit(const std::string& group, const std::vector<Entry>& entries);

  // The committed offset, or null.
  const CommittedOffset* Get(const std::string& group, const std::string& topic, int32_t partition) const;
  // Everything `group` committed, or null.
  const TopicOffsets* GroupOffsets(const std::string& group) const;
  // Every group with at least one committed offset.
  std::vector<std::string> Groups() const;

  // The file path (empty when memory only).
  const std::string& path() const { return path_; }

 private:
  Status Persist() const;

  std::string dir_;
  std::string path_;
  std::map<std::string, TopicOffsets, std::less<>> offsets_;
};

}  // namespace kclient::broker
