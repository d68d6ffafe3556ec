// Helpers of the listener-container tests: an embedded cluster, records written and read back,
// committed offsets as Admin reports them, what listeners saw (thread-safe), and waiting on
// conditions with a deadline (never on sleeps).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/container/listener_container.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

namespace kclient::container::testing {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
inline constexpr auto kDeadline = std::chrono::seconds(30);

inline std::unique_ptr<EmbeddedCluster> StartCluster(int32_t partitions, bool auto_create = true) {
  EmbeddedClusterOptions o;
  o.default_partitions = partitions;
  o.auto_create_topics = auto_create;
  o.group_min_session_timeout_ms = 500;
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// Writes `count` records "k<i>" / "v<i>" (header "n" = i) and waits for all of them.
inline void Produce(const EmbeddedCluster& cluster, const std::string& topic, int count, int first = 0) {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  auto p = Producer::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::atomic<int> failed{0};
  for (int i = first; i < first + count; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = "k" + std::to_string(i);
    r.value = "v" + std::to_string(i);
    r.headers = {{"n", std::to_string(i)}};
    (*p)->Produce(r, [&failed](const Result<RecordMetadata>& m) {
      if (!m.ok()) ++failed;
    });
  }
  ASSERT_TRUE((*p)->Flush().ok());
  ASSERT_EQ(failed.load(), 0);
}

inline ContainerOptions Options(const EmbeddedCluster& cluster, const std::string& group,
                                std::vector<std::string> topics) {
  ContainerOptions o;
  o.consumer.client.bootstrap_servers = cluster.bootstrap_servers();
  o.consumer.client.retry_backoff_ms = 20;
  o.consumer.client.reconnect_backoff_ms = 20;
  o.consumer.group_id = group;
  o.consumer.auto_offset_reset = OffsetReset::kEarliest;
  o.consumer.session_timeout_ms = 6000;
  o.consumer.heartbeat_interval_ms = 200;
  o.consumer.fetch_max_wait_ms = 50;
  o.topics = std::move(topics);
  o.poll_timeout_ms = 100;
  o.producer.client = o.consumer.client;
  o.producer.client.request_timeout_ms = 1000;
  o.producer.max_block_ms = 2000;
  o.producer.delivery_timeout_ms = 2000;
  o.producer.linger_ms = 0;
  o.log = [](LogLevel level, std::string_view message) {
    if (level >= LogLevel::kWarning) std::fprintf(stderr, "container: %.*s\n", static_cast<int>(message.size()), message.data());
  };
  return o;
}

template <typename Listener>
std::unique_ptr<ListenerContainer> StartContainer(const ContainerOptions& o, Listener listener) {
  auto c = ListenerContainer::Create(o, std::move(listener));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  Status s = (*c)->Start();
  EXPECT_TRUE(s.ok()) << s.ToString();
  return std::move(*c);
}

// Waits until `condition` holds or the deadline passes; returns whether it held.
inline bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds deadline = kDeadline) {
  const auto until = Clock::now() + deadline;
  while (!condition()) {
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(10));  // polling a condition, not waiting for time
  }
  return true;
}

inline std::map<TopicPartition, int64_t> Committed(const EmbeddedCluster& cluster, const std::string& group) {
  AdminOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  auto admin = Admin::Create(o);
  EXPECT_TRUE(admin.ok());
  std::map<TopicPartition, int64_t> out;
  if (!admin.ok()) return out;
  auto offsets = (*admin)->ListConsumerGroupOffsets(group);
  EXPECT_TRUE(offsets.ok()) << offsets.status().ToString();
  if (offsets.ok()) {
    for (const auto& [tp, o2] : *offsets) out[tp] = o2.offset;
  }
  return out;
}

inline std::map<TopicPartition, int64_t> EndOffsets(const EmbeddedCluster& cluster, const std::string& topic,
                                                    int32_t partitions) {
  ConsumerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  auto c = Consumer::Create(o);
  EXPECT_TRUE(c.ok());
  std::vector<TopicPartition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  auto ends = (*c)->EndOffsets(tps);
  EXPECT_TRUE(ends.ok()) << ends.status().ToString();
  return ends.ok() ? *ends : std::map<TopicPartition, int64_t>{};
}

// A record read back by a plain consumer, with its bytes copied.
struct ReadRecord {
  TopicPartition partition;
  int64_t offset = 0;
  std::optional<std::string> key, value;
  std::map<std::string, std::string> headers;
};

inline std::vector<ReadRecord> ReadAll(const EmbeddedCluster& cluster, const std::string& topic, int32_t partitions,
                                       size_t expected) {
  ConsumerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.fetch_max_wait_ms = 50;
  auto c = Consumer::Create(o);
  EXPECT_TRUE(c.ok());
  std::vector<TopicPartition> tps;
  for (int32_t p = 0; p < partitions; ++p) tps.push_back({topic, p});
  EXPECT_TRUE((*c)->Assign(tps).ok());
  std::vector<ReadRecord> out;
  const auto until = Clock::now() + kDeadline;
  while (out.size() < expected && Clock::now() < until) {
    auto records = (*c)->Poll(milliseconds(100));
    if (!records.ok()) continue;
    for (const ConsumerRecord& r : *records) {
      ReadRecord copy{r.topic_partition(), r.offset, std::nullopt, std::nullopt, {}};
      if (r.key) copy.key = std::string(*r.key);
      if (r.value) copy.value = std::string(*r.value);
      for (const HeaderView& h : r.headers) copy.headers[std::string(h.key)] = std::string(h.value.value_or(""));
      out.push_back(std::move(copy));
    }
  }
  return out;
}

// Which records listeners finished with, per partition (thread-safe).
class Ledger {
 public:
  void Add(const TopicPartition& tp, int64_t offset) {
    std::lock_guard lock(mu_);
    offsets_[tp].insert(offset);
    ++count_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  bool Has(const TopicPartition& tp, int64_t offset) const {
    std::lock_guard lock(mu_);
    auto it = offsets_.find(tp);
    return it != offsets_.end() && it->second.count(offset) > 0;
  }
  // The first offset from 0 not in the ledger: no commit may pass it.
  int64_t FirstMissing(const TopicPartition& tp) const {
    std::lock_guard lock(mu_);
    int64_t o = 0;
    auto it = offsets_.find(tp);
    if (it == offsets_.end()) return 0;
    while (it->second.count(o) > 0) ++o;
    return o;
  }
  size_t Distinct() const {
    std::lock_guard lock(mu_);
    size_t n = 0;
    for (const auto& [tp, s] : offsets_) n += s.size();
    return n;
  }

 private:
  mutable std::mutex mu_;
  std::map<TopicPartition, std::set<int64_t>> offsets_;
  size_t count_ = 0;
};

}  // namespace kclient::container::testing
