// Log recovery: what a partition directory (see segment_files.h) holds after a crash, made
// consistent. Kafka's LogLoader/LogSegment.recover, applied to every segment:
//
//   - each segment file is read whole and every batch validated: a length that covers a batch
//     header and fits in the file, magic 2 and a consistent header (RecordBatchHeader::Parse),
//     the CRC32C, and offsets that start at or after the segment's base offset and never go
//     backwards;
//   - the first batch that fails ends the log: the file is cut there (a torn write from a killed
//     process, or corruption) and every later segment is deleted, each cut logged;
//   - a segment left empty is deleted;
//   - each surviving segment's .index is compared with the entries its batches imply and
//     rewritten when it is missing, short, long or wrong;
//   - the log start offset is read from the `log-start-offset` file when there is one;
//   - leftovers are removed: an .index without its .log, *.tmp files of an interrupted atomic
//     write.
//
// Thread-safety: a plain function; it touches only the directory it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kclient/result.h"
#include "util/byte_buffer.h"

namespace kclient::broker {

struct RecoveredBatch {
  int64_t base_offset = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = -1;
  int32_t leader_epoch = -1;
  uint32_t position = 0;
  uint32_t size = 0;
};

struct RecoveredSegment {
  int64_t base_offset = 0;
  util::ByteBuffer bytes;  // the whole (valid) file
  std::vector<RecoveredBatch> batches;  // never empty
};

struct RecoveredLog {
  std::vector<RecoveredSegment> segments;  // by base offset
  int64_t checkpointed_log_start_offset = -1;  // -1: no log-start-offset file
  // What recovery had to repair, for logs and tests.
  size_t truncated_bytes = 0;
  int deleted_segments = 0;
  int rebuilt_indexes = 0;
};

using RecoveryLogger = std::function<void(const std::string&)>;

// Recovers the partition directory `dir` (which must exist), repairing it in place as described
// above and reporting every repair through `log`. Fails (KAFKA_STORAGE_ERROR) only when a file
// cannot be read, written or deleted.
Result<RecoveredLog> RecoverLogDir(const std::string& dir, const RecoveryLogger& log);

}  // namespace kclient::broker
