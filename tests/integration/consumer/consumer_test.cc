// The consumer against the bundled broker: reading everything in order, groups that split and
// rebalance, eager and cooperative rebalances (unmoved partitions are never revoked), static
// members that restart without a rebalance, commits that resume exactly where they were made,
// eviction after max.poll.interval.ms, pause/resume, seek, offsets by time, and corrupt data.
// Records are written with kclient's producer; every wait is on a condition with a deadline.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/consumer.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;
constexpr auto kDeadline = std::chrono::seconds(60);

std::unique_ptr<EmbeddedCluster> StartCluster(int brokers = 1, int32_t partitions = 1) {
  EmbeddedClusterOptions o;
  o.brokers = brokers;
  o.default_partitions = partitions;
  o.default_replication_factor = static_cast<int16_t>(brokers);
  o.group_min_session_timeout_ms = 500;
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// Produces `count` records "key-<i % keys>" / "<prefix><i>" and waits for all of them.
void Produce(const EmbeddedCluster& cluster, const std::string& topic, int count, int keys = 10,
             const std::string& prefix = "v") {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  auto p = Producer::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::atomic<int> failed{0};
  for (int i = 0; i < count; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = "key-" + std::to_string(i % keys);
    r.value = prefix + std::to_string(i);
    (*p)->Produce(r, [&](const Result<RecordMetadata>& m) {
      if (!m.ok()) ++failed;
    });
  }
  ASSERT_TRUE((*p)->Flush().ok());
  ASSERT_EQ(failed.load(), 0);
}

ConsumerOptions Options(const EmbeddedCluster& cluster, const std::string& group = "") {
  ConsumerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.client.retry_backoff_ms = 20;
  o.client.reconnect_backoff_ms = 20;
  o.group_id = group;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.session_timeout_ms = 6000;
  o.heartbeat_interval_ms = 200;
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
  std::multiset<std::string> values;
  size_t count = 0;

  void Add(const ConsumerRecords& records) {
    for (const ConsumerRecord& r : records) {
      offsets[r.topic_partition()].push_back(r.offset);
      values.insert(std::string(r.value.value_or("")));
      ++count;
    }
  }
};

// Polls `consumer` until `seen` holds `n` records or the deadline passes.
bool PollUntil(Consumer& consumer, Seen& seen, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (seen.count < n && std::chrono::steady_clock::now() < deadline) {
    auto records = consumer.Poll(milliseconds(100));
    if (records.ok()) seen.Add(*records);
  }
  return seen.count >= n;
}

// Records every listener call.
class RecordingListener : public RebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override { Add(revoked, p); }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    Add(assigned, p);
    ++assignments;
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override { Add(lost, p); }

  std::mutex mu;
  std::vector<TopicPartition> revoked, assigned, lost;
  std::atomic<int> assignments{0};

 private:
  void Add(std::vector<TopicPartition>& to, const std::vector<TopicPartition>& p) {
    std::lock_guard lock(mu);
    to.insert(to.end(), p.begin(), p.end());
  }
};

TEST(ConsumerTest, AssignedConsumerReadsEverythingInOrder) {
  auto cluster = StartCluster(1, 3);
  Produce(*cluster, "orders", 3000);
  auto consumer = MakeConsumer(Options(*cluster));
  ASSERT_TRUE(consumer->Assign({{"orders", 0}, {"orders", 1}, {"orders", 2}}).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*consumer, seen, 3000)) << seen.count;
  EXPECT_EQ(seen.count, 3000u);
  for (const auto& [tp, offsets] : seen.offsets) {
    for (size_t i = 0; i < offsets.size(); ++i) EXPECT_EQ(offsets[i], static_cast<int64_t>(i)) << tp.ToString();
  }
  EXPECT_EQ(seen.values.size(), 3000u);
  auto partitions = consumer->PartitionsFor("orders");
  ASSERT_TRUE(partitions.ok()) << partitions.status().ToString();
  EXPECT_EQ(*partitions, (std::vector<int32_t>{0, 1, 2}));
  auto end = consumer->EndOffsets({{"orders", 0}});
  ASSERT_TRUE(end.ok());
  auto position = consumer->Position({"orders", 0});
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, end->at({"orders", 0}));
}

