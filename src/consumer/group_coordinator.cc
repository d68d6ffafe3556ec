#include "consumer/group_coordinator.h"

#include <algorithm>
#include <utility>

#include "client/client_setup.h"
#include "consumer/assignors/partition_assignor.h"
#include "consumer/consumer_protocol.h"
#include "protocol/api_keys.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace kclient::consumer {
namespace {

std::string_view AssignorName(AssignmentStrategy strategy) {
  switch (strategy) {
    case AssignmentStrategy::kRange:
      return "range";
    case AssignmentStrategy::kRoundRobin:
      return "roundrobin";
    case AssignmentStrategy::kSticky:
      return "sticky";
    case AssignmentStrategy::kCooperativeSticky:
      return "cooperative-sticky";
  }
  return "range";
}

bool IsCoordinatorError(ErrorCode code) {
  return code == ErrorCode::kCoordinatorNotAvailable || code == ErrorCode::kNotCoordinator ||
         code == ErrorCode::kLocalTransport || code == ErrorCode::kLocalTimedOut ||
         code == ErrorCode::kRequestTimedOut;
}

std::span<const uint8_t> AsBytes(const std::vector<uint8_t>& b) { return {b.data(), b.size()}; }

Result<std::vector<MemberSubscription>> DecodeMembers(const std::vector<JoinedMember>& members) {
  std::vector<MemberSubscription> subscriptions;
  for (const JoinedMember& member : members) {
    auto decoded = DecodeSubscription(AsBytes(member.metadata));
    if (!decoded.ok()) {
      return Status(decoded.status().code(), "member " + member.member_id + ": " + decoded.status().ToString());
    }
    subscriptions.push_back(ToMemberSubscription(member.member_id, member.group_instance_id, std::move(*decoded)));
  }
  return subscriptions;
}

std::set<std::string> SubscribedTopics(const std::vector<MemberSubscription>& members) {
  std::set<std::string> topics;
  for (const auto& m : members) topics.insert(m.topics.begin(), m.topics.end());
  return topics;
}

}  // namespace

// A JoinGroup answer, moved out of the response for OnJoined.
struct JoinGroupAnswer {
  int32_t generation = -1;
  std::string protocol;
  std::string leader;
  bool skip_assignment = false;       // KIP-814: a static leader rejoined a stable group
  std::vector<JoinedMember> members;  // the leader's answer only
};

struct CommitState {
  OffsetMap offsets;
  net::Clock::time_point deadline;
  std::function<void(Status)> done;
  uint32_t attempts = 0;
};

struct FetchState {
  std::vector<TopicPartition> partitions;
  net::Clock::time_point deadline;
  std::function<void(Result<GroupCoordinator::CommittedOffsets>)> done;
  uint32_t attempts = 0;
};

GroupCoordinator::GroupCoordinator(net::EventLoop* loop, const ConsumerOptions& options,
                                   std::vector<net::BrokerAddress> bootstrap, net::NetworkClient* network,
                                   client::Metadata* metadata, SubscriptionState* subscriptions,
                                   std::function<void()> on_event)
    : loop_(loop),
      options_(options),
      network_(network),
      group_network_(loop, client::ToNetworkOptions(options.client), std::move(bootstrap)),
      metadata_(metadata),
      subscriptions_(subscriptions),
      on_event_(std::move(on_event)),
      backoff_(std::min(options.client.retry_backoff_ms, options.client.retry_backoff_max_ms),
               options.client.retry_backoff_max_ms) {
  NotePoll();
  metadata_->AddListener([this, alive = alive_] {
    if (*alive) OnMetadataUpdate();
  });
}

GroupCoordinator::~GroupCoordinator() {
  *alive_ = false;
  if (heartbeat_timer_ != 0) loop_->CancelTimer(heartbeat_timer_);
}

net::Clock::duration GroupCoordinator::Backoff(uint32_t attempts) {
  return std::chrono::milliseconds(backoff_.BackoffMs(attempts, rng_));
}

