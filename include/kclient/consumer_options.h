// ConsumerOptions: everything that configures a Consumer. Build it field by field, or from Kafka
// property names with FromProperties (which names any unknown or invalid property in its
// error). Defaults are the Java consumer's (Kafka 4.x, classic group protocol).
//
// Thread-safety: a plain value; the Consumer copies it at Create.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kclient/client_options.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

/// auto.offset.reset: where to start when a partition has no committed offset, or its offset is
/// out of range.
enum class OffsetReset {
  kLatest,    ///< "latest": the end of the log (the default)
  kEarliest,  ///< "earliest": the start of the log
  kNone,      ///< "none": fail with OFFSET_OUT_OF_RANGE / NO_OFFSET from poll
};

/// isolation.level.
enum class IsolationLevel : int8_t {
  kReadUncommitted = 0,  ///< "read_uncommitted": every record (the default)
  kReadCommitted = 1,    ///< "read_committed": records of aborted transactions are skipped
};

/// partition.assignment.strategy entries, by their Java class or protocol names.
enum class AssignmentStrategy {
  kRange,              ///< RangeAssignor ("range")
  kRoundRobin,         ///< RoundRobinAssignor ("roundrobin")
  kSticky,             ///< StickyAssignor ("sticky"), eager
  kCooperativeSticky,  ///< CooperativeStickyAssignor ("cooperative-sticky"), incremental
};

struct ConsumerOptions {
  ClientOptions client;

  // --- Group membership ----------------------------------------------------------------------

  /// group.id: the consumer group. Empty: no group, so Subscribe and commits are unavailable and
  /// partitions are taken with Assign. Default empty (Java: null).
  std::string group_id;

  /// group.instance.id: a static member id (KIP-345): restarting within session.timeout.ms
  /// keeps the assignment without a rebalance. Default none.
  std::optional<std::string> group_instance_id;

  /// session.timeout.ms: the broker evicts a member that has not heartbeat for this long.
  /// Default 45000.
  int32_t session_timeout_ms = 45000;

  /// heartbeat.interval.ms: how often the heartbeat thread heartbeats; below
  /// session_timeout_ms (checked when group_id is set, as Java does). Default 3000.
  int32_t heartbeat_interval_ms = 3000;

  /// max.poll.interval.ms: the longest gap allowed between Poll calls; past it the member leaves
  /// the group and the next Poll reports it. Also the rebalance timeout. Default 300000.
  int32_t max_poll_interval_ms = 300000;

  /// partition.assignment.strategy: the assignors this member offers, in preference order; the
  /// group uses the first all members offer. Default [range, cooperative-sticky] (Java's).
  std::vector<AssignmentStrategy> assignment_strategies = {AssignmentStrategy::kRange,
                                                           AssignmentStrategy::kCooperativeSticky};

  /// client.rack: sent with subscriptions for rack-aware assignment. Default none.
  std::optional<std::string> client_rack;

  // --- Offsets -------------------------------------------------------------------------------

  /// enable.auto.commit: commit the positions of what Poll returned, every
  /// auto_commit_interval_ms (inside Poll), before a rebalance and on Close. Default true.
  /// Without a group_id nothing is committed; FromProperties then turns it off, or refuses
  /// enable.auto.commit=true, as Java does.
  bool enable_auto_commit = true;
  /// auto.commit.interval.ms. Default 5000.
  int32_t auto_commit_interval_ms = 5000;

  /// auto.offset.reset. Default kLatest.
  OffsetReset auto_offset_reset = OffsetReset::kLatest;

  // --- Fetching ------------------------------------------------------------------------------

  /// max.poll.records: the most records one Poll returns. Default 500.
  int32_t max_poll_records = 500;
  /// fetch.min.bytes: the broker waits for this much data (up to fetch_max_wait_ms). Default 1.
  int32_t fetch_min_bytes = 1;
  /// fetch.max.bytes: the most data one fetch response carries. Default 52428800.
  int32_t fetch_max_bytes = 52428800;
  /// fetch.max.wait.ms. Default 500.
  int32_t fetch_max_wait_ms = 500;
  /// max.partition.fetch.bytes: the most data per partition per fetch. Default 1048576.
  int32_t max_partition_fetch_bytes = 1048576;
  /// isolation.level. Default kReadUncommitted.
  IsolationLevel isolation_level = IsolationLevel::kReadUncommitted;
  /// check.crcs: verify each batch's CRC32C before handing its records out. Default true.
  bool check_crcs = true;
  /// exclude.internal.topics: pattern subscriptions never match internal topics. Default true.
  bool exclude_internal_topics = true;

  /// Checks every field and the rules between them; the error names the property at fault.
  /// Also applied by Consumer::Create.
  Status Validate() const;

  /// Builds options from Kafka property names. Unknown properties, and values that do not parse
  /// or are out of range, are errors naming the property.
  static Result<ConsumerOptions> FromProperties(const Properties& properties);
};

}  // namespace kclient
