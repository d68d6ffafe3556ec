// kclient::Consumer scenarios, run against real Apache Kafka (KRaft, started by scripts/kafka.sh
// through the ctest fixtures in tests/CMakeLists.txt) and against kclient-broker (the target
// comes from target_cluster.h), with records written by kclient::Producer and, once,
// by librdkafka: assigned partitions read in order; end offsets and offsets by time; an eager
// (range) group of two splitting the partitions; a cooperative-sticky group of two in which the
// first member's unmoved partitions are never revoked; commits resumed after a restart; a static
// member restarting without a rebalance.
//
// Group scenarios are few on purpose: each join costs a round trip through Kafka's coordinator.
// (The fixture sets group.initial.rebalance.delay.ms=0, so a first join is not held back 3 s.)
// Kafka's group.min.session.timeout.ms is 6000, the shortest session used here.
//
// Environment: see target_cluster.h (KCLIENT_TARGET and what goes with it).
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/producer.h"
#include "target_cluster.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(90);
const int64_t kBaseTimestamp = testing::RecentBaseTimestampMs();

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

int16_t ReplicationFactor() { return testing::Target().replication_factor(); }

// Names unique to this run, so reruns against one cluster never see old data or groups.
std::string Unique(const std::string& base) {
  static const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  return base + "-" + run;
}

void CreateTopic(const std::string& name, int32_t partitions) {
  if (testing::Target().CreateTopicDirectly(name, partitions, ReplicationFactor())) return;
  AdminOptions o;
  o.client.bootstrap_servers = Bootstrap();
  auto admin = Admin::Create(o);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  Status s = (*admin)->CreateTopic({name, partitions, ReplicationFactor()});
  ASSERT_TRUE(s.ok()) << s.ToString();
}

// Writes `count` records to each partition in [0, partitions): value "<p>/<first + i>", timestamp
// kBaseTimestamp + i * 1000.
void Produce(const std::string& topic, int32_t partitions, int count, int first = 0) {
  ProducerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  auto p = Producer::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::atomic<int> failed{0};
  for (int32_t part = 0; part < partitions; ++part) {
    for (int i = first; i < first + count; ++i) {
      ProducerRecord r;
      r.topic = topic;
      r.partition = part;
      r.key = "k" + std::to_string(i);
      r.value = std::to_string(part) + "/" + std::to_string(i);
      r.timestamp_ms = kBaseTimestamp + int64_t{i} * 1000;
      (*p)->Produce(r, [&](const Result<RecordMetadata>& m) {
        if (!m.ok()) ++failed;
      });
    }
  }
  ASSERT_TRUE((*p)->Flush().ok());
  ASSERT_EQ(failed.load(), 0);
}

ConsumerOptions Options(const std::string& group = "") {
  ConsumerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  o.client.retry_backoff_ms = 50;
  o.group_id = group;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.session_timeout_ms = 10000;
  o.heartbeat_interval_ms = 500;
  o.fetch_max_wait_ms = 100;
  return o;
}

