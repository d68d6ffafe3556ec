// GroupCoordinator: the classic (pre-KIP-848) consumer group protocol for the whole cluster —
// every group's state machine (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead),
// member sessions and rebalance deadlines, and the committed offsets (OffsetStore). Its rules
// follow Apache Kafka 4.1's GroupMetadataManager, ClassicGroup and OffsetMetadataManager
// (group-coordinator module): KIP-394 member ids, KIP-345 static membership, initial rebalance
// delay, pending-sync expiry, and the OffsetCommit generation checks.
//
// It knows nothing of sockets or brokers: handlers (src/broker/handlers/) decode requests, check
// that this broker coordinates the group and apply injected faults, then call in here with the
// decoded request and a callback for answers that may come later (a JoinGroup waiting for the
// rebalance, a follower's SyncGroup waiting for the leader). Time passes through GroupTimers,
// so unit tests drive the state machine with a manual clock.
//
// Thread-safety: loop thread only. Timers fire on the loop thread; callbacks are invoked on it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/cluster_config.h"
#include "broker/event_loop.h"
#include "broker/group/group.h"
#include "broker/group/offset_store.h"
#include "kclient/error_code.h"
#include "kclient/status.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/sync_group.h"

namespace kclient::broker {

// The coordinator's clock and one-shot timers. Production runs them on the EventLoop; tests
// substitute a manual clock.
class GroupTimers {
 public:
  using Id = uint64_t;
  virtual ~GroupTimers() = default;
  // Runs `fn` once, `delay_ms` from now (0: as soon as the current event is handled).
  virtual Id Schedule(int64_t delay_ms, std::function<void()> fn) = 0;
  // Cancelling an id that already ran, or 0, is harmless.
  virtual void Cancel(Id id) = 0;
  // Wall-clock milliseconds (commit timestamps, state change times).
  virtual int64_t NowMs() const = 0;
};

struct GroupConfig {
  int32_t initial_rebalance_delay_ms = 3000;    // group.initial.rebalance.delay.ms
  int32_t min_session_timeout_ms = 6000;        // group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;     // group.max.session.timeout.ms
  int32_t new_member_join_timeout_ms = 300000;  // Kafka's fixed 5 minutes for a new member's parked join
  int32_t max_group_size = INT32_MAX;           // group.max.size
  int32_t offset_metadata_max_bytes = 4096;     // offset.metadata.max.bytes
  std::string data_dir;                         // empty: offsets in memory only

  static GroupConfig FromCluster(const ClusterConfig& config);
};

class GroupCoordinator {
 public:
  // A coordinator whose timers run on `loop`.
  static std::unique_ptr<GroupCoordinator> ForLoop(EventLoop* loop, const ClusterConfig& config);

  // `timers` must outlive the coordinator.
  GroupCoordinator(GroupTimers* timers, GroupConfig config);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Loads committed offsets from the data directory; each group that has some exists again,
  // Empty, as Kafka's does after a restart.
  Status Load();
  // The coordinator unloads (cluster shutdown): parked JoinGroup and SyncGroup requests are
  // answered NOT_COORDINATOR, as Kafka does when a coordinator moves; timers stop.
  void Shutdown();

  struct Client {
    std::string client_id;
    std::string host;  // the peer address, as DescribeGroups reports it
  };

  // ---- Membership (answers may come later, through the callback) ----
  void JoinGroup(const protocol::JoinGroupRequest& request, int16_t version, const Client& client,
                 JoinCallback done);
  void SyncGroup(const protocol::SyncGroupRequest& request, SyncCallback done);
  ErrorCode Heartbeat(const protocol::HeartbeatRequest& request);

  struct LeavingMember {
    std::string member_id;  // empty: leave by group.instance.id (administrative removal)
    std::optional<std::string> group_instance_id;
  };
  struct LeaveResult {
    ErrorCode error = ErrorCode::kNone;  // the whole request's error
    std::vector<ErrorCode> members;      // per member, when `error` is NONE
  };
  LeaveResult LeaveGroup(const std::string& group_id, const std::vector<LeavingMember>& members);

  // ---- Offsets ----
  struct CommitEntry {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    int32_t leader_epoch = -1;
    std::optional<std::string> metadata;
  };
  // Validates the committer (simple commits: generation -1 and no member, accepted while the
  // group is Empty or absent) and stores the offsets. One error per entry.
  std::vector<ErrorCode> CommitOffsets(const std::string& group_id, int32_t generation, const std::string& member_id,
                                       const std::optional<std::string>& group_instance_id, int16_t version,
                                       const std::vector<CommitEntry>& entries);

