#include "broker/cluster_config.h"

namespace kclient {

Status EmbeddedClusterOptions::Validate() const {
  auto invalid = [](std::string m) { return Status(ErrorCode::kLocalInvalidConfig, std::move(m)); };
  if (brokers < 1 || brokers > 64) return invalid("brokers must be 1..64, not " + std::to_string(brokers));
  if (ports.size() > static_cast<size_t>(brokers)) return invalid("more ports than brokers");
  if (host.empty()) return invalid("host must not be empty");
  if (default_partitions < 1) return invalid("default_partitions must be at least 1");
  if (default_replication_factor < 1 || default_replication_factor > brokers) {
    return invalid("default_replication_factor must be 1.." + std::to_string(brokers));
  }
  if (min_insync_replicas < 1) return invalid("min_insync_replicas must be at least 1");
  if (max_request_size < 1024) return invalid("max_request_size must be at least 1024");
  if (max_message_bytes < 128) return invalid("max_message_bytes must be at least 128");
  if (log_segment_bytes < 1) return invalid("log_segment_bytes must be positive");
  if (log_retention_ms < -1) return invalid("log_retention_ms must be -1 (forever) or at least 0");
  if (log_retention_bytes < -1) return invalid("log_retention_bytes must be -1 (unlimited) or at least 0");
  if (log_retention_check_interval_ms < 1) return invalid("log_retention_check_interval_ms must be at least 1");
  if (group_initial_rebalance_delay_ms < 0) return invalid("group_initial_rebalance_delay_ms must not be negative");
  if (group_min_session_timeout_ms < 1 || group_max_session_timeout_ms < group_min_session_timeout_ms) {
    return invalid("group session timeout bounds are inconsistent");
  }
  return Status();
}

}  // namespace kclient