std::unique_ptr<Consumer> MakeConsumer(const ConsumerOptions& o) {
  auto c = Consumer::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// Closes `c`, reporting why when that fails (its final auto-commit, say).
void ExpectClosed(Consumer& c) {
  const Status closed = c.Close();
  EXPECT_TRUE(closed.ok()) << closed.ToString();
}

struct Seen {
  std::map<int32_t, std::vector<std::pair<int64_t, std::string>>> by_partition;
  size_t count = 0;
  void Add(const ConsumerRecords& records) {
    for (const ConsumerRecord& r : records) {
      by_partition[r.partition].emplace_back(r.offset, std::string(r.value.value_or("")));
      ++count;
    }
  }
  // Partitions in `partitions` hold exactly records [0, n) in order, and nothing else was read.
  void ExpectExactly(const std::set<int32_t>& partitions, int n) const {
    size_t expected = 0;
    for (int32_t p : partitions) {
      auto it = by_partition.find(p);
      ASSERT_NE(it, by_partition.end()) << "nothing from partition " << p;
      ASSERT_EQ(it->second.size(), static_cast<size_t>(n)) << "partition " << p;
      for (int i = 0; i < n; ++i) {
        EXPECT_EQ(it->second[i].first, i) << "partition " << p;
        EXPECT_EQ(it->second[i].second, std::to_string(p) + "/" + std::to_string(i)) << "partition " << p;
      }
      expected += static_cast<size_t>(n);
    }
    EXPECT_EQ(count, expected);
  }
};

template <typename Done>
bool PollAllUntil(const std::vector<Consumer*>& consumers, Seen& seen, Done done) {
  const auto deadline = Clock::now() + kDeadline;
  while (!done() && Clock::now() < deadline) {
    for (Consumer* c : consumers) {
      auto r = c->Poll(milliseconds(consumers.size() == 1 ? 100 : 20));
      if (r.ok()) seen.Add(*r);
    }
  }
  return done();
}

class RecordingListener : public RebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>& p) override {
    std::lock_guard lock(mu);
    for (const auto& tp : p) revoked.insert(tp.partition);
    ++revocations;
  }
  void OnPartitionsAssigned(const std::vector<TopicPartition>& p) override {
    std::lock_guard lock(mu);
    for (const auto& tp : p) assigned.insert(tp.partition);
    ++assignments;
  }
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override {
    std::lock_guard lock(mu);
    lost += static_cast<int>(p.size());
  }
  std::mutex mu;
  std::set<int32_t> revoked, assigned;
  int revocations = 0, assignments = 0, lost = 0;
};

std::set<int32_t> Partitions(const Consumer& c) {
  std::set<int32_t> out;
  for (const auto& tp : c.Assignment()) out.insert(tp.partition);
  return out;
}

TEST(ConsumerScenario, AssignedPartitionsReadInOrderWithEndOffsets) {
  const std::string topic = Unique("c-assign");
  CreateTopic(topic, 3);
  Produce(topic, 3, 200);
  auto c = MakeConsumer(Options());
  ASSERT_TRUE(c->Assign({{topic, 0}, {topic, 1}, {topic, 2}}).ok());
  Seen seen;
  ASSERT_TRUE(PollAllUntil({c.get()}, seen, [&] { return seen.count >= 600; })) << seen.count;
  seen.ExpectExactly({0, 1, 2}, 200);

  auto ends = c->EndOffsets({{topic, 0}, {topic, 1}, {topic, 2}});
  ASSERT_TRUE(ends.ok()) << ends.status().ToString();
  for (int32_t p = 0; p < 3; ++p) EXPECT_EQ(ends->at({topic, p}), 200);
  auto begins = c->BeginningOffsets({{topic, 1}});
  ASSERT_TRUE(begins.ok()) << begins.status().ToString();
  EXPECT_EQ(begins->at({topic, 1}), 0);
  ExpectClosed(*c);
}

