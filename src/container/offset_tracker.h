// OffsetTracker: for one partition, which of the records handed to a listener are done, and so
// which offset may be committed. Records are delivered in offset order (with gaps where the log
// has none: compacted records, transaction markers) but may complete in any order (manual
// acknowledgement from other threads). The committable offset only moves past a record once it
// and every record delivered before it are done, so a commit never skips an unprocessed record.
//
// Thread-safety: none; the container thread that owns the partition is the only user.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace kclient::container {

class OffsetTracker {
 public:
  /// `committed`: the group's committed offset when known, so that HasUncommitted() does not
  /// report it again.
  explicit OffsetTracker(std::optional<int64_t> committed = std::nullopt) : committed_(committed) {}

  /// Records that `offset` was handed to the listener. Delivering an offset again (a redelivery
  /// after a seek back) is harmless; an offset below the committable point is ignored, it was
  /// done already.
  void Delivered(int64_t offset);
  /// Marks `offset` done (processed, acknowledged or parked). Ignored unless delivered.
  void Completed(int64_t offset);
  /// Forgets delivered records at or after `offset` that are not done: after a seek back they
  /// will be delivered again.
  void Rewind(int64_t offset);

  /// The offset to commit: one past the last record of the done prefix of deliveries; nullopt
  /// when nothing is done yet.
  std::optional<int64_t> Committable() const { return safe_; }
  /// Whether Committable() is beyond what was last committed (MarkCommitted).
  bool HasUncommitted() const { return safe_ && (!committed_ || *safe_ > *committed_); }
  /// Records that Committable() (or `offset`) reached the group.
  void MarkCommitted(int64_t offset) {
    if (!committed_ || offset > *committed_) committed_ = offset;
  }
  std::optional<int64_t> committed() const { return committed_; }
  /// How many delivered records are not done yet.
  size_t pending() const;

 private:
  void Advance();

  std::map<int64_t, bool> outstanding_;  // delivered offset -> done, beyond safe_
  std::optional<int64_t> safe_;          // one past the done prefix
  std::optional<int64_t> committed_;
};

}  // namespace kclient::container
