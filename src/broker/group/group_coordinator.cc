#include "broker/group/group_coordinator.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <utility>

#include "broker/event_loop.h"

namespace kclient::broker {

using protocol::JoinGroupRequest;
using protocol::JoinGroupResponse;
using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;

struct GroupCoordinator::Entry {
  Entry(std::string id, int64_t now_ms) : group(std::move(id), now_ms) {}
  Group group;
  GroupTimers::Id join_timer = 0;  // initial delay / join phase deadline
  GroupTimers::Id sync_timer = 0;  // pending-sync deadline
  std::map<std::string, GroupTimers::Id> heartbeats;  // session deadline per member (and pending member)
};

namespace {

class EventLoopTimers final : public GroupTimers {
 public:
  explicit EventLoopTimers(EventLoop* loop) : loop_(loop) {}
  Id Schedule(int64_t delay_ms, std::function<void()> fn) override {
    return loop_->AddTimer(std::chrono::milliseconds(std::max<int64_t>(delay_ms, 0)), std::move(fn));
  }
  void Cancel(Id id) override {
    if (id != 0) loop_->CancelTimer(id);
  }
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

 private:
  EventLoop* loop_;
};

int16_t Code(ErrorCode e) { return static_cast<int16_t>(e); }

JoinGroupResponse JoinError(ErrorCode error, std::string member_id) {
  JoinGroupResponse r;
  r.error_code = Code(error);
  r.member_id = std::move(member_id);
  return r;
}

SyncGroupResponse SyncError(ErrorCode error) {
  SyncGroupResponse r;
  r.error_code = Code(error);
  return r;
}

std::vector<MemberProtocol> ProtocolsOf(const JoinGroupRequest& request) {
  std::vector<MemberProtocol> out;
  out.reserve(request.protocols.size());
  for (const auto& p : request.protocols) out.push_back({p.name, p.metadata});
  return out;
}

// Kafka's ClassicGroup.validateMember: a static member must present the member id its instance
// id maps to; everyone must be a member.
ErrorCode ValidateMember(const Group& g, const std::string& member_id, const std::optional<std::string>& instance_id) {
  if (instance_id) {
    const std::string* existing = g.static_member_id(*instance_id);
    if (existing == nullptr) return ErrorCode::kUnknownMemberId;
    if (*existing != member_id) return ErrorCode::kFencedInstanceId;
  }
  return g.has_member(member_id) ? ErrorCode::kNone : ErrorCode::kUnknownMemberId;
}

// Kafka's GroupMetadataManager.acceptJoiningMember (group.max.size).
bool AcceptJoiningMember(const Group& g, const std::string& member_id, int32_t max_size) {
  switch (g.state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return true;
    case GroupState::kPreparingRebalance: {
      auto it = g.members().find(member_id);
      return (it != g.members().end() && it->second.is_awaiting_join()) || g.num_awaiting_join() < max_size;
    }
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      return g.has_member(member_id) || g.members().size() < static_cast<size_t>(max_size);
  }
  return true;
}

// The current generation as a JoinGroup answer (members only for the leader).
JoinGroupResponse GenerationResponse(const Group& g, const std::string& member_id, bool with_members) {
  JoinGroupResponse r;
  if (with_members) r.members = g.CurrentMemberMetadata();
  r.member_id = member_id;
  r.generation_id = g.generation();
  r.protocol_name = g.protocol_name();
  r.protocol_type = g.protocol_type();
  r.leader = g.leader_id().value_or("");
  return r;
}

bool IsProtocolInconsistent(const std::optional<std::string>& requested, const std::optional<std::string>& group) {
  return requested && group && *requested != *group;
}

// Kafka's validateSyncGroup.
ErrorCode ValidateSync(const Group& g, const SyncGroupRequest& request) {
  if (g.is(GroupState::kDead)) return ErrorCode::kCoordinatorNotAvailable;
  if (ErrorCode err = ValidateMember(g, request.member_id, request.group_instance_id); err != ErrorCode::kNone) {
    return err;
  }
  if (request.generation_id != g.generation()) return ErrorCode::kIllegalGeneration;
  if (IsProtocolInconsistent(request.protocol_type, g.protocol_type()) ||
      IsProtocolInconsistent(request.protocol_name, g.protocol_name())) {
    return ErrorCode::kInconsistentGroupProtocol;
  }
  return ErrorCode::kNone;
}

}  // namespace

GroupConfig GroupConfig::FromCluster(const ClusterConfig& config) {
  GroupConfig c;
  c.initial_rebalance_delay_ms = config.group_initial_rebalance_delay_ms;
  c.min_session_timeout_ms = config.group_min_session_timeout_ms;
  c.max_session_timeout_ms = config.group_max_session_timeout_ms;
  c.data_dir = config.data_dir;
  return c;
}

std::unique_ptr<GroupCoordinator> GroupCoordinator::ForLoop(EventLoop* loop, const ClusterConfig& config) {
  auto timers = std::make_unique<EventLoopTimers>(loop);
  auto coordinator = std::make_unique<GroupCoordinator>(timers.get(), GroupConfig::FromCluster(config));
  coordinator->owned_timers_ = std::move(timers);
  return coordinator;
}

GroupCoordinator::GroupCoordinator(GroupTimers* timers, GroupConfig config)
    : timers_(timers), config_(std::move(config)), offsets_(config_.data_dir) {
  std::random_device rd;
  id_state_[0] = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0x9e3779b97f4a7c15ULL;
  id_state_[1] = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ 0xbf58476d1ce4e5b9ULL;
}

GroupCoordinator::~GroupCoordinator() { Shutdown(); }

Status GroupCoordinator::Load() {
  if (Status s = offsets_.Load(); !s.ok()) return s;
  for (const std::string& group : offsets_.Groups()) GetOrCreate(group);
  return Status();
}

void GroupCoordinator::Shutdown() {
  for (auto& [id, e] : groups_) {
    timers_->Cancel(std::exchange(e->join_timer, 0));
    timers_->Cancel(std::exchange(e->sync_timer, 0));
    for (auto& [member, timer] : e->heartbeats) timers_->Cancel(timer);
    e->heartbeats.clear();
    Group& g = e->group;
    if (g.is(GroupState::kDead)) continue;
    std::vector<std::string> ids;
    for (const auto& [mid, m] : g.members()) ids.push_back(mid);
    for (const std::string& mid : ids) {
      Member* m = g.member(mid);
      g.CompleteJoin(*m, JoinError(ErrorCode::kNotCoordinator, mid));
      g.CompleteSync(*m, SyncError(ErrorCode::kNotCoordinator));
    }
    g.TransitionTo(GroupState::kDead, Now());
  }
}

GroupCoordinator::Entry* GroupCoordinator::FindEntry(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const Group* GroupCoordinator::FindGroup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second->group;
}

GroupCoordinator::Entry& GroupCoordinator::GetOrCreate(const std::string& group_id) {
  auto& slot = groups_[group_id];
  if (!slot) slot = std::make_unique<Entry>(group_id, Now());
  return *slot;
}

std::string GroupCoordinator::NewMemberId(const std::string& prefix) {
  // A random (version 4) UUID after the client id or instance id, as Kafka builds member ids.
  auto next = [this] {
    uint64_t s1 = id_state_[0];
    const uint64_t s0 = id_state_[1];
    id_state_[0] = s0;
    s1 ^= s1 << 23;
    id_state_[1] = s1 ^ s0 ^ (s1 >> 17) ^ (s0 >> 26);
    return id_state_[1] + s0;
  };
  uint64_t hi = next();
  uint64_t lo = next();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                       // version 4
  lo = (lo & ~(0xc000ULL << 48)) | (0x8000ULL << 48);       // IETF variant
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return prefix + "-" + buf;
}

// ---- Timers ---------------------------------------------------------------------------------

void GroupCoordinator::ScheduleJoinTimer(Entry& e, int64_t delay_ms, std::function<void()> fn) {
  timers_->Cancel(e.join_timer);
  e.join_timer = timers_->Schedule(delay_ms, std::move(fn));
}

void GroupCoordinator::ScheduleSyncTimer(Entry& e, int64_t delay_ms, std::function<void()> fn) {
  timers_->Cancel(e.sync_timer);
  e.sync_timer = timers_->Schedule(delay_ms, std::move(fn));
}

void GroupCoordinator::RescheduleHeartbeat(Entry& e, const std::string& member_id, int64_t timeout_ms) {
  GroupTimers::Id& slot = e.heartbeats[member_id];
  timers_->Cancel(slot);
  slot = timers_->Schedule(timeout_ms, [this, group_id = e.group.id(), member_id] {
    ExpireHeartbeat(group_id, member_id);
  });
}

void GroupCoordinator::CancelHeartbeat(Entry& e, const std::string& member_id) {
  auto it = e.heartbeats.find(member_id);
  if (it == e.heartbeats.end()) return;
  timers_->Cancel(it->second);
  e.heartbeats.erase(it);
}

// ---- JoinGroup ------------------------------------------------------------------------------

void GroupCoordinator::JoinGroup(const JoinGroupRequest& request, int16_t version, const Client& client,
                                 JoinCallback done) {
  if (request.group_id.empty()) return done(JoinError(ErrorCode::kInvalidGroupId, request.member_id));
  if (request.session_timeout_ms < config_.min_session_timeout_ms ||
      request.session_timeout_ms > config_.max_session_timeout_ms) {
    return done(JoinError(ErrorCode::kInvalidSessionTimeout, request.member_id));
  }
  // Version 0 has no rebalance timeout; Kafka uses the session timeout.
  JoinGroupRequest normalized;
  const JoinGroupRequest* req = &request;
  if (request.rebalance_timeout_ms < 0) {
    normalized = request;
    normalized.rebalance_timeout_ms = request.session_timeout_ms;
    req = &normalized;
  }

  const bool unknown_member = req->member_id.empty();
  Entry* e = FindEntry(req->group_id);
  if (e == nullptr) {
    // Only a member without an id creates a group.
    if (!unknown_member) return done(JoinError(ErrorCode::kUnknownMemberId, req->member_id));
    e = &GetOrCreate(req->group_id);
  }
  if (!AcceptJoiningMember(e->group, req->member_id, config_.max_group_size)) {
    if (e->group.has_member(req->member_id)) RemoveCurrentMember(*e, req->member_id);
    return done(JoinError(ErrorCode::kGroupMaxSizeReached, ""));
  }
  if (unknown_member) {
    JoinNewMember(*e, *req, version, client, std::move(done));
  } else {
    JoinExistingMember(*e, *req, client, std::move(done));
  }
}

void GroupCoordinator::JoinNewMember(Entry& e, const JoinGroupRequest& request, int16_t version, const Client& client,
                                     JoinCallback done) {
  Group& g = e.group;
  if (g.is(GroupState::kDead)) return done(JoinError(ErrorCode::kCoordinatorNotAvailable, ""));
  if (!g.SupportsProtocols(request.protocol_type, ProtocolsOf(request))) {
    return done(JoinError(ErrorCode::kInconsistentGroupProtocol, ""));
  }
  const std::string new_id = NewMemberId(request.group_instance_id ? *request.group_instance_id : client.client_id);
  if (request.group_instance_id) {
    if (const std::string* existing = g.static_member_id(*request.group_instance_id)) {
      const std::string old_id = *existing;
      UpdateStaticMemberThenRebalanceOrCompleteJoin(e, request, version, old_id, new_id, std::move(done));
    } else {
      AddMemberThenRebalanceOrCompleteJoin(e, request, client, new_id, std::move(done));
    }
    return;
  }
  if (version >= 4) {
    // KIP-394: the member must come back with the id we hand out; until then it is pending
    // and expires after its session timeout.
    g.AddPendingMember(new_id);
    RescheduleHeartbeat(e, new_id, request.session_timeout_ms);
    return done(JoinError(ErrorCode::kMemberIdRequired, new_id));
  }
  AddMemberThenRebalanceOrCompleteJoin(e, request, client, new_id, std::move(done));
}

void GroupCoordinator::JoinExistingMember(Entry& e, const JoinGroupRequest& request, const Client& client,
                                          JoinCallback done) {
  Group& g = e.group;
  const std::string& member_id = request.member_id;
  const std::vector<MemberProtocol> protocols = ProtocolsOf(request);
  if (g.is(GroupState::kDead)) return done(JoinError(ErrorCode::kCoordinatorNotAvailable, member_id));
  if (!g.SupportsProtocols(request.protocol_type, protocols)) {
    return done(JoinError(ErrorCode::kInconsistentGroupProtocol, member_id));
  }
  if (g.is_pending_member(member_id)) {
    // A pending member is dynamic by construction (Kafka rejects this as an internal error).
    if (request.group_instance_id) return done(JoinError(ErrorCode::kUnknownServerError, member_id));
    return AddMemberThenRebalanceOrCompleteJoin(e, request, client, member_id, std::move(done));
  }
  if (ErrorCode err = ValidateMember(g, member_id, request.group_instance_id); err != ErrorCode::kNone) {
    JoinGroupResponse r = JoinError(err, member_id);
    r.protocol_name.reset();
    r.protocol_type.reset();
    return done(std::move(r));
  }
  Member& m = *g.member(member_id);
  switch (g.state()) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberThenRebalanceOrCompleteJoin(e, request, m, std::move(done));
    case GroupState::kCompletingRebalance:
      // Same metadata: the member most likely missed the JoinGroup answer; give it again.
      if (m.Matches(protocols)) return done(GenerationResponse(g, member_id, g.is_leader(member_id)));
      return UpdateMemberThenRebalanceOrCompleteJoin(e, request, m, std::move(done));
    case GroupState::kStable:
      // The leader rejoining forces a rebalance (it may have seen metadata change); a follower
      // forces one only with new metadata.
      if (g.is_leader(member_id) || !m.Matches(protocols)) {
        return UpdateMemberThenRebalanceOrCompleteJoin(e, request, m, std::move(done));
      }
      return done(GenerationResponse(g, member_id, false));
    case GroupState::kEmpty:
    case GroupState::kDead:
      return done(JoinError(ErrorCode::kUnknownMemberId, member_id));
  }
}

