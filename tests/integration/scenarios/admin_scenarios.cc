// kclient::Admin scenarios, run against real Apache Kafka and against kclient-broker (one and
// three brokers; the target comes from target_cluster.h): topics created, grown, described and deleted; the
// cluster described; and a consumer group's lag, listing and description after kclient::Consumer
// committed part of what kclient::Producer wrote.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/producer.h"
#include "eventually.h"
#include "target_cluster.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;

const std::string& Bootstrap() { return testing::Target().bootstrap(); }

int Brokers() { return testing::Target().brokers(); }

std::string Unique(const std::string& base) {
  static const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  return base + "-" + run;
}

std::unique_ptr<Admin> MakeAdmin() {
  AdminOptions o;
  o.client.bootstrap_servers = Bootstrap();
  auto admin = Admin::Create(o);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  return admin.ok() ? std::move(*admin) : nullptr;
}

using testing::Eventually;  // Kafka's metadata reaches every broker a moment after a change

TEST(AdminScenario, DescribesTheClusterItRunsOn) {
  auto admin = MakeAdmin();
  ASSERT_TRUE(admin);
  auto cluster = admin->DescribeCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_FALSE(cluster->cluster_id.empty());
  ASSERT_EQ(static_cast<int>(cluster->brokers.size()), Brokers());
  for (size_t i = 0; i < cluster->brokers.size(); ++i) {
    EXPECT_EQ(cluster->brokers[i].id, static_cast<int32_t>(i + 1));  // kafka.sh numbers nodes from 1
    EXPECT_EQ(cluster->brokers[i].host, "127.0.0.1");
    EXPECT_NE(Bootstrap().find(":" + std::to_string(cluster->brokers[i].port)), std::string::npos);
  }
  // The controller is one of the brokers described, or -1 when the cluster names none of them.
  const bool described = std::any_of(cluster->brokers.begin(), cluster->brokers.end(),
                                     [&](const BrokerDescription& b) { return b.id == cluster->controller_id; });
  EXPECT_TRUE(described || cluster->controller_id == -1) << "controller " << cluster->controller_id;
}

TEST(AdminScenario, NamesItsController) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kController);
  auto admin = MakeAdmin();
  ASSERT_TRUE(admin);
  auto cluster = admin->DescribeCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_GE(cluster->controller_id, 1);
  EXPECT_LE(cluster->controller_id, Brokers());
}

TEST(AdminScenario, CreatesGrowsDescribesAndDeletesATopic) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kTopicAdministration);
  auto admin = MakeAdmin();
  ASSERT_TRUE(admin);
  const std::string topic = Unique("admin-topic");
  const auto rf = static_cast<int16_t>(Brokers());
  NewTopic spec{topic, 2, rf};
  spec.configs["retention.ms"] = "3600000";
  ASSERT_TRUE(admin->CreateTopic(spec).ok());
  EXPECT_EQ(admin->CreateTopic(spec).code(), ErrorCode::kTopicAlreadyExists);

  ASSERT_TRUE(Eventually([&] {
    auto d = admin->DescribeTopic(topic);
    return d.ok() && d->partitions.size() == 2 && d->partitions[0].leader >= 0 && d->partitions[1].leader >= 0;
  }));
  auto described = admin->DescribeTopic(topic);
  ASSERT_TRUE(described.ok());
  EXPECT_FALSE(described->topic_id.is_zero());
  EXPECT_FALSE(described->internal);
  for (const auto& p : described->partitions) {
    EXPECT_EQ(static_cast<int>(p.replicas.size()), Brokers());
    EXPECT_EQ(static_cast<int>(p.isr.size()), Brokers());
  }
  auto configs = admin->DescribeTopicConfigs(topic);
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  EXPECT_EQ(configs->at("retention.ms"), "3600000");
  EXPECT_EQ(configs->at("cleanup.policy"), "delete");  // a default, reported too

  auto grown = admin->CreatePartitions({{topic, 5}});
  ASSERT_TRUE(grown.at(topic).ok()) << grown.at(topic).ToString();
  auto shrink = admin->CreatePartitions({{topic, 3}});
  EXPECT_EQ(shrink.at(topic).code(), ErrorCode::kInvalidPartitions);
  ASSERT_TRUE(Eventually([&] {
    auto d = admin->DescribeTopic(topic);
    return d.ok() && d->partitions.size() == 5;
  }));

  auto listed = admin->ListTopics();
  ASSERT_TRUE(listed.ok());
  EXPECT_NE(std::find(listed->begin(), listed->end(), topic), listed->end());

  auto deleted = admin->DeleteTopics({topic});
  ASSERT_TRUE(deleted.at(topic).ok()) << deleted.at(topic).ToString();
  ASSERT_TRUE(Eventually([&] { return admin->DescribeTopic(topic).status().code() == ErrorCode::kUnknownTopicOrPartition; }));
  EXPECT_EQ(admin->DeleteTopics({topic}).at(topic).code(), ErrorCode::kUnknownTopicOrPartition);
}

