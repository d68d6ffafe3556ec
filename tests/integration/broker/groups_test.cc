// Classic consumer groups on the embedded broker, driven by peers we did not write: librdkafka's
// high-level consumer (subscribe, rebalance callbacks, commit, committed) for membership,
// rebalances with each assignor, session expiry, static membership and committed offsets that
// survive a restart; and raw requests (tests/support/blocking_client.h) for the protocol details
// a client library hides: MEMBER_ID_REQUIRED, ILLEGAL_GENERATION, per-partition commit errors,
// batched FindCoordinator and OffsetFetch, DescribeGroups / ListGroups, NOT_COORDINATOR and
// injected errors.
//
// Set KCLIENT_GROUPS_EXTERNAL_BOOTSTRAP=host:port to run the raw-protocol tests that need no
// fault injection against another broker (a real Kafka) instead: that is how their expectations
// were checked against Apache Kafka 4.1.1.
//
// Nothing sleeps: every wait polls a condition until a generous deadline.
#include <librdkafka/rdkafka.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "kclient/embedded_cluster.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/describe_groups.h"
#include "protocol/messages/find_coordinator.h"
#include "protocol/messages/heartbeat.h"
#include "protocol/messages/join_group.h"
#include "protocol/messages/leave_group.h"
#include "protocol/messages/list_groups.h"
#include "protocol/messages/offset_commit.h"
#include "protocol/messages/offset_fetch.h"
#include "protocol/messages/sync_group.h"

namespace kclient {
namespace {

namespace kp = protocol;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kDeadline = seconds(45);

// ---- librdkafka high-level consumer ----------------------------------------------------------

using Settings = std::map<std::string, std::string>;

// One group member. Rebalance callbacks run inside Poll on the test thread and record the
// assignment; eager protocols replace it, COOPERATIVE adds and removes increments.
class GroupConsumer {
 public:
  GroupConsumer(const std::string& bootstrap, const std::string& group, const std::string& topic, Settings extra) {
    Settings s = {
        {"bootstrap.servers", bootstrap},
        {"group.id", group},
        {"client.id", "groups-test"},
        {"enable.auto.commit", "false"},
        {"auto.offset.reset", "earliest"},
        {"session.timeout.ms", "6000"},
        {"heartbeat.interval.ms", "200"},
        {"topic.metadata.refresh.interval.ms", "1000"},
        {"log_level", "3"},
    };
    for (auto& [k, v] : extra) s[k] = v;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : s) {
      EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &GroupConsumer::OnRebalance);
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk_ == nullptr) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return;
    }
    rd_kafka_poll_set_consumer(rk_);
    if (!topic.empty()) {
      rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
      EXPECT_EQ(rd_kafka_subscribe(rk_, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
      rd_kafka_topic_partition_list_destroy(topics);
    }
  }
  ~GroupConsumer() { Close(); }
  GroupConsumer(const GroupConsumer&) = delete;
  GroupConsumer& operator=(const GroupConsumer&) = delete;

  rd_kafka_t* handle() { return rk_; }

  struct Received {
    int32_t partition;
    int64_t offset;
    std::string value;
  };

  void Poll(int ms) {
    if (rk_ == nullptr) return;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, ms);
    if (m == nullptr) return;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      received_.push_back({m->partition, m->offset, std::string(static_cast<const char*>(m->payload), m->len)});
    }
    rd_kafka_message_destroy(m);
  }
  // Every record this consumer got, in arrival order.
  const std::vector<Received>& received() const { return received_; }

  // Leaves the group (LeaveGroup for dynamic members) and destroys the handle.
  void Close() {
    if (rk_ == nullptr) return;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }
  // Vanishes without a word: no LeaveGroup, no more heartbeats.
  void Kill() {
    if (rk_ == nullptr) return;
    rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
    rk_ = nullptr;
  }

  const std::set<int32_t>& assignment() const { return assignment_; }
  int rebalance_callbacks() const { return callbacks_; }
  std::string member_id() {
    char* id = rd_kafka_memberid(rk_);
    std::string out = id ? id : "";
    if (id) rd_kafka_mem_free(rk_, id);
    return out;
  }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    auto* self = static_cast<GroupConsumer*>(opaque);
    ++self->callbacks_;
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
        self->assignment_.clear();
      }
      for (int i = 0; i < parts->cnt; ++i) self->assignment_.insert(parts->elems[i].partition);
    } else {
      if (cooperative) {
        if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
        for (int i = 0; i < parts->cnt; ++i) self->assignment_.erase(parts->elems[i].partition);
      } else {
        rd_kafka_assign(rk, nullptr);
        self->assignment_.clear();
      }
    }
  }

  rd_kafka_t* rk_ = nullptr;
  std::set<int32_t> assignment_;
  int callbacks_ = 0;
  std::vector<Received> received_;
};

// Polls every consumer in turn until `done()` holds; false at the deadline.
bool PollUntil(const std::vector<GroupConsumer*>& consumers, const std::function<bool()>& done,
               Clock::duration timeout = kDeadline) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    for (GroupConsumer* c : consumers) c->Poll(20);
  }
  return true;
}

// Polls for `duration` (to give an unwanted rebalance the chance to show).
void PollFor(const std::vector<GroupConsumer*>& consumers, Clock::duration duration) {
  const auto until = Clock::now() + duration;
  while (Clock::now() < until) {
    for (GroupConsumer* c : consumers) c->Poll(20);
  }
}

// True when the consumers' assignments are non-empty, disjoint, and together cover 0..n-1.
bool SplitsPartitions(const std::vector<GroupConsumer*>& consumers, int32_t n) {
  std::multiset<int32_t> all;
  for (GroupConsumer* c : consumers) {
    if (c->assignment().empty()) return false;
    all.insert(c->assignment().begin(), c->assignment().end());
  }
  if (all.size() != static_cast<size_t>(n)) return false;
  for (int32_t p = 0; p < n; ++p) {
    if (all.count(p) != 1) return false;
  }
  return true;
}

std::string Describe(const std::vector<GroupConsumer*>& consumers) {
  std::string out;
  for (size_t i = 0; i < consumers.size(); ++i) {
    out += " c" + std::to_string(i) + "={";
    for (int32_t p : consumers[i]->assignment()) out += std::to_string(p) + ",";
    out += "}";
  }
  return out;
}