TEST(ConsumerScenario, OffsetsForTimesFindsTheFirstRecordAtOrAfterATime) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kOffsetsForTimes);
  const std::string topic = Unique("c-times");
  CreateTopic(topic, 3);
  Produce(topic, 3, 200);
  auto c = MakeConsumer(Options());
  // Record i carries kBaseTimestamp + i s: the first at or after +42.5 s is record 43; nothing
  // is at or after +1000 s.
  auto found = c->OffsetsForTimes({{{topic, 0}, kBaseTimestamp + 42'500}, {{topic, 2}, kBaseTimestamp + 1'000'000}});
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->at({topic, 0}).has_value());
  EXPECT_EQ(found->at({topic, 0})->offset, 43);
  EXPECT_EQ(found->at({topic, 0})->timestamp_ms, kBaseTimestamp + 43'000);
  EXPECT_FALSE(found->at({topic, 2}).has_value());
  // Seek there and read from it.
  ASSERT_TRUE(c->Assign({{topic, 0}}).ok());
  ASSERT_TRUE(c->Seek({topic, 0}, found->at({topic, 0})->offset).ok());
  Seen again;
  ASSERT_TRUE(PollAllUntil({c.get()}, again, [&] { return again.count >= 1; }));
  EXPECT_EQ(again.by_partition[0].front().first, 43);
  ExpectClosed(*c);
}

TEST(ConsumerScenario, EagerRangeGroupOfTwoSplitsThePartitions) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kGroupRebalances);
  const std::string topic = Unique("c-eager");
  const std::string group = Unique("g-eager");
  CreateTopic(topic, 4);
  ConsumerOptions o = Options(group);
  o.assignment_strategies = {AssignmentStrategy::kRange};
  auto a = MakeConsumer(o);
  auto b = MakeConsumer(o);
  ASSERT_TRUE(a->Subscribe({topic}).ok());
  ASSERT_TRUE(b->Subscribe({topic}).ok());
  Seen seen;
  auto split = [&] { return Partitions(*a).size() == 2 && Partitions(*b).size() == 2; };
  ASSERT_TRUE(PollAllUntil({a.get(), b.get()}, seen, split));
  std::set<int32_t> all = Partitions(*a);
  for (int32_t p : Partitions(*b)) EXPECT_TRUE(all.insert(p).second) << "partition " << p << " twice";
  EXPECT_EQ(all.size(), 4u);
  // Range gives the first member (by member id) partitions 0-1, the other 2-3.
  EXPECT_TRUE(Partitions(*a) == (std::set<int32_t>{0, 1}) || Partitions(*a) == (std::set<int32_t>{2, 3}));
  Produce(topic, 4, 100);
  ASSERT_TRUE(PollAllUntil({a.get(), b.get()}, seen, [&] { return seen.count >= 400; })) << seen.count;
  seen.ExpectExactly({0, 1, 2, 3}, 100);
  ExpectClosed(*a);
  ExpectClosed(*b);
}

TEST(ConsumerScenario, CooperativeStickyNeverRevokesTheFirstMembersUnmovedPartitions) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kGroupRebalances);
  const std::string topic = Unique("c-coop");
  const std::string group = Unique("g-coop");
  CreateTopic(topic, 4);
  Produce(topic, 4, 50);
  ConsumerOptions o = Options(group);
  o.assignment_strategies = {AssignmentStrategy::kCooperativeSticky};
  auto first_listener = std::make_shared<RecordingListener>();
  auto first = MakeConsumer(o);
  ASSERT_TRUE(first->Subscribe({topic}, first_listener).ok());
  Seen seen;
  ASSERT_TRUE(PollAllUntil({first.get()}, seen, [&] { return seen.count >= 200 && Partitions(*first).size() == 4; }))
      << seen.count;
  ASSERT_TRUE(first->CommitSync().ok());

  auto second = MakeConsumer(o);
  ASSERT_TRUE(second->Subscribe({topic}).ok());
  auto split = [&] { return Partitions(*first).size() == 2 && Partitions(*second).size() == 2; };
  ASSERT_TRUE(PollAllUntil({first.get(), second.get()}, seen, split));
  const std::set<int32_t> kept = Partitions(*first);
  {
    std::lock_guard lock(first_listener->mu);
    EXPECT_EQ(first_listener->revoked.size(), 2u) << "only what moved is revoked";
    for (int32_t p : kept) EXPECT_EQ(first_listener->revoked.count(p), 0u) << "kept partition " << p << " revoked";
    for (int32_t p : Partitions(*second)) EXPECT_EQ(first_listener->revoked.count(p), 1u) << p;
    EXPECT_EQ(first_listener->lost, 0);
  }
  // New records are read once, each by its partition's owner; the moved partitions continue
  // from the commit.
  Produce(topic, 4, 50, 50);
  ASSERT_TRUE(PollAllUntil({first.get(), second.get()}, seen, [&] { return seen.count >= 400; })) << seen.count;
  seen.ExpectExactly({0, 1, 2, 3}, 100);
  ExpectClosed(*second);
  ExpectClosed(*first);
}

