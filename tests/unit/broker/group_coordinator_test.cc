// The classic group state machine driven directly, without sockets: a manual clock stands in
// for the event loop, so rebalance deadlines, session expiry and the initial delay are exact.
// Expectations follow Kafka 4.1's GroupMetadataManager / ClassicGroup behaviour.
#include "broker/group/group_coordinator.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace kclient::broker {
namespace {

namespace kp = protocol;

class ManualTimers final : public GroupTimers {
 public:
  Id Schedule(int64_t delay_ms, std::function<void()> fn) override {
    const Id id = next_id_++;
    const int64_t due = now_ + std::max<int64_t>(delay_ms, 0);
    pending_.emplace(std::make_pair(due, id), std::move(fn));
    due_.emplace(id, due);
    return id;
  }
  void Cancel(Id id) override {
    auto it = due_.find(id);
    if (it == due_.end()) return;
    pending_.erase({it->second, id});
    due_.erase(it);
  }
  int64_t NowMs() const override { return now_; }

  // Moves the clock forward, running every timer that falls due on the way, in order.
  void Advance(int64_t ms) {
    const int64_t target = now_ + ms;
    while (!pending_.empty() && pending_.begin()->first.first <= target) {
      auto it = pending_.begin();
      now_ = it->first.first;
      std::function<void()> fn = std::move(it->second);
      due_.erase(it->first.second);
      pending_.erase(it);
      fn();
    }
    now_ = target;
  }

 private:
  int64_t now_ = 1'700'000'000'000;
  Id next_id_ = 1;
  std::map<std::pair<int64_t, Id>, std::function<void()>> pending_;
  std::map<Id, int64_t> due_;
};

// Where a parked request's answer lands. The slot is shared with the callback, which may run
// after the test body (the coordinator answers parked requests when it shuts down).
template <typename Response>
struct Answer {
  std::shared_ptr<std::optional<Response>> slot = std::make_shared<std::optional<Response>>();
  std::optional<Response>& value = *slot;
  std::function<void(Response)> Callback() {
    return [slot = slot](Response r) { *slot = std::move(r); };
  }
  bool ready() const { return value.has_value(); }
  ErrorCode error() const { return static_cast<ErrorCode>(value->error_code); }
};
using JoinAnswer = Answer<kp::JoinGroupResponse>;
using SyncAnswer = Answer<kp::SyncGroupResponse>;

constexpr int32_t kSession = 10000;
constexpr int32_t kRebalance = 30000;
constexpr const char* kGroup = "g";

kp::JoinGroupRequest Join(const std::string& member_id, std::vector<std::string> protocols = {"range"},
                          std::optional<std::string> instance = std::nullopt, const std::string& metadata = "m") {
  kp::JoinGroupRequest r;
  r.group_id = kGroup;
  r.session_timeout_ms = kSession;
  r.rebalance_timeout_ms = kRebalance;
  r.member_id = member_id;
  r.group_instance_id = std::move(instance);
  r.protocol_type = "consumer";
  for (const std::string& p : protocols) {
    auto& e = r.protocols.emplace_back();
    e.name = p;
    e.metadata.assign(metadata.begin(), metadata.end());
    e.metadata.insert(e.metadata.end(), p.begin(), p.end());
  }
  return r;
}

kp::SyncGroupRequest Sync(const std::string& member_id, int32_t generation,
                          std::map<std::string, std::string> assignments = {}) {
  kp::SyncGroupRequest r;
  r.group_id = kGroup;
  r.member_id = member_id;
  r.generation_id = generation;
  for (const auto& [id, a] : assignments) {
    auto& e = r.assignments.emplace_back();
    e.member_id = id;
    e.assignment.assign(a.begin(), a.end());
  }
  return r;
}

kp::HeartbeatRequest Beat(const std::string& member_id, int32_t generation,
                          std::optional<std::string> instance = std::nullopt) {
  kp::HeartbeatRequest r;
  r.group_id = kGroup;
  r.member_id = member_id;
  r.generation_id = generation;
  r.group_instance_id = std::move(instance);
  return r;
}

std::string Str(const kp::Bytes& b) { return std::string(b.begin(), b.end()); }

class GroupCoordinatorTest : public ::testing::Test {
 protected:
  GroupCoordinatorTest() { Reset(0); }