TEST(ConsumerTest, RecordsCarryKeysHeadersTimestampsAndStayValidAfterThePoll) {
  auto cluster = StartCluster();
  {
    ProducerOptions o;
    o.client.bootstrap_servers = cluster->bootstrap_servers();
    o.compression = CompressionType::kLz4;
    auto p = Producer::Create(o);
    ASSERT_TRUE(p.ok());
    ProducerRecord r;
    r.topic = "events";
    r.key = "k";
    r.value = std::string(500, 'z');
    r.headers = {{"trace", "t-1"}, {"null", std::nullopt}};
    r.timestamp_ms = 1700000000000;
    ASSERT_TRUE((*p)->SendSync(r).ok());
  }
  auto consumer = MakeConsumer(Options(*cluster));
  ASSERT_TRUE(consumer->Assign({{"events", 0}}).ok());
  ConsumerRecords kept;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (kept.empty() && std::chrono::steady_clock::now() < deadline) {
    auto r = consumer->Poll(milliseconds(100));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    kept = std::move(*r);
  }
  ASSERT_EQ(kept.size(), 1u);
  consumer.reset();  // the records own the bytes they point into
  const ConsumerRecord& rec = kept[0];
  EXPECT_EQ(rec.topic, "events");
  EXPECT_EQ(rec.key, "k");
  EXPECT_EQ(rec.value, std::string(500, 'z'));
  EXPECT_EQ(rec.timestamp_ms, 1700000000000);
  ASSERT_EQ(rec.headers.size(), 2u);
  EXPECT_EQ(rec.headers[0].key, "trace");
  EXPECT_EQ(rec.headers[0].value, "t-1");
  EXPECT_FALSE(rec.headers[1].value.has_value());
}

TEST(ConsumerTest, GroupOfThreeSplitsPartitionsAndRebalancesAsMembersComeAndGo) {
  auto cluster = StartCluster(1, 6);
  Produce(*cluster, "payments", 600);
  ConsumerOptions o = Options(*cluster, "ranking");
  std::vector<std::unique_ptr<Consumer>> members;
  std::vector<std::shared_ptr<RecordingListener>> listeners;
  for (int i = 0; i < 3; ++i) {
    members.push_back(MakeConsumer(o));
    listeners.push_back(std::make_shared<RecordingListener>());
    ASSERT_TRUE(members.back()->Subscribe({"payments"}, listeners.back()).ok());
  }
  // Poll all three until each holds two partitions and everything is read.
  Seen seen;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  auto balanced = [&] {
    for (auto& m : members) {
      if (m->Assignment().size() != 2) return false;
    }
    return true;
  };
  while ((!balanced() || seen.count < 600) && std::chrono::steady_clock::now() < deadline) {
    for (auto& m : members) {
      auto r = m->Poll(milliseconds(20));
      if (r.ok()) seen.Add(*r);
    }
  }
  ASSERT_TRUE(balanced());
  std::set<TopicPartition> all;
  for (auto& m : members) {
    for (const auto& tp : m->Assignment()) EXPECT_TRUE(all.insert(tp).second) << tp.ToString() << " twice";
  }
  EXPECT_EQ(all.size(), 6u);
  EXPECT_EQ(seen.count, 600u) << "each record exactly once";

  // One member leaves: the other two take over its partitions.
  ASSERT_TRUE(members[2]->Close().ok());
  members.pop_back();
  const auto deadline2 = std::chrono::steady_clock::now() + kDeadline;
  while ((members[0]->Assignment().size() + members[1]->Assignment().size() != 6) &&
         std::chrono::steady_clock::now() < deadline2) {
    for (auto& m : members) (void)m->Poll(milliseconds(20));
  }
  EXPECT_EQ(members[0]->Assignment().size() + members[1]->Assignment().size(), 6u);
  EXPECT_EQ(members[0]->Assignment().size(), 3u);
}