std::unique_ptr<EmbeddedCluster> StartCluster(EmbeddedClusterOptions o = {}) {
  o.group_min_session_timeout_ms = 500;
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// ---- Membership with each assignor -------------------------------------------------------------

class AssignorTest : public ::testing::TestWithParam<const char*> {};

TEST_P(AssignorTest, MembersSplitPartitionsAndTakeOverFromLeavingAndDeadMembers) {
  const std::string assignor = GetParam();
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "orders-" + assignor;
  ASSERT_TRUE(cluster->CreateTopic(topic, 4, 1).ok());
  const std::string group = "group-" + assignor;
  const Settings settings = {{"partition.assignment.strategy", assignor}};
  Settings short_session = settings;
  short_session["session.timeout.ms"] = "2000";

  GroupConsumer c1(cluster->bootstrap_servers(), group, topic, settings);
  GroupConsumer c2(cluster->bootstrap_servers(), group, topic, short_session);
  ASSERT_TRUE(PollUntil({&c1, &c2}, [&] { return SplitsPartitions({&c1, &c2}, 4); })) << Describe({&c1, &c2});
  EXPECT_EQ(c1.assignment().size(), 2u);

  // A third member joins: everyone rebalances and each gets a share.
  auto c3 = std::make_unique<GroupConsumer>(cluster->bootstrap_servers(), group, topic, settings);
  ASSERT_TRUE(PollUntil({&c1, &c2, c3.get()}, [&] { return SplitsPartitions({&c1, &c2, c3.get()}, 4); }))
      << Describe({&c1, &c2, c3.get()});

  // It leaves cleanly (LeaveGroup): the other two take its partitions over.
  c3->Close();
  ASSERT_TRUE(PollUntil({&c1, &c2}, [&] { return SplitsPartitions({&c1, &c2}, 4); })) << Describe({&c1, &c2});

  // c2 dies silently: only its session timeout (2 s) tells the coordinator.
  const auto killed_at = Clock::now();
  c2.Kill();
  ASSERT_TRUE(PollUntil({&c1}, [&] { return c1.assignment().size() == 4; })) << Describe({&c1});
  EXPECT_GE(Clock::now() - killed_at, milliseconds(1500)) << "taken over before the session could expire";
}

INSTANTIATE_TEST_SUITE_P(Assignors, AssignorTest, ::testing::Values("range", "roundrobin", "cooperative-sticky"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// ---- Static membership (KIP-345) ---------------------------------------------------------------

TEST(StaticMembership, RestartWithinSessionTimeoutDoesNotRebalanceOthers) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("static-topic", 4, 1).ok());
  const Settings s1 = {{"group.instance.id", "instance-1"}, {"session.timeout.ms", "10000"}};
  const Settings s2 = {{"group.instance.id", "instance-2"}, {"session.timeout.ms", "10000"}};
  auto c1 = std::make_unique<GroupConsumer>(cluster->bootstrap_servers(), "static-group", "static-topic", s1);
  GroupConsumer c2(cluster->bootstrap_servers(), "static-group", "static-topic", s2);
  ASSERT_TRUE(PollUntil({c1.get(), &c2}, [&] { return SplitsPartitions({c1.get(), &c2}, 4); }))
      << Describe({c1.get(), &c2});
  PollFor({c1.get(), &c2}, milliseconds(500));  // settle: no callbacks pending
  const std::set<int32_t> c1_partitions = c1->assignment();
  const std::set<int32_t> c2_partitions = c2.assignment();
  const int c2_callbacks = c2.rebalance_callbacks();
  const std::string old_member_id = c1->member_id();

  // c1 restarts with the same group.instance.id: it gets a new member id and its old partitions
  // back, and nobody else rebalances.
  c1->Kill();
  c1 = std::make_unique<GroupConsumer>(cluster->bootstrap_servers(), "static-group", "static-topic", s1);
  ASSERT_TRUE(PollUntil({c1.get(), &c2}, [&] { return !c1->assignment().empty(); })) << Describe({c1.get(), &c2});
  PollFor({c1.get(), &c2}, seconds(2));
  EXPECT_EQ(c1->assignment(), c1_partitions);
  EXPECT_NE(c1->member_id(), old_member_id);
  EXPECT_EQ(c2.assignment(), c2_partitions);
  EXPECT_EQ(c2.rebalance_callbacks(), c2_callbacks) << "the other member was rebalanced";
}

// ---- Committed offsets -------------------------------------------------------------------------

rd_kafka_topic_partition_list_t* OffsetList(const std::string& topic, const std::vector<int64_t>& offsets,
                                            bool with_metadata) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
  for (size_t p = 0; p < offsets.size(); ++p) {
    rd_kafka_topic_partition_t* tp = rd_kafka_topic_partition_list_add(list, topic.c_str(), static_cast<int32_t>(p));
    tp->offset = offsets[p];
    if (with_metadata) {
      const std::string md = "md-" + std::to_string(p);
      tp->metadata = std::malloc(md.size());
      std::memcpy(tp->metadata, md.data(), md.size());
      tp->metadata_size = md.size();
    }
  }
  return list;
}

// What rd_kafka_committed returns for partitions 0..n-1: offset and metadata.
std::vector<std::pair<int64_t, std::string>> Committed(rd_kafka_t* rk, const std::string& topic, int n) {
  rd_kafka_topic_partition_list_t* list = OffsetList(topic, std::vector<int64_t>(static_cast<size_t>(n), -1), false);
  const rd_kafka_resp_err_t err = rd_kafka_committed(rk, list, 30000);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  std::vector<std::pair<int64_t, std::string>> out(static_cast<size_t>(n), {-2, ""});
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    EXPECT_EQ(tp.err, RD_KAFKA_RESP_ERR_NO_ERROR) << tp.partition;
    std::string md = tp.metadata ? std::string(static_cast<const char*>(tp.metadata), tp.metadata_size) : "";
    out[static_cast<size_t>(tp.partition)] = {tp.offset, md};
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

TEST(CommittedOffsets, MemberCommitsAndANewMemberReadsThemBack) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("commits", 4, 1).ok());
  {
    GroupConsumer member(cluster->bootstrap_servers(), "commit-group", "commits", {});
    ASSERT_TRUE(PollUntil({&member}, [&] { return member.assignment().size() == 4; }));
    rd_kafka_topic_partition_list_t* offsets = OffsetList("commits", {10, 20, 30, 40}, true);
    const rd_kafka_resp_err_t err = rd_kafka_commit(member.handle(), offsets, /*async=*/0);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    for (int i = 0; i < offsets->cnt; ++i) EXPECT_EQ(offsets->elems[i].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(offsets);
    member.Close();
  }
  GroupConsumer reader(cluster->bootstrap_servers(), "commit-group", "", {});
  const auto committed = Committed(reader.handle(), "commits", 4);
  for (int p = 0; p < 4; ++p) {
    EXPECT_EQ(committed[static_cast<size_t>(p)].first, 10 * (p + 1)) << p;
    EXPECT_EQ(committed[static_cast<size_t>(p)].second, "md-" + std::to_string(p)) << p;
  }
  // Another group has committed nothing.
  GroupConsumer stranger(cluster->bootstrap_servers(), "other-group", "", {});
  for (const auto& [offset, md] : Committed(stranger.handle(), "commits", 4)) {
    EXPECT_EQ(offset, RD_KAFKA_OFFSET_INVALID);
  }
}

TEST(CommittedOffsets, SurviveAClusterRestartWithDataDir) {
  const std::filesystem::path dir = std::filesystem::path(KCLIENT_TEST_TMP_DIR) /
                                     ("groups-test-data-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  struct RemoveAtEnd {
    std::filesystem::path dir;
    ~RemoveAtEnd() { std::filesystem::remove_all(dir); }
  } remove_at_end{dir};
  EmbeddedClusterOptions o;
  o.data_dir = dir.string();
  {
    auto cluster = StartCluster(o);
    ASSERT_NE(cluster, nullptr);
    ASSERT_TRUE(cluster->CreateTopic("durable", 4, 1).ok());
    // A standalone consumer (assign, no subscription) commits with generation -1.
    GroupConsumer standalone(cluster->bootstrap_servers(), "durable-group", "", {});
    rd_kafka_topic_partition_list_t* offsets = OffsetList("durable", {5, 6, 7, 8}, true);
    const rd_kafka_resp_err_t err = rd_kafka_commit(standalone.handle(), offsets, 0);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    rd_kafka_topic_partition_list_destroy(offsets);
    standalone.Close();
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "committed-offsets"));
  {
    auto cluster = StartCluster(o);
    ASSERT_NE(cluster, nullptr);
    const Status created = cluster->CreateTopic("durable", 4, 1);  // topics may or may not persist
    EXPECT_TRUE(created.ok() || created.code() == ErrorCode::kTopicAlreadyExists) << created.ToString();
    GroupConsumer reader(cluster->bootstrap_servers(), "durable-group", "", {});
    const auto committed = Committed(reader.handle(), "durable", 4);
    for (int p = 0; p < 4; ++p) {
      EXPECT_EQ(committed[static_cast<size_t>(p)].first, 5 + p) << p;
      EXPECT_EQ(committed[static_cast<size_t>(p)].second, "md-" + std::to_string(p)) << p;
    }
  }
}

