// Failures in listener containers against the embedded broker: blocking retries wait their
// backoff (measured by the listener on a steady clock) without holding up other partitions;
// exhausted and non-retriable records land on the dead-letter topic with the original record and
// the container's headers; a dead-letter topic that is missing or refuses writes halts the
// partition without committing past the record while the others flow; retry topics deliver each
// retry no earlier than due; dead letters replay to their original topic.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "container_test_support.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/dead_letter_replay.h"

namespace kclient::container::testing {
namespace {

constexpr auto kSlack = milliseconds(3000);

// Steady-clock times of each listener call, per "topic-partition@offset" of the source record.
class CallTimes {
 public:
  void Add(const std::string& id) {
    std::lock_guard lock(mu_);
    times_[id].push_back(Clock::now());
  }
  std::vector<Clock::time_point> Of(const std::string& id) const {
    std::lock_guard lock(mu_);
    auto it = times_.find(id);
    return it == times_.end() ? std::vector<Clock::time_point>{} : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Clock::time_point>> times_;
};

std::string Id(const ConsumerRecord& r) { return r.topic_partition().ToString() + "@" + std::to_string(r.offset); }

TEST(ContainerRetryTest, BlockingRetriesWaitTheirBackoffWhileOtherPartitionsFlow) {
  auto cluster = StartCluster(2);
  ASSERT_TRUE(cluster->CreateTopic("pay", 2).ok());
  ProducerOptions po;
  po.client.bootstrap_servers = cluster->bootstrap_servers();
  auto producer = Producer::Create(po);
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 10; ++i) {
    for (int32_t p = 0; p < 2; ++p) {
      ProducerRecord r{"pay", p, "k", "v" + std::to_string(i), {}, std::nullopt};
      ASSERT_TRUE((*producer)->SendSync(r).ok());
    }
  }
  ContainerOptions o = Options(*cluster, "pay-group", {"pay"});
  o.backoff = BackoffPolicy::Exponential(500, 2.0, 5000, 3);  // waits 500 ms, then 1000 ms
  o.ack_mode = AckMode::kRecord;
  CallTimes calls;
  Ledger done;
  std::atomic<int64_t> p1_finished_ns{0};
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    calls.Add(Id(r));
    if (r.partition == 0 && r.offset == 3 && calls.Of(Id(r)).size() < 3) {
      return ListenerResult::Retriable("not yet");
    }
    done.Add(r.topic_partition(), r.offset);
    if (r.partition == 1 && r.offset == 9) p1_finished_ns = Clock::now().time_since_epoch().count();
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return done.Distinct() == 20; }));
  const auto times = calls.Of("pay-0@3");
  ASSERT_EQ(times.size(), 3u);
  EXPECT_GE(times[1] - times[0], milliseconds(500));
  EXPECT_LE(times[1] - times[0], milliseconds(500) + kSlack);
  EXPECT_GE(times[2] - times[1], milliseconds(1000));
  EXPECT_LE(times[2] - times[1], milliseconds(1000) + kSlack);
  // The record after it waited; partition 1 did not.
  EXPECT_GT(calls.Of("pay-0@4").at(0), times[2]);
  EXPECT_LT(Clock::time_point(Clock::duration(p1_finished_ns.load())), times[2]);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(calls.Of("pay-0@" + std::to_string(i)).size(), i == 3 ? 3u : 1u) << i;
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "pay-group")[{"pay", 0}] == 10; }));
}