TEST(ConsumerTest, CommittedOffsetsResumeExactlyWhereCommitted) {
  auto cluster = StartCluster(1, 2);
  Produce(*cluster, "ledger", 400);
  ConsumerOptions o = Options(*cluster, "billing");
  o.enable_auto_commit = false;
  o.max_poll_records = 50;
  {
    auto c = MakeConsumer(o);
    ASSERT_TRUE(c->Subscribe({"ledger"}).ok());
    Seen seen;
    ASSERT_TRUE(PollUntil(*c, seen, 150));
    ASSERT_TRUE(c->CommitSync().ok());
    auto committed = c->Committed({{"ledger", 0}, {"ledger", 1}});
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    int64_t total = 0;
    for (const auto& [tp, om] : *committed) total += om ? om->offset : 0;
    EXPECT_EQ(total, static_cast<int64_t>(seen.count));
    ASSERT_TRUE(c->Close().ok());
    // Restart: exactly the rest, nothing twice.
    auto again = MakeConsumer(o);
    ASSERT_TRUE(again->Subscribe({"ledger"}).ok());
    Seen rest;
    ASSERT_TRUE(PollUntil(*again, rest, 400 - seen.count));
    for (const auto& v : rest.values) EXPECT_EQ(seen.values.count(v), 0u) << v << " read twice";
    EXPECT_EQ(seen.count + rest.count, 400u);
  }
  // Auto commit: positions are committed on close, and a restart continues from them.
  o.enable_auto_commit = true;
  o.group_id = "auto";
  Seen first;
  {
    auto c = MakeConsumer(o);
    ASSERT_TRUE(c->Subscribe({"ledger"}).ok());
    ASSERT_TRUE(PollUntil(*c, first, 100));
    ASSERT_TRUE(c->Close().ok());
  }
  auto c = MakeConsumer(o);
  ASSERT_TRUE(c->Subscribe({"ledger"}).ok());
  Seen second;
  ASSERT_TRUE(PollUntil(*c, second, 400 - first.count));
  EXPECT_EQ(first.count + second.count, 400u);
  for (const auto& v : second.values) EXPECT_EQ(first.values.count(v), 0u) << v << " read twice";
}

TEST(ConsumerTest, CooperativeStickyNeverRevokesPartitionsThatDoNotMove) {
  auto cluster = StartCluster(1, 6);
  Produce(*cluster, "coop", 60);
  ConsumerOptions o = Options(*cluster, "coop-group");
  o.assignment_strategies = {AssignmentStrategy::kCooperativeSticky};
  auto first_listener = std::make_shared<RecordingListener>();
  auto first = MakeConsumer(o);
  ASSERT_TRUE(first->Subscribe({"coop"}, first_listener).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*first, seen, 60));
  ASSERT_EQ(first->Assignment().size(), 6u);

  auto second_listener = std::make_shared<RecordingListener>();
  auto second = MakeConsumer(o);
  ASSERT_TRUE(second->Subscribe({"coop"}, second_listener).ok());
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while ((first->Assignment().size() != 3 || second->Assignment().size() != 3) &&
         std::chrono::steady_clock::now() < deadline) {
    (void)first->Poll(milliseconds(20));
    (void)second->Poll(milliseconds(20));
  }
  ASSERT_EQ(first->Assignment().size(), 3u);
  ASSERT_EQ(second->Assignment().size(), 3u);
  std::lock_guard lock(first_listener->mu);
  // Only the three partitions that moved were revoked from the first member.
  EXPECT_EQ(first_listener->revoked.size(), 3u);
  const auto first_assignment = first->Assignment();
  std::set<TopicPartition> kept(first_assignment.begin(), first_assignment.end());
  for (const auto& tp : first_listener->revoked) EXPECT_EQ(kept.count(tp), 0u) << tp.ToString() << " revoked but kept";
  EXPECT_TRUE(first_listener->lost.empty());
}

TEST(ConsumerTest, StaticMemberRestartsWithoutARebalance) {
  auto cluster = StartCluster(1, 4);
  Produce(*cluster, "static", 40);
  ConsumerOptions a = Options(*cluster, "static-group");
  a.group_instance_id = "member-a";
  ConsumerOptions b = a;
  b.group_instance_id = "member-b";
  auto listener_b = std::make_shared<RecordingListener>();
  auto ca = MakeConsumer(a);
  auto cb = MakeConsumer(b);
  ASSERT_TRUE(ca->Subscribe({"static"}).ok());
  ASSERT_TRUE(cb->Subscribe({"static"}, listener_b).ok());
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while ((ca->Assignment().size() != 2 || cb->Assignment().size() != 2) &&
         std::chrono::steady_clock::now() < deadline) {
    (void)ca->Poll(milliseconds(20));
    (void)cb->Poll(milliseconds(20));
  }
  ASSERT_EQ(ca->Assignment().size(), 2u);
  const auto a_partitions = ca->Assignment();
  const int b_assignments = listener_b->assignments.load();
  ASSERT_TRUE(ca->Close().ok());  // a static member does not leave
  ca = MakeConsumer(a);
  ASSERT_TRUE(ca->Subscribe({"static"}).ok());
  const auto deadline2 = std::chrono::steady_clock::now() + kDeadline;
  while (ca->Assignment().empty() && std::chrono::steady_clock::now() < deadline2) {
    (void)ca->Poll(milliseconds(20));
    (void)cb->Poll(milliseconds(20));
  }
  EXPECT_EQ(ca->Assignment(), a_partitions) << "the restarted static member gets its partitions back";
  for (int i = 0; i < 10; ++i) (void)cb->Poll(milliseconds(50));
  EXPECT_EQ(listener_b->assignments.load(), b_assignments) << "the other member saw no rebalance";
  std::lock_guard lock(listener_b->mu);
  EXPECT_TRUE(listener_b->revoked.empty());
}

