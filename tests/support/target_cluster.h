// TargetCluster: the cluster a scenario program runs against, so that one scenario serves the
// bundled broker, librdkafka's mock cluster and real Apache Kafka without a copy per target.
// tests/CMakeLists.txt registers each scenario program once per target, choosing it through the
// environment:
//   KCLIENT_TARGET=real     the Kafka scripts/real-kafka-fixture.sh started; its bootstrap is in
//                           KCLIENT_KAFKA_BOOTSTRAP_FILE (empty when Kafka could not be fetched:
//                           the scenarios are skipped), KCLIENT_KAFKA_VERSION says which Kafka.
//                           The default when KCLIENT_TARGET is unset.
//   KCLIENT_TARGET=bundled  kclient's broker, in process (EmbeddedCluster);
//   KCLIENT_TARGET=mock     librdkafka's mock cluster (Debian's librdkafka 2.0.2), in process
//                           (mock_cluster.h, which also says how it is set up for kclient);
//   KCLIENT_TARGET_BROKERS  how many brokers the bundled and mock targets start (default 1).
//                           Three brokers mean replication factor 3 (and, bundled,
//                           min.insync.replicas 2), as the real three-node clusters.
//
// The mock is a broker for clients, not for administrators: it serves produce, fetch, offsets and
// the classic group protocol, but no topic or group administration, and some of what it serves it
// answers unlike Kafka. A scenario that needs what a target lacks starts with
// KCLIENT_SKIP_UNLESS(capability), which skips it there with the concrete reason (Lacks() below
// gives them); topics for scenarios whose point is not topic creation are made with
// CreateTopicDirectly on the mock. On the mock run: every produce scenario (codecs, acks,
// idempotence, per-key order, the newest Produce version it serves) but the timestamps reported on
// acknowledgement; assigned reading with end offsets, a single member's commits across a restart
// and records librdkafka produced; DescribeCluster. Skipped there: offsets by time, groups of two
// (eager, cooperative) and static membership, topic and group administration, the controller.
//
// RunScenarios is the scenario programs' main: it starts the target, runs the tests, and returns
// 77 (ctest's "skipped") when there is no target.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "kclient/embedded_cluster.h"
#include "mock_cluster.h"

namespace kclient::testing {

// What a scenario may need that not every target offers.
enum class Capability {
  kTopicAdministration,  // CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs
  kGroupAdministration,  // ListGroups, DescribeGroups
  kOffsetsForTimes,      // ListOffsets by timestamp
  kController,           // Metadata naming one of the cluster's brokers as its controller
  kCreateTimeAcks,       // Produce answers without a LogAppendTime on CreateTime topics
  kGroupRebalances,      // Kafka's classic group rebalances, with several members
  kStaticMembership,     // group.instance.id (KIP-345)
};

class TargetCluster {
 public:
  enum class Kind { kBundled, kMock, kReal };

  // The target the environment names; nullptr after printing why there is none.
  static std::unique_ptr<TargetCluster> FromEnvironment() {
    const char* kind = std::getenv("KCLIENT_TARGET");
    const std::string k = kind != nullptr ? kind : "real";
    const char* n = std::getenv("KCLIENT_TARGET_BROKERS");
    const int brokers = n != nullptr ? std::atoi(n) : 1;
    std::unique_ptr<TargetCluster> t(new TargetCluster);
    t->brokers_ = brokers;
    if (k == "real") {
      t->kind_ = Kind::kReal;
      const char* file = std::getenv("KCLIENT_KAFKA_BOOTSTRAP_FILE");
      std::ifstream in(file != nullptr ? file : "");
      std::getline(in, t->bootstrap_);
      if (t->bootstrap_.empty()) {
        std::printf("real-kafka tier: SKIPPED: no running Kafka (%s; see the fixture's output)\n",
                    file != nullptr ? (std::string(file) + " has no bootstrap").c_str()
                                    : "KCLIENT_KAFKA_BOOTSTRAP_FILE is unset");
        return nullptr;
      }
      if (const char* v = std::getenv("KCLIENT_KAFKA_VERSION")) t->kafka_version_ = v;
      t->brokers_ = 1;
      for (char c : t->bootstrap_) t->brokers_ += c == ',' ? 1 : 0;
      t->description_ = "Apache Kafka " + (t->kafka_version_.empty() ? std::string("?") : t->kafka_version_);
    } else if (k == "bundled") {
      t->kind_ = Kind::kBundled;
      EmbeddedClusterOptions o;
      o.brokers = brokers;
      o.default_replication_factor = static_cast<int16_t>(brokers >= 3 ? 3 : 1);
      o.min_insync_replicas = brokers >= 3 ? 2 : 1;
      auto started = EmbeddedCluster::Start(o);
      if (!started.ok()) {
        std::printf("bundled target: cannot start: %s\n", started.status().ToString().c_str());
        return nullptr;
      }
      t->embedded_ = std::move(*started);
      t->bootstrap_ = t->embedded_->bootstrap_servers();
      t->description_ = "kclient-broker";
    } else if (k == "mock") {
      t->kind_ = Kind::kMock;
      auto started = MockKafkaCluster::Start(brokers);
      if (!started.ok()) {
        std::printf("mock target: cannot start: %s\n", started.status().ToString().c_str());
        return nullptr;
      }
      t->mock_ = std::move(*started);
      t->bootstrap_ = t->mock_->bootstrap();
      t->description_ = "librdkafka's mock cluster";
    } else {
      std::printf("KCLIENT_TARGET=%s: expected real, bundled or mock\n", k.c_str());
      return nullptr;
    }
    t->description_ += " (" + std::to_string(t->brokers_) + (t->brokers_ == 1 ? " broker)" : " brokers)");
    return t;
  }