  void Reset(int32_t initial_delay_ms, std::string data_dir = {}) {
    coordinator_.reset();
    GroupConfig config;
    config.initial_rebalance_delay_ms = initial_delay_ms;
    config.data_dir = std::move(data_dir);
    coordinator_ = std::make_unique<GroupCoordinator>(&timers_, config);
  }

  GroupCoordinator& gc() { return *coordinator_; }
  const Group& group() { return *gc().FindGroup(kGroup); }

  // KIP-394: the first JoinGroup (v5) gets MEMBER_ID_REQUIRED and an id; the second parks.
  std::string NewMemberId(const std::string& client_id) {
    JoinAnswer a;
    gc().JoinGroup(Join(""), 5, {client_id, "/127.0.0.1"}, a.Callback());
    EXPECT_TRUE(a.ready());
    EXPECT_EQ(a.error(), ErrorCode::kMemberIdRequired);
    EXPECT_EQ(a.value->member_id.rfind(client_id + "-", 0), 0u) << a.value->member_id;
    return a.value->member_id;
  }

  void JoinAs(const std::string& member_id, JoinAnswer* answer, std::vector<std::string> protocols = {"range"},
              std::optional<std::string> instance = std::nullopt, int16_t version = 5) {
    gc().JoinGroup(Join(member_id, std::move(protocols), std::move(instance)), version, {"client", "/127.0.0.1"},
                   answer->Callback());
  }

  // One member, Stable at generation 1 with assignment "a1".
  std::string StableSingleMember() {
    const std::string a = NewMemberId("a");
    JoinAnswer ja;
    JoinAs(a, &ja);
    timers_.Advance(0);  // the (zero) initial delay
    EXPECT_TRUE(ja.ready());
    SyncAnswer sa;
    gc().SyncGroup(Sync(a, 1, {{a, "a1"}}), sa.Callback());
    EXPECT_TRUE(sa.ready());
    EXPECT_EQ(group().state(), GroupState::kStable);
    return a;
  }

  ManualTimers timers_;
  std::unique_ptr<GroupCoordinator> coordinator_;
};

TEST_F(GroupCoordinatorTest, MemberIdRequiredThenFirstMemberLeadsGenerationOne) {
  const std::string a = NewMemberId("client-a");
  ASSERT_NE(gc().FindGroup(kGroup), nullptr);
  EXPECT_EQ(group().state(), GroupState::kEmpty);

  JoinAnswer ja;
  JoinAs(a, &ja);
  EXPECT_FALSE(ja.ready()) << "the join waits for the initial rebalance delay";
  EXPECT_EQ(group().state(), GroupState::kPreparingRebalance);
  timers_.Advance(0);
  ASSERT_TRUE(ja.ready());
  EXPECT_EQ(ja.error(), ErrorCode::kNone);
  EXPECT_EQ(ja.value->generation_id, 1);
  EXPECT_EQ(ja.value->leader, a);
  EXPECT_EQ(ja.value->member_id, a);
  EXPECT_EQ(ja.value->protocol_name, "range");
  ASSERT_EQ(ja.value->members.size(), 1u);
  EXPECT_EQ(Str(ja.value->members[0].metadata), "mrange");
  EXPECT_EQ(group().state(), GroupState::kCompletingRebalance);

  SyncAnswer sa;
  gc().SyncGroup(Sync(a, 1, {{a, "assignment-a"}}), sa.Callback());
  ASSERT_TRUE(sa.ready());
  EXPECT_EQ(sa.error(), ErrorCode::kNone);
  EXPECT_EQ(Str(sa.value->assignment), "assignment-a");
  EXPECT_EQ(group().state(), GroupState::kStable);
}

TEST_F(GroupCoordinatorTest, OldVersionsJoinWithoutMemberIdRequired) {
  JoinAnswer ja;
  JoinAs("", &ja, {"range"}, std::nullopt, /*version=*/3);
  EXPECT_FALSE(ja.ready());
  timers_.Advance(0);
  ASSERT_TRUE(ja.ready());
  EXPECT_EQ(ja.error(), ErrorCode::kNone);
  EXPECT_FALSE(ja.value->member_id.empty());
  EXPECT_EQ(ja.value->generation_id, 1);
}

TEST_F(GroupCoordinatorTest, SecondMemberRebalancesAndFollowerWaitsForLeaderSync) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId("b");
  JoinAnswer jb;
  JoinAs(b, &jb);
  EXPECT_EQ(group().state(), GroupState::kPreparingRebalance);
  EXPECT_FALSE(jb.ready()) << "waits for the known member to rejoin";
  EXPECT_EQ(gc().Heartbeat(Beat(a, 1)), ErrorCode::kRebalanceInProgress);