void GroupCoordinator::AddMemberThenRebalanceOrCompleteJoin(Entry& e, const JoinGroupRequest& request,
                                                            const Client& client, const std::string& member_id,
                                                            JoinCallback done) {
  Group& g = e.group;
  Member m;
  m.member_id = member_id;
  m.group_instance_id = request.group_instance_id;
  m.client_id = client.client_id;
  m.client_host = client.host;
  m.rebalance_timeout_ms = request.rebalance_timeout_ms;
  m.session_timeout_ms = request.session_timeout_ms;
  m.protocol_type = request.protocol_type;
  m.protocols = ProtocolsOf(request);
  m.is_new = true;
  m.awaiting_join = std::move(done);
  // A member arriving during the initial delay extends it.
  if (g.is(GroupState::kPreparingRebalance) && g.previous_state() == GroupState::kEmpty) g.set_new_member_added(true);
  g.Add(std::move(m));
  // New members cannot heartbeat while their JoinGroup is parked, and a client that gave up
  // may retry with a fresh id; Kafka bounds how long a new member's join may wait.
  RescheduleHeartbeat(e, member_id, config_.new_member_join_timeout_ms);
  MaybePrepareRebalanceOrCompleteJoin(e);
}

void GroupCoordinator::UpdateMemberThenRebalanceOrCompleteJoin(Entry& e, const JoinGroupRequest& request,
                                                               Member& member, JoinCallback done) {
  e.group.UpdateMember(member, ProtocolsOf(request), request.rebalance_timeout_ms, request.session_timeout_ms,
                       std::move(done));
  MaybePrepareRebalanceOrCompleteJoin(e);
}