  ~TargetCluster() = default;
  TargetCluster(const TargetCluster&) = delete;
  TargetCluster& operator=(const TargetCluster&) = delete;

  Kind kind() const { return kind_; }
  const std::string& bootstrap() const { return bootstrap_; }
  int brokers() const { return brokers_; }
  int16_t replication_factor() const { return static_cast<int16_t>(brokers_ >= 3 ? 3 : 1); }
  // The Kafka version of a real target, when the fixture said; empty otherwise.
  const std::string& kafka_version() const { return kafka_version_; }
  const std::string& description() const { return description_; }

  // Why this target cannot serve `capability`, or nullptr when it can. Use KCLIENT_SKIP_UNLESS.
  const char* Lacks(Capability capability) const {
    if (kind_ != Kind::kMock) return nullptr;
    switch (capability) {
      case Capability::kTopicAdministration:
        return "librdkafka's mock cluster (2.0.2) serves no CreateTopics, DeleteTopics, CreatePartitions or "
               "DescribeConfigs (API keys 19, 20, 37, 32 are missing from its ApiVersions)";
      case Capability::kGroupAdministration:
        return "librdkafka's mock cluster (2.0.2) serves no ListGroups or DescribeGroups (API keys 16 and 15 are "
               "missing from its ApiVersions)";
      case Capability::kOffsetsForTimes:
        return "librdkafka's mock cluster (2.0.2) answers every ListOffsets lookup by timestamp with offset -1 "
               "(a FIXME in rdkafka_mock_handlers.c)";
      case Capability::kController:
        return "librdkafka's mock cluster (2.0.2) names controller 0 in Metadata, none of its brokers (numbered "
               "from 1)";
      case Capability::kCreateTimeAcks:
        return "librdkafka's mock cluster (2.0.2) answers every append with LogAppendTimeMs 1234, whatever the "
               "topic's timestamp type (Kafka: -1 on CreateTime topics)";
      case Capability::kGroupRebalances:
        return "librdkafka's mock cluster (2.0.2) holds every rebalance for session.timeout.ms - 1 s even when "
               "all members have joined, and refuses OffsetCommit with REBALANCE_IN_PROGRESS while joining (Kafka "
               "accepts the current generation's commits until it completes the join)";
      case Capability::kStaticMembership:
        return "librdkafka's mock cluster (2.0.2) knows members by member id only: a static member restarting "
               "with its group.instance.id joins as a new member and the group rebalances";
    }
    return nullptr;
  }

  // Creates a topic without CreateTopics on a target that lacks it (the mock: its own API, every
  // replica in sync at once) and returns true; returns false, doing nothing, on a target that
  // serves CreateTopics, where the scenario creates the topic as it would anywhere.
  bool CreateTopicDirectly(const std::string& name, int32_t partitions, int16_t replication_factor) {
    if (kind_ != Kind::kMock) return false;
    const Status s = mock_->CreateTopic(name, partitions, replication_factor);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return true;
  }

 private:
  TargetCluster() = default;

  Kind kind_ = Kind::kReal;
  std::string bootstrap_;
  int brokers_ = 1;
  std::string kafka_version_;
  std::string description_;
  std::unique_ptr<EmbeddedCluster> embedded_;
  std::unique_ptr<MockKafkaCluster> mock_;
};

// A base for the timestamps scenarios give their records: an hour before the program started, so
// fixed for the run (tests compare timestamps exactly) and recent. A constant from years ago once
// made a read fail with OFFSET_OUT_OF_RANGE: Kafka's retention (7 days by default) deleted the
// records' segment as soon as its periodic check ran, moving the log start past offset 0.
inline int64_t RecentBaseTimestampMs() {
  static const int64_t base = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(1))
                                  .count();
  return base;
}

// The target of this scenario program (set by RunScenarios before any test runs).
inline TargetCluster*& CurrentTarget() {
  static TargetCluster* target = nullptr;
  return target;
}
inline TargetCluster& Target() { return *CurrentTarget(); }

// Skips the running test, with the target's reason, when the target lacks `capability`.
#define KCLIENT_SKIP_UNLESS(capability)                                                         \
  if (const char* kclient_lacks = ::kclient::testing::Target().Lacks(capability)) GTEST_SKIP() \
      << kclient_lacks

inline int RunScenarios(int argc, char** argv) {
  std::unique_ptr<TargetCluster> target = TargetCluster::FromEnvironment();
  if (!target) return 77;
  CurrentTarget() = target.get();
  std::printf("scenarios against %s at %s\n", target->description().c_str(), target->bootstrap().c_str());
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  CurrentTarget() = nullptr;
  return rc;
}

}  // namespace kclient::testing