TEST(ContainerRetryTest, ExhaustedAndNonRetriableRecordsGoToTheDeadLetterTopicWithTheirStory) {
  auto cluster = StartCluster(1);
  ASSERT_TRUE(cluster->CreateTopic("orders", 1).ok());
  ASSERT_TRUE(cluster->CreateTopic("orders-dlt", 1).ok());
  Produce(*cluster, "orders", 6);
  ContainerOptions o = Options(*cluster, "orders-group", {"orders"});
  o.backoff = BackoffPolicy::Fixed(100, 3);
  CallTimes calls;
  Ledger done;
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) -> ListenerResult {
    calls.Add(Id(r));
    if (r.value == "v1") throw std::runtime_error("the tax service is down");
    if (r.value == "v4") return ListenerResult::NonRetriable("negative amount", "ValidationError");
    done.Add(r.topic_partition(), r.offset);
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  auto dead = ReadAll(*cluster, "orders-dlt", 1, 2);
  ASSERT_EQ(dead.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return done.Distinct() == 4; }));
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "orders-group")[{"orders", 0}] == 6; }))
      << "parked records count as done";
  EXPECT_EQ(calls.Of("orders-0@1").size(), 3u);
  EXPECT_EQ(calls.Of("orders-0@4").size(), 1u) << "non-retriable: no retry";

  const ReadRecord& exhausted = dead[0];
  EXPECT_EQ(exhausted.key, "k1");
  EXPECT_EQ(exhausted.value, "v1");
  EXPECT_EQ(exhausted.headers.at("n"), "1") << "the record's own headers are kept";
  EXPECT_EQ(exhausted.headers.at(std::string(kDltOriginalTopic)), "orders");
  EXPECT_EQ(exhausted.headers.at(std::string(kDltOriginalPartition)), "0");
  EXPECT_EQ(exhausted.headers.at(std::string(kDltOriginalOffset)), "1");
  EXPECT_FALSE(exhausted.headers.at(std::string(kDltOriginalTimestamp)).empty());
  EXPECT_EQ(exhausted.headers.at(std::string(kDltConsumerGroup)), "orders-group");
  EXPECT_EQ(exhausted.headers.at(std::string(kDltErrorClass)), "ListenerException");
  EXPECT_EQ(exhausted.headers.at(std::string(kDltErrorMessage)), "the tax service is down");
  EXPECT_EQ(exhausted.headers.at(std::string(kAttempts)), "3");

  const ReadRecord& invalid = dead[1];
  EXPECT_EQ(invalid.value, "v4");
  EXPECT_EQ(invalid.headers.at(std::string(kDltOriginalOffset)), "4");
  EXPECT_EQ(invalid.headers.at(std::string(kDltErrorClass)), "ValidationError");
  EXPECT_EQ(invalid.headers.at(std::string(kAttempts)), "1");

  // Replay the validation failure only, once it is fixed: back to "orders", as it first was.
  ReplayOptions replay;
  replay.properties["bootstrap.servers"] = cluster->bootstrap_servers();
  replay.dead_letter_topic = "orders-dlt";
  replay.filter = [](const ConsumerRecord& r) {
    for (const HeaderView& h : r.headers) {
      if (h.key == kDltErrorClass) return h.value == "ValidationError";
    }
    return false;
  };
  auto report = ReplayDeadLetters(replay);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->read, 2);
  EXPECT_EQ(report->replayed, 1);
  EXPECT_EQ(report->filtered, 1);
  EXPECT_EQ(report->unroutable, 0);
  auto orders = ReadAll(*cluster, "orders", 1, 7);
  ASSERT_EQ(orders.size(), 7u);
  EXPECT_EQ(orders[6].key, "k4");
  EXPECT_EQ(orders[6].value, "v4");
  EXPECT_EQ(orders[6].headers.size(), 1u) << "only the record's own header, no dead-letter headers";
  EXPECT_EQ(orders[6].headers.at("n"), "4");
  // The container, still running, gets the replayed record (and fails it again: v4 is still bad).
  ASSERT_TRUE(WaitFor([&] { return calls.Of("orders-0@6").size() == 1; }));
}

