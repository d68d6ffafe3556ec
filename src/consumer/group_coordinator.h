// GroupCoordinator: this member's side of the classic group protocol, and the group's offsets.
// It finds the group's coordinator, joins (JoinGroup, with MEMBER_ID_REQUIRED handled), runs
// the assignor when it is the leader, syncs (SyncGroup), heartbeats every
// heartbeat.interval.ms, leaves (LeaveGroup), and commits and fetches offsets. It talks to the
// coordinator over a NetworkClient of its own, so heartbeats never queue behind a fetch.
//
// The polling thread drives rebalances (Join is called from Poll, as in Java); the heartbeat
// runs by itself. What the heartbeat learns (a rebalance started, the member was fenced, Poll
// came too late) is published through atomics that Poll reads, and `on_event` nudges a waiting
// Poll.
//
// Thread-safety: every method runs on the I/O thread, except the atomics' readers and
// NotePoll, which any thread may call.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "client/metadata.h"
#include "consumer/subscription_state.h"
#include "kclient/consumer.h"
#include "net/network_client.h"
#include "util/backoff.h"

namespace kclient::consumer {

// A member as the leader's JoinGroup answer lists it.
struct JoinedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<uint8_t> metadata;  // its ConsumerProtocolSubscription
};

class GroupCoordinator {
 public:
  struct JoinResult {
    Status status;
    int32_t generation = -1;
    std::string protocol;                 // the assignor the group chose
    std::vector<TopicPartition> assignment;
  };
  using CommittedOffsets = std::map<TopicPartition, std::optional<OffsetAndMetadata>>;

  GroupCoordinator(net::EventLoop* loop, const ConsumerOptions& options, std::vector<net::BrokerAddress> bootstrap,
                   net::NetworkClient* network, client::Metadata* metadata, SubscriptionState* subscriptions,
                   std::function<void()> on_event);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // Joins or rejoins with the current subscription, owning `owned` (for cooperative
  // assignors), until `done` gets the new assignment or a non-retriable error. While a join is
  // running, another Join call only replaces `done`.
  void Join(std::vector<TopicPartition> owned, std::function<void(JoinResult)> done);
  // Commits `offsets` as this member (or as a group-less committer when not a member).
  // Retriable errors are retried until `deadline`.
  void Commit(const OffsetMap& offsets, net::Clock::time_point deadline, std::function<void(Status)> done);
  void FetchCommitted(const std::vector<TopicPartition>& partitions, net::Clock::time_point deadline,
                      std::function<void(Result<CommittedOffsets>)> done);
  // Leaves the group (dynamic members only; static members keep their place, as in Java) and
  // stops heartbeating.
  void Leave(std::function<void()> done);

  // --- Read by the polling thread ------------------------------------------------------------
  bool rejoin_needed() const { return rejoin_needed_.load(); }
  // The polling thread wants another round (cooperative: after revoking, so that others get
  // what it gave up; or the subscription changed).
  void RequestRejoin() { rejoin_needed_ = true; }
  // The member lost its partitions without a rebalance it took part in (fenced, evicted).
  bool TakePartitionsLost() { return partitions_lost_.exchange(false); }
  // Poll came later than max.poll.interval.ms, so the member left the group.
  bool TakePollTimeout() { return poll_timed_out_.exchange(false); }
  void NotePoll() { last_poll_ns_.store(net::Clock::now().time_since_epoch().count()); }
  int32_t generation() const { return generation_.load(); }

 private:
  enum class State { kUnjoined, kJoining, kStable };
  template <typename Request, typename Response>
  void SendToCoordinator(Request request, std::function<void(const Status&, Response&)> done,
                         net::SendOptions options = {});
  void FindCoordinator(std::function<void(const Status&)> done);
  void CoordinatorLost();

  void SendJoin();
  void OnJoined(struct JoinGroupAnswer& answer);
  void Assign(const std::string& protocol, const std::vector<JoinedMember>& members,
              std::function<void(Result<std::map<std::string, std::vector<uint8_t>>>)> done);
  void SendSync(std::map<std::string, std::vector<uint8_t>> assignments);
  std::map<std::string, int32_t> PartitionCounts(const std::set<std::string>& topics) const;
  void OnMetadataUpdate();
  void FinishJoin(JoinResult result);
  void RetryJoin(const Status& why);

  void ScheduleHeartbeat();
  void Heartbeat();

  void CommitAttempt(std::shared_ptr<struct CommitState> state);
  void FetchAttempt(std::shared_ptr<struct FetchState> state);
  net::Clock::duration Backoff(uint32_t attempts);

  net::EventLoop* loop_;
  const ConsumerOptions& options_;
  net::NetworkClient* network_;        // shared with the fetcher: finding the coordinator
  net::NetworkClient group_network_;   // the coordinator connection, heartbeats included
  client::Metadata* metadata_;
  SubscriptionState* subscriptions_;
  std::function<void()> on_event_;
  util::ExponentialBackoff backoff_;
  std::mt19937 rng_{std::random_device{}()};

  int32_t coordinator_ = -1;
  bool finding_coordinator_ = false;
  std::vector<std::function<void(const Status&)>> coordinator_waiters_;

  State state_ = State::kUnjoined;
  std::string member_id_;
  std::string protocol_;  // the assignor the group chose in the last JoinGroup
  std::atomic<int32_t> generation_{-1};
  std::vector<TopicPartition> owned_;
  std::vector<TopicPartition> last_assignment_;  // for the sticky assignors' user data
  int32_t last_generation_ = -1;
  // What the leader assigned from: every member's topics and their partition counts then (a
  // topic without metadata is absent). Empty unless this member is the group's leader.
  struct LeaderSnapshot {
    std::set<std::string> topics;
    std::map<std::string, int32_t> partition_counts;
  };
  std::optional<LeaderSnapshot> leader_snapshot_;
  std::function<void(JoinResult)> join_done_;
  uint32_t join_attempts_ = 0;
  net::EventLoop::TimerId heartbeat_timer_ = 0;
  bool heartbeat_in_flight_ = false;
  net::Clock::time_point last_heartbeat_ok_{};

  std::atomic<bool> rejoin_needed_{true};
  std::atomic<bool> partitions_lost_{false};
  std::atomic<bool> poll_timed_out_{false};
  std::atomic<int64_t> last_poll_ns_{0};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kclient::consumer