void GroupCoordinator::UpdateStaticMemberThenRebalanceOrCompleteJoin(Entry& e, const JoinGroupRequest& request,
                                                                     int16_t version, const std::string& old_id,
                                                                     const std::string& new_id, JoinCallback done) {
  Group& g = e.group;
  const std::string current_leader = g.leader_id().value_or("");
  Member& member = g.ReplaceStaticMember(*request.group_instance_id, old_id, new_id);
  CancelHeartbeat(e, old_id);
  RescheduleHeartbeat(e, new_id, member.session_timeout_ms);
  g.UpdateMember(member, ProtocolsOf(request), request.rebalance_timeout_ms, request.session_timeout_ms,
                 std::move(done));

  switch (g.state()) {
    case GroupState::kStable: {
      // KIP-345: a static member coming back does not rebalance the group unless it changes
      // the protocol the group would select.
      if (g.protocol_name().value_or("") != g.SelectProtocol()) return MaybePrepareRebalanceOrCompleteJoin(e);
      JoinGroupResponse r;
      r.member_id = new_id;
      r.generation_id = g.generation();
      r.protocol_name = g.protocol_name();
      r.protocol_type = g.protocol_type();
      if (version >= 9) {
        // KIP-814: a returning leader learns it leads but need not compute an assignment.
        const bool leader = g.is_leader(new_id);
        if (leader) r.members = g.CurrentMemberMetadata();
        r.leader = g.leader_id().value_or("");
        r.skip_assignment = leader;
      } else {
        // Older clients would recompute the assignment if told they lead; they are given the
        // previous leader id, so they follow and SyncGroup returns the current assignment.
        r.leader = current_leader;
      }
      g.CompleteJoin(member, std::move(r));
      return;
    }
    case GroupState::kCompletingRebalance:
      // The leader may already be assigning to the old member id: rebalance again.
      return PrepareRebalance(e);
    case GroupState::kPreparingRebalance:
    case GroupState::kEmpty:
    case GroupState::kDead:
      return MaybeCompleteJoinPhase(e);
  }
}

