#include "producer/sticky_partitioner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>
#include <string>

namespace kclient::producer {
namespace {

uint64_t RandomSeed() noexcept {
  try {
    std::random_device device;
    return uint64_t{device()} << 32 | device();
  } catch (...) {
    // No entropy source: the clock still differs between producers, which is all spreading needs.
    return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  }
}

// Whether records may stay on `partition`: it exists, and it has a leader unless none does.
bool StillValid(int32_t partition, const PartitionerContext& context) {
  const auto& available = context.available_partitions;
  if (!available.empty()) return std::binary_search(available.begin(), available.end(), partition);
  return partition >= 0 && partition < context.partition_count;
}

}  // namespace

StickyPartitioner::StickyPartitioner(int32_t batch_size)
    : StickyPartitioner(batch_size, RandomSeed()) {}

StickyPartitioner::StickyPartitioner(int32_t batch_size, uint64_t seed)
    : batch_size_(static_cast<size_t>(std::max(batch_size, int32_t{1}))), rng_(seed) {}

int32_t StickyPartitioner::Partition(const PartitionerContext& context) {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(context.topic);
  if (it == topics_.end()) it = topics_.emplace(std::string(context.topic), TopicState{}).first;
  TopicState& state = it->second;
  if (state.appended_bytes >= batch_size_ || !StillValid(state.partition, context)) {
    state.partition = Choose(context, state.partition);
    state.appended_bytes = 0;
  }
  return state.partition;
}

void StickyPartitioner::OnAppend(std::string_view topic, int32_t partition, size_t bytes) {
  std::lock_guard lock(mutex_);
  auto it = topics_.find(topic);
  if (it == topics_.end() || it->second.partition != partition) return;
  it->second.appended_bytes += bytes;
}

int32_t StickyPartitioner::Choose(const PartitionerContext& context, int32_t previous) {
  // The candidates are the available partitions, or 0 .. partition_count-1 when none is.
  const std::span<const int32_t> available = context.available_partitions;
  const bool all = available.empty();
  const size_t count =
      all ? static_cast<size_t>(std::max(context.partition_count, int32_t{0})) : available.size();
  if (count == 0) return -1;

  // Where `previous` sits among the candidates, if it is one: skipping it makes a move a move.
  std::optional<size_t> previous_index;
  if (all) {
    if (previous >= 0 && static_cast<size_t>(previous) < count) {
      previous_index = static_cast<size_t>(previous);
    }
  } else {
    const auto pos = std::lower_bound(available.begin(), available.end(), previous);
    if (pos != available.end() && *pos == previous) {
      previous_index = static_cast<size_t>(pos - available.begin());
    }
  }

  size_t index;
  if (previous_index && count > 1) {
    // Uniform over the other count-1 candidates: draw among them and step over `previous`.
    index = UniformIndex(count - 1);
    if (index >= *previous_index) ++index;
  } else {
    index = UniformIndex(count);
  }
  return all ? static_cast<int32_t>(index) : available[index];
}

size_t StickyPartitioner::UniformIndex(size_t n) {
  return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
}

}  // namespace kclient::producer