  struct TopicPartitions {
    std::string topic;
    std::vector<int32_t> partitions;
  };
  struct FetchedOffset {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = -1;  // -1: nothing committed
    int32_t leader_epoch = -1;
    std::string metadata;
  };
  // The committed offsets of the asked partitions (-1 where none), or of every partition the
  // group committed when `topics` is null.
  std::vector<FetchedOffset> FetchOffsets(const std::string& group_id,
                                          const std::optional<std::vector<TopicPartitions>>& topics) const;

  // ---- Admin ----
  // Kafka's answer for one group: members with metadata and assignment when Stable, without
  // metadata otherwise; "Dead" for an unknown group (and GROUP_ID_NOT_FOUND from v6).
  protocol::DescribeGroupsResponse::DescribedGroup DescribeGroup(const std::string& group_id, int16_t version) const;

  struct ListedGroup {
    std::string group_id;
    std::string protocol_type;
    GroupState state = GroupState::kEmpty;
  };
  std::vector<ListedGroup> ListGroups() const;

  // The group, or null (tests and introspection).
  const Group* FindGroup(const std::string& group_id) const;
  const GroupConfig& config() const { return config_; }

 private:
  struct Entry;  // a Group plus its timers

  Entry* FindEntry(const std::string& group_id);
  Entry& GetOrCreate(const std::string& group_id);
  int64_t Now() const { return timers_->NowMs(); }
  std::string NewMemberId(const std::string& prefix);

  // JoinGroup paths (Kafka: classicGroupJoinNewMember / ...ExistingMember and helpers).
  void JoinNewMember(Entry& e, const protocol::JoinGroupRequest& request, int16_t version, const Client& client,
                     JoinCallback done);
  void JoinExistingMember(Entry& e, const protocol::JoinGroupRequest& request, const Client& client,
                          JoinCallback done);
  void AddMemberThenRebalanceOrCompleteJoin(Entry& e, const protocol::JoinGroupRequest& request,
                                            const Client& client, const std::string& member_id, JoinCallback done);
  void UpdateMemberThenRebalanceOrCompleteJoin(Entry& e, const protocol::JoinGroupRequest& request, Member& member,
                                               JoinCallback done);
  void UpdateStaticMemberThenRebalanceOrCompleteJoin(Entry& e, const protocol::JoinGroupRequest& request,
                                                     int16_t version, const std::string& old_id,
                                                     const std::string& new_id, JoinCallback done);
  void MaybePrepareRebalanceOrCompleteJoin(Entry& e);
  void PrepareRebalance(Entry& e);
  void MaybeCompleteJoinPhase(Entry& e);
  void MaybeCompleteJoinElseSchedule(Entry& e);
  void TryCompleteInitialRebalanceElseSchedule(const std::string& group_id, int32_t delay_ms, int32_t remaining_ms);
  void CompleteJoin(Entry& e);
  void CompleteJoinTimer(const std::string& group_id);

  // Sync phase.
  void ResetAndPropagateAssignmentWithError(Entry& e, ErrorCode error);
  void PropagateAssignment(Entry& e, ErrorCode error);
  void SchedulePendingSync(Entry& e);
  void RemoveSyncExpiration(Entry& e);
  void RemovePendingSyncMember(Entry& e, const std::string& member_id);
  void ExpirePendingSync(const std::string& group_id, int32_t generation);

  // Sessions.
  void RescheduleHeartbeat(Entry& e, const std::string& member_id, int64_t timeout_ms);
  void CancelHeartbeat(Entry& e, const std::string& member_id);
  void ExpireHeartbeat(const std::string& group_id, const std::string& member_id);
  void RemoveMemberAndUpdateGroup(Entry& e, const std::string& member_id);
  void RemoveCurrentMember(Entry& e, const std::string& member_id);

  // Timers of one group by role; scheduling replaces the previous timer of the same role.
  void ScheduleJoinTimer(Entry& e, int64_t delay_ms, std::function<void()> fn);
  void ScheduleSyncTimer(Entry& e, int64_t delay_ms, std::function<void()> fn);

  std::unique_ptr<GroupTimers> owned_timers_;  // ForLoop's
  GroupTimers* timers_;
  GroupConfig config_;
  OffsetStore offsets_;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> groups_;
  uint64_t id_state_[2];  // member id generator (xorshift128+, seeded from random_device)
};

}  // namespace kclient::broker
