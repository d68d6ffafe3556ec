// The few POSIX file operations the spool needs, as Status-returning functions: whole-file reads,
// full writes, syncs, atomic replacement and an exclusive directory lock. Errors carry the path
// and strerror(errno) as kLocalIo.
//
// Thread-safety: stateless; safe from any thread (on distinct descriptors).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient::container::spool_files {

/// kLocalIo naming `what` and `path`, with errno's text.
Status IoError(std::string_view what, const std::string& path);

/// The whole file. kLocalIo if it cannot be read (ENOENT included; check existence first).
Result<std::string> ReadWholeFile(const std::string& path);

/// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
Status WriteAll(int fd, std::string_view bytes, const std::string& path);

/// Reads exactly `n` bytes at `offset` into `out`.
Status ReadAt(int fd, uint64_t offset, size_t n, std::string* out, const std::string& path);

/// fsyncs a directory, so that files created, renamed or deleted in it stay so.
Status SyncDirectory(const std::string& dir);

/// Replaces <dir>/<name> with `bytes` atomically: writes <name>.tmp, fsyncs it, renames it over
/// <name> and fsyncs `dir`. After a crash the file holds either the old or the new bytes.
Status ReplaceFileAtomically(const std::string& dir, const std::string& name, std::string_view bytes);

/// Opens (creating) <dir>/LOCK and takes an exclusive flock on it without waiting. Returns the
/// descriptor (closing it releases the lock, as does the process dying); kLocalIllegalState if
/// someone else holds it.
Result<int> LockDirectory(const std::string& dir);

}  // namespace kclient::container::spool_files