TEST(ContainerRetryTest, AnUnwritableDeadLetterTopicHaltsThePartitionWithoutCommittingPastIt) {
  auto cluster = StartCluster(2, /*auto_create=*/false);
  ASSERT_TRUE(cluster->CreateTopic("ledger", 2).ok());  // and no ledger-dlt
  ProducerOptions po;
  po.client.bootstrap_servers = cluster->bootstrap_servers();
  auto producer = Producer::Create(po);
  ASSERT_TRUE(producer.ok());
  for (int i = 0; i < 8; ++i) {
    for (int32_t p = 0; p < 2; ++p) ASSERT_TRUE((*producer)->SendSync({"ledger", p, "k", "v" + std::to_string(i), {}, std::nullopt}).ok());
  }
  ContainerOptions o = Options(*cluster, "ledger-group", {"ledger"});
  o.ack_mode = AckMode::kRecord;
  o.consumer.client.allow_auto_create_topics = false;
  o.producer.client.allow_auto_create_topics = false;
  std::mutex mu;
  std::vector<HaltedPartition> reported;
  o.on_partition_halted = [&](const HaltedPartition& h) {
    std::lock_guard lock(mu);
    reported.push_back(h);
  };
  Ledger done;
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    if (r.partition == 0 && r.offset == 5) return ListenerResult::NonRetriable("poison");
    done.Add(r.topic_partition(), r.offset);
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mu);
    return !reported.empty();
  }));
  ASSERT_TRUE(WaitFor([&] { return done.FirstMissing({"ledger", 1}) == 8; })) << "partition 1 goes on";
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "ledger-group")[{"ledger", 1}] == 8; }));
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_EQ(reported[0].partition, (TopicPartition{"ledger", 0}));
    EXPECT_EQ(reported[0].offset, 5);
    EXPECT_FALSE(reported[0].reason.ok());
  }
  auto halted = c->HaltedPartitions();
  ASSERT_EQ(halted.size(), 1u);
  EXPECT_EQ(halted[0].offset, 5);
  EXPECT_EQ((Committed(*cluster, "ledger-group")[{"ledger", 0}]), 5) << "committed up to, not past, the record";
  for (int64_t off = 6; off < 8; ++off) EXPECT_FALSE(done.Has({"ledger", 0}, off)) << off;

  // The dead-letter topic appears; resumed, the partition parks the record and goes on.
  ASSERT_TRUE(cluster->CreateTopic("ledger-dlt", 1).ok());
  c->ResumeHaltedPartitions();
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "ledger-group")[{"ledger", 0}] == 8; }));
  EXPECT_TRUE(c->HaltedPartitions().empty());
  EXPECT_TRUE(done.Has({"ledger", 0}, 7));
  auto dead = ReadAll(*cluster, "ledger-dlt", 1, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].headers.at(std::string(kDltOriginalOffset)), "5");
  EXPECT_EQ(dead[0].headers.at(std::string(kAttempts)), "2") << "the halted call, then the one after the resume";
  ASSERT_TRUE(c->Stop().ok());
}

// A dead-letter topic that exists but refuses the parked record, as a cluster can: an error on
// every Produce to it (ACLs, a policy), or a config the cluster cannot satisfy. Partition 1's
// record at offset 4 fails for good; the partition must stop there (nothing at or past it
// committed, nothing after it delivered), say so, and leave partitions 0 and 2 flowing.
struct RefusingDeadLetterTopic {
  std::unique_ptr<EmbeddedCluster> cluster;
  std::string topic;
  std::mutex mu;
  std::vector<HaltedPartition> reported;  // GUARDED_BY(mu)
  std::vector<std::string> errors;        // GUARDED_BY(mu): what the container logged as errors
  Ledger done;
  std::atomic<int> premature_commits{0};  // commits past a record neither processed nor parked
  std::atomic<int64_t> highest_commit_of_halted{-1};
  std::atomic<bool> parking_allowed{false};  // once the topic takes records again
  std::unique_ptr<ListenerContainer> container;

  static constexpr int32_t kHaltedPartition = 1;
  static constexpr int64_t kPoison = 4;