// --- Coordinator -----------------------------------------------------------------------------

void GroupCoordinator::FindCoordinator(std::function<void(const Status&)> done) {
  if (coordinator_ >= 0) {
    done(Status());
    return;
  }
  coordinator_waiters_.push_back(std::move(done));
  if (finding_coordinator_) return;
  finding_coordinator_ = true;
  protocol::FindCoordinatorRequest request;
  request.key = options_.group_id;
  request.key_type = 0;
  net::SendOptions send;
  send.min_version = 1;
  send.max_version = 3;  // one key per request
  network_->Send<protocol::FindCoordinatorRequest, protocol::FindCoordinatorResponse>(
      net::NetworkClient::kAnyBroker, std::move(request),
      std::function<void(const Status&, protocol::FindCoordinatorResponse&)>(
          [this, alive = alive_](const Status& s, protocol::FindCoordinatorResponse& r) {
            if (!*alive) return;
            finding_coordinator_ = false;
            Status result = s;
            if (result.ok() && r.error_code != 0) {
              result = Status(static_cast<ErrorCode>(r.error_code), r.error_message.value_or("FindCoordinator"));
            }
            if (result.ok()) {
              coordinator_ = r.node_id;
              group_network_.SetBrokers({{r.node_id, r.host, static_cast<uint16_t>(r.port)}});
            }
            auto waiters = std::move(coordinator_waiters_);
            coordinator_waiters_.clear();
            for (auto& w : waiters) w(result);
          }),
      send);
}

void GroupCoordinator::CoordinatorLost() { coordinator_ = -1; }

template <typename Request, typename Response>
void GroupCoordinator::SendToCoordinator(Request request, std::function<void(const Status&, Response&)> done,
                                         net::SendOptions options) {
  FindCoordinator([this, alive = alive_, request = std::move(request), done = std::move(done),
                   options](const Status& found) mutable {
    if (!*alive) return;
    if (!found.ok()) {
      Response empty;
      done(found, empty);
      return;
    }
    group_network_.Send<Request, Response>(
        coordinator_, std::move(request),
        std::function<void(const Status&, Response&)>(
            [this, alive, done = std::move(done)](const Status& s, Response& r) {
              if (!*alive) return;
              if (!s.ok()) CoordinatorLost();
              done(s, r);
            }),
        options);
  });
}

// --- Joining ---------------------------------------------------------------------------------

void GroupCoordinator::Join(std::vector<TopicPartition> owned, std::function<void(JoinResult)> done) {
  join_done_ = std::move(done);
  if (state_ == State::kJoining) return;
  owned_ = std::move(owned);
  state_ = State::kJoining;
  join_attempts_ = 0;
  rejoin_needed_ = false;
  if (heartbeat_timer_ != 0) loop_->CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  SendJoin();
}

