// ParkFailedRecord: where a record the listener gave up on goes, and the synchronous publish that
// puts it there. With retry topics and attempts left: the retry topic of its next attempt, due
// after that retry's delay, on the partition of the same number as its source partition (so a
// partition's records stay in order). Otherwise: its dead-letter topic (the resolver sees the
// source topic even for a record read from a retry topic). Either way with the headers of
// kclient/container/dead_letter.h.
//
// Thread-safety: called from every container thread at once (the producer is thread-safe).
#pragma once

#include <cstdint>

#include "container/container_context.h"
#include "kclient/consumer_record.h"
#include "kclient/container/listener.h"
#include "kclient/status.h"

namespace kclient::container {

/// Ok once the record is written (acknowledged by the cluster); else why it could not be, in
/// which case the caller must not treat it as done. `attempts`: listener calls so far;
/// `exhausted`: no attempt is left (or the failure is not retriable); `random01` in [0, 1) for
/// the delay's jitter.
Status ParkFailedRecord(const ContainerContext& context, const ConsumerRecord& record, const ListenerResult& result,
                        int32_t attempts, bool exhausted, double random01);

/// Milliseconds since the Unix epoch: the clock of kRetryDueMs.
int64_t WallClockMs();

}  // namespace kclient::container
