// StickyPartitioner: where the producer puts records it places without a key (every record when
// partitioner.ignore.keys=true). It sticks to one partition of each topic until batch.size bytes
// went there, then moves to another, so that batches fill up instead of every partition getting
// a sliver (KIP-480, KIP-794). The choice is uniform among the partitions that have a leader
// (among all partitions when none has), and a move never lands where it left when there is
// anywhere else to go. Unlike Java, it does not weigh partitions by their queue lengths
// (partitioner.adaptive.partitioning.enable).
//
// Thread-safety: thread-safe. Every call takes one short lock; after a topic's first call no
// call allocates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string_view>

#include "kclient/partitioner.h"
#include "util/string_map.h"

namespace kclient::producer {

class StickyPartitioner {
 public:
  /// `batch_size` is batch.size: the bytes a sticky partition takes before the next one is chosen
  /// (values below 1 count as 1). Random choices are seeded from std::random_device.
  explicit StickyPartitioner(int32_t batch_size);
  /// The same with a fixed seed, so that tests see the same choices every run.
  StickyPartitioner(int32_t batch_size, uint64_t seed);

  StickyPartitioner(const StickyPartitioner&) = delete;
  StickyPartitioner& operator=(const StickyPartitioner&) = delete;

  /// The current sticky partition of context.topic. A new one is chosen when the topic has none
  /// yet, when its current one is out of range or has no leader while others have one, and after
  /// OnAppend reported batch_size bytes to the current one. -1 only when the topic has no
  /// partitions at all (partition_count <= 0 and none available).
  int32_t Partition(const PartitionerContext& context);

  /// Reports that a record of `bytes` bytes was appended to `partition` of `topic`. Only bytes
  /// that went to the topic's current sticky partition count; bytes elsewhere (a partition that a
  /// concurrent caller just moved away from, a keyed record) are ignored.
  void OnAppend(std::string_view topic, int32_t partition, size_t bytes);

 private:
  struct TopicState {
    int32_t partition = -1;     // the sticky partition; -1 until the first choice
    size_t appended_bytes = 0;  // bytes appended to it since it was chosen
  };

  // A partition drawn uniformly among the available partitions (all when none is), other than
  // `previous` when there is another one. Requires mutex_.
  int32_t Choose(const PartitionerContext& context, int32_t previous);
  // A uniform index in [0, n), n > 0. Requires mutex_.
  size_t UniformIndex(size_t n);

  const size_t batch_size_;
  std::mutex mutex_;
  util::StringMap<TopicState> topics_;  // guarded by mutex_
  std::mt19937_64 rng_;                 // guarded by mutex_
};

}  // namespace kclient::producer