  // Starts a cluster with `topic` (3 partitions, 10 records each); `make_dlt` creates and breaks
  // its dead-letter topic; `tune` adjusts the container's options.
  void Start(const std::string& name, const std::function<void(EmbeddedCluster&)>& make_dlt,
             const std::function<void(ContainerOptions&)>& tune) {
    topic = name;
    cluster = StartCluster(3, /*auto_create=*/false);
    ASSERT_TRUE(cluster);
    ASSERT_TRUE(cluster->CreateTopic(topic, 3).ok());
    make_dlt(*cluster);
    ProduceEach(0, 10);
    ContainerOptions o = Options(*cluster, topic + "-group", {topic});
    o.ack_mode = AckMode::kBatch;
    o.consumer.client.allow_auto_create_topics = false;
    o.producer.client.allow_auto_create_topics = false;
    o.on_partition_halted = [this](const HaltedPartition& h) {
      std::lock_guard lock(mu);
      reported.push_back(h);
    };
    o.log = [this](LogLevel level, std::string_view message) {
      if (level < LogLevel::kError) return;
      std::lock_guard lock(mu);
      errors.emplace_back(message);
    };
    o.on_commit = [this](const OffsetMap& offsets, const Status& s) {
      if (!s.ok()) return;
      for (const auto& [tp, om] : offsets) {
        const bool halted = tp == TopicPartition{topic, kHaltedPartition};
        if (halted) highest_commit_of_halted = std::max(highest_commit_of_halted.load(), om.offset);
        if (halted && parking_allowed) continue;  // the poison record may be parked by now
        if (om.offset > done.FirstMissing(tp)) ++premature_commits;
      }
    };
    tune(o);
    container = StartContainer(o, [this](const ConsumerRecord& r, Acknowledgment) {
      if (r.partition == kHaltedPartition && r.offset == kPoison) {
        return ListenerResult::NonRetriable("unknown customer", "ValidationError");
      }
      done.Add(r.topic_partition(), r.offset);
      return ListenerResult::Ok();
    });
    ASSERT_TRUE(container);
  }

  // Writes records [first, first + count) to each partition.
  void ProduceEach(int first, int count) {
    ProducerOptions po;
    po.client.bootstrap_servers = cluster->bootstrap_servers();
    auto producer = Producer::Create(po);
    ASSERT_TRUE(producer.ok());
    for (int i = first; i < first + count; ++i) {
      for (int32_t p = 0; p < 3; ++p) {
        ASSERT_TRUE((*producer)->SendSync({topic, p, "k", "v" + std::to_string(i), {}, std::nullopt}).ok());
      }
    }
  }

  int64_t CommittedOf(int32_t partition) { return Committed(*cluster, topic + "-group")[{topic, partition}]; }

  // The halt: reported once, logged as an error, the partition committed up to the record and no
  // further while the others go on, also through records written after the halt.
  void ExpectHaltedWhileOthersFlow() {
    ASSERT_TRUE(WaitFor([&] {
      std::lock_guard lock(mu);
      return !reported.empty();
    })) << "the halt is reported";
    for (int32_t p : {0, 2}) {
      ASSERT_TRUE(WaitFor([&] { return done.FirstMissing({topic, p}) == 10 && CommittedOf(p) == 10; })) << p;
    }
    ASSERT_TRUE(WaitFor([&] { return CommittedOf(kHaltedPartition) == kPoison; }))
        << "the records before the poison one are committed";
    ProduceEach(10, 5);
    for (int32_t p : {0, 2}) {
      ASSERT_TRUE(WaitFor([&] { return done.FirstMissing({topic, p}) == 15 && CommittedOf(p) == 15; }))
          << "partition " << p << " keeps flowing";
    }
    EXPECT_EQ(CommittedOf(kHaltedPartition), kPoison) << "committed up to the record, not past it";
    EXPECT_LE(highest_commit_of_halted.load(), kPoison);
    EXPECT_EQ(premature_commits.load(), 0);
    for (int64_t off = kPoison; off < 15; ++off) {
      EXPECT_FALSE(done.Has({topic, kHaltedPartition}, off)) << "delivered past the halt: " << off;
    }
    const std::string where = TopicPartition{topic, kHaltedPartition}.ToString();
    std::lock_guard lock(mu);
    ASSERT_EQ(reported.size(), 1u);
    EXPECT_EQ(reported[0].partition, (TopicPartition{topic, kHaltedPartition}));
    EXPECT_EQ(reported[0].offset, kPoison);
    EXPECT_FALSE(reported[0].reason.ok());
    EXPECT_NE(reported[0].reason.ToString().find(topic + "-dlt"), std::string::npos) << reported[0].reason.ToString();
    const auto halted = container->HaltedPartitions();
    ASSERT_EQ(halted.size(), 1u);
    EXPECT_EQ(halted[0].offset, kPoison);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find(where), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find("offset 4"), std::string::npos) << errors[0];
  }
};