void GroupCoordinator::MaybePrepareRebalanceOrCompleteJoin(Entry& e) {
  if (e.group.CanRebalance()) {
    PrepareRebalance(e);
  } else {
    MaybeCompleteJoinPhase(e);
  }
}

void GroupCoordinator::PrepareRebalance(Entry& e) {
  Group& g = e.group;
  // Members waiting for their assignment must rejoin instead.
  if (g.is(GroupState::kCompletingRebalance)) ResetAndPropagateAssignmentWithError(e, ErrorCode::kRebalanceInProgress);
  RemoveSyncExpiration(e);
  const bool initial = g.is(GroupState::kEmpty);
  if (initial) {
    // A new group waits group.initial.rebalance.delay.ms for more members, extended while
    // members keep arriving, up to the rebalance timeout.
    const int32_t delay = config_.initial_rebalance_delay_ms;
    const int32_t remaining = std::max(g.RebalanceTimeoutMs() - delay, 0);
    ScheduleJoinTimer(e, delay, [this, group_id = g.id(), delay, remaining] {
      TryCompleteInitialRebalanceElseSchedule(group_id, delay, remaining);
    });
  }
  g.TransitionTo(GroupState::kPreparingRebalance, Now());
  if (!initial) MaybeCompleteJoinElseSchedule(e);
}

void GroupCoordinator::MaybeCompleteJoinPhase(Entry& e) {
  const Group& g = e.group;
  if (!g.is(GroupState::kPreparingRebalance)) return;
  if (g.previous_state() == GroupState::kEmpty) return;  // the initial delay decides
  if (!g.has_all_members_joined()) return;
  CompleteJoin(e);
}

