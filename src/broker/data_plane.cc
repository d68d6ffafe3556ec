#include "broker/data_plane.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>

#include "broker/cluster.h"
#include "broker/topic_configs.h"
#include "protocol/record_batch.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

template <typename T>
T Number(const std::string& s, T fallback) {
  T v{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() ? v : fallback;
}

}  // namespace

bool ListContains(std::string_view list, std::string_view value) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == value) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

TopicPolicy TopicPolicy::For(const Cluster& cluster, const TopicState& topic) {
  auto value = [&](std::string_view name) { return TopicConfigValue(cluster.config(), topic.configs, name); };
  TopicPolicy p;
  p.max_message_bytes = Number<int32_t>(value("max.message.bytes"), cluster.config().max_message_bytes);
  p.min_insync_replicas = Number<int32_t>(value("min.insync.replicas"), cluster.config().min_insync_replicas);
  p.log_append_time = value("message.timestamp.type") == "LogAppendTime";
  p.timestamp_before_max_ms = Number<int64_t>(value("message.timestamp.before.max.ms"), std::numeric_limits<int64_t>::max());
  p.timestamp_after_max_ms = Number<int64_t>(value("message.timestamp.after.max.ms"), kDefaultTimestampAfterMaxMs);
  const std::string cleanup = value("cleanup.policy");
  p.compact = ListContains(cleanup, "compact");
  p.delete_policy = cleanup.empty() || ListContains(cleanup, "delete");
  return p;
}

ErrorCode CheckLeaderEpoch(const PartitionState& p, int32_t current_leader_epoch) {
  if (current_leader_epoch == -1) return ErrorCode::kNone;
  if (current_leader_epoch < p.leader_epoch) return ErrorCode::kFencedLeaderEpoch;
  if (current_leader_epoch > p.leader_epoch) return ErrorCode::kUnknownLeaderEpoch;
  return ErrorCode::kNone;
}

int32_t StoredLeaderEpoch(const PartitionLog& log, size_t index) {
  const PartitionLog::BatchEntry& e = log.batches()[index];
  std::span<const uint8_t> bytes = log.Read(e.base_offset, 0, /*at_least_one=*/true, std::numeric_limits<int64_t>::max());
  if (bytes.size() < protocol::kPartitionLeaderEpochOffset + 4) return -1;
  return static_cast<int32_t>(util::LoadBE32(bytes.data() + protocol::kPartitionLeaderEpochOffset));
}

int32_t EffectiveMinIsr(const TopicPolicy& policy, const PartitionState& p) {
  return std::min(policy.min_insync_replicas, static_cast<int32_t>(p.replicas.size()));
}

}  // namespace kclient::broker