TEST(ContainerRetryTest, ADeadLetterTopicThatRefusesWritesHaltsItsPartitionUntilItAcceptsThemAgain) {
  RefusingDeadLetterTopic t;
  FaultHandle refusal;
  t.Start(
      "invoices",
      [&](EmbeddedCluster& cluster) {
        ASSERT_TRUE(cluster.CreateTopic("invoices-dlt", 1).ok());
        Fault f;
        f.api_key = 0;  // Produce
        f.topic = "invoices-dlt";
        f.error = ErrorCode::kNotEnoughReplicas;  // retriable: the producer tries until its delivery timeout
        f.count = -1;
        auto armed = cluster.InjectFault(f);
        ASSERT_TRUE(armed.ok()) << armed.status().ToString();
        refusal = *armed;
      },
      [](ContainerOptions&) {});
  if (::testing::Test::HasFatalFailure()) return;
  t.ExpectHaltedWhileOthersFlow();
  if (::testing::Test::HasFatalFailure()) return;
  EXPECT_TRUE(refusal.fired()) << "the dead-letter publish reached the broker and was refused";

  // The topic takes records again: resumed, the partition parks the record and goes on.
  t.parking_allowed = true;
  t.cluster->RemoveFault(refusal);
  t.container->ResumeHaltedPartitions();
  ASSERT_TRUE(WaitFor([&] { return t.CommittedOf(RefusingDeadLetterTopic::kHaltedPartition) == 15; }));
  EXPECT_TRUE(t.container->HaltedPartitions().empty());
  EXPECT_EQ(t.done.FirstMissing({"invoices", RefusingDeadLetterTopic::kHaltedPartition}), RefusingDeadLetterTopic::kPoison);
  for (int64_t off = RefusingDeadLetterTopic::kPoison + 1; off < 15; ++off) {
    EXPECT_TRUE(t.done.Has({"invoices", RefusingDeadLetterTopic::kHaltedPartition}, off)) << off;
  }
  auto dead = ReadAll(*t.cluster, "invoices-dlt", 1, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].headers.at(std::string(kDltOriginalPartition)), "1");
  EXPECT_EQ(dead[0].headers.at(std::string(kDltOriginalOffset)), "4");
  EXPECT_EQ(dead[0].headers.at(std::string(kDltErrorClass)), "ValidationError");
  ASSERT_TRUE(t.container->Stop().ok());
}

// The same with retry topics on, where a non-retriable failure goes straight to the dead-letter
// topic, and a refusal that is the topic's own config: its max.message.bytes is smaller than any
// parked record (MESSAGE_TOO_LARGE, not retriable).
TEST(ContainerRetryTest, ADeadLetterTopicWhoseConfigRefusesTheRecordHaltsThePartitionWithRetryTopicsToo) {
  RefusingDeadLetterTopic t;
  t.Start(
      "refunds",
      [](EmbeddedCluster& cluster) {
        ASSERT_TRUE(cluster.CreateTopic("refunds-dlt", 3, 1, {{"max.message.bytes", "100"}}).ok());
      },
      [](ContainerOptions& o) {
        o.retry_topics.enabled = true;
        o.retry_topics.backoff = BackoffPolicy::Fixed(200, 3);
      });
  if (::testing::Test::HasFatalFailure()) return;
  t.ExpectHaltedWhileOthersFlow();
  if (::testing::Test::HasFatalFailure()) return;
  {
    std::lock_guard lock(t.mu);
    EXPECT_EQ(t.reported[0].reason.code(), ErrorCode::kMessageTooLarge) << t.reported[0].reason.ToString();
  }
  EXPECT_EQ(EndOffsets(*t.cluster, "refunds-dlt", 3),
            (std::map<TopicPartition, int64_t>{{{"refunds-dlt", 0}, 0}, {{"refunds-dlt", 1}, 0}, {{"refunds-dlt", 2}, 0}}))
      << "nothing was written to the dead-letter topic";
  ASSERT_TRUE(t.container->Stop().ok());
  EXPECT_EQ(t.CommittedOf(RefusingDeadLetterTopic::kHaltedPartition), RefusingDeadLetterTopic::kPoison)
      << "stopping commits nothing past the record either";
}

