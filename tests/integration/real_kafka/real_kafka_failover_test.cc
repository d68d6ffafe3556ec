// The three-broker failover scenario against real Apache Kafka: kclient::Producer writes 100,000
// keyed records with acks=all and idempotence while the leader of one partition is killed with
// kill -9 (its JVM, through scripts/kafka.sh). Every record the producer acknowledged must then be
// in the topic exactly once, and each key's records in the order they were sent. librdkafka reads
// the topic back, so what counts is what Kafka stored, seen by a client we did not write.
//
// Needs the cluster directory the fixture started (the directory of KCLIENT_KAFKA_BOOTSTRAP_FILE)
// and KCLIENT_KAFKA_SCRIPT (scripts/kafka.sh). On a one-broker cluster there is no failover to
// test: it skips. The killed node is started again at the end, so later scenarios see three
// brokers.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/admin.h"
#include "kclient/producer.h"
#include "eventually.h"
#include "rdkafka_reader.h"
#include "target_cluster.h"

namespace kclient {
namespace {


constexpr int kRecords = 100'000;
constexpr int kKeys = 1'000;
constexpr int kPartitions = 3;
constexpr int kKillAfter = 30'000;   // records sent before the leader dies,
constexpr int kAckedBeforeKill = 20'000;  // of which at least this many acknowledged

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

// The fixture's cluster directory holds the bootstrap file and the nodes kafka.sh kills.
std::string ClusterDir() {
  const char* file = std::getenv("KCLIENT_KAFKA_BOOTSTRAP_FILE");
  return std::filesystem::path(file != nullptr ? file : "").parent_path().string();
}

std::string KeyOf(int i) { return "key-" + std::to_string(i % kKeys); }
// The value says which send of its key this is: per-key order is checkable from values alone.
std::string ValueOf(int i) { return std::to_string(i % kKeys) + ":" + std::to_string(i / kKeys); }

std::unique_ptr<Admin> MakeAdmin() {
  AdminOptions o;
  o.client.bootstrap_servers = Bootstrap();
  auto admin = Admin::Create(o);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  return admin.ok() ? std::move(*admin) : nullptr;
}

int RunScript(const std::string& command, int32_t node) {
  const char* script = std::getenv("KCLIENT_KAFKA_SCRIPT");
  const std::string line = std::string(script != nullptr ? script : "scripts/kafka.sh") + " " + command + " '" +
                           ClusterDir() + "' " + std::to_string(node);
  return std::system(line.c_str());
}

// The partition's leader once it has one, or -1 when none shows up in time.
int32_t WaitForLeader(Admin& admin, const std::string& topic, int32_t partition) {
  int32_t leader = -1;
  testing::Eventually([&] {
    auto d = admin.DescribeTopic(topic);
    if (d.ok() && static_cast<int32_t>(d->partitions.size()) > partition) leader = d->partitions[partition].leader;
    return leader >= 0;
  });
  return leader;
}

TEST(RealKafkaFailover, LeaderKilledDuringAnIdempotentProduceLosesAndDuplicatesNothing) {
  if (testing::Target().kind() != testing::TargetCluster::Kind::kReal) GTEST_SKIP() << "kills a Kafka JVM";
  if (testing::Target().brokers() < 3) GTEST_SKIP() << "one broker: nothing to fail over to";
  const std::string topic =
      "failover-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  auto admin = MakeAdmin();
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin->CreateTopic({topic, kPartitions, 3}).ok());
  const int32_t victim = WaitForLeader(*admin, topic, 0);
  ASSERT_GE(victim, 0) << "partition 0 never got a leader";

  ProducerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  o.acks = Acks::kAll;
  o.enable_idempotence = true;
  o.linger_ms = 5;
  o.delivery_timeout_ms = 180'000;  // room for the controller to fence the dead broker
  auto created = Producer::Create(o);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::unique_ptr<Producer> producer = std::move(*created);

  // acked[i]: 0 pending, 1 acknowledged, 2 failed.
  std::vector<std::atomic<uint8_t>> acked(kRecords);
  std::atomic<int> done{0};
  std::mutex mu;
  std::string first_failure;
  bool killed = false;
  for (int i = 0; i < kRecords; ++i) {
    if (i == kKillAfter) {
      // The leader dies with acknowledged records behind it and requests in flight.
      ASSERT_TRUE(testing::Eventually([&] { return done.load() >= kAckedBeforeKill; }, std::chrono::seconds(120),
                                      std::chrono::milliseconds(10)));
      ASSERT_EQ(RunScript("kill", victim), 0) << "could not kill node " << victim;
      killed = true;
    }
    ProducerRecord r;
    r.topic = topic;
    r.key = KeyOf(i);
    r.value = ValueOf(i);
    producer->Produce(r, [&, i](const Result<RecordMetadata>& m) {
      acked[i] = m.ok() ? 1 : 2;
      ++done;
      if (!m.ok()) {
        std::lock_guard lock(mu);
        if (first_failure.empty()) first_failure = m.status().ToString();
      }
    });
  }
  EXPECT_TRUE(killed);
  Status flushed = producer->Flush(std::chrono::milliseconds(240'000));
  ASSERT_TRUE(flushed.ok()) << flushed.ToString();
  ASSERT_TRUE(producer->Close().ok());

  std::set<int> acknowledged;
  int failed = 0;
  for (int i = 0; i < kRecords; ++i) {
    if (acked[i] == 1) acknowledged.insert(i);
    if (acked[i] == 2) ++failed;
  }
  // With two of three replicas left (min.insync.replicas=2) and a long delivery timeout, Kafka
  // can take every record; a failure here is worth knowing about even though the contract is
  // only about acknowledged records.
  EXPECT_EQ(failed, 0) << "first failure: " << first_failure;

  // Bring the node back before reading, so the reader and later scenarios see the whole cluster.
  EXPECT_EQ(RunScript("restart", victim), 0) << "node " << victim << " did not come back";

  std::map<int, std::vector<int>> sends_by_key;  // key -> send numbers in log order
  std::set<int> seen;
  int duplicates = 0;
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto records = testing::ReadWithLibrdkafka(Bootstrap(), topic, p, std::chrono::seconds(120));
    ASSERT_TRUE(records.ok()) << "partition " << p << ": " << records.status().ToString();
    for (const auto& r : *records) {
      ASSERT_TRUE(r.value.has_value());
      const std::string& v = *r.value;
      const size_t colon = v.find(':');
      ASSERT_NE(colon, std::string::npos) << v;
      const int key = std::stoi(v.substr(0, colon));
      const int send = std::stoi(v.substr(colon + 1));
      EXPECT_EQ(r.key, "key-" + std::to_string(key));
      const int i = send * kKeys + key;
      if (!seen.insert(i).second) ++duplicates;
      sends_by_key[key].push_back(send);
    }
  }
  EXPECT_EQ(duplicates, 0) << "records stored twice";
  int missing = 0;
  for (int i : acknowledged) {
    if (!seen.contains(i)) ++missing;
  }
  EXPECT_EQ(missing, 0) << "acknowledged records not in the topic, of " << acknowledged.size();
  int out_of_order_keys = 0;
  for (const auto& [key, sends] : sends_by_key) {
    if (!std::is_sorted(sends.begin(), sends.end())) ++out_of_order_keys;
  }
  EXPECT_EQ(out_of_order_keys, 0) << "keys whose records are out of send order";
  std::printf("failover: killed node %d after %d records; %zu acknowledged, %d failed, %zu stored\n", victim,
              kKillAfter, acknowledged.size(), failed, seen.size());
}

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
