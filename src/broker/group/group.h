// Group and Member: the membership bookkeeping of one classic-protocol consumer group (Kafka's
// ClassicGroup and ClassicGroupMember): its state, generation, leader, selected protocol,
// members with their supported protocols and assignments, static-member ids, and the members a
// rebalance is still waiting for. It holds no timers and decides nothing: the GroupCoordinator
// drives it through the state machine and tells it when to answer a member's parked JoinGroup
// or SyncGroup.
//
// Thread-safety: loop thread only (owned by the GroupCoordinator, which the Cluster owns).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/messages/join_group.h"
#include "protocol/messages/sync_group.h"
#include "protocol/types.h"

namespace kclient::broker {

// Kafka's ClassicGroupState. Transitions (Kafka's validPreviousStates):
//   Empty <- PreparingRebalance
//   PreparingRebalance <- Stable, CompletingRebalance, Empty
//   CompletingRebalance <- PreparingRebalance
//   Stable <- CompletingRebalance
//   Dead <- any
enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

// The name Kafka reports in DescribeGroups and ListGroups ("Stable", "PreparingRebalance"...).
std::string_view GroupStateName(GroupState state);

// A parked JoinGroup or SyncGroup: called exactly once with the answer, now or later.
using JoinCallback = std::function<void(protocol::JoinGroupResponse)>;
using SyncCallback = std::function<void(protocol::SyncGroupResponse)>;

struct MemberProtocol {
  std::string name;
  protocol::Bytes metadata;
  friend bool operator==(const MemberProtocol&, const MemberProtocol&) = default;
};

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;  // set for static members (KIP-345)
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  std::vector<MemberProtocol> protocols;  // in the member's order of preference
  protocol::Bytes assignment;
  // A member that joined but has not yet been through a completed join phase: its session
  // can expire even while its JoinGroup is parked.
  bool is_new = false;
  JoinCallback awaiting_join;  // empty unless a JoinGroup is parked
  SyncCallback awaiting_sync;  // empty unless a SyncGroup is parked

  bool is_static() const { return group_instance_id.has_value(); }
  bool is_awaiting_join() const { return static_cast<bool>(awaiting_join); }
  bool is_awaiting_sync() const { return static_cast<bool>(awaiting_sync); }
  // A heartbeat deadline passing is harmless while the member waits in a rebalance.
  bool has_satisfied_heartbeat() const { return !is_new && (is_awaiting_join() || is_awaiting_sync()); }
  // The metadata the member sent for `protocol`, or null.
  const protocol::Bytes* metadata(std::string_view protocol) const;
  // The member's most preferred protocol among `candidates`.
  std::string Vote(const std::set<std::string>& candidates) const;
  bool Matches(const std::vector<MemberProtocol>& other) const { return protocols == other; }
};

class Group {
 public:
  Group(std::string id, int64_t now_ms) : id_(std::move(id)), state_timestamp_ms_(now_ms) {}

  const std::string& id() const { return id_; }
  GroupState state() const { return state_; }
  GroupState previous_state() const { return previous_state_; }
  bool is(GroupState s) const { return state_ == s; }
  int32_t generation() const { return generation_; }
  const std::optional<std::string>& protocol_type() const { return protocol_type_; }
  const std::optional<std::string>& protocol_name() const { return protocol_name_; }
  const std::optional<std::string>& leader_id() const { return leader_id_; }
  bool is_leader(const std::string& member_id) const { return leader_id_ && *leader_id_ == member_id; }
  int64_t state_timestamp_ms() const { return state_timestamp_ms_; }
  bool new_member_added() const { return new_member_added_; }
  void set_new_member_added(bool v) { new_member_added_ = v; }

  // Members by id (ordered, so iteration, leader fallback and listings are deterministic).
  const std::map<std::string, Member>& members() const { return members_; }
  Member* member(const std::string& member_id);
  bool has_member(const std::string& member_id) const { return members_.count(member_id) != 0; }
  bool empty() const { return members_.empty(); }
  // The member id a static member's group.instance.id maps to, or null.
  const std::string* static_member_id(const std::string& instance_id) const;

