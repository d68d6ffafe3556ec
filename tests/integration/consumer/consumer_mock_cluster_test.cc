// kclient::Consumer against librdkafka's mock cluster (rdkafka_mock.h), a broker and group
// coordinator we did not write. The records are produced by librdkafka's producer. Scenarios:
// assigned partitions read in order; a group of two kclient members splitting the partitions;
// committed offsets resumed after a restart; coordinator errors injected into JoinGroup,
// OffsetCommit and Heartbeat survived; a partition leader moved mid-stream.
//
// What the mock serves and how that shapes the tests (librdkafka 2.0.2, rdkafka_mock*.c):
//   - It advertises Metadata v0-v2 only, though its handler encodes v3-v7 correctly. kclient asks
//     for v4 or newer (the first that can refuse auto-creation), so the mock is told to serve
//     v0-v7 (rd_kafka_mock_set_apiversion), as producer_mock_cluster_test.cc does.
//   - Its ListOffsets v4/v5 answer writes LeaderEpoch as an int64 (Kafka: int32), so nothing after
//     it decodes; kclient then retried forever and Position timed out. It is told to serve v0-v3
//     (kclient needs v1+). It also answers every lookup by timestamp with offset -1 (a FIXME in
//     the mock), so OffsetsForTimes is tested against real Kafka only.
//   - It answers ApiVersions v3+ in a format no version decodes; kclient falls back to v0.
//   - Its JoinGroup error answer carries null ProtocolName, Leader and MemberId, and its SyncGroup
//     error answer a null Assignment, none of them nullable at the versions it serves (Java's
//     generated readers refuse them too). kclient reports LOCAL_MALFORMED from Poll and joins
//     again, so the injected JoinGroup errors below prove the member gets through them, not that
//     it saw their codes. Heartbeat and OffsetCommit errors are well formed and are seen.
//   - It completes a SyncGroup round as soon as the leader's assignments arrive; a follower whose
//     SyncGroup comes later gets that malformed REBALANCE_IN_PROGRESS answer and rejoins, so
//     groups of two often take a second rebalance to settle.
//   - It refuses OffsetCommit with REBALANCE_IN_PROGRESS while a rebalance is under way (Kafka
//     accepts commits from the current generation then), so an eager member's commit before
//     rejoining fails and its records are read again: the group test writes its records only once
//     the group is stable.
//   - It serves LeaveGroup v0-v1 only, and kclient sends LeaveGroup v3+ only (the batched form
//     of KIP-345), so a closing kclient member does not leave a mock group: it stays until its
//     session times out (see the restart test, which keeps the session short).
//   - Group APIs stop at JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7, OffsetFetch
//     v5 and FindCoordinator v2, Fetch at v11: nothing flexible (KIP-482), no topic ids. The
//     real-Kafka tier covers the newest versions.
//   - Static membership (KIP-345) and cooperative rebalancing (KIP-429) are not tested here;
//     consumer_test.cc (bundled broker) and real_kafka_consumer_test.cc cover them.
//   - An error pushed with rd_kafka_mock_push_request_errors fails the next request of that API
//     key on any broker, before the handler looks at it.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/consumer.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(60);

// Kafka API keys (librdkafka keeps its RD_KAFKAP_* names in a private header).
constexpr int16_t kOffsetCommitKey = 8;
constexpr int16_t kListOffsetsKey = 2;
constexpr int16_t kMetadataKey = 3;
constexpr int16_t kJoinGroupKey = 11;
constexpr int16_t kHeartbeatKey = 12;

