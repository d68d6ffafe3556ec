#include "broker/group/group.h"

#include <algorithm>
#include <utility>

#include "kclient/error_code.h"

namespace kclient::broker {

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
    case GroupState::kDead:
      return "Dead";
  }
  return "Dead";
}

const protocol::Bytes* Member::metadata(std::string_view protocol) const {
  for (const MemberProtocol& p : protocols) {
    if (p.name == protocol) return &p.metadata;
  }
  return nullptr;
}

std::string Member::Vote(const std::set<std::string>& candidates) const {
  for (const MemberProtocol& p : protocols) {
    if (candidates.count(p.name) != 0) return p.name;
  }
  return {};
}

Member* Group::member(const std::string& member_id) {
  auto it = members_.find(member_id);
  return it == members_.end() ? nullptr : &it->second;
}

const std::string* Group::static_member_id(const std::string& instance_id) const {
  auto it = static_members_.find(instance_id);
  return it == static_members_.end() ? nullptr : &it->second;
}

void Group::CountProtocols(const Member& m, int delta) {
  for (const MemberProtocol& p : m.protocols) supported_protocols_[p.name] += delta;
}

void Group::Add(Member m) {
  if (m.group_instance_id) static_members_[*m.group_instance_id] = m.member_id;
  if (members_.empty()) protocol_type_ = m.protocol_type;
  if (!leader_id_) leader_id_ = m.member_id;
  CountProtocols(m, +1);
  if (m.is_awaiting_join()) ++num_awaiting_join_;
  pending_join_.erase(m.member_id);
  const std::string id = m.member_id;
  members_.insert_or_assign(id, std::move(m));
}

void Group::Remove(const std::string& member_id) {
  auto it = members_.find(member_id);
  if (it != members_.end()) {
    CountProtocols(it->second, -1);
    if (it->second.is_awaiting_join()) --num_awaiting_join_;
    if (it->second.group_instance_id) static_members_.erase(*it->second.group_instance_id);
    members_.erase(it);
  }
  if (is_leader(member_id)) {
    if (members_.empty()) {
      leader_id_.reset();
    } else {
      leader_id_ = members_.begin()->first;
    }
  }
  pending_join_.erase(member_id);
  pending_sync_.erase(member_id);
}

Member& Group::ReplaceStaticMember(const std::string& instance_id, const std::string& old_id,
                                   const std::string& new_id) {
  auto node = members_.extract(old_id);
  Member& old = node.mapped();
  // Fence whoever still waits under the old id.
  protocol::JoinGroupResponse fenced_join;
  fenced_join.error_code = static_cast<int16_t>(ErrorCode::kFencedInstanceId);
  fenced_join.member_id = old_id;
  fenced_join.protocol_name.reset();
  CompleteJoin(old, std::move(fenced_join));
  protocol::SyncGroupResponse fenced_sync;
  fenced_sync.error_code = static_cast<int16_t>(ErrorCode::kFencedInstanceId);
  CompleteSync(old, std::move(fenced_sync));

  Member replacement;
  replacement.member_id = new_id;
  replacement.group_instance_id = old.group_instance_id;
  replacement.client_id = old.client_id;
  replacement.client_host = old.client_host;
  replacement.rebalance_timeout_ms = old.rebalance_timeout_ms;
  replacement.session_timeout_ms = old.session_timeout_ms;
  replacement.protocol_type = old.protocol_type;
  replacement.protocols = old.protocols;
  replacement.assignment = old.assignment;
  auto [it, inserted] = members_.insert_or_assign(new_id, std::move(replacement));
  if (is_leader(old_id)) leader_id_ = new_id;
  static_members_[instance_id] = new_id;
  return it->second;
}

