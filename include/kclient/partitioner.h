// Partitioner: chooses the partition of a record sent without one.
//
// The producer's built-in choice (ProducerOptions::partitioner = kDefault) is the Java client's:
// a keyed record goes to murmur2(key) mod the partition count, exactly as Java computes it, so
// the same key lands in the same partition whichever client wrote it; a record without a key
// sticks to one partition until about batch.size bytes went there, then moves to another
// (KIP-480/794), which keeps batches full. Users who need something else implement this interface.
//
// Thread-safety: Partition is called from every thread that calls Producer::Send, concurrently;
// implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kclient {

/// What a partitioner knows about the topic of the record it places.
struct PartitionerContext {
  std::string_view topic;
  /// All partitions are 0 .. partition_count-1.
  int32_t partition_count = 0;
  /// Partitions that have a leader right now, ascending (may be empty while leaders move).
  std::span<const int32_t> available_partitions;
};

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  /// Returns a partition in [0, context.partition_count). `key` and `value` are the serialized
  /// bytes (std::nullopt for null). A result out of range fails the record with
  /// kLocalInvalidArgument.
  virtual int32_t Partition(const PartitionerContext& context, const std::optional<std::string>& key,
                            const std::optional<std::string>& value) = 0;
};

/// The partition Java's producer picks for a non-null key: toPositive(murmur2(key)) % count.
/// `partition_count` must be positive.
int32_t PartitionForKey(std::string_view key, int32_t partition_count) noexcept;

/// Java's RoundRobinPartitioner: each topic cycles through its available partitions (all
/// partitions when none is available), ignoring keys.
std::shared_ptr<Partitioner> MakeRoundRobinPartitioner();

}  // namespace kclient