void GroupCoordinator::SendJoin() {
  protocol::JoinGroupRequest request;
  request.group_id = options_.group_id;
  request.session_timeout_ms = options_.session_timeout_ms;
  request.rebalance_timeout_ms = options_.max_poll_interval_ms;
  request.member_id = member_id_;
  request.group_instance_id = options_.group_instance_id;
  request.protocol_type = std::string(kConsumerProtocolType);
  const std::set<std::string> topics = subscriptions_->subscribed_topics();
  Subscription subscription;
  subscription.topics.assign(topics.begin(), topics.end());
  subscription.owned_partitions = owned_;
  subscription.generation_id = generation_.load();
  subscription.rack_id = options_.client_rack;
  std::optional<PreviousAssignment> previous;
  if (!last_assignment_.empty() || last_generation_ >= 0) previous = PreviousAssignment{last_assignment_, last_generation_};
  for (AssignmentStrategy strategy : options_.assignment_strategies) {
    auto assignor = MakeAssignor(AssignorName(strategy));
    Subscription s = subscription;
    // Eager members revoke everything before joining, so they own nothing.
    if (!assignor->cooperative()) s.owned_partitions.clear();
    s.user_data = assignor->SubscriptionUserData(previous);
    auto encoded = EncodeSubscription(s);
    if (!encoded.ok()) {
      FinishJoin({encoded.status(), -1, "", {}});
      return;
    }
    auto& p = request.protocols.emplace_back();
    p.name = std::string(assignor->name());
    p.metadata = std::move(*encoded);
  }
  net::SendOptions send;
  send.min_version = 2;
  // The broker holds JoinGroup until every member has joined: up to the rebalance timeout.
  send.timeout_ms = std::max(options_.client.request_timeout_ms, options_.max_poll_interval_ms + 5000);
  SendToCoordinator<protocol::JoinGroupRequest, protocol::JoinGroupResponse>(
      std::move(request),
      [this](const Status& s, protocol::JoinGroupResponse& r) {
        if (state_ != State::kJoining) return;
        Status error = s;
        if (error.ok() && r.error_code != 0) error = Status(static_cast<ErrorCode>(r.error_code), "JoinGroup");
        switch (error.code()) {
          case ErrorCode::kNone: {
            member_id_ = r.member_id;
            JoinGroupAnswer answer;
            answer.generation = r.generation_id;
            answer.protocol = r.protocol_name.value_or("");
            answer.leader = r.leader;
            answer.skip_assignment = r.skip_assignment;
            for (auto& m : r.members) {
              answer.members.push_back({m.member_id, m.group_instance_id, std::move(m.metadata)});
            }
            OnJoined(answer);
            return;
          }
          case ErrorCode::kMemberIdRequired:
            // KIP-394: the broker hands out the id first; join again with it at once.
            member_id_ = r.member_id;
            SendJoin();
            return;
          case ErrorCode::kUnknownMemberId:
            member_id_.clear();
            RetryJoin(error);
            return;
          case ErrorCode::kNotCoordinator:
          case ErrorCode::kCoordinatorNotAvailable:
            CoordinatorLost();
            RetryJoin(error);
            return;
          case ErrorCode::kIllegalGeneration:
          case ErrorCode::kRebalanceInProgress:
          case ErrorCode::kCoordinatorLoadInProgress:
            RetryJoin(error);
            return;
          default:
            if (error.retriable()) {
              RetryJoin(error);
            } else {
              FinishJoin({error, -1, "", {}});
            }
        }
      },
      send);
}

void GroupCoordinator::RetryJoin(const Status& why) {
  (void)why;
  loop_->AddTimer(Backoff(join_attempts_++), [this, alive = alive_] {
    if (*alive && state_ == State::kJoining) SendJoin();
  });
}

void GroupCoordinator::OnJoined(JoinGroupAnswer& answer) {
  generation_ = answer.generation;
  protocol_ = answer.protocol;
  const std::string protocol = answer.protocol;
  // Followers send no assignment; neither does a static leader that rejoined a stable group
  // (KIP-814): the group keeps the assignment it has. Only a leader that assigned watches
  // metadata for the group (Java keeps no snapshot when it skips the assignment either).
  if (answer.leader != member_id_ || answer.skip_assignment) {
    leader_snapshot_.reset();
    SendSync({});
    return;
  }
  Assign(protocol, answer.members, [this, alive = alive_](Result<std::map<std::string, protocol::Bytes>> assignments) {
    if (!*alive || state_ != State::kJoining) return;
    if (!assignments.ok()) {
      FinishJoin({assignments.status(), -1, "", {}});
      return;
    }
    SendSync(std::move(*assignments));
  });
}