// ---- Data flowing through a group --------------------------------------------------------------

// Produces `per_partition` records to each of `partitions` partitions, values "p<partition>-<i>"
// counting from `first`, and waits for every delivery.
void Produce(const std::string& bootstrap, const std::string& topic, int32_t partitions, int first, int per_partition) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err), RD_KAFKA_CONF_OK);
  ASSERT_EQ(rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err), RD_KAFKA_CONF_OK);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  for (int32_t p = 0; p < partitions; ++p) {
    for (int i = first; i < first + per_partition; ++i) {
      std::string value = "p" + std::to_string(p) + "-" + std::to_string(i);
      EXPECT_EQ(rd_kafka_produce(rkt, p, RD_KAFKA_MSG_F_COPY, value.data(), value.size(), nullptr, 0, nullptr), 0);
    }
  }
  EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(rd_kafka_outq_len(rk), 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
}

TEST(GroupDataFlow, ConsumerResumesFromTheGroupsCommittedPositions) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("flow", 4, 1).ok());
  Produce(cluster->bootstrap_servers(), "flow", 4, 0, 10);

  {
    GroupConsumer first(cluster->bootstrap_servers(), "flow-group", "flow", {});
    ASSERT_TRUE(PollUntil({&first}, [&] { return first.received().size() >= 40; }))
        << first.received().size() << " of 40";
    // Commit the consumed positions (next offset to read: 10 everywhere).
    const rd_kafka_resp_err_t err = rd_kafka_commit(first.handle(), nullptr, /*async=*/0);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    first.Close();
    std::map<int32_t, int> per_partition;
    for (const auto& r : first.received()) ++per_partition[r.partition];
    EXPECT_EQ(per_partition, (std::map<int32_t, int>{{0, 10}, {1, 10}, {2, 10}, {3, 10}}));
  }
  {
    GroupConsumer reader(cluster->bootstrap_servers(), "flow-group", "", {});
    for (const auto& [offset, md] : Committed(reader.handle(), "flow", 4)) EXPECT_EQ(offset, 10);
  }

  // A new member of the group starts where the group left off: only the new records arrive.
  Produce(cluster->bootstrap_servers(), "flow", 4, 10, 1);
  GroupConsumer second(cluster->bootstrap_servers(), "flow-group", "flow", {});
  ASSERT_TRUE(PollUntil({&second}, [&] { return second.received().size() >= 4; })) << second.received().size();
  PollFor({&second}, milliseconds(500));
  ASSERT_EQ(second.received().size(), 4u);
  for (const auto& r : second.received()) {
    EXPECT_EQ(r.offset, 10) << r.value;
    EXPECT_EQ(r.value, "p" + std::to_string(r.partition) + "-10");
  }
}

// ---- Raw protocol --------------------------------------------------------------------------------

// ConsumerProtocolSubscription v0 for `topic`, as the Java client and librdkafka write it.
kp::Bytes Subscription(const std::string& topic) {
  kp::Bytes b = {0, 0, 0, 0, 0, 1, 0, static_cast<uint8_t>(topic.size())};
  b.insert(b.end(), topic.begin(), topic.end());
  b.insert(b.end(), {0xff, 0xff, 0xff, 0xff});  // null user data
  return b;
}

// ConsumerProtocolAssignment v0: `topic` partitions `partitions`.
kp::Bytes Assignment(const std::string& topic, const std::vector<int32_t>& partitions) {
  kp::Bytes b = {0, 0, 0, 0, 0, 1, 0, static_cast<uint8_t>(topic.size())};
  b.insert(b.end(), topic.begin(), topic.end());
  b.insert(b.end(), {0, 0, 0, static_cast<uint8_t>(partitions.size())});
  for (int32_t p : partitions) b.insert(b.end(), {0, 0, 0, static_cast<uint8_t>(p)});
  b.insert(b.end(), {0xff, 0xff, 0xff, 0xff});
  return b;
}

ErrorCode Err(int16_t code) { return static_cast<ErrorCode>(code); }

class RawGroupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* external = std::getenv("KCLIENT_GROUPS_EXTERNAL_BOOTSTRAP")) {
      bootstrap_ = external;
      // Unique names so that reruns against a long-lived broker start from nothing.
      suffix_ = "-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name();
    } else {
      cluster_ = StartCluster();
      ASSERT_NE(cluster_, nullptr);
      bootstrap_ = cluster_->bootstrap_servers();
    }
    topic_ = "raw-topic" + suffix_;
    group_ = "raw-group" + suffix_;
    CreateTopic(topic_, 3);
  }

  bool external() const { return cluster_ == nullptr; }

  void CreateTopic(const std::string& name, int32_t partitions) {
    if (!external()) {
      ASSERT_TRUE(cluster_->CreateTopic(name, partitions, 1).ok());
      return;
    }
    testing::BlockingClient c;
    ASSERT_TRUE(c.Connect(bootstrap_).ok());
    kp::CreateTopicsRequest req;
    auto& t = req.topics.emplace_back();
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = 1;
    req.timeout_ms = 30000;
    kp::CreateTopicsResponse resp;
    ASSERT_TRUE(c.RoundTrip(req, 5, &resp).ok());
    ASSERT_EQ(resp.topics.size(), 1u);
    const ErrorCode e = Err(resp.topics[0].error_code);
    ASSERT_TRUE(e == ErrorCode::kNone || e == ErrorCode::kTopicAlreadyExists) << ErrorName(e);
  }

  // The group coordinator's address, asking (and retrying while Kafka creates its offsets
  // topic) with FindCoordinator v4's batched keys.
  std::string Coordinator(const std::string& group) {
    testing::BlockingClient c;
    EXPECT_TRUE(c.Connect(bootstrap_).ok());
    const auto deadline = Clock::now() + kDeadline;
    while (Clock::now() < deadline) {
      kp::FindCoordinatorRequest req;
      req.key_type = 0;
      req.coordinator_keys = {group};
      kp::FindCoordinatorResponse resp;
      if (!c.RoundTrip(req, 4, &resp).ok() || resp.coordinators.size() != 1) break;
      const auto& co = resp.coordinators[0];
      if (co.error_code == 0) {
        EXPECT_EQ(co.key, group);
        const std::string address = co.host + ":" + std::to_string(co.port);
        if (CoordinatorReady(address, group)) return address;
        continue;
      }
      if (Err(co.error_code) != ErrorCode::kCoordinatorNotAvailable) {
        ADD_FAILURE() << "FindCoordinator: " << ErrorName(Err(co.error_code));
        break;
      }
    }
    ADD_FAILURE() << "no coordinator for " << group;
    return "";
  }

  // Whether the coordinator has loaded the group's state: a fresh Kafka answers NOT_COORDINATOR
  // or COORDINATOR_LOAD_IN_PROGRESS for a while after FindCoordinator first names it.
  static bool CoordinatorReady(const std::string& address, const std::string& group) {
    testing::BlockingClient c;
    if (!c.Connect(address).ok()) return false;
    kp::HeartbeatRequest hb;
    hb.group_id = group;
    hb.member_id = "probe";
    kp::HeartbeatResponse r;
    if (!c.RoundTrip(hb, 4, &r).ok()) return false;
    const ErrorCode e = Err(r.error_code);
    return e != ErrorCode::kNotCoordinator && e != ErrorCode::kCoordinatorLoadInProgress &&
           e != ErrorCode::kCoordinatorNotAvailable;
  }

  kp::JoinGroupRequest JoinRequest(const std::string& member_id) {
    kp::JoinGroupRequest r;
    r.group_id = group_;
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 10000;
    r.member_id = member_id;
    r.protocol_type = "consumer";
    auto& p = r.protocols.emplace_back();
    p.name = "range";
    p.metadata = Subscription(topic_);
    return r;
  }

  // Joins as the only member of group_ and syncs an assignment: returns member id and generation.
  std::pair<std::string, int32_t> JoinAlone(testing::BlockingClient& c) {
    kp::JoinGroupResponse first, joined;
    EXPECT_TRUE(c.RoundTrip(JoinRequest(""), 5, &first).ok());
    EXPECT_EQ(Err(first.error_code), ErrorCode::kMemberIdRequired);
    EXPECT_TRUE(c.RoundTrip(JoinRequest(first.member_id), 5, &joined).ok());
    EXPECT_EQ(Err(joined.error_code), ErrorCode::kNone);
    kp::SyncGroupRequest sync;
    sync.group_id = group_;
    sync.generation_id = joined.generation_id;
    sync.member_id = joined.member_id;
    auto& a = sync.assignments.emplace_back();
    a.member_id = joined.member_id;
    a.assignment = Assignment(topic_, {0, 1, 2});
    kp::SyncGroupResponse synced;
    EXPECT_TRUE(c.RoundTrip(sync, 3, &synced).ok());
    EXPECT_EQ(Err(synced.error_code), ErrorCode::kNone);
    EXPECT_EQ(synced.assignment, Assignment(topic_, {0, 1, 2}));
    return {joined.member_id, joined.generation_id};
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  std::string bootstrap_;
  std::string suffix_;
  std::string topic_;
  std::string group_;
};