TEST(ConsumerScenario, CommittedOffsetsResumeAfterRestart) {
  const std::string topic = Unique("c-commit");
  const std::string group = Unique("g-commit");
  CreateTopic(topic, 2);
  Produce(topic, 2, 150);
  ConsumerOptions o = Options(group);
  o.enable_auto_commit = false;
  o.max_poll_records = 40;
  Seen first;
  {
    auto c = MakeConsumer(o);
    ASSERT_TRUE(c->Subscribe({topic}).ok());
    ASSERT_TRUE(PollAllUntil({c.get()}, first, [&] { return first.count >= 100; }));
    Status s = c->CommitSync();
    ASSERT_TRUE(s.ok()) << s.ToString();
    auto committed = c->Committed({{topic, 0}, {topic, 1}});
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
    for (int32_t p = 0; p < 2; ++p) {
      const auto& om = committed->at({topic, p});
      EXPECT_EQ(om ? om->offset : 0, static_cast<int64_t>(first.by_partition[p].size())) << p;
    }
    ASSERT_TRUE(c->Close().ok());
  }
  auto again = MakeConsumer(o);
  ASSERT_TRUE(again->Subscribe({topic}).ok());
  Seen rest;
  ASSERT_TRUE(PollAllUntil({again.get()}, rest, [&] { return first.count + rest.count >= 300; })) << rest.count;
  EXPECT_EQ(first.count + rest.count, 300u);
  for (int32_t p = 0; p < 2; ++p) {
    const size_t before = first.by_partition[p].size();
    if (before == 150) continue;
    ASSERT_FALSE(rest.by_partition[p].empty()) << p;
    EXPECT_EQ(rest.by_partition[p].front().first, static_cast<int64_t>(before)) << "partition " << p;
  }
  ExpectClosed(*again);
}

TEST(ConsumerScenario, StaticMemberRestartsWithoutARebalance) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kStaticMembership);
  const std::string topic = Unique("c-static");
  const std::string group = Unique("g-static");
  CreateTopic(topic, 4);
  ConsumerOptions o = Options(group);
  o.assignment_strategies = {AssignmentStrategy::kRange};
  o.session_timeout_ms = 30000;  // the restart happens well within it
  ConsumerOptions oa = o, ob = o;
  oa.group_instance_id = "static-a";
  ob.group_instance_id = "static-b";
  auto b_listener = std::make_shared<RecordingListener>();
  auto a = MakeConsumer(oa);
  auto b = MakeConsumer(ob);
  ASSERT_TRUE(a->Subscribe({topic}).ok());
  ASSERT_TRUE(b->Subscribe({topic}, b_listener).ok());
  Seen seen;
  auto split = [&] { return Partitions(*a).size() == 2 && Partitions(*b).size() == 2; };
  ASSERT_TRUE(PollAllUntil({a.get(), b.get()}, seen, split));
  const std::set<int32_t> a_before = Partitions(*a);
  int b_assignments = 0;
  {
    std::lock_guard lock(b_listener->mu);
    b_assignments = b_listener->assignments;
  }

  // a restarts: a static member's Close does not leave, and its rejoin with the same instance id
  // gets its old partitions back without the group rebalancing.
  ASSERT_TRUE(a->Close().ok());
  a = MakeConsumer(oa);
  ASSERT_TRUE(a->Subscribe({topic}).ok());
  ASSERT_TRUE(PollAllUntil({a.get(), b.get()}, seen, [&] { return Partitions(*a).size() == 2; }));
  EXPECT_EQ(Partitions(*a), a_before);
  // Heartbeats would have told b of a rebalance by now.
  const auto settle = Clock::now() + milliseconds(3 * o.heartbeat_interval_ms);
  while (Clock::now() < settle) {
    for (Consumer* c : {a.get(), b.get()}) {
      auto r = c->Poll(milliseconds(50));
      if (r.ok()) seen.Add(*r);
    }
  }
  {
    std::lock_guard lock(b_listener->mu);
    EXPECT_EQ(b_listener->assignments, b_assignments) << "the other member went through a rebalance";
    EXPECT_EQ(b_listener->revocations, 0);
  }
  EXPECT_EQ(Partitions(*b).size(), 2u);
  ExpectClosed(*a);
  ExpectClosed(*b);
}

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};