void GroupCoordinator::Assign(const std::string& protocol, const std::vector<JoinedMember>& members,
                              std::function<void(Result<std::map<std::string, protocol::Bytes>>)> done) {
  std::unique_ptr<PartitionAssignor> assignor;
  for (AssignmentStrategy strategy : options_.assignment_strategies) {
    if (AssignorName(strategy) == protocol) assignor = MakeAssignor(protocol);
  }
  if (!assignor) {
    done(Status(ErrorCode::kInconsistentGroupProtocol, "the group chose assignor '" + protocol +
                                                           "', which this member does not offer"));
    return;
  }
  auto decoded = DecodeMembers(members);
  if (!decoded.ok()) {
    done(decoded.status());
    return;
  }
  std::vector<MemberSubscription> subscriptions = std::move(*decoded);
  const std::set<std::string> topics = SubscribedTopics(subscriptions);
  // The leader needs every subscribed topic's partition count, including topics only other
  // members subscribe to. A topic the metadata does not know yet (just created, or asked of a
  // broker that has not heard of it) gets one refresh to show up; if it still is not there, the
  // assignment leaves it out and OnMetadataUpdate starts a new one when it appears.
  const std::map<std::string, int32_t> known = PartitionCounts(topics);
  bool missing = false;
  for (const auto& t : topics) {
    metadata_->AddTopic(t);
    if (!known.contains(t)) missing = true;
  }
  auto run = [this, assignor = std::shared_ptr<PartitionAssignor>(std::move(assignor)), subscriptions, topics,
              done = std::move(done)]() {
    const std::map<std::string, int32_t> partitions_per_topic = PartitionCounts(topics);
    leader_snapshot_ = LeaderSnapshot{topics, partitions_per_topic};
    GroupAssignment assigned = assignor->Assign(partitions_per_topic, subscriptions);
    std::map<std::string, protocol::Bytes> encoded;
    for (const auto& m : subscriptions) {
      Assignment a;
      if (auto it = assigned.find(m.member_id); it != assigned.end()) a.partitions = it->second;
      auto bytes = EncodeAssignment(a);
      if (!bytes.ok()) {
        done(bytes.status());
        return;
      }
      encoded[m.member_id] = std::move(*bytes);
    }
    done(std::move(encoded));
  };
  if (!missing) {
    run();
    return;
  }
  // Wait for one refresh that includes the new topics.
  auto once = std::make_shared<bool>(false);
  metadata_->AddListener([run, once, alive = alive_]() mutable {
    if (*once || !*alive) return;
    *once = true;
    run();
  });
  metadata_->RequestUpdate();
}

std::map<std::string, int32_t> GroupCoordinator::PartitionCounts(const std::set<std::string>& topics) const {
  std::map<std::string, int32_t> counts;
  for (const auto& t : topics) {
    const client::TopicMetadata* tm = metadata_->topic(t);
    if (tm != nullptr && tm->error == ErrorCode::kNone && !tm->partitions.empty()) {
      counts[t] = tm->partitions.back().partition + 1;
    }
  }
  return counts;
}

void GroupCoordinator::OnMetadataUpdate() {
  // The leader assigned what metadata said then; a topic that appeared or grew since needs a
  // new assignment (Java's leader compares its metadata snapshot the same way). An empty
  // snapshot counts too: the topics may all have been unknown when the group formed.
  if (state_ != State::kStable || !leader_snapshot_) return;
  std::set<std::string> topics = leader_snapshot_->topics;
  for (const auto& t : subscriptions_->subscribed_topics()) topics.insert(t);
  if (PartitionCounts(topics) != leader_snapshot_->partition_counts) {
    leader_snapshot_.reset();
    rejoin_needed_ = true;
    on_event_();
  }
}