// A mock cluster owned by a librdkafka producer, which also writes the test data.
class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    const std::string n = std::to_string(brokers);
    for (auto [k, v] : {std::pair{"test.mock.num.brokers", n.c_str()}, {"linger.ms", "5"}, {"acks", "all"},
                        {"enable.idempotence", "true"}}) {
      EXPECT_EQ(rd_kafka_conf_set(conf, k, v, err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
    }
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (rk_ == nullptr) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return;
    }
    mock_ = rd_kafka_handle_mock_cluster(rk_);
    EXPECT_NE(mock_, nullptr);
    EXPECT_EQ(rd_kafka_mock_set_apiversion(mock_, kMetadataKey, 0, 7), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(rd_kafka_mock_set_apiversion(mock_, kListOffsetsKey, 0, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ~MockCluster() {
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  bool ok() const { return mock_ != nullptr; }
  rd_kafka_mock_cluster_t* mock() const { return mock_; }
  std::string bootstrap() const { return rd_kafka_mock_cluster_bootstraps(mock_); }

  void CreateTopic(const std::string& topic, int partitions, int replication) {
    ASSERT_EQ(rd_kafka_mock_topic_create(mock_, topic.c_str(), partitions, replication), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  // Writes values "<topic>/<partition>/<first + i>" for i < count to every partition in
  // [0, partitions), keyed "k<i>", and waits until all are acknowledged.
  void Produce(const std::string& topic, int partitions, int count, int first = 0) {
    for (int32_t p = 0; p < partitions; ++p) {
      for (int i = first; i < first + count; ++i) {
        const std::string key = "k" + std::to_string(i);
        const std::string value = Value(topic, p, i);
        rd_kafka_vu_t vu[5] = {};
        vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
        vu[0].u.cstr = topic.c_str();
        vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
        vu[1].u.i32 = p;
        vu[2].vtype = RD_KAFKA_VTYPE_KEY;
        vu[2].u.mem = {const_cast<char*>(key.data()), key.size()};
        vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
        vu[3].u.mem = {const_cast<char*>(value.data()), value.size()};
        vu[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
        vu[4].u.i = RD_KAFKA_MSG_F_COPY;
        rd_kafka_error_t* e = rd_kafka_produceva(rk_, vu, std::size(vu));
        ASSERT_EQ(e, nullptr) << rd_kafka_error_string(e);
      }
    }
    ASSERT_EQ(rd_kafka_flush(rk_, 60000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  static std::string Value(const std::string& topic, int32_t partition, int i) {
    return topic + "/" + std::to_string(partition) + "/" + std::to_string(i);
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

ConsumerOptions Options(const MockCluster& cluster, const std::string& group = "") {
  ConsumerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap();
  o.client.retry_backoff_ms = 20;
  o.client.reconnect_backoff_ms = 20;
  o.group_id = group;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.session_timeout_ms = 6000;  // the mock waits up to a session for members to rejoin
  o.heartbeat_interval_ms = 300;
  o.fetch_max_wait_ms = 100;
  return o;
}

std::unique_ptr<Consumer> MakeConsumer(const ConsumerOptions& o) {
  auto c = Consumer::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

struct Seen {
  std::map<TopicPartition, std::vector<int64_t>> offsets;
  std::map<TopicPartition, std::vector<std::string>> values;
  std::multiset<std::string> all;
  size_t count = 0;

  void Add(const ConsumerRecords& records) {
    for (const ConsumerRecord& r : records) {
      offsets[r.topic_partition()].push_back(r.offset);
      values[r.topic_partition()].emplace_back(r.value.value_or(""));
      all.emplace(r.value.value_or(""));
      ++count;
    }
  }
  // Every partition in [0, partitions) of `topic` read exactly [0, per_partition) in order.
  void ExpectExactlyInOrder(const std::string& topic, int partitions, int per_partition) const {
    EXPECT_EQ(count, static_cast<size_t>(partitions * per_partition));
    for (int32_t p = 0; p < partitions; ++p) {
      auto it = values.find({topic, p});
      ASSERT_NE(it, values.end()) << "nothing read from partition " << p;
      ASSERT_EQ(it->second.size(), static_cast<size_t>(per_partition)) << "partition " << p;
      const auto& offs = offsets.at({topic, p});
      for (int i = 0; i < per_partition; ++i) {
        EXPECT_EQ(offs[i], i) << "partition " << p;
        EXPECT_EQ(it->second[i], MockCluster::Value(topic, p, i)) << "partition " << p;
      }
    }
  }
};

bool PollUntil(Consumer& consumer, Seen& seen, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (seen.count < n && std::chrono::steady_clock::now() < deadline) {
    auto records = consumer.Poll(milliseconds(100));
    if (records.ok()) seen.Add(*records);
  }
  return seen.count >= n;
}

class CountingListener : public RebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>&) override { ++revocations; }
  void OnPartitionsAssigned(const std::vector<TopicPartition>&) override { ++assignments; }
  std::atomic<int> revocations{0};
  std::atomic<int> assignments{0};
};

TEST(ConsumerMockCluster, AssignedPartitionsAreReadCompletelyAndInOrder) {
  MockCluster cluster(3);
  ASSERT_TRUE(cluster.ok());
  cluster.CreateTopic("orders", 4, 3);
  cluster.Produce("orders", 4, 250);
  auto consumer = MakeConsumer(Options(cluster));
  ASSERT_TRUE(consumer->Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}, {"orders", 3}}).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*consumer, seen, 1000)) << seen.count;
  seen.ExpectExactlyInOrder("orders", 4, 250);
  auto end = consumer->EndOffsets({{"orders", 0}, {"orders", 3}});
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(end->at({"orders", 0}), 250);
  EXPECT_EQ(end->at({"orders", 3}), 250);
  auto begin = consumer->BeginningOffsets({{"orders", 1}});
  ASSERT_TRUE(begin.ok()) << begin.status().ToString();
  EXPECT_EQ(begin->at({"orders", 1}), 0);
  auto position = consumer->Position({"orders", 2});
  ASSERT_TRUE(position.ok()) << position.status().ToString();
  EXPECT_EQ(*position, 250);
  EXPECT_TRUE(consumer->Close().ok());
}

TEST(ConsumerMockCluster, GroupOfTwoSplitsThePartitionsAndReadsEachRecordOnce) {
  MockCluster cluster(3);
  ASSERT_TRUE(cluster.ok());
  cluster.CreateTopic("payments", 4, 3);
  // Each round of the mock's SyncGroup race (see the top of the file) lasts about a session; the
  // follower wins it often enough that a short session settles the group well within the deadline.
  ConsumerOptions o = Options(cluster, "mock-split");
  o.session_timeout_ms = 3000;
  auto a = MakeConsumer(o);
  auto b = MakeConsumer(o);
  ASSERT_TRUE(a->Subscribe({"payments"}).ok());
  ASSERT_TRUE(b->Subscribe({"payments"}).ok());
  Seen seen;
  auto split = [&] { return a->Assignment().size() == 2 && b->Assignment().size() == 2; };
  auto deadline = std::chrono::steady_clock::now() + 2 * kDeadline;
  while (!split() && std::chrono::steady_clock::now() < deadline) {
    for (Consumer* c : {a.get(), b.get()}) {
      auto r = c->Poll(milliseconds(20));
      if (r.ok()) seen.Add(*r);
    }
  }
  ASSERT_TRUE(split()) << a->Assignment().size() << " + " << b->Assignment().size();
  // Records are written once the group is stable: the mock refuses commits while a rebalance is
  // under way (Kafka accepts them from the current generation), so records read before a
  // rebalance would be read again after it, by design of at-least-once delivery.
  cluster.Produce("payments", 4, 100);
  deadline = std::chrono::steady_clock::now() + kDeadline;
  while (seen.count < 400 && std::chrono::steady_clock::now() < deadline) {
    for (Consumer* c : {a.get(), b.get()}) {
      auto r = c->Poll(milliseconds(20));
      if (r.ok()) seen.Add(*r);
    }
  }
  ASSERT_TRUE(split()) << a->Assignment().size() << " + " << b->Assignment().size();
  std::set<TopicPartition> owned;
  for (Consumer* c : {a.get(), b.get()}) {
    for (const auto& tp : c->Assignment()) EXPECT_TRUE(owned.insert(tp).second) << tp.ToString() << " twice";
  }
  EXPECT_EQ(owned.size(), 4u);
  seen.ExpectExactlyInOrder("payments", 4, 100);
  EXPECT_TRUE(a->Close().ok());
  // `a` left the group, so it is rebalancing; the mock refuses b's final commit meanwhile
  // (REBALANCE_IN_PROGRESS), where Kafka accepts commits from the current generation.
  const Status closed = b->Close();
  EXPECT_TRUE(closed.ok() || closed.code() == ErrorCode::kRebalanceInProgress) << closed.ToString();
}

TEST(ConsumerMockCluster, CommittedOffsetsResumeAfterRestart) {
  MockCluster cluster(1);
  ASSERT_TRUE(cluster.ok());
  cluster.CreateTopic("ledger", 2, 1);
  cluster.Produce("ledger", 2, 200);
  ConsumerOptions o = Options(cluster, "mock-ledger");
  o.session_timeout_ms = 3000;  // the closed member lingers in the mock group until it expires
  o.enable_auto_commit = false;
  o.max_poll_records = 50;
  Seen first;
  {
    auto c = MakeConsumer(o);
    ASSERT_TRUE(c->Subscribe({"ledger"}).ok());
    ASSERT_TRUE(PollUntil(*c, first, 150));
    Status s = c->CommitSync();
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto committed = c->Committed({{"ledger", 0}, {"ledger", 1}});
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    int64_t total = 0;
    for (const auto& [tp, om] : *committed) total += om ? om->offset : 0;
    EXPECT_EQ(total, static_cast<int64_t>(first.count));
    ASSERT_TRUE(c->Close().ok());
  }
  auto again = MakeConsumer(o);
  ASSERT_TRUE(again->Subscribe({"ledger"}).ok());
  Seen rest;
  ASSERT_TRUE(PollUntil(*again, rest, 400 - first.count)) << rest.count;
  for (const auto& v : rest.all) EXPECT_EQ(first.all.count(v), 0u) << v << " read twice";
  // Each partition continues exactly where the commit left it.
  for (const auto& [tp, offs] : rest.offsets) {
    const size_t before = first.offsets.count(tp) ? first.offsets.at(tp).size() : 0;
    ASSERT_FALSE(offs.empty());
    EXPECT_EQ(offs.front(), static_cast<int64_t>(before)) << tp.ToString();
  }
  EXPECT_EQ(first.count + rest.count, 400u);
  EXPECT_TRUE(again->Close().ok());
}

TEST(ConsumerMockCluster, CoordinatorErrorsOnJoinCommitAndHeartbeatAreSurvived) {
  MockCluster cluster(3);
  ASSERT_TRUE(cluster.ok());
  cluster.CreateTopic("audit", 2, 3);
  cluster.Produce("audit", 2, 100);
  // The first joins fail as a coordinator that is loading or has moved answers.
  rd_kafka_mock_push_request_errors(cluster.mock(), kJoinGroupKey, 3, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                    RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE);
  ConsumerOptions o = Options(cluster, "mock-audit");
  o.enable_auto_commit = false;
  auto c = MakeConsumer(o);
  auto listener = std::make_shared<CountingListener>();
  ASSERT_TRUE(c->Subscribe({"audit"}, listener).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 200)) << seen.count;
  EXPECT_EQ(c->Assignment().size(), 2u);

  // Commits retry through NOT_COORDINATOR and COORDINATOR_LOAD_IN_PROGRESS.
  rd_kafka_mock_push_request_errors(cluster.mock(), kOffsetCommitKey, 2, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                    RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS);
  Status s = c->CommitSync(milliseconds(30000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto committed = c->Committed({{"audit", 0}, {"audit", 1}});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  for (const auto& [tp, om] : *committed) {
    ASSERT_TRUE(om.has_value()) << tp.ToString();
    EXPECT_EQ(om->offset, 100) << tp.ToString();
  }

  // Heartbeats: a moved coordinator, then a rebalance the member must rejoin. Everything
  // produced afterwards is read once: the positions survive the rejoin through the commit.
  const int assigned_before = listener->assignments.load();
  rd_kafka_mock_push_request_errors(cluster.mock(), kHeartbeatKey, 2, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
                                    RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (listener->assignments.load() == assigned_before && std::chrono::steady_clock::now() < deadline) {
    auto r = c->Poll(milliseconds(50));
    if (r.ok()) seen.Add(*r);
  }
  ASSERT_GT(listener->assignments.load(), assigned_before) << "REBALANCE_IN_PROGRESS on Heartbeat led to no rejoin";
  EXPECT_GE(listener->revocations.load(), 1);
  cluster.Produce("audit", 2, 50, 100);
  ASSERT_TRUE(PollUntil(*c, seen, 300)) << seen.count;
  seen.ExpectExactlyInOrder("audit", 2, 150);

  // The coordinator moves to another broker: the old one answers NOT_COORDINATOR to heartbeats
  // and commits, and the member finds the new one.
  ASSERT_EQ(rd_kafka_mock_coordinator_set(cluster.mock(), "group", "mock-audit", 3), RD_KAFKA_RESP_ERR_NO_ERROR);
  s = c->CommitSync(milliseconds(30000));
  ASSERT_TRUE(s.ok()) << s.ToString();
  committed = c->Committed({{"audit", 0}, {"audit", 1}});
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  for (const auto& [tp, om] : *committed) EXPECT_EQ(om ? om->offset : -1, 150) << tp.ToString();
  EXPECT_EQ(c->Assignment().size(), 2u);
  EXPECT_TRUE(c->Close().ok());
}

TEST(ConsumerMockCluster, LeaderMovedMidStreamLosesAndRepeatsNothing) {
  MockCluster cluster(3);
  ASSERT_TRUE(cluster.ok());
  cluster.CreateTopic("moves", 2, 3);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 0, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 1, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  cluster.Produce("moves", 2, 200);
  ConsumerOptions o = Options(cluster);
  o.max_poll_records = 40;
  auto c = MakeConsumer(o);
  ASSERT_TRUE(c->Assign({{"moves", 0}, {"moves", 1}}).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 120));
  // Both leaders move while the consumer is mid-partition; the old leaders answer
  // NOT_LEADER_OR_FOLLOWER from now on.
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 0, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 1, 3), RD_KAFKA_RESP_ERR_NO_ERROR);
  cluster.Produce("moves", 2, 100, 200);
  ASSERT_TRUE(PollUntil(*c, seen, 600)) << seen.count;
  seen.ExpectExactlyInOrder("moves", 2, 300);
  // And back, with one broker down for good measure: the consumer follows again.
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 0, 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_broker_set_down(cluster.mock(), 3), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster.mock(), "moves", 1, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
  cluster.Produce("moves", 2, 50, 300);
  ASSERT_TRUE(PollUntil(*c, seen, 700)) << seen.count;
  seen.ExpectExactlyInOrder("moves", 2, 350);
  EXPECT_TRUE(c->Close().ok());
}

}  // namespace
}  // namespace kclient