void GroupCoordinator::MaybeCompleteJoinElseSchedule(Entry& e) {
  if (e.group.has_all_members_joined()) return CompleteJoin(e);
  ScheduleJoinTimer(e, e.group.RebalanceTimeoutMs(), [this, group_id = e.group.id()] { CompleteJoinTimer(group_id); });
}

void GroupCoordinator::TryCompleteInitialRebalanceElseSchedule(const std::string& group_id, int32_t delay_ms,
                                                               int32_t remaining_ms) {
  Entry* e = FindEntry(group_id);
  if (e == nullptr) return;
  e->join_timer = 0;
  Group& g = e->group;
  if (g.new_member_added() && remaining_ms != 0) {
    g.set_new_member_added(false);
    const int32_t next_delay = std::min(config_.initial_rebalance_delay_ms, remaining_ms);
    const int32_t next_remaining = std::max(remaining_ms - delay_ms, 0);
    ScheduleJoinTimer(*e, next_delay, [this, group_id, next_delay, next_remaining] {
      TryCompleteInitialRebalanceElseSchedule(group_id, next_delay, next_remaining);
    });
    return;
  }
  CompleteJoin(*e);
}

void GroupCoordinator::CompleteJoinTimer(const std::string& group_id) {
  Entry* e = FindEntry(group_id);
  if (e == nullptr) return;
  e->join_timer = 0;
  CompleteJoin(*e);
}

void GroupCoordinator::CompleteJoin(Entry& e) {
  Group& g = e.group;
  timers_->Cancel(std::exchange(e.join_timer, 0));
  if (!g.is(GroupState::kPreparingRebalance)) return;

  // Dynamic members that did not rejoin in time are out; static ones keep their place.
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members()) {
    if (!m.is_awaiting_join() && !m.is_static()) gone.push_back(id);
  }
  for (const std::string& id : gone) {
    g.CompleteSync(*g.member(id), SyncError(ErrorCode::kUnknownMemberId));
    g.Remove(id);
    CancelHeartbeat(e, id);
  }

  if (!g.MaybeElectNewJoinedLeader() && !g.empty()) {
    // Nobody rejoined (only absent static members remain): wait another rebalance timeout
    // for them to rejoin or for their sessions to expire.
    ScheduleJoinTimer(e, g.RebalanceTimeoutMs(), [this, group_id = g.id()] { CompleteJoinTimer(group_id); });
    return;
  }
  g.InitNextGeneration(Now());
  if (g.is(GroupState::kEmpty)) return;

  std::vector<std::string> ids;
  for (const auto& [id, m] : g.members()) ids.push_back(id);
  for (const std::string& id : ids) {
    Member& m = *g.member(id);
    g.CompleteJoin(m, GenerationResponse(g, id, g.is_leader(id)));
    RescheduleHeartbeat(e, id, m.session_timeout_ms);
    m.is_new = false;
    g.AddPendingSyncMember(id);
  }
  SchedulePendingSync(e);
}

// ---- SyncGroup ------------------------------------------------------------------------------

void GroupCoordinator::SyncGroup(const SyncGroupRequest& request, SyncCallback done) {
  if (request.group_id.empty()) return done(SyncError(ErrorCode::kInvalidGroupId));
  Entry* e = FindEntry(request.group_id);
  if (e == nullptr || e->group.is(GroupState::kEmpty)) return done(SyncError(ErrorCode::kUnknownMemberId));
  Group& g = e->group;
  const std::string& member_id = request.member_id;

  if (ErrorCode err = ValidateSync(g, request); err != ErrorCode::kNone) return done(SyncError(err));

  switch (g.state()) {
    case GroupState::kPreparingRebalance:
      return done(SyncError(ErrorCode::kRebalanceInProgress));
    case GroupState::kCompletingRebalance: {
      Member& m = *g.member(member_id);
      m.awaiting_sync = std::move(done);
      RemovePendingSyncMember(*e, member_id);
      if (!g.is_leader(member_id)) return;  // followers wait for the leader
      // The leader's assignment goes to everyone; members it left out get an empty one.
      std::map<std::string, const protocol::Bytes*> assignment;
      for (const auto& a : request.assignments) assignment[a.member_id] = &a.assignment;
      for (const auto& [id, unused] : g.members()) {
        auto it = assignment.find(id);
        g.member(id)->assignment = it == assignment.end() ? protocol::Bytes{} : *it->second;
      }
      PropagateAssignment(*e, ErrorCode::kNone);
      g.TransitionTo(GroupState::kStable, Now());
      return;
    }
    case GroupState::kStable: {
      RemovePendingSyncMember(*e, member_id);
      SyncGroupResponse r;
      r.protocol_type = g.protocol_type();
      r.protocol_name = g.protocol_name();
      r.assignment = g.member(member_id)->assignment;
      return done(std::move(r));
    }
    case GroupState::kEmpty:
    case GroupState::kDead:
      return done(SyncError(ErrorCode::kUnknownMemberId));
  }
}