  // ---- Membership ----
  // Adds a member (taking its parked JoinGroup answer, if any). The first member fixes the
  // group's protocol type and becomes leader when there is none.
  void Add(Member member);
  // Removes a member; a departing leader hands over to the first remaining member. Parked
  // answers are dropped with the member: callers answer them first.
  void Remove(const std::string& member_id);
  // KIP-345: gives a static member a new member id, keeping its assignment; parked answers
  // of the old id are answered FENCED_INSTANCE_ID. Returns the member under its new id.
  Member& ReplaceStaticMember(const std::string& instance_id, const std::string& old_id, const std::string& new_id);
  // New protocols, timeouts and parked JoinGroup (an empty callback clears it).
  void UpdateMember(Member& member, std::vector<MemberProtocol> protocols, int32_t rebalance_timeout_ms,
                    int32_t session_timeout_ms, JoinCallback awaiting_join);
  // Answers the member's parked JoinGroup / SyncGroup; false when nothing was parked.
  bool CompleteJoin(Member& member, protocol::JoinGroupResponse response);
  bool CompleteSync(Member& member, protocol::SyncGroupResponse response);

  // Members that got MEMBER_ID_REQUIRED and have yet to join with their id (KIP-394).
  bool is_pending_member(const std::string& member_id) const { return pending_join_.count(member_id) != 0; }
  void AddPendingMember(const std::string& member_id) { pending_join_.insert(member_id); }
  void RemovePendingMember(const std::string& member_id) { pending_join_.erase(member_id); }
  // Members that got their JoinGroup answer but have not sent SyncGroup yet.
  void AddPendingSyncMember(const std::string& member_id) { pending_sync_.insert(member_id); }
  void RemovePendingSyncMember(const std::string& member_id) { pending_sync_.erase(member_id); }
  void ClearPendingSyncMembers() { pending_sync_.clear(); }
  const std::set<std::string>& pending_sync_members() const { return pending_sync_; }
  bool has_received_sync_from_all() const { return pending_sync_.empty(); }

  bool has_all_members_joined() const {
    return members_.size() == static_cast<size_t>(num_awaiting_join_) && pending_join_.empty();
  }
  int num_awaiting_join() const { return num_awaiting_join_; }

  // ---- Protocols ----
  // Kafka's supportsProtocols: an empty group takes any non-empty protocol type and list; a
  // non-empty one needs the same type and at least one protocol every member supports.
  bool SupportsProtocols(const std::string& protocol_type, const std::vector<MemberProtocol>& protocols) const;
  // The protocol every member supports with the most votes, each member voting for its most
  // preferred candidate. Ties go to the protocol that got its first vote earliest.
  std::string SelectProtocol() const;

  // ---- State ----
  bool CanRebalance() const {
    return state_ == GroupState::kStable || state_ == GroupState::kCompletingRebalance || state_ == GroupState::kEmpty;
  }
  void TransitionTo(GroupState next, int64_t now_ms);
  // Keeps the leader if it rejoined, else elects a member that did; false when none rejoined.
  bool MaybeElectNewJoinedLeader();
  // generation+1 and the selected protocol; CompletingRebalance, or Empty without members.
  void InitNextGeneration(int64_t now_ms);
  // The largest rebalance timeout among the members.
  int32_t RebalanceTimeoutMs() const;
  // Every member's id, instance id and metadata for the selected protocol (the leader's
  // JoinGroup answer).
  std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> CurrentMemberMetadata() const;

 private:
  void CountProtocols(const Member& m, int delta);

  std::string id_;
  GroupState state_ = GroupState::kEmpty;
  GroupState previous_state_ = GroupState::kDead;
  int64_t state_timestamp_ms_ = 0;
  int32_t generation_ = 0;
  std::optional<std::string> protocol_type_;
  std::optional<std::string> protocol_name_;
  std::optional<std::string> leader_id_;
  std::map<std::string, Member> members_;
  std::map<std::string, std::string> static_members_;  // group.instance.id -> member id
  std::set<std::string> pending_join_;
  std::set<std::string> pending_sync_;
  std::map<std::string, int> supported_protocols_;  // protocol name -> members supporting it
  int num_awaiting_join_ = 0;
  bool new_member_added_ = false;
};

}  // namespace kclient::broker