  JoinAnswer ja;
  JoinAs(a, &ja);
  ASSERT_TRUE(ja.ready());
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(ja.value->generation_id, 2);
  EXPECT_EQ(jb.value->generation_id, 2);
  EXPECT_EQ(ja.value->leader, a);
  EXPECT_EQ(jb.value->leader, a);
  EXPECT_EQ(ja.value->members.size(), 2u) << "the leader gets every member's metadata";
  EXPECT_TRUE(jb.value->members.empty());

  SyncAnswer sb;
  gc().SyncGroup(Sync(b, 2), sb.Callback());
  EXPECT_FALSE(sb.ready()) << "a follower waits for the leader's assignment";
  EXPECT_EQ(gc().Heartbeat(Beat(b, 2)), ErrorCode::kNone);
  SyncAnswer sa;
  gc().SyncGroup(Sync(a, 2, {{a, "pa"}, {b, "pb"}}), sa.Callback());
  ASSERT_TRUE(sa.ready());
  ASSERT_TRUE(sb.ready());
  EXPECT_EQ(Str(sa.value->assignment), "pa");
  EXPECT_EQ(Str(sb.value->assignment), "pb");
  EXPECT_EQ(sb.value->protocol_name, "range");
  EXPECT_EQ(group().state(), GroupState::kStable);
  EXPECT_EQ(gc().Heartbeat(Beat(a, 1)), ErrorCode::kIllegalGeneration);
}

TEST_F(GroupCoordinatorTest, RebalanceTimeoutDropsDynamicMembersThatDidNotRejoin) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId("b");
  JoinAnswer jb;
  JoinAs(b, &jb);
  // a keeps heartbeating (so its session holds) but never rejoins.
  for (int i = 0; i < 5; ++i) {
    timers_.Advance(kRebalance / 5 - 1);
    EXPECT_EQ(gc().Heartbeat(Beat(a, 1)), ErrorCode::kRebalanceInProgress);
  }
  EXPECT_FALSE(jb.ready());
  timers_.Advance(10);
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(jb.value->generation_id, 2);
  EXPECT_EQ(jb.value->leader, b) << "the leader did not rejoin; a member that did leads";
  EXPECT_FALSE(group().has_member(a));
  EXPECT_EQ(gc().Heartbeat(Beat(a, 1)), ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, SessionExpiryRemovesMemberAndRebalances) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId("b");
  JoinAnswer jb, ja;
  JoinAs(b, &jb);
  JoinAs(a, &ja);
  SyncAnswer sa, sb;
  gc().SyncGroup(Sync(b, 2), sb.Callback());
  gc().SyncGroup(Sync(a, 2, {{a, "pa"}, {b, "pb"}}), sa.Callback());
  ASSERT_EQ(group().state(), GroupState::kStable);

  // Only a heartbeats; b goes silent.
  for (int i = 0; i < 4; ++i) {
    timers_.Advance(kSession / 4);
    EXPECT_EQ(gc().Heartbeat(Beat(a, 2)), i < 3 ? ErrorCode::kNone : ErrorCode::kRebalanceInProgress) << i;
  }
  EXPECT_FALSE(group().has_member(b));
  EXPECT_EQ(group().state(), GroupState::kPreparingRebalance);
  JoinAnswer again;
  JoinAs(a, &again);
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again.value->generation_id, 3);
  EXPECT_EQ(again.value->members.size(), 1u);
}

