// SpoolOptions: where a Spool keeps its files and how hard it tries to keep them.
//
// Thread-safety: a plain value; Spool::Open copies it.
#pragma once

#include <cstdint>
#include <string>

#include "kclient/status.h"

namespace kclient::container {

/// When an appended entry is forced to stable storage.
enum class SpoolSync {
  /// fdatasync after every append, before Append returns (the default). An entry Append
  /// reported as written survives a crash of the process and of the machine. Costs one disk
  /// flush per record, paid on the producer's sender thread while the cluster is unreachable.
  kEveryAppend,
  /// Never fsync the segments: write(2) hands the entry to the page cache, which survives a
  /// crash of the process (kill -9) but not of the machine or the kernel. For tmpfs, or when
  /// losing the last seconds of an outage to a power cut is acceptable. The replay position is
  /// always synced: a confirmed entry is never replayed after a restart either way.
  kNone,
};

struct SpoolOptions {
  /// The spool's directory, created (with its parents) if missing. One process at a time may
  /// open it: Spool::Open takes an exclusive lock on <directory>/LOCK. Required.
  std::string directory;

  /// See SpoolSync. Default kEveryAppend.
  SpoolSync sync = SpoolSync::kEveryAppend;

  /// A segment file rolls over to a new one before it grows past this many bytes (an entry
  /// larger than this gets a segment of its own). Fully replayed segments are deleted, so this
  /// bounds the disk a replayed spool keeps. Default 64 MiB; at least 4 KiB.
  int64_t segment_bytes = 64 * 1024 * 1024;

  /// The largest entry (an encoded record) the spool accepts; larger ones fail with
  /// kLocalInvalidArgument, and recovery treats a longer length field as corruption.
  /// Default 64 MiB; at least 1 KiB.
  int64_t max_entry_bytes = 64 * 1024 * 1024;

  /// Checks every field; the message names the first offending one. Applied by Spool::Open.
  Status Validate() const;
};

}  // namespace kclient::container