void Group::UpdateMember(Member& m, std::vector<MemberProtocol> protocols, int32_t rebalance_timeout_ms,
                         int32_t session_timeout_ms, JoinCallback awaiting_join) {
  CountProtocols(m, -1);
  m.protocols = std::move(protocols);
  CountProtocols(m, +1);
  m.rebalance_timeout_ms = rebalance_timeout_ms;
  m.session_timeout_ms = session_timeout_ms;
  const bool now_awaiting = static_cast<bool>(awaiting_join);
  if (now_awaiting && !m.is_awaiting_join()) {
    ++num_awaiting_join_;
  } else if (!now_awaiting && m.is_awaiting_join()) {
    --num_awaiting_join_;
  }
  // A JoinGroup the member left parked elsewhere is superseded (Kafka drops it unanswered; here
  // its connection is closed when the callback goes).
  m.awaiting_join = std::move(awaiting_join);
}

bool Group::CompleteJoin(Member& m, protocol::JoinGroupResponse response) {
  if (!m.is_awaiting_join()) return false;
  JoinCallback done = std::exchange(m.awaiting_join, nullptr);
  --num_awaiting_join_;
  done(std::move(response));
  return true;
}

bool Group::CompleteSync(Member& m, protocol::SyncGroupResponse response) {
  if (!m.is_awaiting_sync()) return false;
  SyncCallback done = std::exchange(m.awaiting_sync, nullptr);
  done(std::move(response));
  return true;
}

bool Group::SupportsProtocols(const std::string& protocol_type, const std::vector<MemberProtocol>& protocols) const {
  if (state_ == GroupState::kEmpty) return !protocol_type.empty() && !protocols.empty();
  if (!protocol_type_ || *protocol_type_ != protocol_type) return false;
  return std::any_of(protocols.begin(), protocols.end(), [&](const MemberProtocol& p) {
    auto it = supported_protocols_.find(p.name);
    return it != supported_protocols_.end() && static_cast<size_t>(it->second) == members_.size();
  });
}

std::string Group::SelectProtocol() const {
  std::set<std::string> candidates;
  for (const auto& [name, count] : supported_protocols_) {
    if (static_cast<size_t>(count) == members_.size()) candidates.insert(name);
  }
  std::vector<std::pair<std::string, int>> votes;  // in order of first vote
  for (const auto& [id, m] : members_) {
    std::string vote = m.Vote(candidates);
    auto it = std::find_if(votes.begin(), votes.end(), [&](const auto& v) { return v.first == vote; });
    if (it == votes.end()) {
      votes.emplace_back(std::move(vote), 1);
    } else {
      ++it->second;
    }
  }
  std::string best;
  int best_votes = 0;
  for (const auto& [name, n] : votes) {
    if (n > best_votes) {
      best = name;
      best_votes = n;
    }
  }
  return best;
}

void Group::TransitionTo(GroupState next, int64_t now_ms) {
  previous_state_ = state_;
  state_ = next;
  state_timestamp_ms_ = now_ms;
}

bool Group::MaybeElectNewJoinedLeader() {
  if (!leader_id_) return false;
  auto it = members_.find(*leader_id_);
  if (it != members_.end() && it->second.is_awaiting_join()) return true;
  for (const auto& [id, m] : members_) {
    if (m.is_awaiting_join()) {
      leader_id_ = id;
      return true;
    }
  }
  return false;
}

void Group::InitNextGeneration(int64_t now_ms) {
  ++generation_;
  if (!members_.empty()) {
    protocol_name_ = SelectProtocol();
    TransitionTo(GroupState::kCompletingRebalance, now_ms);
  } else {
    protocol_name_.reset();
    TransitionTo(GroupState::kEmpty, now_ms);
  }
  pending_sync_.clear();
}

int32_t Group::RebalanceTimeoutMs() const {
  int32_t max = 0;
  for (const auto& [id, m] : members_) max = std::max(max, m.rebalance_timeout_ms);
  return max;
}

std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> Group::CurrentMemberMetadata() const {
  std::vector<protocol::JoinGroupResponse::JoinGroupResponseMember> out;
  for (const auto& [id, m] : members_) {
    auto& e = out.emplace_back();
    e.member_id = id;
    e.group_instance_id = m.group_instance_id;
    if (const protocol::Bytes* md = protocol_name_ ? m.metadata(*protocol_name_) : nullptr) e.metadata = *md;
  }
  return out;
}

}  // namespace kclient::broker