void GroupCoordinator::ResetAndPropagateAssignmentWithError(Entry& e, ErrorCode error) {
  for (const auto& [id, unused] : e.group.members()) e.group.member(id)->assignment.clear();
  PropagateAssignment(e, error);
}

void GroupCoordinator::PropagateAssignment(Entry& e, ErrorCode error) {
  Group& g = e.group;
  std::vector<std::string> ids;
  for (const auto& [id, m] : g.members()) ids.push_back(id);
  for (const std::string& id : ids) {
    Member& m = *g.member(id);
    SyncGroupResponse r;
    r.error_code = Code(error);
    if (error == ErrorCode::kNone) {
      r.protocol_type = g.protocol_type();
      r.protocol_name = g.protocol_name();
    }
    r.assignment = m.assignment;
    // The session restarts once the member has its answer: a deadline that passed while it
    // waited was ignored.
    if (g.CompleteSync(m, std::move(r))) RescheduleHeartbeat(e, id, m.session_timeout_ms);
  }
}

void GroupCoordinator::SchedulePendingSync(Entry& e) {
  const int32_t generation = e.group.generation();
  ScheduleSyncTimer(e, e.group.RebalanceTimeoutMs(),
                    [this, group_id = e.group.id(), generation] { ExpirePendingSync(group_id, generation); });
}

void GroupCoordinator::RemoveSyncExpiration(Entry& e) {
  e.group.ClearPendingSyncMembers();
  timers_->Cancel(std::exchange(e.sync_timer, 0));
}

void GroupCoordinator::RemovePendingSyncMember(Entry& e, const std::string& member_id) {
  e.group.RemovePendingSyncMember(member_id);
  switch (e.group.state()) {
    case GroupState::kDead:
    case GroupState::kEmpty:
    case GroupState::kPreparingRebalance:
      timers_->Cancel(std::exchange(e.sync_timer, 0));
      break;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      if (e.group.has_received_sync_from_all()) timers_->Cancel(std::exchange(e.sync_timer, 0));
      break;
  }
}

void GroupCoordinator::ExpirePendingSync(const std::string& group_id, int32_t generation) {
  Entry* e = FindEntry(group_id);
  if (e == nullptr) return;
  e->sync_timer = 0;
  Group& g = e->group;
  if (generation != g.generation()) return;
  if (!g.is(GroupState::kCompletingRebalance) && !g.is(GroupState::kStable)) return;
  if (g.has_received_sync_from_all()) return;
  // Members that never asked for their assignment are out.
  const std::set<std::string> late = g.pending_sync_members();
  for (const std::string& id : late) {
    if (Member* m = g.member(id)) {
      g.CompleteJoin(*m, JoinError(ErrorCode::kUnknownMemberId, ""));
      g.CompleteSync(*m, SyncError(ErrorCode::kUnknownMemberId));
    }
    g.Remove(id);
    CancelHeartbeat(*e, id);
  }
  PrepareRebalance(*e);
}

// ---- Heartbeat and sessions -----------------------------------------------------------------

ErrorCode GroupCoordinator::Heartbeat(const protocol::HeartbeatRequest& request) {
  if (request.group_id.empty()) return ErrorCode::kInvalidGroupId;
  Entry* e = FindEntry(request.group_id);
  if (e == nullptr) return ErrorCode::kUnknownMemberId;
  Group& g = e->group;
  if (g.is(GroupState::kDead)) return ErrorCode::kCoordinatorNotAvailable;
  if (ErrorCode err = ValidateMember(g, request.member_id, request.group_instance_id); err != ErrorCode::kNone) {
    return err;
  }
  if (request.generation_id != g.generation()) return ErrorCode::kIllegalGeneration;
  switch (g.state()) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return ErrorCode::kUnknownMemberId;
    case GroupState::kPreparingRebalance:
      RescheduleHeartbeat(*e, request.member_id, g.member(request.member_id)->session_timeout_ms);
      return ErrorCode::kRebalanceInProgress;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      RescheduleHeartbeat(*e, request.member_id, g.member(request.member_id)->session_timeout_ms);
      return ErrorCode::kNone;
  }
  return ErrorCode::kNone;
}

void GroupCoordinator::ExpireHeartbeat(const std::string& group_id, const std::string& member_id) {
  Entry* e = FindEntry(group_id);
  if (e == nullptr) return;
  e->heartbeats.erase(member_id);
  Group& g = e->group;
  if (g.is(GroupState::kDead)) return;
  if (g.is_pending_member(member_id)) {
    g.RemovePendingMember(member_id);
    if (g.is(GroupState::kPreparingRebalance) && g.has_all_members_joined()) CompleteJoin(*e);
    return;
  }
  const Member* m = g.member(member_id);
  if (m == nullptr || m->has_satisfied_heartbeat()) return;
  RemoveMemberAndUpdateGroup(*e, member_id);
}