TEST_F(RawGroupTest, MemberIdRequiredThenJoinAsLeaderAndHeartbeat) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());

  kp::JoinGroupResponse first;
  ASSERT_TRUE(c.RoundTrip(JoinRequest(""), 5, &first).ok());
  EXPECT_EQ(Err(first.error_code), ErrorCode::kMemberIdRequired);
  EXPECT_EQ(first.member_id.rfind("kclient-test-", 0), 0u) << first.member_id;
  EXPECT_EQ(first.generation_id, -1);

  kp::JoinGroupResponse joined;
  ASSERT_TRUE(c.RoundTrip(JoinRequest(first.member_id), 5, &joined).ok());
  EXPECT_EQ(Err(joined.error_code), ErrorCode::kNone);
  EXPECT_EQ(joined.member_id, first.member_id);
  EXPECT_EQ(joined.leader, first.member_id);
  EXPECT_EQ(joined.generation_id, 1);
  EXPECT_EQ(joined.protocol_name, "range");
  ASSERT_EQ(joined.members.size(), 1u);
  EXPECT_EQ(joined.members[0].metadata, Subscription(topic_));

  kp::HeartbeatRequest hb;
  hb.group_id = group_;
  hb.member_id = joined.member_id;
  hb.generation_id = joined.generation_id;
  kp::HeartbeatResponse hbr;
  ASSERT_TRUE(c.RoundTrip(hb, 3, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kNone) << "CompletingRebalance accepts heartbeats";
}

