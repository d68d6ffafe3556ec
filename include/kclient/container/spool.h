// Spool: a durable local store for records the cluster did not take, so that a producer-side
// failure (an unreachable cluster past delivery.timeout.ms, a record the broker refused) parks
// the record on disk instead of losing it. A SpoolReplayer sends the records again later.
//
//   SpoolOptions spool_options;
//   spool_options.directory = "/var/lib/orders/spool";
//   auto spool = kclient::container::Spool::Open(spool_options);  // Result<unique_ptr<Spool>>
//   TemplateOptions options;
//   options.spool = std::move(*spool);                             // failed deliveries now spool
//
// On disk: <directory>/<segment number, 20 digits>.spool segment files, append-only, each an
// 8-byte magic followed by entries [length u32][crc32c u32][payload], big-endian, where the CRC
// (Castagnoli) covers the length and the payload; <directory>/replay.position, replaced
// atomically (write, fsync, rename, fsync the directory), naming which entries were replayed;
// and <directory>/LOCK. See SpoolSync for when entries reach stable storage.
//
// Recovery (Open): every segment is scanned; the first entry whose length runs past the end of
// the file or whose CRC does not match ends that segment: it and anything after it are skipped
// and counted in SpoolRecovery (a kill mid-append leaves such a torn tail; anything else is
// corruption). New entries always go to a new segment, never after a recovered tail.
//
// Which failures spool: ShouldSpool below is the one rule the templates apply.
//
// Thread-safety: every method may be called from any thread at once (one mutex guards the
// state). Append does file I/O (and fsync, see SpoolSync) on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "kclient/container/spool_options.h"
#include "kclient/container/spooled_record.h"
#include "kclient/error_code.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient::container {

/// Whether a record that failed with `code` goes to the spool. Yes for:
///   - every retriable error (kLocalTimedOut from delivery.timeout.ms or max.block.ms, transport
///     failures, kLocalBufferExhausted, leader elections, NOT_ENOUGH_REPLICAS...), and
///     BROKER_NOT_AVAILABLE and kLocalClosed (a producer closed with records outstanding): the
///     cluster could not take the record now; a replay later will;
///   - records the broker refused for their content (MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE,
///     INVALID_RECORD, INVALID_TIMESTAMP, POLICY_VIOLATION): kept as dead letters so that the
///     data is not lost; a replay tries them once more (a raised limit may let them in) and
///     hands back those refused again (ReplayReport::rejections).
/// No for everything else: failures of the caller's own making that a replay cannot fix
/// (kLocalSerialization, which never produced bytes to keep; kLocalInvalidArgument such as a
/// partition that does not exist; an invalid topic name; authorization failures; unsupported
/// versions). Those records fail (DeliveryState::kFailed).
bool ShouldSpool(ErrorCode code);

/// What Open found on disk.
struct SpoolRecovery {
  size_t segments = 0;          ///< segment files read
  size_t entries = 0;           ///< valid entries found
  size_t pending = 0;           ///< of those, not yet replayed
  uint64_t skipped_bytes = 0;   ///< bytes past a torn or corrupt entry, ignored
  size_t damaged_segments = 0;  ///< segments that ended in such bytes
  bool position_unreadable = false;  ///< replay.position was corrupt: every entry counts as pending
};

class Spool {
 public:
  /// Validates `options`, creates the directory if needed, locks it (kLocalIllegalState if
  /// another Spool, in this process or another, has it open), reads replay.position and scans
  /// every segment (see Recovery above). Fails with kLocalIo when the directory cannot be used.
  static Result<std::unique_ptr<Spool>> Open(const SpoolOptions& options);

  /// Closes the files and releases the lock. Entries stay on disk for the next Open.
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Appends `record`. When this returns ok, the entry is written (and synced, per
  /// SpoolOptions::sync) and will be returned by ReadPending until MarkDone. Fails with
  /// kLocalInvalidArgument for an entry over max_entry_bytes and kLocalIo when the write fails
  /// (the segment is then abandoned; the next Append starts a new one).
  Status Append(const SpooledRecord& record);

  /// Up to `max_entries` entries not yet marked done, oldest first (append order). Entries are
  /// read from disk and checked against their CRC again; an entry that no longer decodes is
  /// an error (kLocalMalformed), not silently skipped.
  Result<std::vector<SpoolEntry>> ReadPending(size_t max_entries) const;

  /// Marks the entries at `positions` done (replayed, or handed back as rejected) and makes that
  /// durable before returning: replay.position is rewritten and synced, after which segments
  /// with nothing left pending are deleted. Unknown positions are ignored. On failure (kLocalIo)
  /// nothing is marked: the entries will be read again.
  Status MarkDone(std::span<const SpoolPosition> positions);

  /// Entries not yet marked done.
  size_t pending() const;
  /// What Open found.
  const SpoolRecovery& recovery() const { return recovery_; }
  const SpoolOptions& options() const { return options_; }

 private:
  struct Entry {
    uint64_t offset = 0;
    uint32_t size = 0;  // framing included
    bool done = false;
  };
  struct Segment {
    std::vector<Entry> entries;
    size_t pending = 0;
  };

  explicit Spool(SpoolOptions options);
  Status Recover();
  Status StartSegmentLocked();
  Status PersistPositionLocked();
  void DeleteFinishedSegmentsLocked();
  std::string SegmentPath(uint64_t segment) const;

  const SpoolOptions options_;
  SpoolRecovery recovery_;
  int lock_fd_ = -1;

  mutable std::mutex mu_;
  std::map<uint64_t, Segment> segments_;  // GUARDED_BY(mu_): segment number -> its entries
  uint64_t next_segment_ = 1;              // GUARDED_BY(mu_)
  int active_fd_ = -1;                     // GUARDED_BY(mu_): the segment appends go to, or -1
  uint64_t active_segment_ = 0;            // GUARDED_BY(mu_)
  uint64_t active_size_ = 0;               // GUARDED_BY(mu_)
  size_t pending_ = 0;                     // GUARDED_BY(mu_)
};

}  // namespace kclient::container
