// The partitioners of kclient/partitioner.h that the Java client ships: the key hash of its
// built-in partitioner and org.apache.kafka.clients.producer.RoundRobinPartitioner.
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "kclient/partitioner.h"
#include "util/murmur2.h"
#include "util/string_map.h"

namespace kclient {

int32_t PartitionForKey(std::string_view key, int32_t partition_count) noexcept {
  // A count that is not positive breaks the contract; answering an out-of-range partition (which
  // fails the record) beats dividing by zero.
  if (partition_count <= 0) return -1;
  return util::ToPositive(util::Murmur2(key.data(), key.size())) % partition_count;
}

namespace {

// Thread-safety: one mutex guards the per-topic counters; it is held only to bump a counter.
class RoundRobinPartitioner final : public Partitioner {
 public:
  int32_t Partition(const PartitionerContext& context, const std::optional<std::string>& /*key*/,
                    const std::optional<std::string>& /*value*/) override {
    // Java's counter is an int that wraps around; toPositive keeps its low 31 bits, which is what
    // masking the unsigned counter gives.
    const uint32_t positive = NextValue(context.topic) & 0x7fffffffu;
    const auto& available = context.available_partitions;
    if (!available.empty()) return available[positive % available.size()];
    // No partition has a leader: Java still picks one (the record waits for a leader there).
    if (context.partition_count <= 0) return -1;
    return static_cast<int32_t>(positive % static_cast<uint32_t>(context.partition_count));
  }

 private:
  // The topic's counter before the increment; a topic starts at 0, as in Java.
  uint32_t NextValue(std::string_view topic) {
    std::lock_guard lock(mutex_);
    auto it = counters_.find(topic);
    if (it == counters_.end()) it = counters_.emplace(std::string(topic), 0u).first;
    return it->second++;
  }

  std::mutex mutex_;
  util::StringMap<uint32_t> counters_;  // guarded by mutex_
};

}  // namespace

std::shared_ptr<Partitioner> MakeRoundRobinPartitioner() {
  return std::make_shared<RoundRobinPartitioner>();
}

}  // namespace kclient