TEST_F(RawGroupTest, IllegalGenerationAndUnknownMember) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());
  const auto [member_id, generation] = JoinAlone(c);
  ASSERT_EQ(generation, 1);

  kp::HeartbeatRequest hb;
  hb.group_id = group_;
  hb.member_id = member_id;
  hb.generation_id = generation;
  kp::HeartbeatResponse hbr;
  ASSERT_TRUE(c.RoundTrip(hb, 4, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kNone);
  hb.generation_id = generation + 1;
  ASSERT_TRUE(c.RoundTrip(hb, 4, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kIllegalGeneration);
  hb.member_id = "someone-else";
  ASSERT_TRUE(c.RoundTrip(hb, 4, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kUnknownMemberId);

  kp::SyncGroupRequest sync;
  sync.group_id = group_;
  sync.member_id = member_id;
  sync.generation_id = 7;
  kp::SyncGroupResponse sr;
  ASSERT_TRUE(c.RoundTrip(sync, 4, &sr).ok());
  EXPECT_EQ(Err(sr.error_code), ErrorCode::kIllegalGeneration);
  // From v5 protocol type and name are mandatory; without them nothing else is looked at.
  ASSERT_TRUE(c.RoundTrip(sync, 5, &sr).ok());
  EXPECT_EQ(Err(sr.error_code), ErrorCode::kInconsistentGroupProtocol);
  sync.protocol_type = "consumer";
  sync.protocol_name = "range";
  ASSERT_TRUE(c.RoundTrip(sync, 5, &sr).ok());
  EXPECT_EQ(Err(sr.error_code), ErrorCode::kIllegalGeneration);
  sync.generation_id = generation;
  sync.protocol_name = "roundrobin";
  ASSERT_TRUE(c.RoundTrip(sync, 5, &sr).ok());
  EXPECT_EQ(Err(sr.error_code), ErrorCode::kInconsistentGroupProtocol);
  sync.protocol_name = "range";
  ASSERT_TRUE(c.RoundTrip(sync, 5, &sr).ok());
  EXPECT_EQ(Err(sr.error_code), ErrorCode::kNone);
  EXPECT_EQ(sr.protocol_type, "consumer");
  EXPECT_EQ(sr.protocol_name, "range");
  EXPECT_EQ(sr.assignment, Assignment(topic_, {0, 1, 2}));

  kp::OffsetCommitRequest commit;
  commit.group_id = group_;
  commit.member_id = member_id;
  commit.generation_id_or_member_epoch = 9;
  auto& t = commit.topics.emplace_back();
  t.name = topic_;
  t.partitions.emplace_back().partition_index = 0;
  kp::OffsetCommitResponse cr;
  ASSERT_TRUE(c.RoundTrip(commit, 8, &cr).ok());
  EXPECT_EQ(Err(cr.topics.at(0).partitions.at(0).error_code), ErrorCode::kIllegalGeneration);

  // Rejoining with the same metadata in Stable as the leader forces a new generation.
  kp::JoinGroupResponse rejoined;
  ASSERT_TRUE(c.RoundTrip(JoinRequest(member_id), 5, &rejoined).ok());
  EXPECT_EQ(Err(rejoined.error_code), ErrorCode::kNone);
  EXPECT_EQ(rejoined.generation_id, 2);
}

TEST_F(RawGroupTest, CommitAndFetchOffsetsWithEpochMetadataAndUnknownPartitions) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());
  const auto [member_id, generation] = JoinAlone(c);

  kp::OffsetCommitRequest commit;
  commit.group_id = group_;
  commit.member_id = member_id;
  commit.generation_id_or_member_epoch = generation;
  auto& t = commit.topics.emplace_back();
  t.name = topic_;
  for (int32_t p : {0, 2, 9}) {
    auto& e = t.partitions.emplace_back();
    e.partition_index = p;
    e.committed_offset = 100 + p;
    e.committed_leader_epoch = 4;
    e.committed_metadata = "meta-" + std::to_string(p);
  }
  auto& missing = commit.topics.emplace_back();
  missing.name = "no-such-topic" + suffix_;
  missing.partitions.emplace_back().partition_index = 0;
  kp::OffsetCommitResponse cr;
  ASSERT_TRUE(c.RoundTrip(commit, 8, &cr).ok());
  // Per topic and partition (Kafka lists the partitions it rejected up front first).
  std::map<std::pair<std::string, int32_t>, ErrorCode> errors;
  for (const auto& rt : cr.topics) {
    for (const auto& rp : rt.partitions) errors[{rt.name, rp.partition_index}] = Err(rp.error_code);
  }
  const std::map<std::pair<std::string, int32_t>, ErrorCode> expected = {
      {{topic_, 0}, ErrorCode::kNone},
      {{topic_, 2}, ErrorCode::kNone},
      {{topic_, 9}, ErrorCode::kUnknownTopicOrPartition},
      {{missing.name, 0}, ErrorCode::kUnknownTopicOrPartition},
  };
  EXPECT_EQ(errors, expected);

  // v7: one group, asked partitions; -1 and empty metadata where nothing is committed.
  kp::OffsetFetchRequest fetch;
  fetch.group_id = group_;
  fetch.topics.emplace();
  auto& ft = fetch.topics->emplace_back();
  ft.name = topic_;
  ft.partition_indexes = {0, 1, 2};
  kp::OffsetFetchResponse fr;
  ASSERT_TRUE(c.RoundTrip(fetch, 7, &fr).ok());
  EXPECT_EQ(fr.error_code, 0);
  ASSERT_EQ(fr.topics.size(), 1u);
  ASSERT_EQ(fr.topics[0].partitions.size(), 3u);
  EXPECT_EQ(fr.topics[0].partitions[0].committed_offset, 100);
  EXPECT_EQ(fr.topics[0].partitions[0].committed_leader_epoch, 4);
  EXPECT_EQ(fr.topics[0].partitions[0].metadata, "meta-0");
  EXPECT_EQ(fr.topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(fr.topics[0].partitions[1].committed_leader_epoch, -1);
  EXPECT_EQ(fr.topics[0].partitions[1].metadata, "");
  EXPECT_EQ(fr.topics[0].partitions[2].committed_offset, 102);

  // v8: several groups at once; null topics asks for everything committed.
  kp::OffsetFetchRequest batch;
  auto& g1 = batch.groups.emplace_back();
  g1.group_id = group_;
  g1.topics.reset();
  auto& g2 = batch.groups.emplace_back();
  g2.group_id = "never-committed" + suffix_;
  g2.topics.reset();
  kp::OffsetFetchResponse br;
  ASSERT_TRUE(c.RoundTrip(batch, 8, &br).ok());
  ASSERT_EQ(br.groups.size(), 2u);
  EXPECT_EQ(br.groups[0].group_id, group_);
  EXPECT_EQ(br.groups[0].error_code, 0);
  ASSERT_EQ(br.groups[0].topics.size(), 1u);
  std::vector<int32_t> partitions;
  for (const auto& p : br.groups[0].topics[0].partitions) partitions.push_back(p.partition_index);
  std::sort(partitions.begin(), partitions.end());
  EXPECT_EQ(partitions, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(br.groups[1].error_code, 0);
  EXPECT_TRUE(br.groups[1].topics.empty());
}

TEST_F(RawGroupTest, DescribeAndListGroups) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());
  const auto [member_id, generation] = JoinAlone(c);

  kp::DescribeGroupsRequest dreq;
  dreq.groups = {group_, "unknown-group" + suffix_};
  kp::DescribeGroupsResponse dresp;
  // (Kafka describes what its log has committed, which may trail the SyncGroup answer a little.)
  const auto deadline = Clock::now() + kDeadline;
  do {
    ASSERT_TRUE(c.RoundTrip(dreq, 5, &dresp).ok());
    ASSERT_EQ(dresp.groups.size(), 2u);
  } while (dresp.groups[0].group_state != "Stable" && Clock::now() < deadline);
  const auto& d = dresp.groups[0];
  EXPECT_EQ(d.error_code, 0);
  EXPECT_EQ(d.group_state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_data, "range");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, member_id);
  EXPECT_EQ(d.members[0].client_id, "kclient-test");
  EXPECT_EQ(d.members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(d.members[0].member_metadata, Subscription(topic_));
  EXPECT_EQ(d.members[0].member_assignment, Assignment(topic_, {0, 1, 2}));
  EXPECT_EQ(dresp.groups[1].group_state, "Dead");
  EXPECT_EQ(dresp.groups[1].error_code, 0);
  kp::DescribeGroupsResponse v6;
  ASSERT_TRUE(c.RoundTrip(dreq, 6, &v6).ok());
  EXPECT_EQ(Err(v6.groups.at(1).error_code), ErrorCode::kGroupIdNotFound);

  auto list = [&](int16_t version, std::vector<std::string> states, std::vector<std::string> types) {
    kp::ListGroupsRequest req;
    req.states_filter = std::move(states);
    req.types_filter = std::move(types);
    kp::ListGroupsResponse resp;
    EXPECT_TRUE(c.RoundTrip(req, version, &resp).ok());
    EXPECT_EQ(resp.error_code, 0);
    for (const auto& g : resp.groups) {
      if (g.group_id == group_) return std::optional<kp::ListGroupsResponse::ListedGroup>(g);
    }
    return std::optional<kp::ListGroupsResponse::ListedGroup>();
  };
  auto all = list(5, {}, {});
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->protocol_type, "consumer");
  EXPECT_EQ(all->group_state, "Stable");
  EXPECT_EQ(all->group_type, "classic");
  EXPECT_TRUE(list(4, {"stable"}, {}).has_value()) << "states compare case-insensitively";
  EXPECT_FALSE(list(4, {"Empty"}, {}).has_value());
  EXPECT_TRUE(list(5, {}, {"Classic"}).has_value());
  EXPECT_FALSE(list(5, {}, {"consumer"}).has_value());

  // The member leaves (v3 batch form): the group empties.
  kp::LeaveGroupRequest leave;
  leave.group_id = group_;
  auto& m = leave.members.emplace_back();
  m.member_id = member_id;
  auto& ghost = leave.members.emplace_back();
  ghost.member_id = "ghost";
  kp::LeaveGroupResponse lr;
  ASSERT_TRUE(c.RoundTrip(leave, 3, &lr).ok());
  EXPECT_EQ(lr.error_code, 0);
  ASSERT_EQ(lr.members.size(), 2u);
  EXPECT_EQ(lr.members[0].error_code, 0);
  EXPECT_EQ(Err(lr.members[1].error_code), ErrorCode::kUnknownMemberId);
  auto empty = list(4, {"empty"}, {});
  ASSERT_TRUE(empty.has_value());
  EXPECT_EQ(empty->group_state, "Empty");
  EXPECT_EQ(empty->protocol_type, "consumer") << "an emptied group keeps its protocol type";
  dreq.groups = {group_};
  ASSERT_TRUE(c.RoundTrip(dreq, 5, &dresp).ok());
  EXPECT_EQ(dresp.groups.at(0).group_state, "Empty");
  EXPECT_EQ(dresp.groups.at(0).protocol_type, "consumer");
  EXPECT_EQ(dresp.groups.at(0).protocol_data, "");
  EXPECT_TRUE(dresp.groups.at(0).members.empty());
}