void GroupCoordinator::SendSync(std::map<std::string, protocol::Bytes> assignments) {
  protocol::SyncGroupRequest request;
  request.group_id = options_.group_id;
  request.generation_id = generation_.load();
  request.member_id = member_id_;
  request.group_instance_id = options_.group_instance_id;
  // Mandatory from v5 (Kafka answers INCONSISTENT_GROUP_PROTOCOL without them).
  request.protocol_type = std::string(kConsumerProtocolType);
  request.protocol_name = protocol_;
  for (auto& [member, bytes] : assignments) {
    auto& a = request.assignments.emplace_back();
    a.member_id = member;
    a.assignment = std::move(bytes);
  }
  net::SendOptions send;
  send.timeout_ms = std::max(options_.client.request_timeout_ms, options_.max_poll_interval_ms + 5000);
  SendToCoordinator<protocol::SyncGroupRequest, protocol::SyncGroupResponse>(
      std::move(request),
      [this](const Status& s, protocol::SyncGroupResponse& r) {
        if (state_ != State::kJoining) return;
        Status error = s;
        if (error.ok() && r.error_code != 0) error = Status(static_cast<ErrorCode>(r.error_code), "SyncGroup");
        if (error.ok()) {
          auto assignment = DecodeAssignment(AsBytes(r.assignment));
          if (!assignment.ok()) {
            FinishJoin({assignment.status(), -1, "", {}});
            return;
          }
          last_assignment_ = assignment->partitions;
          last_generation_ = generation_.load();
          JoinResult result;
          result.generation = generation_.load();
          result.protocol = r.protocol_name.value_or(protocol_);
          result.assignment = assignment->partitions;
          FinishJoin(std::move(result));
          return;
        }
        if (error.code() == ErrorCode::kUnknownMemberId) member_id_.clear();
        if (IsCoordinatorError(error.code())) CoordinatorLost();
        if (error.retriable() || error.code() == ErrorCode::kUnknownMemberId ||
            error.code() == ErrorCode::kIllegalGeneration || error.code() == ErrorCode::kRebalanceInProgress) {
          RetryJoin(error);
        } else {
          FinishJoin({error, -1, "", {}});
        }
      },
      send);
}

void GroupCoordinator::FinishJoin(JoinResult result) {
  if (result.status.ok()) {
    state_ = State::kStable;
    last_heartbeat_ok_ = loop_->Now();
    ScheduleHeartbeat();
  } else {
    state_ = State::kUnjoined;
    rejoin_needed_ = true;
  }
  auto done = std::move(join_done_);
  join_done_ = nullptr;
  if (done) done(std::move(result));
  on_event_();
}

// --- Heartbeats ------------------------------------------------------------------------------

void GroupCoordinator::ScheduleHeartbeat() {
  if (heartbeat_timer_ != 0) loop_->CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = loop_->AddTimer(std::chrono::milliseconds(options_.heartbeat_interval_ms), [this] {
    heartbeat_timer_ = 0;
    Heartbeat();
  });
}

void GroupCoordinator::Heartbeat() {
  if (state_ != State::kStable) return;
  const auto since_poll = net::Clock::now().time_since_epoch() - net::Clock::duration(last_poll_ns_.load());
  if (since_poll > std::chrono::milliseconds(options_.max_poll_interval_ms)) {
    // The application stopped polling: give the partitions to someone who will (Java's
    // maybeLeaveGroup on poll timeout). The next Poll reports it and rejoins.
    poll_timed_out_ = true;
    partitions_lost_ = true;
    rejoin_needed_ = true;
    Leave([] {});
    on_event_();
    return;
  }
  ScheduleHeartbeat();
  if (heartbeat_in_flight_) return;
  heartbeat_in_flight_ = true;
  protocol::HeartbeatRequest request;
  request.group_id = options_.group_id;
  request.generation_id = generation_.load();
  request.member_id = member_id_;
  request.group_instance_id = options_.group_instance_id;
  SendToCoordinator<protocol::HeartbeatRequest, protocol::HeartbeatResponse>(
      std::move(request), [this](const Status& s, protocol::HeartbeatResponse& r) {
        heartbeat_in_flight_ = false;
        if (state_ != State::kStable) return;
        const ErrorCode code = s.ok() ? static_cast<ErrorCode>(r.error_code) : s.code();
        switch (code) {
          case ErrorCode::kNone:
            last_heartbeat_ok_ = loop_->Now();
            return;
          case ErrorCode::kRebalanceInProgress:
            rejoin_needed_ = true;
            on_event_();
            return;
          case ErrorCode::kUnknownMemberId:
          case ErrorCode::kIllegalGeneration:
          case ErrorCode::kFencedInstanceId:
            if (code == ErrorCode::kUnknownMemberId) member_id_.clear();
            generation_ = -1;
            state_ = State::kUnjoined;
            partitions_lost_ = true;
            rejoin_needed_ = true;
            on_event_();
            return;
          default:
            if (IsCoordinatorError(code)) CoordinatorLost();
            // Past the session timeout the broker has evicted us: the partitions are gone.
            if (loop_->Now() - last_heartbeat_ok_ > std::chrono::milliseconds(options_.session_timeout_ms)) {
              member_id_ = options_.group_instance_id ? member_id_ : std::string();
              generation_ = -1;
              state_ = State::kUnjoined;
              partitions_lost_ = true;
              rejoin_needed_ = true;
              on_event_();
            }
            return;
        }
      });
}

