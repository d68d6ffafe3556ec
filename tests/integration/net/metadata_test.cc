// The client's metadata cache against the embedded broker: it learns brokers and topics, waits
// out topic auto-creation, follows a leader move, and keeps refreshing through a broker outage.
#include <chrono>
#include <future>
#include <memory>

#include <gtest/gtest.h>

#include "client/metadata.h"
#include "kclient/embedded_cluster.h"
#include "net/loop_thread.h"
#include "net/network_client.h"

namespace kclient::client {
namespace {

class MetadataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedClusterOptions o;
    o.brokers = 3;
    o.default_partitions = 3;
    o.default_replication_factor = 3;
    auto c = EmbeddedCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    auto addresses = net::ParseBootstrapServers(cluster_->bootstrap_servers());
    ASSERT_TRUE(addresses.ok());
    io_.Call([&] {
      network_ = std::make_unique<net::NetworkClient>(&io_.loop(), net::NetworkOptions{}, *addresses);
      MetadataOptions mo;
      mo.retry_backoff_ms = 20;
      metadata_ = std::make_unique<Metadata>(network_.get(), mo);
      return 0;
    });
  }
  void TearDown() override {
    io_.Call([this] {
      metadata_.reset();
      network_.reset();
      return 0;
    });
  }

  // Waits (on the loop thread's refresh notifications, with a deadline) until `ready` holds.
  bool WaitFor(std::function<bool(const Metadata&)> ready) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::promise<bool> refreshed;
      auto f = refreshed.get_future();
      bool done = io_.Call([&] {
        if (ready(*metadata_)) return true;
        metadata_->AddListener([p = std::make_shared<std::promise<bool>>(std::move(refreshed))]() mutable {
          if (p) {
            p->set_value(true);
            p.reset();
          }
        });
        metadata_->RequestUpdate();
        return false;
      });
      if (done) return true;
      f.wait_until(deadline);
    }
    return false;
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  net::LoopThread io_;
  std::unique_ptr<net::NetworkClient> network_;
  std::unique_ptr<Metadata> metadata_;
};

TEST_F(MetadataTest, LearnsBrokersAndAutoCreatedTopics) {
  io_.Call([this] {
    metadata_->AddTopic("payments");
    return 0;
  });
  ASSERT_TRUE(WaitFor([](const Metadata& m) {
    const TopicMetadata* t = m.topic("payments");
    return t != nullptr && t->error == ErrorCode::kNone && t->partitions.size() == 3;
  }));
  EXPECT_EQ(io_.Call([this] { return network_->brokers().size(); }), 3u);
  EXPECT_EQ(io_.Call([this] { return metadata_->cluster_id(); }), "kclient-embedded-cluster");
}

TEST_F(MetadataTest, FollowsALeaderMove) {
  ASSERT_TRUE(cluster_->CreateTopic("orders", 1, 3).ok());
  io_.Call([this] {
    metadata_->AddTopic("orders");
    return 0;
  });
  ASSERT_TRUE(WaitFor([](const Metadata& m) { return m.LeaderFor("orders", 0) > 0; }));
  const int32_t before = io_.Call([this] { return metadata_->LeaderFor("orders", 0); });
  const int32_t target = before == 3 ? 1 : before + 1;
  ASSERT_TRUE(cluster_->MoveLeader("orders", 0, target).ok());
  EXPECT_TRUE(WaitFor([target](const Metadata& m) { return m.LeaderFor("orders", 0) == target; }));
}

TEST_F(MetadataTest, KeepsWorkingWhenABrokerStops) {
  ASSERT_TRUE(cluster_->CreateTopic("events", 1, 3).ok());
  io_.Call([this] {
    metadata_->AddTopic("events");
    return 0;
  });
  ASSERT_TRUE(WaitFor([](const Metadata& m) { return m.LeaderFor("events", 0) > 0; }));
  const int32_t leader = io_.Call([this] { return metadata_->LeaderFor("events", 0); });
  ASSERT_TRUE(cluster_->StopBroker(leader).ok());
  EXPECT_TRUE(WaitFor([leader](const Metadata& m) {
    const int32_t now = m.LeaderFor("events", 0);
    return now > 0 && now != leader;
  }));
}

}  // namespace
}  // namespace kclient::client