TEST(ConsumerTest, MemberThatStopsPollingIsEvictedAndToldSo) {
  auto cluster = StartCluster(1, 2);
  Produce(*cluster, "slow", 20);
  ConsumerOptions o = Options(*cluster, "slow-group");
  o.max_poll_interval_ms = 1500;
  auto listener = std::make_shared<RecordingListener>();
  auto slow = MakeConsumer(o);
  auto busy = MakeConsumer(o);
  ASSERT_TRUE(slow->Subscribe({"slow"}, listener).ok());
  ASSERT_TRUE(busy->Subscribe({"slow"}).ok());
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while ((slow->Assignment().size() != 1 || busy->Assignment().size() != 1) &&
         std::chrono::steady_clock::now() < deadline) {
    (void)slow->Poll(milliseconds(20));
    (void)busy->Poll(milliseconds(20));
  }
  ASSERT_EQ(slow->Assignment().size(), 1u);
  // `slow` stops polling; `busy` goes on and ends up with both partitions.
  const auto deadline2 = std::chrono::steady_clock::now() + kDeadline;
  while (busy->Assignment().size() != 2 && std::chrono::steady_clock::now() < deadline2) {
    (void)busy->Poll(milliseconds(50));
  }
  EXPECT_EQ(busy->Assignment().size(), 2u);
  auto late = slow->Poll(milliseconds(10));
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().code(), ErrorCode::kLocalIllegalState);
  EXPECT_NE(late.status().message().find("max.poll.interval.ms"), std::string_view::npos);
  std::lock_guard lock(listener->mu);
  EXPECT_EQ(listener->lost.size(), 1u) << "its partition is reported lost";
}

TEST(ConsumerTest, GroupFormedBeforeItsTopicExistsAssignsTheTopicOnceItAppears) {
  // The leader assigns from its metadata. A topic it does not know yet (not created, or created a
  // moment ago on a broker that has not heard of it, as on a fresh three-node Kafka) is left out,
  // and the leader must start a new assignment when the topic shows up.
  EmbeddedClusterOptions co;
  co.auto_create_topics = false;
  co.group_min_session_timeout_ms = 500;
  auto started = EmbeddedCluster::Start(co);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto& cluster = *started;
  ConsumerOptions o = Options(*cluster, "early-group");
  o.assignment_strategies = {AssignmentStrategy::kRange};
  auto listener = std::make_shared<RecordingListener>();
  auto c = MakeConsumer(o);
  ASSERT_TRUE(c->Subscribe({"created-later"}, listener).ok());
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (listener->assignments.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(c->Poll(milliseconds(50)).ok());
  }
  ASSERT_GE(listener->assignments.load(), 1) << "the group formed";
  EXPECT_TRUE(c->Assignment().empty());

  ASSERT_TRUE(cluster->CreateTopic("created-later", 3).ok());
  Produce(*cluster, "created-later", 30);
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 30)) << "read " << seen.count << " of 30";
  EXPECT_EQ(c->Assignment().size(), 3u);
}

TEST(ConsumerTest, PatternSubscriptionFollowsMatchingTopicsAsTheyAppear) {
  auto cluster = StartCluster(1, 2);
  Produce(*cluster, "metrics.cpu", 20);
  Produce(*cluster, "metrics.disk", 20);
  Produce(*cluster, "audit", 20);
  ConsumerOptions o = Options(*cluster, "metrics-readers");
  o.client.metadata_max_age_ms = 300;  // look for new matching topics often
  auto c = MakeConsumer(o);
  EXPECT_EQ(c->SubscribePattern("metrics\\.(").code(), ErrorCode::kLocalInvalidArgument);
  ASSERT_TRUE(c->SubscribePattern("metrics\\..*").ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 40));
  EXPECT_EQ(c->Subscription(), (std::vector<std::string>{"metrics.cpu", "metrics.disk"}));
  for (const auto& [tp, offsets] : seen.offsets) EXPECT_NE(tp.topic, "audit");
  Produce(*cluster, "metrics.net", 10);
  ASSERT_TRUE(PollUntil(*c, seen, 50)) << "a topic created later is picked up";
  EXPECT_EQ(seen.count, 50u);
}