void GroupCoordinator::Leave(std::function<void()> done) {
  const bool member = state_ != State::kUnjoined || !member_id_.empty();
  state_ = State::kUnjoined;
  generation_ = -1;
  if (heartbeat_timer_ != 0) loop_->CancelTimer(heartbeat_timer_);
  heartbeat_timer_ = 0;
  if (join_done_) FinishJoin({Status(ErrorCode::kLocalCancelled, "left the group"), -1, "", {}});
  // Static members stay in the group across restarts (KIP-345); only dynamic ones leave.
  if (!member || options_.group_instance_id || member_id_.empty() || coordinator_ < 0) {
    if (!options_.group_instance_id) member_id_.clear();
    done();
    return;
  }
  protocol::LeaveGroupRequest request;
  request.group_id = options_.group_id;
  net::SendOptions send;
  // v3+ name the leaving members in a list; brokers before Kafka 2.4 (and librdkafka's mock)
  // only know the single member id of v0-2.
  const auto version = group_network_.VersionFor(coordinator_, protocol::ApiKey::kLeaveGroup, 0, 5);
  if (version && *version < 3) {
    request.member_id = member_id_;
    send.max_version = 2;
  } else {
    request.members.emplace_back().member_id = member_id_;
    send.min_version = 3;
  }
  member_id_.clear();
  SendToCoordinator<protocol::LeaveGroupRequest, protocol::LeaveGroupResponse>(
      std::move(request), [done = std::move(done)](const Status&, protocol::LeaveGroupResponse&) { done(); }, send);
}

// --- Offsets ---------------------------------------------------------------------------------

void GroupCoordinator::Commit(const OffsetMap& offsets, net::Clock::time_point deadline,
                              std::function<void(Status)> done) {
  auto state = std::make_shared<CommitState>();
  state->offsets = offsets;
  state->deadline = deadline;
  state->done = std::move(done);
  CommitAttempt(std::move(state));
}

void GroupCoordinator::CommitAttempt(std::shared_ptr<CommitState> state) {
  if (state->offsets.empty()) {
    state->done(Status());
    return;
  }
  protocol::OffsetCommitRequest request;
  request.group_id = options_.group_id;
  const bool member = state_ == State::kStable;
  request.generation_id_or_member_epoch = member ? generation_.load() : -1;
  request.member_id = member ? member_id_ : std::string();
  request.group_instance_id = member ? options_.group_instance_id : std::nullopt;
  std::map<std::string, size_t> index;
  for (const auto& [tp, om] : state->offsets) {
    auto [it, added] = index.emplace(tp.topic, request.topics.size());
    if (added) request.topics.emplace_back().name = tp.topic;
    auto& p = request.topics[it->second].partitions.emplace_back();
    p.partition_index = tp.partition;
    p.committed_offset = om.offset;
    p.committed_leader_epoch = om.leader_epoch;
    p.committed_metadata = om.metadata;
  }
  net::SendOptions send;
  send.min_version = 2;
  send.max_version = 9;  // topics by name
  SendToCoordinator<protocol::OffsetCommitRequest, protocol::OffsetCommitResponse>(
      std::move(request),
      [this, alive = alive_, state](const Status& s, protocol::OffsetCommitResponse& r) {
        if (!*alive) return;
        Status error = s;
        if (error.ok()) {
          for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) {
              if (p.error_code != 0 && error.ok()) {
                error = Status(static_cast<ErrorCode>(p.error_code),
                               "commit of " + t.name + "-" + std::to_string(p.partition_index));
              }
            }
          }
        }
        if (error.ok()) {
          state->done(Status());
          return;
        }
        const ErrorCode code = error.code();
        if (IsCoordinatorError(code)) CoordinatorLost();
        if (code == ErrorCode::kUnknownMemberId || code == ErrorCode::kIllegalGeneration) {
          // The group moved on without us: these offsets are not ours to commit any more.
          rejoin_needed_ = true;
          state->done(Status(code, "commit failed: the group has rebalanced since these records were polled; "
                                   "rejoin and consume again"));
          return;
        }
        const auto wait = Backoff(state->attempts++);
        if ((error.retriable() || code == ErrorCode::kCoordinatorLoadInProgress) &&
            code != ErrorCode::kRebalanceInProgress && loop_->Now() + wait < state->deadline) {
          loop_->AddTimer(wait, [this, alive, state] {
            if (*alive) CommitAttempt(state);
          });
          return;
        }
        state->done(error);
      },
      send);
}