TEST_F(GroupCoordinatorTest, PendingMemberExpiresAfterSessionTimeout) {
  StableSingleMember();
  const std::string b = NewMemberId("b");
  timers_.Advance(kSession + 1);
  JoinAnswer jb;
  JoinAs(b, &jb);
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(jb.error(), ErrorCode::kUnknownMemberId) << "its pending id expired";
}

TEST_F(GroupCoordinatorTest, FollowerThatNeverSyncsIsRemovedAfterRebalanceTimeout) {
  const std::string a = StableSingleMember();
  const std::string b = NewMemberId("b");
  JoinAnswer jb, ja;
  JoinAs(b, &jb);
  JoinAs(a, &ja);
  SyncAnswer sa;
  gc().SyncGroup(Sync(a, 2, {{a, "pa"}, {b, "pb"}}), sa.Callback());
  ASSERT_TRUE(sa.ready());
  EXPECT_EQ(group().state(), GroupState::kStable);
  // Both keep their sessions alive, but b never asks for its assignment.
  for (int elapsed = 0; elapsed <= kRebalance; elapsed += kSession / 2) {
    EXPECT_EQ(gc().Heartbeat(Beat(a, 2)), elapsed < kRebalance ? ErrorCode::kNone : ErrorCode::kRebalanceInProgress);
    if (group().has_member(b)) {
      EXPECT_EQ(gc().Heartbeat(Beat(b, 2)), ErrorCode::kNone);
    }
    timers_.Advance(kSession / 2);
  }
  EXPECT_FALSE(group().has_member(b));
  EXPECT_TRUE(group().has_member(a));
  EXPECT_EQ(group().state(), GroupState::kPreparingRebalance);
}

