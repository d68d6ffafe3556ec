// RebalanceListener: what a subscribed consumer is told when its partitions change. The calls run
// on the thread that calls Consumer::Poll, inside Poll (or Close/Unsubscribe), so the listener may
// commit offsets or seek with the same Consumer.
//
//   OnPartitionsRevoked  before partitions are taken away in a rebalance the member takes part
//                        in: the place to commit what was processed. Eager assignors revoke
//                        everything; cooperative-sticky only what moves.
//   OnPartitionsAssigned after the new assignment (for cooperative-sticky: only what was added;
//                        it is called, possibly with an empty list, after every rebalance).
//   OnPartitionsLost     the partitions are already someone else's (the member was evicted: a
//                        missed session or max.poll.interval.ms); committing them would fail.
//                        The default forwards to OnPartitionsRevoked, as Java's does.
//
// Thread-safety: called on the polling thread only.
#pragma once

#include <vector>

#include "kclient/topic_partition.h"

namespace kclient {

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  virtual void OnPartitionsRevoked(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnPartitionsAssigned(const std::vector<TopicPartition>& partitions) = 0;
  virtual void OnPartitionsLost(const std::vector<TopicPartition>& partitions) { OnPartitionsRevoked(partitions); }
};

}  // namespace kclient