void GroupCoordinator::FetchCommitted(const std::vector<TopicPartition>& partitions,
                                      net::Clock::time_point deadline,
                                      std::function<void(Result<CommittedOffsets>)> done) {
  auto state = std::make_shared<FetchState>();
  state->partitions = partitions;
  state->deadline = deadline;
  state->done = std::move(done);
  FetchAttempt(std::move(state));
}

void GroupCoordinator::FetchAttempt(std::shared_ptr<FetchState> state) {
  protocol::OffsetFetchRequest request;
  request.group_id = options_.group_id;
  auto& topics = request.topics.emplace();
  std::map<std::string, size_t> index;
  for (const auto& tp : state->partitions) {
    auto [it, added] = index.emplace(tp.topic, topics.size());
    if (added) topics.emplace_back().name = tp.topic;
    topics[it->second].partition_indexes.push_back(tp.partition);
  }
  net::SendOptions send;
  send.min_version = 1;
  send.max_version = 7;  // one group per request
  SendToCoordinator<protocol::OffsetFetchRequest, protocol::OffsetFetchResponse>(
      std::move(request),
      [this, alive = alive_, state](const Status& s, protocol::OffsetFetchResponse& r) {
        if (!*alive) return;
        Status error = s;
        if (error.ok() && r.error_code != 0) error = Status(static_cast<ErrorCode>(r.error_code), "OffsetFetch");
        CommittedOffsets out;
        if (error.ok()) {
          for (const auto& t : r.topics) {
            for (const auto& p : t.partitions) {
              TopicPartition tp{t.name, p.partition_index};
              if (p.error_code != 0) {
                error = Status(static_cast<ErrorCode>(p.error_code), "OffsetFetch for " + tp.ToString());
                break;
              }
              if (p.committed_offset >= 0) {
                out[tp] = OffsetAndMetadata{p.committed_offset, p.metadata.value_or(""), p.committed_leader_epoch};
              } else {
                out[tp] = std::nullopt;
              }
            }
          }
        }
        if (error.ok()) {
          for (const auto& tp : state->partitions) out.try_emplace(tp, std::nullopt);
          state->done(std::move(out));
          return;
        }
        const ErrorCode code = error.code();
        if (IsCoordinatorError(code)) CoordinatorLost();
        const auto wait = Backoff(state->attempts++);
        if ((error.retriable() || code == ErrorCode::kCoordinatorLoadInProgress ||
             code == ErrorCode::kUnstableOffsetCommit) &&
            loop_->Now() + wait < state->deadline) {
          loop_->AddTimer(wait, [this, alive, state] {
            if (*alive) FetchAttempt(state);
          });
          return;
        }
        state->done(error);
      },
      send);
}

}  // namespace kclient::consumer