TEST_F(GroupCoordinatorTest, SyncAndHeartbeatErrors) {
  const std::string a = StableSingleMember();
  SyncAnswer s1, s2, s3;
  gc().SyncGroup(Sync(a, 7), s1.Callback());
  EXPECT_EQ(s1.error(), ErrorCode::kIllegalGeneration);
  gc().SyncGroup(Sync("nobody", 1), s2.Callback());
  EXPECT_EQ(s2.error(), ErrorCode::kUnknownMemberId);
  kp::SyncGroupRequest wrong = Sync(a, 1);
  wrong.protocol_name = "roundrobin";
  gc().SyncGroup(wrong, s3.Callback());
  EXPECT_EQ(s3.error(), ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(gc().Heartbeat(Beat("nobody", 1)), ErrorCode::kUnknownMemberId);
  kp::HeartbeatRequest unknown_group = Beat(a, 1);
  unknown_group.group_id = "other";
  EXPECT_EQ(gc().Heartbeat(unknown_group), ErrorCode::kUnknownMemberId);

  // During the join phase SyncGroup says REBALANCE_IN_PROGRESS.
  const std::string b = NewMemberId("b");
  JoinAnswer jb;
  JoinAs(b, &jb);
  SyncAnswer s4;
  gc().SyncGroup(Sync(a, 1), s4.Callback());
  EXPECT_EQ(s4.error(), ErrorCode::kRebalanceInProgress);
}

TEST_F(GroupCoordinatorTest, JoinValidation) {
  JoinAnswer bad_timeout, bad_type, unknown;
  kp::JoinGroupRequest r = Join("");
  r.session_timeout_ms = 10;
  gc().JoinGroup(r, 5, {"c", "/h"}, bad_timeout.Callback());
  EXPECT_EQ(bad_timeout.error(), ErrorCode::kInvalidSessionTimeout);
  gc().JoinGroup(Join("made-up"), 5, {"c", "/h"}, unknown.Callback());
  EXPECT_EQ(unknown.error(), ErrorCode::kUnknownMemberId) << "a member id for a group that does not exist";

  StableSingleMember();
  kp::JoinGroupRequest other_type = Join("");
  other_type.protocol_type = "connect";
  gc().JoinGroup(other_type, 5, {"c", "/h"}, bad_type.Callback());
  EXPECT_EQ(bad_type.error(), ErrorCode::kInconsistentGroupProtocol);
  JoinAnswer no_common;
  gc().JoinGroup(Join("", {"roundrobin"}), 5, {"c", "/h"}, no_common.Callback());
  EXPECT_EQ(no_common.error(), ErrorCode::kInconsistentGroupProtocol);
}

TEST_F(GroupCoordinatorTest, ProtocolSelectedByVotesAmongProtocolsEveryoneSupports) {
  // a prefers roundrobin, b prefers roundrobin, c prefers range: roundrobin wins 2 to 1.
  const std::string a = NewMemberId("a");
  const std::string b = NewMemberId("b");
  const std::string c = NewMemberId("c");
  JoinAnswer ja, jb, jc;
  JoinAs(a, &ja, {"roundrobin", "range"});
  JoinAs(b, &jb, {"roundrobin", "range", "cooperative-sticky"});
  JoinAs(c, &jc, {"range", "roundrobin"});
  timers_.Advance(0);
  ASSERT_TRUE(ja.ready() && jb.ready() && jc.ready());
  EXPECT_EQ(ja.value->protocol_name, "roundrobin");
  EXPECT_EQ(ja.value->members.size(), 3u);
  for (const auto& m : ja.value->members) EXPECT_EQ(Str(m.metadata), "mroundrobin");
}

TEST_F(GroupCoordinatorTest, InitialDelayWaitsAndExtendsWhileMembersArrive) {
  Reset(3000);
  const std::string a = NewMemberId("a");
  JoinAnswer ja, jb;
  JoinAs(a, &ja);
  timers_.Advance(2000);
  EXPECT_FALSE(ja.ready());
  const std::string b = NewMemberId("b");
  JoinAs(b, &jb);
  timers_.Advance(1500);  // the first delay ends; b arrived during it, so it is extended
  EXPECT_FALSE(ja.ready());
  timers_.Advance(3000);
  ASSERT_TRUE(ja.ready());
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(ja.value->generation_id, 1);
  EXPECT_EQ(ja.value->members.size(), 2u);
}

TEST_F(GroupCoordinatorTest, StaticMemberRejoinReplacesIdWithoutRebalance) {
  const std::string a = StableSingleMember();
  JoinAnswer js, ja;
  JoinAs("", &js, {"range"}, std::string("instance-1"));
  EXPECT_FALSE(js.ready()) << "a new static member rebalances the group like any new member";
  JoinAs(a, &ja);
  ASSERT_TRUE(js.ready());
  const std::string s = js.value->member_id;
  EXPECT_EQ(s.rfind("instance-1-", 0), 0u) << s;
  SyncAnswer sa, ss;
  gc().SyncGroup(Sync(s, 2), ss.Callback());
  gc().SyncGroup(Sync(a, 2, {{a, "pa"}, {s, "ps"}}), sa.Callback());
  ASSERT_EQ(group().state(), GroupState::kStable);
  ASSERT_EQ(group().generation(), 2);

  // The static member restarts: a new JoinGroup without member id, same instance id.
  JoinAnswer again;
  JoinAs("", &again, {"range"}, std::string("instance-1"));
  ASSERT_TRUE(again.ready()) << "no rebalance: answered at once";
  EXPECT_EQ(again.error(), ErrorCode::kNone);
  EXPECT_NE(again.value->member_id, s);
  EXPECT_EQ(again.value->generation_id, 2);
  EXPECT_EQ(group().state(), GroupState::kStable);
  EXPECT_EQ(gc().Heartbeat(Beat(a, 2)), ErrorCode::kNone) << "the other member sees no rebalance";
  EXPECT_EQ(gc().Heartbeat(Beat(s, 2, "instance-1")), ErrorCode::kFencedInstanceId) << "the old id is fenced";
  SyncAnswer resync;
  gc().SyncGroup(Sync(again.value->member_id, 2), resync.Callback());
  ASSERT_TRUE(resync.ready());
  EXPECT_EQ(Str(resync.value->assignment), "ps") << "it keeps its assignment";
}

TEST_F(GroupCoordinatorTest, StaticLeaderRejoinSkipsAssignmentFromV9) {
  JoinAnswer js;
  JoinAs("", &js, {"range"}, std::string("lead"), 9);
  timers_.Advance(0);
  ASSERT_TRUE(js.ready());
  SyncAnswer ss;
  gc().SyncGroup(Sync(js.value->member_id, 1, {{js.value->member_id, "x"}}), ss.Callback());
  ASSERT_EQ(group().state(), GroupState::kStable);

  JoinAnswer v9, v5;
  JoinAs("", &v9, {"range"}, std::string("lead"), 9);
  ASSERT_TRUE(v9.ready());
  EXPECT_TRUE(v9.value->skip_assignment);
  EXPECT_EQ(v9.value->leader, v9.value->member_id);
  EXPECT_EQ(v9.value->members.size(), 1u);
  JoinAs("", &v5, {"range"}, std::string("lead"), 5);
  ASSERT_TRUE(v5.ready());
  EXPECT_FALSE(v5.value->skip_assignment);
  EXPECT_EQ(v5.value->leader, v9.value->member_id) << "an old client is told the previous leader id";
  EXPECT_EQ(group().state(), GroupState::kStable);
}

TEST_F(GroupCoordinatorTest, LeaveGroupBatchIncludingStaticByInstanceId) {
  const std::string a = StableSingleMember();
  JoinAnswer js, ja;
  JoinAs("", &js, {"range"}, std::string("inst"));
  JoinAs(a, &ja);
  ASSERT_TRUE(js.ready() && ja.ready());
  SyncAnswer s1, s2;
  gc().SyncGroup(Sync(js.value->member_id, 2), s1.Callback());
  gc().SyncGroup(Sync(a, 2, {}), s2.Callback());
  ASSERT_EQ(group().state(), GroupState::kStable);

  auto result = gc().LeaveGroup(kGroup, {{"", std::string("inst")}, {"ghost", std::nullopt}});
  EXPECT_EQ(result.error, ErrorCode::kNone);
  ASSERT_EQ(result.members.size(), 2u);
  EXPECT_EQ(result.members[0], ErrorCode::kNone);
  EXPECT_EQ(result.members[1], ErrorCode::kUnknownMemberId);
  EXPECT_EQ(group().state(), GroupState::kPreparingRebalance);

  result = gc().LeaveGroup(kGroup, {{a, std::nullopt}});
  EXPECT_EQ(result.members[0], ErrorCode::kNone);
  EXPECT_EQ(group().state(), GroupState::kEmpty) << "the last member leaving completes the rebalance empty";
  EXPECT_EQ(group().generation(), 3);
  EXPECT_EQ(gc().LeaveGroup("missing", {{"x", std::nullopt}}).members[0], ErrorCode::kUnknownMemberId);
}

TEST_F(GroupCoordinatorTest, OffsetCommitChecksAndFetch) {
  using Entries = std::vector<GroupCoordinator::CommitEntry>;
  // Simple (standalone) commits create the group and are accepted while it is Empty.
  auto errors = gc().CommitOffsets("simple", -1, "", std::nullopt, 8, Entries{{"t", 0, 42, 3, "meta"}});
  EXPECT_EQ(errors, std::vector<ErrorCode>{ErrorCode::kNone});
  ASSERT_NE(gc().FindGroup("simple"), nullptr);
  EXPECT_EQ(gc().FindGroup("simple")->state(), GroupState::kEmpty);
  auto fetched = gc().FetchOffsets("simple", std::vector<GroupCoordinator::TopicPartitions>{{"t", {0, 1}}});
  ASSERT_EQ(fetched.size(), 2u);
  EXPECT_EQ(fetched[0].offset, 42);
  EXPECT_EQ(fetched[0].leader_epoch, 3);
  EXPECT_EQ(fetched[0].metadata, "meta");
  EXPECT_EQ(fetched[1].offset, -1);
  EXPECT_EQ(gc().FetchOffsets("simple", std::nullopt).size(), 1u);

  // A generation for a group that does not exist.
  EXPECT_EQ(gc().CommitOffsets("nope", 3, "m", std::nullopt, 8, Entries{{"t", 0, 1, -1, {}}})[0],
            ErrorCode::kIllegalGeneration);
  EXPECT_EQ(gc().CommitOffsets("nope", 3, "m", std::nullopt, 9, Entries{{"t", 0, 1, -1, {}}})[0],
            ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(gc().CommitOffsets("simple", -1, "", std::nullopt, 8, Entries{{"t", 0, 1, -1, std::string(5000, 'x')}})[0],
            ErrorCode::kOffsetMetadataTooLarge);

  const std::string a = StableSingleMember();
  EXPECT_EQ(gc().CommitOffsets(kGroup, 1, a, std::nullopt, 8, Entries{{"t", 0, 7, -1, {}}})[0], ErrorCode::kNone);
  EXPECT_EQ(gc().CommitOffsets(kGroup, 0, a, std::nullopt, 8, Entries{{"t", 0, 7, -1, {}}})[0],
            ErrorCode::kIllegalGeneration);
  EXPECT_EQ(gc().CommitOffsets(kGroup, 1, "who", std::nullopt, 8, Entries{{"t", 0, 7, -1, {}}})[0],
            ErrorCode::kUnknownMemberId);
  EXPECT_EQ(gc().CommitOffsets(kGroup, -1, "", std::nullopt, 8, Entries{{"t", 0, 7, -1, {}}})[0],
            ErrorCode::kUnknownMemberId)
      << "simple commits are refused while the group has members";

  // Generation 2 joined but not yet synced: REBALANCE_IN_PROGRESS.
  const std::string b = NewMemberId("b");
  JoinAnswer ja, jb;
  JoinAs(b, &jb);
  EXPECT_EQ(gc().CommitOffsets(kGroup, 1, a, std::nullopt, 8, Entries{{"t", 0, 8, -1, {}}})[0], ErrorCode::kNone)
      << "the previous generation may still commit while the group prepares";
  JoinAs(a, &ja);
  EXPECT_EQ(group().state(), GroupState::kCompletingRebalance);
  EXPECT_EQ(gc().CommitOffsets(kGroup, 2, a, std::nullopt, 8, Entries{{"t", 0, 9, -1, {}}})[0],
            ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(gc().FetchOffsets(kGroup, std::nullopt)[0].offset, 8);
}

TEST_F(GroupCoordinatorTest, DescribeAndList) {
  EXPECT_EQ(gc().DescribeGroup("none", 5).group_state, "Dead");
  EXPECT_EQ(gc().DescribeGroup("none", 5).error_code, 0);
  EXPECT_EQ(gc().DescribeGroup("none", 6).error_code, static_cast<int16_t>(ErrorCode::kGroupIdNotFound));

  const std::string a = StableSingleMember();
  auto d = gc().DescribeGroup(kGroup, 5);
  EXPECT_EQ(d.group_state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_data, "range");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, a);
  EXPECT_EQ(d.members[0].client_id, "client");
  EXPECT_EQ(d.members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(Str(d.members[0].member_metadata), "mrange");
  EXPECT_EQ(Str(d.members[0].member_assignment), "a1");

  const std::string b = NewMemberId("b");
  JoinAnswer jb;
  JoinAs(b, &jb);
  d = gc().DescribeGroup(kGroup, 5);
  EXPECT_EQ(d.group_state, "PreparingRebalance");
  EXPECT_EQ(d.protocol_data, "");
  EXPECT_TRUE(d.members[0].member_metadata.empty()) << "metadata only when Stable";

  auto listed = gc().ListGroups();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].group_id, kGroup);
  EXPECT_EQ(listed[0].state, GroupState::kPreparingRebalance);
}

TEST_F(GroupCoordinatorTest, ShutdownAnswersParkedRequestsNotCoordinator) {
  StableSingleMember();
  const std::string b = NewMemberId("b");
  JoinAnswer jb;
  JoinAs(b, &jb);
  gc().Shutdown();
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(jb.error(), ErrorCode::kNotCoordinator);
  EXPECT_EQ(group().state(), GroupState::kDead);
}

class OffsetStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("kclient-offset-store-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(OffsetStoreTest, SurvivesReloadAndRejectsDamage) {
  {
    OffsetStore store(dir_.string());
    ASSERT_TRUE(store.Load().ok());
    ASSERT_TRUE(store.Commit("g1", {{"orders", 0, {100, 5, "meta", 1}}, {"orders", 3, {7, -1, "", 2}}}).ok());
    ASSERT_TRUE(store.Commit("g2", {{"other", 1, {1, -1, "", 3}}}).ok());
    ASSERT_TRUE(store.Commit("g1", {{"orders", 0, {101, 6, "m2", 4}}}).ok());
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "committed-offsets.tmp"));
  OffsetStore reloaded(dir_.string());
  ASSERT_TRUE(reloaded.Load().ok());
  const CommittedOffset* o = reloaded.Get("g1", "orders", 0);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->offset, 101);
  EXPECT_EQ(o->leader_epoch, 6);
  EXPECT_EQ(o->metadata, "m2");
  ASSERT_NE(reloaded.Get("g1", "orders", 3), nullptr);
  EXPECT_EQ(reloaded.Get("g2", "other", 1)->offset, 1);
  EXPECT_EQ(reloaded.Groups(), (std::vector<std::string>{"g1", "g2"}));

  // Flip one byte in the middle: the checksum catches it.
  const std::string path = reloaded.path();
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(20);
  f.put('\x7f');
  f.close();
  OffsetStore damaged(dir_.string());
  Status s = damaged.Load();
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kLocalIo);
}

TEST_F(OffsetStoreTest, CoordinatorLoadRecreatesGroupsWithOffsets) {
  GroupConfig config;
  config.data_dir = dir_.string();
  ManualTimers timers;
  {
    GroupCoordinator gc(&timers, config);
    ASSERT_TRUE(gc.Load().ok());
    gc.CommitOffsets("persisted", -1, "", std::nullopt, 8, {{"t", 2, 55, 1, "x"}});
  }
  GroupCoordinator gc(&timers, config);
  ASSERT_TRUE(gc.Load().ok());
  ASSERT_NE(gc.FindGroup("persisted"), nullptr);
  EXPECT_EQ(gc.FindGroup("persisted")->state(), GroupState::kEmpty);
  auto fetched = gc.FetchOffsets("persisted", std::nullopt);
  ASSERT_EQ(fetched.size(), 1u);
  EXPECT_EQ(fetched[0].offset, 55);
  EXPECT_EQ(fetched[0].metadata, "x");
}

}  // namespace
}  // namespace kclient::broker