void GroupCoordinator::RemoveMemberAndUpdateGroup(Entry& e, const std::string& member_id) {
  Group& g = e.group;
  Member& m = *g.member(member_id);
  // A new member may still have its JoinGroup parked: it learns it must start over.
  g.CompleteJoin(m, JoinError(ErrorCode::kUnknownMemberId, ""));
  g.CompleteSync(m, SyncError(ErrorCode::kUnknownMemberId));
  g.Remove(member_id);
  CancelHeartbeat(e, member_id);
  if (g.is(GroupState::kStable) || g.is(GroupState::kCompletingRebalance)) {
    MaybePrepareRebalanceOrCompleteJoin(e);
  } else if (g.is(GroupState::kPreparingRebalance) && g.has_all_members_joined()) {
    CompleteJoin(e);
  }
}

void GroupCoordinator::RemoveCurrentMember(Entry& e, const std::string& member_id) {
  Group& g = e.group;
  CancelHeartbeat(e, member_id);
  Member& m = *g.member(member_id);
  g.CompleteJoin(m, JoinError(ErrorCode::kUnknownMemberId, ""));
  g.CompleteSync(m, SyncError(ErrorCode::kUnknownMemberId));
  g.Remove(member_id);
}

// ---- LeaveGroup -----------------------------------------------------------------------------

GroupCoordinator::LeaveResult GroupCoordinator::LeaveGroup(const std::string& group_id,
                                                           const std::vector<LeavingMember>& members) {
  LeaveResult result;
  if (group_id.empty()) {
    result.error = ErrorCode::kInvalidGroupId;
    return result;
  }
  Entry* e = FindEntry(group_id);
  if (e == nullptr) {
    result.members.assign(members.size(), ErrorCode::kUnknownMemberId);
    return result;
  }
  Group& g = e->group;
  if (g.is(GroupState::kDead)) {
    result.error = ErrorCode::kCoordinatorNotAvailable;
    return result;
  }
  bool any_left = false;
  for (const LeavingMember& leaving : members) {
    ErrorCode err = ErrorCode::kNone;
    if (leaving.member_id.empty()) {
      // Administrative removal of a static member by its instance id.
      const std::string* id = leaving.group_instance_id ? g.static_member_id(*leaving.group_instance_id) : nullptr;
      if (id == nullptr) {
        err = ErrorCode::kUnknownMemberId;
      } else {
        RemoveCurrentMember(*e, std::string(*id));
      }
    } else if (g.is_pending_member(leaving.member_id)) {
      g.RemovePendingMember(leaving.member_id);
      CancelHeartbeat(*e, leaving.member_id);
    } else if (err = ValidateMember(g, leaving.member_id, leaving.group_instance_id); err == ErrorCode::kNone) {
      RemoveCurrentMember(*e, leaving.member_id);
    }
    result.members.push_back(err);
    any_left = any_left || err == ErrorCode::kNone;
  }
  if (any_left) {
    switch (g.state()) {
      case GroupState::kStable:
      case GroupState::kCompletingRebalance:
        MaybePrepareRebalanceOrCompleteJoin(*e);
        break;
      case GroupState::kPreparingRebalance:
        MaybeCompleteJoinPhase(*e);
        break;
      case GroupState::kEmpty:
      case GroupState::kDead:
        break;
    }
  }
  return result;
}

// ---- Offsets --------------------------------------------------------------------------------

