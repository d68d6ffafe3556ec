// TargetCluster: the cluster a scenario program runs against, so that one scenario serves the
// bundled broker and real Apache Kafka without a copy per target.
// tests/CMakeLists.txt registers each scenario program once per target, choosing it through the
// environment:
//   KCLIENT_TARGET=real     the Kafka scripts/real-kafka-fixture.sh started; its bootstrap is in
//                           KCLIENT_KAFKA_BOOTSTRAP_FILE (empty when Kafka could not be fetched:
//                           the scenarios are skipped), KCLIENT_KAFKA_VERSION says which Kafka.
//                           The default when KCLIENT_TARGET is unset.
//   KCLIENT_TARGET=bundled  kclient's broker, in process (EmbeddedCluster);
//   KCLIENT_TARGET_BROKERS  how many brokers the bundled target starts (default 1). Three
//                           brokers mean replication factor 3 and min.insync.replicas 2, as the
//                           real three-node clusters.
// librdkafka's mock cluster is not a target: tried as one, it failed or timed out in all three
// scenario programs (its quirks are listed in the mock cluster tests, which cover it instead).
//
// RunScenarios is the scenario programs' main: it starts the target, runs the tests, and returns
// 77 (ctest's "skipped") when there is no target.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "kclient/embedded_cluster.h"

namespace kclient::testing {

class TargetCluster {
 public:
  enum class Kind { kBundled, kReal };

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
    } else {
      std::printf("KCLIENT_TARGET=%s: expected real or bundled\n", k.c_str());
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

 private:
  TargetCluster() = default;

  Kind kind_ = Kind::kReal;
  std::string bootstrap_;
  int brokers_ = 1;
  std::string kafka_version_;
  std::string description_;
  std::unique_ptr<EmbeddedCluster> embedded_;
};

// The target of this scenario program (set by RunScenarios before any test runs).
inline TargetCluster*& CurrentTarget() {
  static TargetCluster* target = nullptr;
  return target;
}
inline TargetCluster& Target() { return *CurrentTarget(); }

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