TEST(ConsumerTest, PauseResumeSeekAndOffsetsForTimes) {
  auto cluster = StartCluster(1, 2);
  Produce(*cluster, "control", 200, 2);
  auto c = MakeConsumer(Options(*cluster));
  ASSERT_TRUE(c->Assign({{"control", 0}, {"control", 1}}).ok());
  ASSERT_TRUE(c->Pause({{"control", 1}}).ok());
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 100));
  for (int i = 0; i < 5; ++i) {
    auto r = c->Poll(milliseconds(50));
    ASSERT_TRUE(r.ok());
    seen.Add(*r);
  }
  EXPECT_EQ(seen.offsets.count({"control", 1}), 0u) << "a paused partition returns nothing";
  EXPECT_EQ(c->Paused(), (std::vector<TopicPartition>{{"control", 1}}));
  ASSERT_TRUE(c->Resume({{"control", 1}}).ok());
  ASSERT_TRUE(PollUntil(*c, seen, 200));

  ASSERT_TRUE(c->Seek({"control", 0}, 42).ok());
  auto r = c->Poll(milliseconds(5000));
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->empty());
  EXPECT_EQ((*r)[0].offset, 42);

  auto times = c->OffsetsForTimes({{{"control", 0}, 0}, {{"control", 1}, INT64_C(4102444800000)}});
  ASSERT_TRUE(times.ok()) << times.status().ToString();
  ASSERT_TRUE(times->at({"control", 0}).has_value());
  EXPECT_EQ(times->at({"control", 0})->offset, 0);
  EXPECT_FALSE(times->at({"control", 1}).has_value()) << "nothing at or after 2100";
  ASSERT_TRUE(c->SeekToBeginning({{"control", 1}}).ok());
  auto position = c->Position({"control", 1});
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, 0);
}

TEST(ConsumerTest, WakeupInterruptsAPollFromAnotherThread) {
  auto cluster = StartCluster();
  auto c = MakeConsumer(Options(*cluster));
  ASSERT_TRUE(c->Assign({{"quiet", 0}}).ok());
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(200));  // let Poll start waiting; correctness does not depend on it
    c->Wakeup();
  });
  auto r = c->Poll(milliseconds(30000));
  waker.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kLocalWakeup);
}

TEST(ConsumerTest, CallsAfterCloseFailAtOnce) {
  auto cluster = StartCluster();
  auto c = MakeConsumer(Options(*cluster, "closing"));
  ASSERT_TRUE(c->Assign({{"gone", 0}}).ok());
  ASSERT_TRUE(c->Close().ok());
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(c->Poll(milliseconds(5000)).status().code(), ErrorCode::kLocalClosed);
  EXPECT_EQ(c->Committed({{"gone", 0}}, milliseconds(5000)).status().code(), ErrorCode::kLocalClosed);
  EXPECT_EQ(c->EndOffsets({{"gone", 0}}, milliseconds(5000)).status().code(), ErrorCode::kLocalClosed);
  EXPECT_EQ(c->CommitSync(milliseconds(5000)).code(), ErrorCode::kLocalClosed);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(4)) << "no call waits for its timeout";
  EXPECT_TRUE(c->Close().ok()) << "Close is idempotent";
}

TEST(ConsumerTest, OffsetOutOfRangeFollowsAutoOffsetReset) {
  auto cluster = StartCluster();
  Produce(*cluster, "reset", 10);
  ConsumerOptions o = Options(*cluster);
  auto c = MakeConsumer(o);
  ASSERT_TRUE(c->Assign({{"reset", 0}}).ok());
  ASSERT_TRUE(c->Seek({"reset", 0}, 1000).ok());  // beyond the end: reset to earliest
  Seen seen;
  ASSERT_TRUE(PollUntil(*c, seen, 10));
  EXPECT_EQ(seen.offsets.at({"reset", 0}).front(), 0);

  o.auto_offset_reset = OffsetReset::kNone;
  auto strict = MakeConsumer(o);
  ASSERT_TRUE(strict->Assign({{"reset", 0}}).ok());
  auto no_offset = strict->Poll(milliseconds(1000));
  ASSERT_FALSE(no_offset.ok());
  EXPECT_EQ(no_offset.status().code(), ErrorCode::kOffsetOutOfRange);
  ASSERT_TRUE(strict->Seek({"reset", 0}, 1000).ok());
  Status error;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (error.ok() && std::chrono::steady_clock::now() < deadline) {
    auto r = strict->Poll(milliseconds(100));
    if (!r.ok()) error = r.status();
  }
  EXPECT_EQ(error.code(), ErrorCode::kOffsetOutOfRange) << error.ToString();
}

}  // namespace
}  // namespace kclient
