// ListenerContainer scenarios, run against real Apache Kafka (single node, started by
// scripts/kafka.sh through the ctest fixtures in tests/CMakeLists.txt) and against kclient-broker
// (the target comes from target_cluster.h): non-blocking retries end to end. A record that fails
// twice succeeds on its third attempt, through both retry topics; a record that always fails
// lands on the dead-letter topic with the container's headers; every retry waits at least its
// delay; the retry and dead-letter topics are created at Start with the source's partition count,
// and a retried record stays on the partition number of its source.
//
// Environment: see target_cluster.h (KCLIENT_TARGET and what goes with it).
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventually.h"
#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/listener_container.h"
#include "kclient/producer.h"
#include "target_cluster.h"

namespace kclient {
namespace {

namespace kc = kclient::container;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(90);

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

// Names unique to this run, so reruns against one cluster never see old data or groups.
std::string Unique(const std::string& base) {
  static const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  return base + "-" + run;
}

std::optional<std::string> Header(const ConsumerRecord& r, std::string_view key) {
  for (const HeaderView& h : r.headers) {
    if (h.key == key) return std::string(h.value.value_or(""));
  }
  return std::nullopt;
}

// One listener call: when (steady clock), from which topic and partition, and the attempt count
// the record carried.
struct Call {
  Clock::time_point at;
  std::string topic;
  int32_t partition = 0;
  std::string attempts_header;
};

// Listener calls per record, the record named by its own header "n" (kept across retry topics).
class Calls {
 public:
  void Add(const std::string& n, Call call) {
    std::lock_guard lock(mu_);
    calls_[n].push_back(std::move(call));
  }
  std::vector<Call> Of(const std::string& n) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(n);
    return it == calls_.end() ? std::vector<Call>{} : it->second;
  }
  size_t Succeeded() const {
    std::lock_guard lock(mu_);
    return succeeded_;
  }
  void Success() {
    std::lock_guard lock(mu_);
    ++succeeded_;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::vector<Call>> calls_;
  size_t succeeded_ = 0;
};

// A record read back, bytes copied.
struct Read {
  int32_t partition = 0;
  std::optional<std::string> key, value;
  std::map<std::string, std::string> headers;
};

// Reads `topic` partitions [0, partitions) from the start until `expected` records arrived.
std::vector<Read> ReadTopic(const std::string& topic, int32_t partitions, size_t expected) {
  ConsumerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.fetch_max_wait_ms = 100;
  auto c = Consumer::Create(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  std::vector<Read> out;
  if (!c.ok()) return out;
  std::vector<TopicPartition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  EXPECT_TRUE((*c)->Assign(tps).ok());
  testing::Eventually(
      [&] {
        auto records = (*c)->Poll(milliseconds(200));
        if (records.ok()) {
          for (const ConsumerRecord& r : *records) {
            Read copy;
            copy.partition = r.partition;
            if (r.key) copy.key = std::string(*r.key);
            if (r.value) copy.value = std::string(*r.value);
            for (const HeaderView& h : r.headers) copy.headers[std::string(h.key)] = std::string(h.value.value_or(""));
            out.push_back(std::move(copy));
          }
        }
        return out.size() >= expected;
      },
      kDeadline, milliseconds(0));
  (void)(*c)->Close();
  return out;
}

TEST(ContainerScenario, RetryTopicsRetryInTimeThenDeadLetterWithTheRecordsStory) {
  const std::string topic = Unique("payments");
  const std::string group = Unique("payments-group");
  constexpr int32_t kPartitions = 3;
  constexpr int kRecords = 12;

  AdminOptions ao;
  ao.client.bootstrap_servers = Bootstrap();
  auto admin = Admin::Create(ao);
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE((*admin)->CreateTopic({topic, kPartitions, testing::Target().replication_factor()}).ok());

  // Record n goes to partition n % 3. n = 4 fails twice and then succeeds; n = 7 always fails.
  ProducerOptions po;
  po.client.bootstrap_servers = Bootstrap();
  auto producer = Producer::Create(po);
  ASSERT_TRUE(producer.ok()) << producer.status().ToString();
  for (int n = 0; n < kRecords; ++n) {
    ProducerRecord r{topic, n % kPartitions, "k" + std::to_string(n), "v" + std::to_string(n),
                     {{"n", std::to_string(n)}}, std::nullopt};
    auto written = (*producer)->SendSync(r);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }

  kc::ContainerOptions o;
  o.consumer.client.bootstrap_servers = Bootstrap();
  o.consumer.client.retry_backoff_ms = 50;
  o.consumer.group_id = group;
  o.consumer.auto_offset_reset = OffsetReset::kEarliest;
  o.consumer.session_timeout_ms = 10000;
  o.consumer.heartbeat_interval_ms = 500;
  o.consumer.fetch_max_wait_ms = 100;
  o.topics = {topic};
  o.poll_timeout_ms = 200;
  o.retry_topics.enabled = true;
  o.retry_topics.backoff = kc::BackoffPolicy::Exponential(1000, 2.0, 10000, 3);  // -retry-1000, -retry-2000
  o.retry_topics.replication_factor = testing::Target().replication_factor();
  o.log = [](kc::LogLevel level, std::string_view message) {
    if (level >= kc::LogLevel::kWarning) std::printf("container: %.*s\n", static_cast<int>(message.size()), message.data());
  };
  Calls calls;
  auto container = kc::ListenerContainer::Create(o, [&](const ConsumerRecord& r, kc::Acknowledgment) {
    const std::string n = Header(r, "n").value_or("?");
    calls.Add(n, Call{Clock::now(), std::string(r.topic), r.partition, Header(r, kc::kAttempts).value_or("")});
    if (n == "7") return kc::ListenerResult::Retriable("ledger unavailable", "LedgerDown");
    if (n == "4" && calls.Of(n).size() < 3) return kc::ListenerResult::Retriable("ledger busy", "LedgerBusy");
    calls.Success();
    return kc::ListenerResult::Ok();
  });
  ASSERT_TRUE(container.ok()) << container.status().ToString();
  Status started = (*container)->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();

  // Created at Start, with the source's partition count.
  const std::string retry1 = topic + "-retry-1000", retry2 = topic + "-retry-2000", dlt = topic + "-dlt";
  for (const std::string& t : {retry1, retry2, dlt}) {
    auto d = (*admin)->DescribeTopic(t);
    ASSERT_TRUE(d.ok()) << t << ": " << d.status().ToString();
    EXPECT_EQ(d->partitions.size(), static_cast<size_t>(kPartitions)) << t;
  }

  auto dead = ReadTopic(dlt, kPartitions, 1);
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_TRUE(testing::Eventually([&] { return calls.Succeeded() == kRecords - 1; }, kDeadline))
      << calls.Succeeded() << " records succeeded";

  // The dead letter: the record as it was, and its story.
  const Read& d = dead[0];
  EXPECT_EQ(d.key, "k7");
  EXPECT_EQ(d.value, "v7");
  EXPECT_EQ(d.headers.at("n"), "7");
  EXPECT_EQ(d.headers.at(std::string(kc::kDltOriginalTopic)), topic);
  EXPECT_EQ(d.headers.at(std::string(kc::kDltOriginalPartition)), "1");
  EXPECT_EQ(d.headers.at(std::string(kc::kDltOriginalOffset)), "2");  // the third record of partition 1
  EXPECT_FALSE(d.headers.at(std::string(kc::kDltOriginalTimestamp)).empty());
  EXPECT_EQ(d.headers.at(std::string(kc::kDltConsumerGroup)), group);
  EXPECT_EQ(d.headers.at(std::string(kc::kDltErrorClass)), "LedgerDown");
  EXPECT_EQ(d.headers.at(std::string(kc::kDltErrorMessage)), "ledger unavailable");
  EXPECT_EQ(d.headers.at(std::string(kc::kAttempts)), "3");
  EXPECT_EQ(d.headers.count(std::string(kc::kRetryDueMs)), 0u);

  // Each record's three calls: the source topic, then each retry topic, on the source's partition
  // number, each retry no earlier than its delay after the call before.
  for (const char* n : {"4", "7"}) {
    const auto c = calls.Of(n);
    ASSERT_EQ(c.size(), 3u) << "record " << n;
    const int32_t partition = std::stoi(n) % kPartitions;
    EXPECT_EQ(c[0].topic, topic);
    EXPECT_EQ(c[1].topic, retry1);
    EXPECT_EQ(c[2].topic, retry2);
    for (const Call& call : c) EXPECT_EQ(call.partition, partition) << "record " << n << " on " << call.topic;
    EXPECT_EQ(c[0].attempts_header, "");
    EXPECT_EQ(c[1].attempts_header, "1");
    EXPECT_EQ(c[2].attempts_header, "2");
    EXPECT_GE(c[1].at - c[0].at, milliseconds(1000)) << "record " << n;
    EXPECT_GE(c[2].at - c[1].at, milliseconds(2000)) << "record " << n;
  }
  for (int n = 0; n < kRecords; ++n) {
    if (n == 4 || n == 7) continue;
    EXPECT_EQ(calls.Of(std::to_string(n)).size(), 1u) << "record " << n;
  }
  // On each retry topic, the two retried records with their due times.
  for (const std::string& t : {retry1, retry2}) {
    auto parked = ReadTopic(t, kPartitions, 2);
    ASSERT_EQ(parked.size(), 2u) << t;
    for (const Read& r : parked) {
      EXPECT_EQ(r.partition, std::stoi(r.headers.at("n")) % kPartitions) << t;
      EXPECT_EQ(r.headers.at(std::string(kc::kDltOriginalTopic)), topic) << t;
      EXPECT_FALSE(r.headers.at(std::string(kc::kRetryDueMs)).empty()) << t;
    }
  }

  // Everything, retry topics included, ends committed.
  std::map<TopicPartition, int64_t> ends;
  {
    ConsumerOptions co;
    co.client.bootstrap_servers = Bootstrap();
    auto c = Consumer::Create(co);
    ASSERT_TRUE(c.ok());
    std::vector<TopicPartition> tps;
    for (const std::string& t : {topic, retry1, retry2}) {
      for (int32_t p = 0; p < kPartitions; ++p) tps.push_back({t, p});
    }
    auto e = (*c)->EndOffsets(tps);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    for (const auto& [tp, end] : *e) {
      if (end > 0) ends[tp] = end;
    }
  }
  ASSERT_TRUE(testing::Eventually(
      [&] {
        auto committed = (*admin)->ListConsumerGroupOffsets(group);
        if (!committed.ok()) return false;
        for (const auto& [tp, end] : ends) {
          auto it = committed->find(tp);
          if (it == committed->end() || it->second.offset != end) return false;
        }
        return true;
      },
      kDeadline))
      << "the group committed every record it consumed, retried ones included";
  ASSERT_TRUE((*container)->Stop().ok());
}

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