TEST(AdminScenario, ReportsAConsumerGroupsLagListingAndMembers) {
  KCLIENT_SKIP_UNLESS(testing::Capability::kGroupAdministration);  // lag starts from DescribeGroups
  auto admin = MakeAdmin();
  ASSERT_TRUE(admin);
  const std::string topic = Unique("admin-lag");
  const std::string group = Unique("admin-group");
  ASSERT_TRUE(admin->CreateTopic({topic, 2, static_cast<int16_t>(Brokers())}).ok());

  // 30 records per partition.
  {
    ProducerOptions o;
    o.client.bootstrap_servers = Bootstrap();
    auto p = Producer::Create(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    for (int32_t part = 0; part < 2; ++part) {
      for (int i = 0; i < 30; ++i) {
        ProducerRecord r;
        r.topic = topic;
        r.partition = part;
        r.value = std::to_string(i);
        ASSERT_TRUE((*p)->SendSync(r).ok());
      }
    }
  }

  ConsumerOptions o;
  o.client.bootstrap_servers = Bootstrap();
  o.group_id = group;
  o.enable_auto_commit = false;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.session_timeout_ms = 10000;
  o.heartbeat_interval_ms = 500;
  auto consumer = Consumer::Create(o);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  auto& c = *consumer;
  ASSERT_TRUE(c->Subscribe({topic}).ok());
  while (c->Assignment().size() < 2) {
    ASSERT_TRUE(c->Poll(milliseconds(100)).ok());
  }
  // Commit 10 on partition 0 and 25 on partition 1, whatever was read.
  ASSERT_TRUE(c->CommitSync({{{topic, 0}, {10, "", -1}}, {{topic, 1}, {25, "", -1}}}).ok());

  ASSERT_TRUE(Eventually([&] {
    auto lag = admin->ConsumerGroupLag(group);
    return lag.ok() && lag->size() == 2;
  }));
  auto lag = admin->ConsumerGroupLag(group);
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  const PartitionLag& p0 = lag->at({topic, 0});
  const PartitionLag& p1 = lag->at({topic, 1});
  EXPECT_EQ(p0.committed_offset, 10);
  EXPECT_EQ(p0.log_end_offset, 30);
  EXPECT_EQ(p0.lag, 20);
  EXPECT_EQ(p1.committed_offset, 25);
  EXPECT_EQ(p1.log_end_offset, 30);
  EXPECT_EQ(p1.lag, 5);

  // Kafka keeps commits in its internal __consumer_offsets topic; kclient-broker keeps them in its
  // coordinator and has no such topic (README, "The bundled broker").
  auto with_internal = admin->ListTopics(true);
  ASSERT_TRUE(with_internal.ok());
  const bool offsets_topic =
      std::find(with_internal->begin(), with_internal->end(), "__consumer_offsets") != with_internal->end();
  EXPECT_EQ(offsets_topic, testing::Target().kind() == testing::TargetCluster::Kind::kReal);
  auto without_internal = admin->ListTopics();
  ASSERT_TRUE(without_internal.ok());
  EXPECT_EQ(std::find(without_internal->begin(), without_internal->end(), "__consumer_offsets"),
            without_internal->end());

  auto offsets = admin->ListConsumerGroupOffsets(group);
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_EQ(offsets->at({topic, 0}).offset, 10);
  EXPECT_EQ(offsets->at({topic, 1}).offset, 25);

  auto groups = admin->ListGroups();
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  auto listing = std::find_if(groups->begin(), groups->end(), [&](const GroupListing& g) { return g.group_id == group; });
  ASSERT_NE(listing, groups->end());
  EXPECT_EQ(listing->protocol_type, "consumer");

  auto description = admin->DescribeGroup(group);
  ASSERT_TRUE(description.ok()) << description.status().ToString();
  EXPECT_EQ(description->state, "Stable");
  EXPECT_EQ(description->protocol_type, "consumer");
  ASSERT_EQ(description->members.size(), 1u);
  EXPECT_EQ(description->members[0].assignment.size(), 2u);
  EXPECT_GE(description->coordinator, 1);

  ASSERT_TRUE(c->Close().ok());
  ASSERT_TRUE(Eventually([&] {
    auto d = admin->DescribeGroup(group);
    return d.ok() && d->state == "Empty";
  })) << "a closed dynamic member leaves the group";
  EXPECT_EQ(admin->ConsumerGroupLag(Unique("no-such-group")).status().code(), ErrorCode::kGroupIdNotFound);
}

}  // namespace
}  // namespace kclient

int main(int argc, char** argv) { return kclient::testing::RunScenarios(argc, argv); }
