// A cluster with a data_dir, restarted: topics (ids, configs, replicas), logs (offsets, bytes,
// log start offsets) and deletions come back from <data_dir>; retention runs on the loop timer;
// and a client we did not write (librdkafka) reads back from a restarted EmbeddedCluster what it
// had produced before.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"
#include <nlohmann/json.hpp>

#include "blocking_client.h"
#include "broker/cluster.h"
#include "broker/log/segment_files.h"
#include "kclient/embedded_cluster.h"
#include "net/loop_thread.h"
#include "protocol/messages/metadata.h"
#include "protocol/record_batch.h"
#include "rdkafka_support.h"

namespace kclient {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using broker::Cluster;
using broker::ClusterConfig;
using broker::PartitionLog;
using broker::PartitionState;
using broker::TopicState;
using testing::Millis;

constexpr Millis kDeadline{30000};
constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

using TempDir = kclient::testing::TempDir;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Bytes MakeBatch(int records, int64_t timestamp, const std::string& value) {
  protocol::RecordBatchBuilder builder;
  for (int i = 0; i < records; ++i) {
    builder.Append(timestamp, std::nullopt,
                   protocol::ByteSpan(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  }
  protocol::ByteSpan out;
  EXPECT_TRUE(builder.Finish({}, &out).ok());
  return Bytes(out.begin(), out.end());
}

// A Cluster on a loop thread of its own, as EmbeddedCluster runs it, with its internals at hand.
class LiveCluster {
 public:
  explicit LiveCluster(ClusterConfig config) {
    started_ = thread_.Call([&] {
      cluster_ = std::make_unique<Cluster>(&thread_.loop(), std::move(config));
      return cluster_->Start();
    });
  }
  ~LiveCluster() {
    thread_.Call([this] {
      cluster_.reset();  // shuts down: flushes and fsyncs the logs
      return 0;
    });
  }
  const Status& started() const { return started_; }

  // Runs `fn(cluster)` on the loop thread.
  template <typename Fn>
  auto Call(Fn fn) {
    return thread_.Call([&] { return fn(*cluster_); });
  }

  // Waits until `pred(cluster)` holds, checking it on the loop thread every few milliseconds
  // (a loop timer, so the test thread only waits on a future); false at the deadline.
  bool WaitFor(std::function<bool(Cluster&)> pred, Millis timeout) {
    auto done = std::make_shared<std::promise<bool>>();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto check = std::make_shared<std::function<void()>>();
    *check = [this, pred, done, deadline, check] {
      if (pred(*cluster_)) {
        done->set_value(true);
      } else if (std::chrono::steady_clock::now() >= deadline) {
        done->set_value(false);
      } else {
        thread_.loop().AddTimer(std::chrono::milliseconds(5), [check] { (*check)(); });
      }
    };
    thread_.Post([check] { (*check)(); });
    const bool result = done->get_future().get();
    thread_.Call([check] {
      *check = nullptr;  // breaks the cycle
      return 0;
    });
    return result;
  }

 private:
  net::LoopThread thread_;
  std::unique_ptr<Cluster> cluster_;
  Status started_;
};

// What must come back after a restart.
struct PartitionSnapshot {
  std::vector<int32_t> replicas;
  int32_t leader_epoch = 0;
  int64_t log_start = 0;
  int64_t log_end = 0;
  int64_t high_watermark = 0;
  std::vector<Bytes> batches;
};
struct TopicSnapshot {
  Uuid id;
  std::map<std::string, std::string> configs;
  std::vector<PartitionSnapshot> partitions;
};

std::map<std::string, TopicSnapshot> Snapshot(Cluster& c) {
  std::map<std::string, TopicSnapshot> out;
  for (auto& [name, t] : c.topics().all()) {
    TopicSnapshot& ts = out[name];
    ts.id = t->id;
    ts.configs = t->configs;
    for (auto& p : t->partitions) {
      PartitionSnapshot& ps = ts.partitions.emplace_back();
      ps.replicas = p->replicas;
      ps.leader_epoch = p->leader_epoch;
      ps.log_start = p->log.log_start_offset();
      ps.log_end = p->log.log_end_offset();
      ps.high_watermark = p->log.high_watermark();
      for (const auto& e : p->log.batches()) {
        std::span<const uint8_t> b = p->log.Read(e.base_offset, 0, true, kNoUpperBound);
        ps.batches.emplace_back(b.begin(), b.end());
      }
    }
  }
  return out;
}

void Fill(PartitionState* p, int batches, int records, const std::string& tag) {
  for (int i = 0; i < batches; ++i) {
    ASSERT_GE(p->log.Append(MakeBatch(records, NowMs(), tag + "-" + std::to_string(i)), p->leader_epoch), 0);
  }
  p->log.set_high_watermark(p->log.log_end_offset());
}

TEST(DurableClusterTest, TopicsAndLogsComeBackAfterARestart) {
  TempDir dir;
  ClusterConfig config;
  config.brokers = 3;
  config.data_dir = dir.path() + "/data";  // created on start
  config.log_segment_bytes = 2048;          // several segments per partition

  std::map<std::string, TopicSnapshot> before;
  Uuid gone_id;
  {
    LiveCluster a(config);
    ASSERT_TRUE(a.started().ok()) << a.started().ToString();
    a.Call([&](Cluster& c) {
      ASSERT_TRUE(c.CreateTopic("orders", 3, 3,
                                {{"retention.ms", "86400000"}, {"cleanup.policy", "delete"}, {"flush.messages", "1"}})
                      .ok());
      ASSERT_TRUE(c.CreateTopic("audit.log_v2", 1, 2).ok());
      auto gone = c.CreateTopic("gone", 2, 1);
      ASSERT_TRUE(gone.ok());
      gone_id = (*gone)->id;
      TopicState* orders = c.topics().Find("orders");
      for (int32_t i = 0; i < 3; ++i) Fill(orders->partition(i), 30 + i, 3, "orders-" + std::to_string(i));
      TopicState* audit = c.topics().Find("audit.log_v2");
      Fill(audit->partition(0), 10, 2, "audit");
      audit->partition(0)->log.TruncateBefore(7);  // DeleteRecords into the middle of a batch
      ASSERT_TRUE(c.topics().AddPartitions(audit, 2, {1, 2, 3}).ok());
      Fill(audit->partition(1), 4, 1, "audit-1");
      Fill((*gone)->partition(0), 3, 1, "gone");
      ASSERT_TRUE(c.MoveLeader("orders", 1, orders->partition(1)->replicas[1]).ok());  // epoch 1
      ASSERT_TRUE(c.topics().Delete("gone").ok());
    });
    EXPECT_FALSE(fs::exists(config.data_dir + "/gone-0"));
    EXPECT_FALSE(fs::exists(config.data_dir + "/gone-1"));
    for (const char* d : {"orders-0", "orders-1", "orders-2", "audit.log_v2-0", "audit.log_v2-1"}) {
      EXPECT_TRUE(fs::is_directory(config.data_dir + "/" + d)) << d;
    }
    EXPECT_GT(std::count_if(fs::directory_iterator(config.data_dir + "/orders-0"), fs::directory_iterator(),
                            [](const fs::directory_entry& e) { return e.path().extension() == ".log"; }),
              1);
    before = a.Call([](Cluster& c) { return Snapshot(c); });
  }

  // topics.json as documented.
  {
    std::ifstream in(config.data_dir + "/topics.json");
    nlohmann::json doc = nlohmann::json::parse(in);
    EXPECT_EQ(doc["version"], 1);
    ASSERT_EQ(doc["topics"].size(), 2u);
    const nlohmann::json& audit = doc["topics"][0];
    EXPECT_EQ(audit["name"], "audit.log_v2");
    EXPECT_EQ(audit["id"], before["audit.log_v2"].id.ToString());
    EXPECT_EQ(audit["partitions"][0]["replicas"].size(), 2u);
    EXPECT_EQ(doc["topics"][1]["configs"]["retention.ms"], "86400000");
  }

  LiveCluster b(config);
  ASSERT_TRUE(b.started().ok()) << b.started().ToString();
  std::map<std::string, TopicSnapshot> after = b.Call([](Cluster& c) { return Snapshot(c); });
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after.count("gone"), 0u);
  for (const auto& [name, t] : before) {
    SCOPED_TRACE(name);
    ASSERT_EQ(after.count(name), 1u);
    const TopicSnapshot& u = after[name];
    EXPECT_EQ(u.id, t.id);
    EXPECT_EQ(u.configs, t.configs);
    ASSERT_EQ(u.partitions.size(), t.partitions.size());
    for (size_t i = 0; i < t.partitions.size(); ++i) {
      SCOPED_TRACE(i);
      const PartitionSnapshot& x = t.partitions[i];
      const PartitionSnapshot& y = u.partitions[i];
      EXPECT_EQ(y.replicas, x.replicas);
      EXPECT_EQ(y.log_start, x.log_start);
      EXPECT_EQ(y.log_end, x.log_end);
      EXPECT_EQ(y.high_watermark, y.log_end);
      EXPECT_EQ(y.batches, x.batches);
      EXPECT_GT(y.leader_epoch, x.leader_epoch);  // a new election, as after a Kafka restart
    }
  }
  EXPECT_EQ(after["audit.log_v2"].partitions[0].log_start, 7);
  EXPECT_EQ(after["audit.log_v2"].partitions[1].log_end, 4);
  EXPECT_EQ(after["orders"].partitions[2].log_end, 32 * 3);

  b.Call([&](Cluster& c) {
    // Leaders are the first replicas, every replica in sync.
    TopicState* orders = c.topics().Find("orders");
    for (auto& p : orders->partitions) {
      EXPECT_EQ(p->leader, p->replicas.front());
      EXPECT_EQ(p->isr.size(), 3u);
    }
    // Appends go on where the log ended; a new topic gets an id no earlier topic had.
    EXPECT_EQ(orders->partition(0)->log.Append(MakeBatch(1, NowMs(), "more"), orders->partition(0)->leader_epoch), 90);
    auto fresh = c.CreateTopic("fresh", 1, 1);
    ASSERT_TRUE(fresh.ok());
    std::set<std::string> ids{before["orders"].id.ToString(), before["audit.log_v2"].id.ToString(), gone_id.ToString()};
    EXPECT_EQ(ids.count((*fresh)->id.ToString()), 0u);
    // A topic that comes back under a deleted one's name starts empty.
    auto again = c.CreateTopic("gone", 1, 1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*again)->partition(0)->log.log_end_offset(), 0);
    EXPECT_NE((*again)->id, gone_id);
  });
}

TEST(DurableClusterTest, AnUnreadableTopicsFileStopsTheStart) {
  TempDir dir;
  ClusterConfig config;
  config.data_dir = dir.path();
  std::ofstream(dir.path() + "/topics.json") << "{\"version\": 1, \"topics\": [";
  LiveCluster c(config);
  EXPECT_EQ(c.started().code(), ErrorCode::kKafkaStorageError);
  EXPECT_NE(c.started().ToString().find("topics.json"), std::string::npos) << c.started().ToString();
}

TEST(DurableClusterTest, RetentionRunsOnTheLoopTimer) {
  for (bool durable : {true, false}) {
    SCOPED_TRACE(durable ? "durable" : "in memory");
    TempDir dir;
    ClusterConfig config;
    if (durable) config.data_dir = dir.path();
    config.log_retention_check_interval_ms = 10;
    const size_t s = MakeBatch(2, 0, "x").size();
    LiveCluster c(config);
    ASSERT_TRUE(c.started().ok());
    c.Call([&](Cluster& cluster) {
      // Two batches per segment; at most four batches by size; and an hour by time.
      const std::string two = std::to_string(2 * s);
      ASSERT_TRUE(cluster.CreateTopic("by-size", 1, 1, {{"segment.bytes", two}, {"retention.bytes", std::to_string(4 * s)}}).ok());
      ASSERT_TRUE(cluster.CreateTopic("by-time", 1, 1, {{"segment.bytes", two}, {"retention.ms", "3600000"}}).ok());
      ASSERT_TRUE(cluster.CreateTopic("compacted", 1, 1, {{"segment.bytes", two}, {"retention.bytes", "0"},
                                                          {"cleanup.policy", "compact"}}).ok());
      for (const char* name : {"by-size", "compacted"}) {
        PartitionState* p = cluster.topics().Find(name)->partition(0);
        for (int i = 0; i < 10; ++i) p->log.Append(MakeBatch(2, NowMs(), "x"), 0);
        p->log.set_high_watermark(p->log.log_end_offset());
      }
      PartitionState* p = cluster.topics().Find("by-time")->partition(0);
      for (int i = 0; i < 6; ++i) p->log.Append(MakeBatch(2, NowMs() - 2 * 3600000, "x"), 0);
      for (int i = 0; i < 2; ++i) p->log.Append(MakeBatch(2, NowMs(), "x"), 0);
      p->log.set_high_watermark(p->log.log_end_offset());
    });
    // by-size: 10 batches of s against 4s: the excess 6s is three whole segments (offsets 0-11).
    // by-time: the three old segments go, the new (active) one stays.
    ASSERT_TRUE(c.WaitFor(
        [](Cluster& cluster) {
          return cluster.topics().Find("by-size")->partition(0)->log.log_start_offset() == 12 &&
                 cluster.topics().Find("by-time")->partition(0)->log.log_start_offset() == 12;
        },
        kDeadline));
    c.Call([&](Cluster& cluster) {
      EXPECT_EQ(cluster.topics().Find("by-size")->partition(0)->log.segment_count(), 2u);
      EXPECT_EQ(cluster.topics().Find("by-time")->partition(0)->log.segment_count(), 1u);
      EXPECT_EQ(cluster.topics().Find("compacted")->partition(0)->log.log_start_offset(), 0);  // not cleanup.policy=delete
      // retention.bytes changed in place (AlterConfigs) applies at the next check.
      cluster.topics().Find("by-size")->configs["retention.bytes"] = "0";
      return 0;
    });
    ASSERT_TRUE(c.WaitFor(
        [](Cluster& cluster) { return cluster.topics().Find("by-size")->partition(0)->log.log_start_offset() == 16; },
        kDeadline));
    if (durable) {
      std::vector<std::string> logs;
      for (const auto& e : fs::directory_iterator(dir.path() + "/by-time-0")) {
        if (e.path().extension() == ".log") logs.push_back(e.path().filename().string());
      }
      EXPECT_EQ(logs, std::vector<std::string>{broker::SegmentFiles::FileName(12, ".log")});
      // The altered config reached topics.json too.
      ASSERT_TRUE(c.WaitFor(
          [&](Cluster&) {
            std::ifstream in(dir.path() + "/topics.json");
            return nlohmann::json::parse(in, nullptr, false).dump().find("\"retention.bytes\":\"0\"") != std::string::npos;
          },
          kDeadline));
    }
  }
}

// ---- A client we did not write, across a restart of EmbeddedCluster ----------------------------

Uuid TopicId(const std::string& bootstrap, const std::string& topic) {
  testing::BlockingClient client;
  EXPECT_TRUE(client.Connect(bootstrap).ok());
  protocol::MetadataRequest req;
  req.topics->emplace_back().name = topic;
  protocol::MetadataResponse resp;
  EXPECT_TRUE(client.RoundTrip(req, 12, &resp).ok());
  return resp.topics.empty() ? Uuid{} : resp.topics.at(0).topic_id;
}

TEST(DurableClusterTest, LibrdkafkaReadsBackWhatItProducedBeforeARestart) {
  TempDir dir;
  EmbeddedClusterOptions options;
  options.data_dir = dir.path();
  options.log_segment_bytes = 8192;
  const std::string topic = "events";
  constexpr size_t kCount = 300;
  std::map<std::pair<int32_t, int64_t>, std::string> acked;  // (partition, offset) -> value
  Uuid id;
  {
    auto cluster = EmbeddedCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    ASSERT_TRUE((*cluster)->CreateTopic(topic, 2, 1).ok());
    id = TopicId((*cluster)->bootstrap_servers(), topic);
    ASSERT_FALSE(id.is_zero());
    auto producer = testing::Producer::Create((*cluster)->bootstrap_servers(),
                                              {{"acks", "all"}, {"linger.ms", "2"}, {"batch.num.messages", "20"}});
    ASSERT_NE(producer, nullptr);
    std::vector<std::string> values;
    for (size_t i = 0; i < kCount; ++i) {
      testing::Message m;
      m.value = "value-" + std::to_string(i) + std::string(i % 40, '.');
      values.push_back(m.value);
      producer->Send(topic, static_cast<int32_t>(i % 2), m);
    }
    ASSERT_TRUE(producer->Flush(kDeadline));
    for (const auto& r : producer->reports()) {
      ASSERT_EQ(r.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(r.err);
      acked[{r.partition, r.offset}] = values[r.index];
    }
  }
  ASSERT_EQ(acked.size(), kCount);

  auto cluster = EmbeddedCluster::Start(options);
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ(TopicId((*cluster)->bootstrap_servers(), topic), id);
  for (int32_t partition : {0, 1}) {
    SCOPED_TRACE(partition);
    auto consumer = testing::Consumer::Create((*cluster)->bootstrap_servers(), topic, partition, RD_KAFKA_OFFSET_BEGINNING);
    ASSERT_NE(consumer, nullptr);
    std::vector<testing::Consumed> got = consumer->Read(kCount / 2, kDeadline);
    ASSERT_EQ(got.size(), kCount / 2);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].offset, static_cast<int64_t>(i));
      EXPECT_EQ(got[i].value, acked[std::make_pair(partition, got[i].offset)]);
    }
    EXPECT_TRUE(consumer->errors().empty());
  }
  // And the log goes on where it ended.
  auto producer = testing::Producer::Create((*cluster)->bootstrap_servers(), {{"acks", "all"}});
  ASSERT_NE(producer, nullptr);
  testing::Message m;
  m.value = "after the restart";
  producer->Send(topic, 0, m);
  ASSERT_TRUE(producer->Flush(kDeadline));
  ASSERT_EQ(producer->reports().size(), 1u);
  EXPECT_EQ(producer->reports()[0].offset, static_cast<int64_t>(kCount / 2));
}

}  // namespace
}  // namespace kclient