TEST(ConsumerScenario, ReadsWhatLibrdkafkaProduced) {
  const std::string topic = Unique("c-rdkafka");
  CreateTopic(topic, 1);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [k, v] : {std::pair{"bootstrap.servers", Bootstrap().c_str()}, {"compression.codec", "zstd"},
                      {"enable.idempotence", "true"}, {"linger.ms", "10"}}) {
    ASSERT_EQ(rd_kafka_conf_set(conf, k, v, err, sizeof err), RD_KAFKA_CONF_OK) << err;
  }
  std::unique_ptr<rd_kafka_t, RdKafkaDeleter> rk(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
  ASSERT_TRUE(rk) << err;
  constexpr int kRecords = 20;
  for (int i = 0; i < kRecords; ++i) {
    const std::string key = "key-" + std::to_string(i);
    const std::string value = "value-" + std::to_string(i);
    const std::string trace = "t" + std::to_string(i);
    rd_kafka_vu_t vu[7] = {};
    vu[0].vtype = RD_KAFKA_VTYPE_TOPIC;
    vu[0].u.cstr = topic.c_str();
    vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
    vu[1].u.i32 = 0;
    vu[2].vtype = RD_KAFKA_VTYPE_KEY;
    vu[2].u.mem = {const_cast<char*>(key.data()), key.size()};
    vu[3].vtype = RD_KAFKA_VTYPE_VALUE;
    vu[3].u.mem = {const_cast<char*>(value.data()), value.size()};
    vu[4].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu[4].u.i = RD_KAFKA_MSG_F_COPY;
    vu[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
    vu[5].u.i64 = kBaseTimestamp + i;
    vu[6].vtype = RD_KAFKA_VTYPE_HEADER;
    vu[6].u.header = {"trace", trace.data(), static_cast<ssize_t>(trace.size())};
    rd_kafka_error_t* e = rd_kafka_produceva(rk.get(), vu, std::size(vu));
    ASSERT_EQ(e, nullptr) << rd_kafka_error_string(e);
  }
  ASSERT_EQ(rd_kafka_flush(rk.get(), 60000), RD_KAFKA_RESP_ERR_NO_ERROR);

  auto c = MakeConsumer(Options());
  ASSERT_TRUE(c->Assign({{topic, 0}}).ok());
  std::vector<std::string> got;
  const auto deadline = Clock::now() + kDeadline;
  while (got.size() < kRecords && Clock::now() < deadline) {
    auto records = c->Poll(milliseconds(100));
    ASSERT_TRUE(records.ok()) << records.status().ToString();
    for (const ConsumerRecord& r : *records) {
      const int i = static_cast<int>(got.size());
      EXPECT_EQ(r.offset, i);
      EXPECT_EQ(r.key, "key-" + std::to_string(i));
      EXPECT_EQ(r.value, "value-" + std::to_string(i));
      EXPECT_EQ(r.timestamp_ms, kBaseTimestamp + i);
      EXPECT_EQ(r.timestamp_type, TimestampType::kCreateTime);
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].key, "trace");
      EXPECT_EQ(r.headers[0].value, "t" + std::to_string(i));
      got.emplace_back(r.value.value_or(""));
    }
  }
  EXPECT_EQ(got.size(), static_cast<size_t>(kRecords));
  ExpectClosed(*c);
}

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