TEST_F(RawGroupTest, RebalanceOfTwoMembersStepByStep) {
  const std::string coordinator = Coordinator(group_);
  testing::BlockingClient a, b, admin;
  ASSERT_TRUE(a.Connect(coordinator).ok());
  ASSERT_TRUE(b.Connect(coordinator).ok());
  ASSERT_TRUE(admin.Connect(coordinator).ok());
  const std::pair<std::string, int32_t> a_joined_alone = JoinAlone(a);
  const std::string a_id = a_joined_alone.first;
  const int32_t gen1 = a_joined_alone.second;  // (lambdas cannot capture structured bindings in C++20)
  auto state = [&] {
    kp::DescribeGroupsRequest req;
    req.groups = {group_};
    kp::DescribeGroupsResponse resp;
    EXPECT_TRUE(admin.RoundTrip(req, 5, &resp).ok());
    return resp.groups.at(0);
  };
  auto commit = [&](testing::BlockingClient& c, const std::string& member, int32_t generation, int64_t offset) {
    kp::OffsetCommitRequest req;
    req.group_id = group_;
    req.member_id = member;
    req.generation_id_or_member_epoch = generation;
    auto& t = req.topics.emplace_back();
    t.name = topic_;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 0;
    p.committed_offset = offset;
    kp::OffsetCommitResponse resp;
    EXPECT_TRUE(c.RoundTrip(req, 8, &resp).ok());
    return Err(resp.topics.at(0).partitions.at(0).error_code);
  };

  // b's JoinGroup parks while the group waits for a to rejoin.
  kp::JoinGroupResponse b_first;
  ASSERT_TRUE(b.RoundTrip(JoinRequest(""), 5, &b_first).ok());
  ASSERT_EQ(Err(b_first.error_code), ErrorCode::kMemberIdRequired);
  kp::JoinGroupResponse b_joined;
  std::thread b_join([&] { EXPECT_TRUE(b.RoundTrip(JoinRequest(b_first.member_id), 5, &b_joined).ok()); });
  const auto deadline = Clock::now() + kDeadline;
  while (state().group_state != "PreparingRebalance" && Clock::now() < deadline) {
  }
  EXPECT_EQ(state().group_state, "PreparingRebalance");
  EXPECT_TRUE(state().members.at(0).member_metadata.empty()) << "metadata is described only when Stable";

  kp::HeartbeatRequest hb;
  hb.group_id = group_;
  hb.member_id = a_id;
  hb.generation_id = gen1;
  kp::HeartbeatResponse hbr;
  ASSERT_TRUE(a.RoundTrip(hb, 4, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(commit(a, a_id, gen1, 11), ErrorCode::kNone) << "the old generation may commit while preparing";

  kp::JoinGroupResponse a_joined;
  ASSERT_TRUE(a.RoundTrip(JoinRequest(a_id), 5, &a_joined).ok());
  b_join.join();
  EXPECT_EQ(Err(a_joined.error_code), ErrorCode::kNone);
  EXPECT_EQ(Err(b_joined.error_code), ErrorCode::kNone);
  EXPECT_EQ(a_joined.generation_id, gen1 + 1);
  EXPECT_EQ(b_joined.generation_id, gen1 + 1);
  EXPECT_EQ(a_joined.leader, a_id);
  EXPECT_EQ(b_joined.leader, a_id);
  EXPECT_EQ(a_joined.members.size(), 2u);
  EXPECT_TRUE(b_joined.members.empty());
  EXPECT_EQ(state().group_state, "CompletingRebalance");
  EXPECT_EQ(commit(a, a_id, gen1 + 1, 12), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(commit(a, a_id, gen1, 12), ErrorCode::kIllegalGeneration);

  // b's SyncGroup parks until the leader's arrives.
  kp::SyncGroupResponse b_synced;
  std::thread b_sync([&] {
    kp::SyncGroupRequest req;
    req.group_id = group_;
    req.member_id = b_first.member_id;
    req.generation_id = gen1 + 1;
    EXPECT_TRUE(b.RoundTrip(req, 3, &b_synced).ok());
  });
  kp::SyncGroupRequest lead;
  lead.group_id = group_;
  lead.member_id = a_id;
  lead.generation_id = gen1 + 1;
  auto& aa = lead.assignments.emplace_back();
  aa.member_id = a_id;
  aa.assignment = Assignment(topic_, {0, 1});
  auto& ab = lead.assignments.emplace_back();
  ab.member_id = b_first.member_id;
  ab.assignment = Assignment(topic_, {2});
  kp::SyncGroupResponse a_synced;
  ASSERT_TRUE(a.RoundTrip(lead, 3, &a_synced).ok());
  b_sync.join();
  EXPECT_EQ(Err(a_synced.error_code), ErrorCode::kNone);
  EXPECT_EQ(Err(b_synced.error_code), ErrorCode::kNone);
  EXPECT_EQ(a_synced.assignment, Assignment(topic_, {0, 1}));
  EXPECT_EQ(b_synced.assignment, Assignment(topic_, {2}));
  EXPECT_EQ(state().group_state, "Stable");
  EXPECT_EQ(commit(b, b_first.member_id, gen1 + 1, 13), ErrorCode::kNone);

  // LeaveGroup v1 names one member; its error is the request's.
  kp::LeaveGroupRequest leave;
  leave.group_id = group_;
  leave.member_id = b_first.member_id;
  kp::LeaveGroupResponse left;
  ASSERT_TRUE(b.RoundTrip(leave, 1, &left).ok());
  EXPECT_EQ(left.error_code, 0);
  ASSERT_TRUE(b.RoundTrip(leave, 1, &left).ok());
  EXPECT_EQ(Err(left.error_code), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(state().group_state, "PreparingRebalance");
}

TEST_F(RawGroupTest, StaticMemberReplacedWithoutRebalance) {
  const std::string coordinator = Coordinator(group_);
  testing::BlockingClient first, second, third;
  ASSERT_TRUE(first.Connect(coordinator).ok());
  ASSERT_TRUE(second.Connect(coordinator).ok());
  ASSERT_TRUE(third.Connect(coordinator).ok());
  kp::JoinGroupRequest join = JoinRequest("");
  join.group_instance_id = "instance-a";

  // A static member needs no MEMBER_ID_REQUIRED round; its id starts with its instance id.
  kp::JoinGroupResponse joined;
  ASSERT_TRUE(first.RoundTrip(join, 5, &joined).ok());
  ASSERT_EQ(Err(joined.error_code), ErrorCode::kNone);
  EXPECT_EQ(joined.member_id.rfind("instance-a-", 0), 0u) << joined.member_id;
  EXPECT_EQ(joined.leader, joined.member_id);
  ASSERT_EQ(joined.members.size(), 1u);
  EXPECT_EQ(joined.members[0].group_instance_id, "instance-a");
  kp::SyncGroupRequest sync;
  sync.group_id = group_;
  sync.member_id = joined.member_id;
  sync.group_instance_id = "instance-a";
  sync.generation_id = joined.generation_id;
  auto& mine = sync.assignments.emplace_back();
  mine.member_id = joined.member_id;
  mine.assignment = Assignment(topic_, {0, 1, 2});
  kp::SyncGroupResponse synced;
  ASSERT_TRUE(first.RoundTrip(sync, 3, &synced).ok());
  ASSERT_EQ(Err(synced.error_code), ErrorCode::kNone);

  // The same instance comes back without its member id (v5): answered at once, same
  // generation, a new id, and the previous leader id so that it does not reassign.
  kp::JoinGroupResponse again;
  ASSERT_TRUE(second.RoundTrip(join, 5, &again).ok());
  ASSERT_EQ(Err(again.error_code), ErrorCode::kNone);
  EXPECT_NE(again.member_id, joined.member_id);
  EXPECT_EQ(again.generation_id, joined.generation_id);
  EXPECT_EQ(again.leader, joined.member_id);
  EXPECT_TRUE(again.members.empty());

  kp::HeartbeatRequest hb;
  hb.group_id = group_;
  hb.member_id = joined.member_id;
  hb.group_instance_id = "instance-a";
  hb.generation_id = joined.generation_id;
  kp::HeartbeatResponse hbr;
  ASSERT_TRUE(first.RoundTrip(hb, 3, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kFencedInstanceId);
  hb.member_id = again.member_id;
  ASSERT_TRUE(second.RoundTrip(hb, 3, &hbr).ok());
  EXPECT_EQ(Err(hbr.error_code), ErrorCode::kNone);
  sync.member_id = again.member_id;
  sync.assignments.clear();
  ASSERT_TRUE(second.RoundTrip(sync, 3, &synced).ok());
  EXPECT_EQ(Err(synced.error_code), ErrorCode::kNone);
  EXPECT_EQ(synced.assignment, Assignment(topic_, {0, 1, 2})) << "the assignment survives the restart";

  // From v9 the returning leader is told it leads but may skip the assignment.
  kp::JoinGroupResponse v9;
  ASSERT_TRUE(third.RoundTrip(join, 9, &v9).ok());
  ASSERT_EQ(Err(v9.error_code), ErrorCode::kNone);
  EXPECT_EQ(v9.leader, v9.member_id);
  EXPECT_TRUE(v9.skip_assignment);
  EXPECT_EQ(v9.members.size(), 1u);
  EXPECT_EQ(v9.generation_id, joined.generation_id);

  // LeaveGroup v3 by instance id alone removes it.
  kp::LeaveGroupRequest leave;
  leave.group_id = group_;
  auto& who = leave.members.emplace_back();
  who.group_instance_id = "instance-a";
  kp::LeaveGroupResponse left;
  ASSERT_TRUE(third.RoundTrip(leave, 3, &left).ok());
  ASSERT_EQ(left.members.size(), 1u);
  EXPECT_EQ(left.members[0].error_code, 0);
  EXPECT_EQ(left.members[0].group_instance_id, "instance-a");
}

TEST_F(RawGroupTest, CommitsToUnknownGroupsAndSimpleCommits) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());
  auto commit = [&](const std::string& group, int32_t generation, const std::string& member, int16_t version) {
    kp::OffsetCommitRequest req;
    req.group_id = group;
    req.member_id = member;
    req.generation_id_or_member_epoch = generation;
    auto& t = req.topics.emplace_back();
    t.name = topic_;
    auto& p = t.partitions.emplace_back();
    p.partition_index = 1;
    p.committed_offset = 77;
    kp::OffsetCommitResponse resp;
    EXPECT_TRUE(c.RoundTrip(req, version, &resp).ok());
    return Err(resp.topics.at(0).partitions.at(0).error_code);
  };
  const std::string unknown = "unknown" + suffix_;
  EXPECT_EQ(commit(unknown, 3, "m", 8), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(commit(unknown, 3, "m", 9), ErrorCode::kGroupIdNotFound);
  EXPECT_EQ(commit(unknown, -1, "", 2), ErrorCode::kNone) << "a standalone consumer's commit";
  EXPECT_EQ(commit(unknown, -1, "", 9), ErrorCode::kNone);

  // With a member in the group, a standalone commit is refused.
  JoinAlone(c);
  EXPECT_EQ(commit(group_, -1, "", 8), ErrorCode::kUnknownMemberId);

  kp::OffsetFetchRequest fetch;
  fetch.group_id = unknown;
  fetch.topics.reset();
  kp::OffsetFetchResponse fr;
  ASSERT_TRUE(c.RoundTrip(fetch, 5, &fr).ok());
  ASSERT_EQ(fr.topics.size(), 1u);
  ASSERT_EQ(fr.topics[0].partitions.size(), 1u);
  EXPECT_EQ(fr.topics[0].partitions[0].partition_index, 1);
  EXPECT_EQ(fr.topics[0].partitions[0].committed_offset, 77);

  kp::ListGroupsRequest lg;
  kp::ListGroupsResponse lr;
  ASSERT_TRUE(c.RoundTrip(lg, 5, &lr).ok());
  bool listed = false;
  for (const auto& g : lr.groups) {
    if (g.group_id != unknown) continue;
    listed = true;
    EXPECT_EQ(g.group_state, "Empty");
    EXPECT_EQ(g.protocol_type, "") << "a group that only holds offsets has no protocol type";
  }
  EXPECT_TRUE(listed);
}

TEST_F(RawGroupTest, FindCoordinatorForms) {
  const std::string coordinator = Coordinator(group_);
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(bootstrap_).ok());
  kp::FindCoordinatorRequest v2;
  v2.key = group_;
  kp::FindCoordinatorResponse r2;
  ASSERT_TRUE(c.RoundTrip(v2, 2, &r2).ok());
  EXPECT_EQ(r2.error_code, 0);
  EXPECT_EQ(r2.host + ":" + std::to_string(r2.port), coordinator);
  kp::FindCoordinatorResponse r0;
  ASSERT_TRUE(c.RoundTrip(v2, 0, &r0).ok());
  EXPECT_EQ(r0.node_id, r2.node_id);

  kp::FindCoordinatorRequest bad;
  bad.key = group_;
  bad.key_type = 7;
  kp::FindCoordinatorResponse rbad;
  ASSERT_TRUE(c.RoundTrip(bad, 3, &rbad).ok());
  EXPECT_EQ(Err(rbad.error_code), ErrorCode::kInvalidRequest);

  kp::FindCoordinatorRequest v6;
  v6.coordinator_keys = {group_, group_ + "-other"};
  kp::FindCoordinatorResponse r6;
  ASSERT_TRUE(c.RoundTrip(v6, 6, &r6).ok());
  ASSERT_EQ(r6.coordinators.size(), 2u);
  EXPECT_EQ(r6.coordinators[0].key, group_);
  EXPECT_EQ(r6.coordinators[0].node_id, r2.node_id);
  EXPECT_EQ(r6.coordinators[1].key, group_ + "-other");
}

TEST_F(RawGroupTest, JoinValidationErrors) {
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(Coordinator(group_)).ok());
  kp::JoinGroupRequest short_session = JoinRequest("");
  short_session.session_timeout_ms = 1;
  kp::JoinGroupResponse r;
  ASSERT_TRUE(c.RoundTrip(short_session, 5, &r).ok());
  EXPECT_EQ(Err(r.error_code), ErrorCode::kInvalidSessionTimeout);

  kp::JoinGroupRequest unknown = JoinRequest("invented-member-id");
  unknown.group_id = "fresh-group" + suffix_;
  ASSERT_TRUE(c.RoundTrip(unknown, 5, &r).ok());
  EXPECT_EQ(Err(r.error_code), ErrorCode::kUnknownMemberId);

  JoinAlone(c);
  kp::JoinGroupRequest other_type = JoinRequest("");
  other_type.protocol_type = "connect";
  ASSERT_TRUE(c.RoundTrip(other_type, 7, &r).ok());
  EXPECT_EQ(Err(r.error_code), ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(r.member_id, "");

  // A member id the (existing) group does not know: v7+ answers null protocol type and name.
  ASSERT_TRUE(c.RoundTrip(JoinRequest("invented-member-id"), 7, &r).ok());
  EXPECT_EQ(Err(r.error_code), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(r.member_id, "invented-member-id");
  EXPECT_FALSE(r.protocol_name.has_value());
  EXPECT_FALSE(r.protocol_type.has_value());
}

// ---- Embedded-only: coordinator placement and injected errors -------------------------------------

TEST(GroupCoordination, NonCoordinatorBrokersAnswerNotCoordinator) {
  EmbeddedClusterOptions o;
  o.brokers = 3;
  auto cluster = StartCluster(o);
  ASSERT_NE(cluster, nullptr);
  const std::string bootstrap = cluster->bootstrap_servers();
  std::vector<std::string> brokers;
  for (size_t start = 0; start < bootstrap.size();) {
    size_t comma = bootstrap.find(',', start);
    if (comma == std::string::npos) comma = bootstrap.size();
    brokers.push_back(bootstrap.substr(start, comma - start));
    start = comma + 1;
  }
  ASSERT_EQ(brokers.size(), 3u);

  testing::BlockingClient any;
  ASSERT_TRUE(any.Connect(brokers[0]).ok());
  kp::FindCoordinatorRequest find;
  find.key_type = 0;
  find.coordinator_keys = {"ga", "gb", "gc", "gd"};
  kp::FindCoordinatorResponse found;
  ASSERT_TRUE(any.RoundTrip(find, 4, &found).ok());
  ASSERT_EQ(found.coordinators.size(), 4u);
  for (const auto& co : found.coordinators) {
    EXPECT_EQ(co.error_code, 0);
    EXPECT_GE(co.node_id, 1);
    const std::string address = co.host + ":" + std::to_string(co.port);
    EXPECT_NE(std::find(brokers.begin(), brokers.end(), address), brokers.end()) << address;
    // Every other broker refuses the group.
    for (const std::string& b : brokers) {
      if (b == address) continue;
      testing::BlockingClient other;
      ASSERT_TRUE(other.Connect(b).ok());
      kp::HeartbeatRequest hb;
      hb.group_id = co.key;
      hb.member_id = "m";
      kp::HeartbeatResponse hbr;
      ASSERT_TRUE(other.RoundTrip(hb, 4, &hbr).ok());
      EXPECT_EQ(Err(hbr.error_code), ErrorCode::kNotCoordinator) << co.key << " at " << b;
    }
  }
  // v0-3 ask for one key; a transactional id is found the same way.
  kp::FindCoordinatorRequest v3;
  v3.key = "txn-1";
  v3.key_type = 1;
  kp::FindCoordinatorResponse r3;
  ASSERT_TRUE(any.RoundTrip(v3, 3, &r3).ok());
  EXPECT_EQ(r3.error_code, 0);
  EXPECT_GE(r3.node_id, 1);
  v3.key_type = 5;
  ASSERT_TRUE(any.RoundTrip(v3, 3, &r3).ok());
  EXPECT_EQ(Err(r3.error_code), ErrorCode::kInvalidRequest);
}

TEST(GroupCoordination, InjectedErrorsAreAnsweredAsTheCoordinatorWould) {
  auto cluster = StartCluster();
  ASSERT_NE(cluster, nullptr);
  ASSERT_TRUE(cluster->CreateTopic("faulty", 2, 1).ok());
  testing::BlockingClient c;
  ASSERT_TRUE(c.Connect(cluster->bootstrap_servers()).ok());

  Fault f;
  f.api_key = 10;  // FindCoordinator
  f.error = ErrorCode::kCoordinatorNotAvailable;
  auto handle = cluster->InjectFault(f);
  ASSERT_TRUE(handle.ok());
  kp::FindCoordinatorRequest find;
  find.key = "g";
  kp::FindCoordinatorResponse found;
  ASSERT_TRUE(c.RoundTrip(find, 2, &found).ok());
  EXPECT_EQ(Err(found.error_code), ErrorCode::kCoordinatorNotAvailable);
  EXPECT_EQ(found.node_id, -1);
  ASSERT_TRUE(c.RoundTrip(find, 2, &found).ok());
  EXPECT_EQ(found.error_code, 0) << "the fault applied once";
  EXPECT_TRUE(handle->fired());

  f.api_key = 11;  // JoinGroup
  f.error = ErrorCode::kCoordinatorLoadInProgress;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  kp::JoinGroupRequest join;
  join.group_id = "g";
  join.session_timeout_ms = 10000;
  join.protocol_type = "consumer";
  join.protocols.emplace_back().name = "range";
  kp::JoinGroupResponse joined;
  ASSERT_TRUE(c.RoundTrip(join, 5, &joined).ok());
  EXPECT_EQ(Err(joined.error_code), ErrorCode::kCoordinatorLoadInProgress);

  // OffsetCommit: a group-wide error lands on every partition; one narrowed to a partition
  // only there.
  f.api_key = 8;
  f.error = ErrorCode::kNotCoordinator;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  kp::OffsetCommitRequest commit;
  commit.group_id = "simple";
  auto& t = commit.topics.emplace_back();
  t.name = "faulty";
  t.partitions.emplace_back().partition_index = 0;
  t.partitions.emplace_back().partition_index = 1;
  kp::OffsetCommitResponse cr;
  ASSERT_TRUE(c.RoundTrip(commit, 7, &cr).ok());
  EXPECT_EQ(Err(cr.topics[0].partitions[0].error_code), ErrorCode::kNotCoordinator);
  EXPECT_EQ(Err(cr.topics[0].partitions[1].error_code), ErrorCode::kNotCoordinator);
  f.topic = "faulty";
  f.partition = 1;
  f.error = ErrorCode::kUnknownTopicOrPartition;
  ASSERT_TRUE(cluster->InjectFault(f).ok());
  ASSERT_TRUE(c.RoundTrip(commit, 7, &cr).ok());
  EXPECT_EQ(Err(cr.topics[0].partitions[0].error_code), ErrorCode::kNone);
  EXPECT_EQ(Err(cr.topics[0].partitions[1].error_code), ErrorCode::kUnknownTopicOrPartition);

  // OffsetFetch: the group error is top-level from v2, per partition before.
  Fault ff;
  ff.api_key = 9;
  ff.error = ErrorCode::kCoordinatorLoadInProgress;
  ff.count = 2;
  ASSERT_TRUE(cluster->InjectFault(ff).ok());
  kp::OffsetFetchRequest fetch;
  fetch.group_id = "simple";
  fetch.topics.emplace().emplace_back().name = "faulty";
  fetch.topics->back().partition_indexes = {0};
  kp::OffsetFetchResponse fr;
  ASSERT_TRUE(c.RoundTrip(fetch, 3, &fr).ok());
  EXPECT_EQ(Err(fr.error_code), ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_TRUE(fr.topics.empty());
  ASSERT_TRUE(c.RoundTrip(fetch, 1, &fr).ok());
  ASSERT_EQ(fr.topics.size(), 1u);
  EXPECT_EQ(Err(fr.topics[0].partitions.at(0).error_code), ErrorCode::kCoordinatorLoadInProgress);
  ASSERT_TRUE(c.RoundTrip(fetch, 3, &fr).ok());
  EXPECT_EQ(fr.error_code, 0);
  EXPECT_EQ(fr.topics.at(0).partitions.at(0).committed_offset, 0) << "the simple commit above stored offset 0";

  Fault hb;
  hb.api_key = 12;
  hb.error = ErrorCode::kNotCoordinator;
  ASSERT_TRUE(cluster->InjectFault(hb).ok());
  kp::HeartbeatRequest beat;
  beat.group_id = "g";
  kp::HeartbeatResponse beat_r;
  ASSERT_TRUE(c.RoundTrip(beat, 4, &beat_r).ok());
  EXPECT_EQ(Err(beat_r.error_code), ErrorCode::kNotCoordinator);
}

}  // namespace
}  // namespace kclient