std::vector<ErrorCode> GroupCoordinator::CommitOffsets(const std::string& group_id, int32_t generation,
                                                       const std::string& member_id,
                                                       const std::optional<std::string>& group_instance_id,
                                                       int16_t version, const std::vector<CommitEntry>& entries) {
  std::vector<ErrorCode> errors(entries.size(), ErrorCode::kNone);
  auto fail_all = [&](ErrorCode e) {
    std::fill(errors.begin(), errors.end(), e);
    return errors;
  };
  if (group_id.empty()) return fail_all(ErrorCode::kInvalidGroupId);
  Entry* e = FindEntry(group_id);
  if (e == nullptr) {
    // A standalone consumer (or the admin client) commits without membership: the group is
    // created, Empty and without protocol, as Kafka's "simple" group.
    if (generation >= 0) return fail_all(version >= 9 ? ErrorCode::kGroupIdNotFound : ErrorCode::kIllegalGeneration);
    e = &GetOrCreate(group_id);
  }
  Group& g = e->group;
  // Kafka's ClassicGroup.validateOffsetCommit.
  if (g.is(GroupState::kDead)) return fail_all(ErrorCode::kCoordinatorNotAvailable);
  if (!(generation < 0 && g.is(GroupState::kEmpty))) {
    if (generation >= 0 || !member_id.empty() || group_instance_id) {
      const ErrorCode err = ValidateMember(g, member_id, group_instance_id);
      if (err != ErrorCode::kNone) return fail_all(err);
      if (generation != g.generation()) return fail_all(ErrorCode::kIllegalGeneration);
    } else if (!g.is(GroupState::kEmpty)) {
      return fail_all(ErrorCode::kUnknownMemberId);
    }
    // The member has its new generation but not its assignment yet.
    if (g.is(GroupState::kCompletingRebalance)) return fail_all(ErrorCode::kRebalanceInProgress);
  }
  // A commit keeps the member's session alive.
  if (g.is(GroupState::kStable) || g.is(GroupState::kPreparingRebalance)) {
    if (const Member* m = g.member(member_id)) RescheduleHeartbeat(*e, member_id, m->session_timeout_ms);
  }

  std::vector<OffsetStore::Entry> store;
  std::vector<size_t> stored_index;
  const int64_t now = Now();
  for (size_t i = 0; i < entries.size(); ++i) {
    const CommitEntry& c = entries[i];
    if (c.metadata && c.metadata->size() > static_cast<size_t>(config_.offset_metadata_max_bytes)) {
      errors[i] = ErrorCode::kOffsetMetadataTooLarge;
      continue;
    }
    OffsetStore::Entry s;
    s.topic = c.topic;
    s.partition = c.partition;
    s.value.offset = c.offset;
    s.value.leader_epoch = c.leader_epoch;
    s.value.metadata = c.metadata.value_or("");
    s.value.commit_timestamp_ms = now;
    store.push_back(std::move(s));
    stored_index.push_back(i);
  }
  if (Status s = offsets_.Commit(group_id, store); !s.ok()) {
    // Kafka answers a failed write to the offsets log with NOT_COORDINATOR.
    std::fprintf(stderr, "kclient-broker: cannot store offsets of group %s: %s\n", group_id.c_str(),
                 s.ToString().c_str());
    for (size_t i : stored_index) errors[i] = ErrorCode::kNotCoordinator;
  }
  return errors;
}

std::vector<GroupCoordinator::FetchedOffset> GroupCoordinator::FetchOffsets(
    const std::string& group_id, const std::optional<std::vector<TopicPartitions>>& topics) const {
  std::vector<FetchedOffset> out;
  const Group* g = FindGroup(group_id);
  const bool known = g != nullptr && !g->is(GroupState::kDead);
  if (!topics) {
    const OffsetStore::TopicOffsets* all = known ? offsets_.GroupOffsets(group_id) : nullptr;
    if (all == nullptr) return out;
    for (const auto& [topic, partitions] : *all) {
      for (const auto& [partition, v] : partitions) {
        out.push_back({topic, partition, v.offset, v.leader_epoch, v.metadata});
      }
    }
    return out;
  }
  for (const TopicPartitions& t : *topics) {
    for (int32_t partition : t.partitions) {
      FetchedOffset f{t.topic, partition, -1, -1, ""};
      if (const CommittedOffset* v = known ? offsets_.Get(group_id, t.topic, partition) : nullptr) {
        f.offset = v->offset;
        f.leader_epoch = v->leader_epoch;
        f.metadata = v->metadata;
      }
      out.push_back(std::move(f));
    }
  }
  return out;
}

// ---- Admin ----------------------------------------------------------------------------------

protocol::DescribeGroupsResponse::DescribedGroup GroupCoordinator::DescribeGroup(const std::string& group_id,
                                                                                 int16_t version) const {
  protocol::DescribeGroupsResponse::DescribedGroup d;
  d.group_id = group_id;
  const Group* g = FindGroup(group_id);
  if (g == nullptr || g->is(GroupState::kDead)) {
    d.group_state = std::string(GroupStateName(GroupState::kDead));
    if (version >= 6) {
      d.error_code = Code(ErrorCode::kGroupIdNotFound);
      d.error_message = "Group " + group_id + " not found.";
    }
    return d;
  }
  d.group_state = std::string(GroupStateName(g->state()));
  d.protocol_type = g->protocol_type().value_or("");
  const bool stable = g->is(GroupState::kStable) && g->protocol_name();
  if (stable) d.protocol_data = *g->protocol_name();
  for (const auto& [id, m] : g->members()) {
    auto& out = d.members.emplace_back();
    out.member_id = id;
    out.group_instance_id = m.group_instance_id;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    out.member_assignment = m.assignment;
    if (stable) {
      if (const protocol::Bytes* md = m.metadata(*g->protocol_name())) out.member_metadata = *md;
    }
  }
  return d;
}

std::vector<GroupCoordinator::ListedGroup> GroupCoordinator::ListGroups() const {
  std::vector<ListedGroup> out;
  for (const auto& [id, e] : groups_) {
    if (e->group.is(GroupState::kDead)) continue;
    out.push_back({id, e->group.protocol_type().value_or(""), e->group.state()});
  }
  return out;
}

}  // namespace kclient::broker