TEST(ContainerRetryTest, RetryTopicsDeliverEachRetryNoEarlierThanDueThenDeadLetter) {
  auto cluster = StartCluster(3);
  ASSERT_TRUE(cluster->CreateTopic("shipments", 3).ok());
  Produce(*cluster, "shipments", 30);
  ContainerOptions o = Options(*cluster, "ship-group", {"shipments"});
  o.retry_topics.enabled = true;
  o.retry_topics.backoff = BackoffPolicy::Exponential(1000, 2.0, 10000, 3);  // retry-1000, retry-2000
  CallTimes calls;
  Ledger done;
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    // Identify the record by its own header, whichever topic it comes from.
    std::string n;
    for (const HeaderView& h : r.headers) {
      if (h.key == "n") n = std::string(h.value.value_or(""));
    }
    calls.Add(n);
    if (n == "7") return ListenerResult::Retriable("warehouse offline");
    if (n == "8" && calls.Of(n).size() < 2) return ListenerResult::Retriable("once");
    done.Add({"n", 0}, std::stoll(n));
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  AdminOptions ao;
  ao.client.bootstrap_servers = cluster->bootstrap_servers();
  auto admin = Admin::Create(ao);
  ASSERT_TRUE(admin.ok());
  for (const char* t : {"shipments-retry-1000", "shipments-retry-2000", "shipments-dlt"}) {
    auto d = (*admin)->DescribeTopic(t);
    ASSERT_TRUE(d.ok()) << t << ": " << d.status().ToString();
    EXPECT_EQ(d->partitions.size(), 3u) << t;
  }
  auto dead = ReadAll(*cluster, "shipments-dlt", 3, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, "v7");
  EXPECT_EQ(dead[0].headers.at(std::string(kDltOriginalTopic)), "shipments");
  EXPECT_EQ(dead[0].headers.at(std::string(kAttempts)), "3");
  EXPECT_EQ(dead[0].headers.count(std::string(kRetryDueMs)), 0u);
  ASSERT_TRUE(WaitFor([&] { return done.Distinct() == 29; }));

  const auto seven = calls.Of("7");
  ASSERT_EQ(seven.size(), 3u);
  EXPECT_GE(seven[1] - seven[0], milliseconds(1000));
  EXPECT_LE(seven[1] - seven[0], milliseconds(1000) + kSlack);
  EXPECT_GE(seven[2] - seven[1], milliseconds(2000));
  EXPECT_LE(seven[2] - seven[1], milliseconds(2000) + kSlack);
  const auto eight = calls.Of("8");
  ASSERT_EQ(eight.size(), 2u);
  EXPECT_GE(eight[1] - eight[0], milliseconds(1000));
  // Non-blocking: the records behind 7 in its partition did not wait for its retries.
  EXPECT_LT(calls.Of("29").at(0), seven[1]);
  const auto ends = EndOffsets(*cluster, "shipments", 3);
  ASSERT_TRUE(WaitFor([&] {
    auto committed = Committed(*cluster, "ship-group");
    for (const auto& [tp, end] : ends) {
      if (committed[tp] != end) return false;
    }
    return true;
  }));
}

// A call that returns past listener_deadline_ms failed retriably, even though it said Ok: the
// record is delivered again, and goes to the dead-letter topic once its attempts are used up.
TEST(ContainerRetryTest, AListenerPastItsDeadlineFailsRetriably) {
  auto cluster = StartCluster(1);
  ASSERT_TRUE(cluster->CreateTopic("slow", 1).ok());
  ASSERT_TRUE(cluster->CreateTopic("slow-dlt", 1).ok());
  Produce(*cluster, "slow", 3);
  ContainerOptions o = Options(*cluster, "slow-group", {"slow"});
  o.listener_deadline_ms = 100;
  o.backoff = BackoffPolicy::Fixed(50, 2);
  CallTimes calls;
  auto c = StartContainer(o, [&](const ConsumerRecord& r, Acknowledgment) {
    calls.Add(Id(r));
    const size_t n = calls.Of(Id(r)).size();
    // The work itself is slow here: offset 0 once, offset 1 every time.
    if ((r.offset == 0 && n == 1) || r.offset == 1) std::this_thread::sleep_for(milliseconds(300));
    return ListenerResult::Ok();
  });
  ASSERT_TRUE(c);
  auto dead = ReadAll(*cluster, "slow-dlt", 1, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, "v1");
  EXPECT_EQ(dead[0].headers.at(std::string(kDltErrorClass)), "ListenerDeadlineExceeded");
  EXPECT_EQ(dead[0].headers.at(std::string(kAttempts)), "2");
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "slow-group")[{"slow", 0}] == 3; }));
  EXPECT_EQ(calls.Of("slow-0@0").size(), 2u);
  EXPECT_EQ(calls.Of("slow-0@1").size(), 2u);
  EXPECT_EQ(calls.Of("slow-0@2").size(), 1u);
}

