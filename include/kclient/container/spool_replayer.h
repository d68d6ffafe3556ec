// SpoolReplayer: sends the records a Spool holds back to their original topics once the cluster
// is reachable again, and marks each done in the spool (durably) as soon as its outcome is known.
//
//   SpoolReplayer replayer(*spool, *producer);
//   ReplayReport report = replayer.Replay();
//   if (!report.stopped_by.ok()) ...  // the cluster went away again; call Replay later
//
// Order: records with the same topic and key are replayed one at a time, in spool order; the
// next is sent only after the previous one is confirmed, so a failure can never let a later
// record of a key overtake an earlier one. Different keys (and null-keyed records, which have
// no order to keep) are replayed concurrently, up to ReplayOptions::max_in_flight. Records keep
// their topic, explicit partition, key, value, headers and timestamp; a record without an
// explicit partition goes where the producer's partitioner puts its key now.
//
// Records spooled while a replay runs (live traffic failing again) are replayed by the same call
// if their key has nothing pending before them; live records sent while older ones of the same
// key are still spooled overtake them. Services that need strict per-key order across an outage
// replay before resuming publishing.
//
// Outcomes per record:
//   delivered   marked done; counted in `replayed`.
//   refused     a non-retriable error (e.g. MESSAGE_TOO_LARGE still): marked done and handed back
//               in `rejections`, so one bad record does not block its key forever; the caller
//               owns what to do with it (log it, write it somewhere else).
//   transient   an error ShouldSpool would spool (the cluster is away again): the record stays
//               pending, no new records are sent, and Replay returns once what is in flight has
//               its outcome, with `stopped_by` set.
// "Marked done" is durable before Replay returns (Spool::MarkDone), batched as outcomes arrive. A
// crash in between can replay a delivered record once more (at least once); a record is never
// marked done before its outcome is known, so none is lost.
//
// Owns nothing: the Spool and the Producer must outlive it. The producer should be idempotent
// (the default) so that its own retries do not duplicate records.
//
// Thread-safety: one Replay at a time per spool (not checked); Replay blocks the calling thread
// and waits on the producer's sender thread, which runs the delivery callbacks. It must not be
// called from a producer callback.
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

#include "kclient/container/spool.h"
#include "kclient/container/spooled_record.h"
#include "kclient/producer.h"
#include "kclient/status.h"

namespace kclient::container {

struct ReplayOptions {
  /// Records read from the spool into memory at a time. Default 10000.
  size_t batch_entries = 10000;
  /// Records sent and not yet confirmed, at most (one per key at a time). Default 1000.
  size_t max_in_flight = 1000;
};

/// A record the cluster refused again during a replay.
struct Rejection {
  SpoolEntry entry;
  Status error;
};

struct ReplayReport {
  size_t replayed = 0;                ///< delivered and marked done
  std::vector<Rejection> rejections;  ///< refused for good; marked done
  size_t remaining = 0;               ///< still pending in the spool when Replay returned
  /// Ok when every record pending at the start (and any spooled meanwhile) was handled. Else
  /// what stopped the replay: a transient delivery error, or the spool's own failure (reading,
  /// or marking done).
  Status stopped_by;
};

class SpoolReplayer {
 public:
  SpoolReplayer(Spool& spool, Producer& producer, ReplayOptions options = {});

  /// Replays until the spool has nothing pending or a transient error stops it (see above).
  /// Every record it sent has its outcome when it returns; producer delivery.timeout.ms bounds
  /// how long that takes.
  ReplayReport Replay();

 private:
  Spool& spool_;
  Producer& producer_;
  ReplayOptions options_;
};

}  // namespace kclient::container