// A rebalance while a record waits for its redelivery: the revoking member commits only up to
// that record and forgets its retry; whoever owns the partition next delivers it again. No commit,
// of either container at any time, passes a record that was not processed.
TEST(ContainerRetryTest, ARebalanceDuringARetryCommitsUpToTheRecordAndRedeliversIt) {
  auto cluster = StartCluster(2);
  ASSERT_TRUE(cluster->CreateTopic("moves", 2).ok());
  Produce(*cluster, "moves", 40);
  ContainerOptions o = Options(*cluster, "moves-group", {"moves"});
  o.ack_mode = AckMode::kRecord;
  o.backoff = BackoffPolicy::Fixed(3000, 5);
  Ledger done;
  std::atomic<int> violations{0};
  o.on_commit = [&](const OffsetMap& offsets, const Status& s) {
    for (const auto& [tp, om] : offsets) {
      if (om.offset > done.FirstMissing(tp)) ++violations;
    }
  };
  CallTimes calls;
  auto listener = [&](const ConsumerRecord& r, Acknowledgment) {
    calls.Add(Id(r));
    if (r.partition == 0 && r.offset == 2 && calls.Of(Id(r)).size() == 1) return ListenerResult::Retriable("first try");
    done.Add(r.topic_partition(), r.offset);
    return ListenerResult::Ok();
  };
  auto first = StartContainer(o, listener);
  ASSERT_TRUE(first);
  ASSERT_TRUE(WaitFor([&] { return calls.Of("moves-0@2").size() == 1 && done.FirstMissing({"moves", 1}) > 0; }));
  auto second = StartContainer(o, listener);
  ASSERT_TRUE(second);
  ASSERT_TRUE(WaitFor([&] { return done.Distinct() == 40; }));
  const auto retried = calls.Of("moves-0@2");
  ASSERT_EQ(retried.size(), 2u);
  EXPECT_LT(retried[1] - retried[0], milliseconds(3000)) << "the revoke dropped the pending 3 s backoff";
  const auto ends = EndOffsets(*cluster, "moves", 2);
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "moves-group") == ends; }));
  EXPECT_EQ(violations.load(), 0);
}

// A batch listener that names the failed record: those before it are done and not delivered
// again, the failed one is retried, and the partition ends fully committed.
TEST(ContainerRetryTest, ABatchFailureAtAnIndexRetriesFromThatRecord) {
  auto cluster = StartCluster(1);
  ASSERT_TRUE(cluster->CreateTopic("bulk", 1).ok());
  Produce(*cluster, "bulk", 10);
  ContainerOptions o = Options(*cluster, "bulk-group", {"bulk"});
  o.backoff = BackoffPolicy::Fixed(100, 3);
  std::mutex mu;
  std::map<int64_t, int> deliveries;
  bool failed_once = false;
  auto c = StartContainer(o, BatchListener([&](std::span<const ConsumerRecord> records, std::span<const Acknowledgment>) {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < records.size(); ++i) {
      ++deliveries[records[i].offset];
      if (records[i].offset == 5 && !failed_once) {
        failed_once = true;
        for (size_t j = i + 1; j < records.size(); ++j) ++deliveries[records[j].offset];
        return ListenerResult::Retriable("row 5 is locked").AtIndex(i);
      }
    }
    return ListenerResult::Ok();
  }));
  ASSERT_TRUE(c);
  ASSERT_TRUE(WaitFor([&] { return Committed(*cluster, "bulk-group")[{"bulk", 0}] == 10; }));
  std::lock_guard lock(mu);
  for (int64_t off = 0; off < 5; ++off) EXPECT_EQ(deliveries[off], 1) << off;
  EXPECT_EQ(deliveries[5], 2);
  for (int64_t off = 6; off < 10; ++off) EXPECT_GE(deliveries[off], 1) << off;
}

}  // namespace
}  // namespace kclient::container::testing
