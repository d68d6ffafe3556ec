// The Admin client against the embedded broker: creating (with configs, placement, validate_only),
// deleting, growing, listing and describing topics; describing a three-broker cluster; the errors
// Kafka gives for bad requests; retries of NOT_CONTROLLER; timeouts against an address where
// nothing listens; Close with calls in progress; many threads calling at once; and options from
// Kafka properties.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/admin.h"
#include "kclient/embedded_cluster.h"

namespace kclient {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// A loopback port that was just free: bound, then closed, so connecting to it is refused.
uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::unique_ptr<Admin> ConnectAdmin(const std::string& bootstrap_servers) {
  AdminOptions options;
  options.client.bootstrap_servers = bootstrap_servers;
  options.client.client_id = "admin-client-test";
  options.client.retry_backoff_ms = 20;
  options.client.reconnect_backoff_ms = 20;
  auto admin = Admin::Create(options);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  return admin.ok() ? std::move(admin.value()) : nullptr;
}

class AdminClientTest : public ::testing::Test {
 protected:
  void StartCluster(int brokers) {
    EmbeddedClusterOptions options;
    options.brokers = brokers;
    auto cluster = EmbeddedCluster::Start(options);
    ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
    cluster_ = std::move(cluster.value());
    admin_ = ConnectAdmin(cluster_->bootstrap_servers());
    ASSERT_NE(admin_, nullptr);
  }
  void SetUp() override { StartCluster(1); }
  void TearDown() override {
    admin_.reset();  // before the cluster, so the admin never sees its brokers go
    cluster_.reset();
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  std::unique_ptr<Admin> admin_;
};

TEST_F(AdminClientTest, CreatesATopicWithConfigsAndDescribesIt) {
  NewTopic orders;
  orders.name = "orders";
  orders.partitions = 3;
  orders.replication_factor = 1;
  orders.configs = {{"retention.ms", "3600000"}, {"cleanup.policy", "compact"}};
  Status created = admin_->CreateTopic(orders);
  ASSERT_TRUE(created.ok()) << created.ToString();

  auto described = admin_->DescribeTopic("orders");
  ASSERT_TRUE(described.ok()) << described.status().ToString();
  EXPECT_EQ(described->name, "orders");
  EXPECT_FALSE(described->topic_id.is_zero());
  EXPECT_FALSE(described->internal);
  ASSERT_EQ(described->partitions.size(), 3u);
  for (int32_t i = 0; i < 3; ++i) {
    const PartitionDescription& p = described->partitions[static_cast<size_t>(i)];
    EXPECT_EQ(p.partition, i);
    EXPECT_EQ(p.leader, 1);
    EXPECT_GE(p.leader_epoch, 0);
    EXPECT_EQ(p.replicas, std::vector<int32_t>{1});
    EXPECT_EQ(p.isr, std::vector<int32_t>{1});
    EXPECT_TRUE(p.offline_replicas.empty());
  }

  auto configs = admin_->DescribeTopicConfigs("orders");
  ASSERT_TRUE(configs.ok()) << configs.status().ToString();
  EXPECT_EQ(configs->at("retention.ms"), "3600000");
  EXPECT_EQ(configs->at("cleanup.policy"), "compact");
  EXPECT_TRUE(configs->contains("segment.bytes"));  // defaults are included
}

TEST_F(AdminClientTest, CreatingAnExistingTopicFailsWithTopicAlreadyExists) {
  ASSERT_TRUE(admin_->CreateTopic({"payments", 2}).ok());
  Status again = admin_->CreateTopic({"payments", 2});
  EXPECT_EQ(again.code(), ErrorCode::kTopicAlreadyExists) << again.ToString();
  EXPECT_FALSE(again.retriable());
  EXPECT_NE(again.message().find("payments"), std::string_view::npos) << again.ToString();
}

TEST_F(AdminClientTest, CreatesManyTopicsEachWithItsOwnOutcome) {
  ASSERT_TRUE(admin_->CreateTopic({"exists"}).ok());
  auto results = admin_->CreateTopics({{"fresh", 4},
                                       {"exists"},
                                       {"bad/name"},
                                       {"fresh", 9},  // a repeat: the first wins
                                       {""}});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results.at("fresh").ok()) << results.at("fresh").ToString();
  EXPECT_EQ(results.at("exists").code(), ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(results.at("bad/name").code(), ErrorCode::kInvalidTopicException);
  EXPECT_EQ(results.at("").code(), ErrorCode::kInvalidTopicException);
  auto fresh = admin_->DescribeTopic("fresh");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->partitions.size(), 4u);
}

TEST_F(AdminClientTest, DeletedTopicsLeaveTheList) {
  ASSERT_TRUE(admin_->CreateTopic({"keep"}).ok());
  ASSERT_TRUE(admin_->CreateTopic({"drop"}).ok());
  auto before = admin_->ListTopics();
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(*before, (std::vector<std::string>{"drop", "keep"}));

  auto deleted = admin_->DeleteTopics({"drop", "never-existed"});
  ASSERT_EQ(deleted.size(), 2u);
  EXPECT_TRUE(deleted.at("drop").ok()) << deleted.at("drop").ToString();
  // UNKNOWN_TOPIC_OR_PARTITION is retriable in Kafka's table, but it is DeleteTopics' final answer.
  EXPECT_EQ(deleted.at("never-existed").code(), ErrorCode::kUnknownTopicOrPartition);

  auto after = admin_->ListTopics();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(*after, std::vector<std::string>{"keep"});
  EXPECT_EQ(admin_->DescribeTopic("drop").status().code(), ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(AdminClientTest, UnknownTopicsAreAnsweredAtOnceAndNeverCreated) {
  // The cluster auto-creates topics asked for by Metadata; the admin client must not ask it to.
  const auto start = Clock::now();
  auto described = admin_->DescribeTopics({"ghost"}, milliseconds(30000));
  auto deleted = admin_->DeleteTopics({"ghost"}, milliseconds(30000));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));  // final answers, not retried
  EXPECT_EQ(described.at("ghost").status().code(), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(deleted.at("ghost").code(), ErrorCode::kUnknownTopicOrPartition);
  auto topics = admin_->ListTopics();
  ASSERT_TRUE(topics.ok());
  EXPECT_TRUE(topics->empty());
}

TEST_F(AdminClientTest, CreatePartitionsGrowsATopic) {
  ASSERT_TRUE(admin_->CreateTopic({"events", 1}).ok());
  auto grown = admin_->CreatePartitions({{"events", 4}});
  ASSERT_TRUE(grown.at("events").ok()) << grown.at("events").ToString();
  auto described = admin_->DescribeTopic("events");
  ASSERT_TRUE(described.ok());
  ASSERT_EQ(described->partitions.size(), 4u);
  EXPECT_EQ(described->partitions.back().partition, 3);
  EXPECT_EQ(described->partitions.back().leader, 1);

  auto shrink = admin_->CreatePartitions({{"events", 2}});
  EXPECT_EQ(shrink.at("events").code(), ErrorCode::kInvalidPartitions) << shrink.at("events").ToString();
  auto unknown = admin_->CreatePartitions({{"nope", 2}});
  EXPECT_EQ(unknown.at("nope").code(), ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(AdminClientTest, ValidateOnlyChecksWithoutChanging) {
  CreateTopicsOptions validate;
  validate.validate_only = true;
  ASSERT_TRUE(admin_->CreateTopic({"dry-run", 2}, validate).ok());
  EXPECT_EQ(admin_->DescribeTopic("dry-run").status().code(), ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(admin_->CreateTopic({"dry-run", -1, 5}, validate).code(),
            ErrorCode::kInvalidReplicationFactor);

  ASSERT_TRUE(admin_->CreateTopic({"grows", 1}).ok());
  CreatePartitionsOptions validate_partitions;
  validate_partitions.validate_only = true;
  ASSERT_TRUE(admin_->CreatePartitions({{"grows", 3}}, validate_partitions).at("grows").ok());
  EXPECT_EQ(admin_->DescribeTopic("grows")->partitions.size(), 1u);
}

TEST_F(AdminClientTest, InvalidReplicationFactorIsReported) {
  Status too_many = admin_->CreateTopic({"replicated", 1, 3});
  EXPECT_EQ(too_many.code(), ErrorCode::kInvalidReplicationFactor) << too_many.ToString();
  EXPECT_FALSE(too_many.retriable());
  Status zero = admin_->CreateTopic({"replicated", 1, 0});
  EXPECT_EQ(zero.code(), ErrorCode::kInvalidReplicationFactor) << zero.ToString();
  EXPECT_EQ(admin_->CreateTopic({"replicated", 0}).code(), ErrorCode::kInvalidPartitions);
  NewTopic bad_config("replicated");
  bad_config.configs = {{"no.such.config", "1"}};
  EXPECT_EQ(admin_->CreateTopic(bad_config).code(), ErrorCode::kInvalidConfig);
}

TEST_F(AdminClientTest, RetriesNotControllerUntilTheTopicIsCreated) {
  Fault fault;
  fault.kind = Fault::Kind::kError;
  fault.api_key = 19;  // CreateTopics
  fault.topic = "retried";
  fault.error = ErrorCode::kNotController;
  fault.count = 3;
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok()) << handle.status().ToString();

  Status created = admin_->CreateTopic({"retried", 2});
  EXPECT_TRUE(created.ok()) << created.ToString();
  EXPECT_EQ(handle->times_fired(), 3);
  auto described = admin_->DescribeTopic("retried");
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->partitions.size(), 2u);
}

TEST_F(AdminClientTest, NotControllerUntilTheTimeoutFailsWithTimedOut) {
  Fault fault;
  fault.api_key = 20;  // DeleteTopics
  fault.error = ErrorCode::kNotController;
  fault.count = -1;  // until removed
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  ASSERT_TRUE(admin_->CreateTopic({"stuck"}).ok());

  auto deleted = admin_->DeleteTopics({"stuck"}, milliseconds(800));
  const Status& s = deleted.at("stuck");
  EXPECT_EQ(s.code(), ErrorCode::kLocalTimedOut) << s.ToString();
  EXPECT_NE(s.message().find("NOT_CONTROLLER"), std::string_view::npos) << s.ToString();
  EXPECT_GE(handle->times_fired(), 2);
  cluster_->RemoveFault(*handle);
  EXPECT_TRUE(admin_->DeleteTopics({"stuck"}).at("stuck").ok());
}

TEST_F(AdminClientTest, RetriesAfterALostConnectionAndAnUnansweredRequest) {
  Fault drop;
  drop.kind = Fault::Kind::kDropConnection;
  drop.api_key = 60;  // DescribeCluster
  auto dropped = cluster_->InjectFault(drop);
  ASSERT_TRUE(dropped.ok());
  auto cluster = admin_->DescribeCluster();
  EXPECT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ(dropped->times_fired(), 1);

  // A broker that never answers: the request times out (request.timeout.ms), then is retried.
  AdminOptions options;
  options.client.bootstrap_servers = cluster_->bootstrap_servers();
  options.client.request_timeout_ms = 300;
  options.client.retry_backoff_ms = 20;
  auto impatient = Admin::Create(options);
  ASSERT_TRUE(impatient.ok());
  ASSERT_TRUE(admin_->CreateTopic({"configured"}).ok());
  Fault silent;
  silent.kind = Fault::Kind::kNoResponse;
  silent.api_key = 32;  // DescribeConfigs
  auto stalled = cluster_->InjectFault(silent);
  ASSERT_TRUE(stalled.ok());
  auto configs = (*impatient)->DescribeTopicConfigs("configured", milliseconds(30000));
  EXPECT_TRUE(configs.ok()) << configs.status().ToString();
  EXPECT_EQ(stalled->times_fired(), 1);
}

TEST_F(AdminClientTest, DescribesAThreeBrokerCluster) {
  TearDown();
  StartCluster(3);
  auto cluster = admin_->DescribeCluster();
  ASSERT_TRUE(cluster.ok()) << cluster.status().ToString();
  EXPECT_EQ(cluster->cluster_id, "kclient-embedded-cluster");
  ASSERT_EQ(cluster->brokers.size(), 3u);
  std::vector<std::string> addresses;
  for (size_t i = 0; i < 3; ++i) {
    const BrokerDescription& b = cluster->brokers[i];
    EXPECT_EQ(b.id, static_cast<int32_t>(i + 1));
    EXPECT_EQ(b.host, "127.0.0.1");
    EXPECT_GT(b.port, 0);
    EXPECT_FALSE(b.rack.has_value());
    addresses.push_back(b.host + ":" + std::to_string(b.port));
  }
  const std::string bootstrap = cluster_->bootstrap_servers();
  for (const std::string& a : addresses) EXPECT_NE(bootstrap.find(a), std::string::npos) << a << " in " << bootstrap;
  EXPECT_GE(cluster->controller_id, 1);
  EXPECT_LE(cluster->controller_id, 3);

  // Placement across the three brokers: by the broker, and as asked.
  ASSERT_TRUE(admin_->CreateTopic({"spread", 3, 3}).ok());
  NewTopic placed;
  placed.name = "placed";
  placed.replica_assignment = {{0, {3, 1}}, {1, {2, 3}}};
  Status s = admin_->CreateTopic(placed);
  ASSERT_TRUE(s.ok()) << s.ToString();
  auto described = admin_->DescribeTopics({"spread", "placed"});
  ASSERT_TRUE(described.at("spread").ok());
  for (const PartitionDescription& p : described.at("spread")->partitions) {
    EXPECT_EQ(std::set<int32_t>(p.replicas.begin(), p.replicas.end()), (std::set<int32_t>{1, 2, 3}));
  }
  ASSERT_TRUE(described.at("placed").ok());
  ASSERT_EQ(described.at("placed")->partitions.size(), 2u);
  EXPECT_EQ(described.at("placed")->partitions[0].replicas, (std::vector<int32_t>{3, 1}));
  EXPECT_EQ(described.at("placed")->partitions[0].leader, 3);
  EXPECT_EQ(described.at("placed")->partitions[1].replicas, (std::vector<int32_t>{2, 3}));

  // A stopped broker leaves the description and shows up as an offline replica.
  ASSERT_TRUE(cluster_->StopBroker(2).ok());
  auto after = admin_->DescribeCluster();
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_EQ(after->brokers.size(), 2u);
  EXPECT_EQ(after->brokers[0].id, 1);
  EXPECT_EQ(after->brokers[1].id, 3);
  auto spread = admin_->DescribeTopic("spread");
  ASSERT_TRUE(spread.ok()) << spread.status().ToString();
  for (const PartitionDescription& p : spread->partitions) {
    EXPECT_EQ(p.offline_replicas, std::vector<int32_t>{2});
    EXPECT_NE(p.leader, 2);
  }
}

TEST(AdminClientTimeoutTest, ReturnsWithinTheTimeoutWhenNothingListens) {
  const std::string bootstrap = "127.0.0.1:" + std::to_string(ClosedPort());
  std::unique_ptr<Admin> admin = ConnectAdmin(bootstrap);
  ASSERT_NE(admin, nullptr);
  const milliseconds timeout(1500);

  auto start = Clock::now();
  CreateTopicsOptions with_timeout;
  with_timeout.timeout = timeout;
  Status created = admin->CreateTopic({"nowhere"}, with_timeout);
  auto took = Clock::now() - start;
  EXPECT_EQ(created.code(), ErrorCode::kLocalTimedOut) << created.ToString();
  EXPECT_TRUE(created.retriable());
  EXPECT_NE(created.message().find("LOCAL_TRANSPORT"), std::string_view::npos) << created.ToString();
  EXPECT_GE(took, timeout);
  EXPECT_LT(took, timeout + milliseconds(1000));

  start = Clock::now();
  auto listed = admin->ListTopics(false, timeout);
  took = Clock::now() - start;
  EXPECT_EQ(listed.status().code(), ErrorCode::kLocalTimedOut) << listed.status().ToString();
  EXPECT_LT(took, timeout + milliseconds(1000));

  start = Clock::now();
  admin.reset();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
}

TEST(AdminClientTimeoutTest, CloseFailsCallsInProgress) {
  std::unique_ptr<Admin> admin = ConnectAdmin("127.0.0.1:" + std::to_string(ClosedPort()));
  ASSERT_NE(admin, nullptr);
  std::promise<void> started;
  auto call = std::async(std::launch::async, [&] {
    started.set_value();
    const auto start = Clock::now();
    auto result = admin->DescribeCluster(milliseconds(60000));
    return std::make_pair(result.status(), Clock::now() - start);
  });
  started.get_future().wait();
  // Whether Close lands before or after the call reaches the I/O thread, the call fails the same
  // way: at once, with kLocalClosed.
  admin->Close();
  auto [status, took] = call.get();
  EXPECT_EQ(status.code(), ErrorCode::kLocalClosed) << status.ToString();
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(admin->ListTopics().status().code(), ErrorCode::kLocalClosed);
  EXPECT_EQ(admin->CreateTopic({"late"}).code(), ErrorCode::kLocalClosed);
  admin->Close();  // idempotent
}

TEST_F(AdminClientTest, ServesManyThreadsAtOnce) {
  constexpr int kThreads = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([this, i, &failures] {
      const std::string name = "thread-" + std::to_string(i);
      auto fail = [&](const std::string& what, const Status& s) {
        ADD_FAILURE() << name << " " << what << ": " << s.ToString();
        failures.fetch_add(1);
      };
      if (Status s = admin_->CreateTopic({name, i + 1}); !s.ok()) return fail("create", s);
      auto described = admin_->DescribeTopic(name);
      if (!described.ok()) return fail("describe", described.status());
      if (described->partitions.size() != static_cast<size_t>(i + 1)) {
        return fail("partition count", Status(ErrorCode::kUnknownServerError, "wrong"));
      }
      if (auto cluster = admin_->DescribeCluster(); !cluster.ok()) return fail("describe cluster", cluster.status());
      if (auto topics = admin_->ListTopics(); !topics.ok()) return fail("list", topics.status());
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto topics = admin_->ListTopics();
  ASSERT_TRUE(topics.ok());
  EXPECT_EQ(topics->size(), static_cast<size_t>(kThreads));
}

TEST(AdminOptionsTest, FromProperties) {
  auto options = AdminOptions::FromProperties({{"bootstrap.servers", "127.0.0.1:9092,[::1]:9093"},
                                               {"client.id", "ops-tool"},
                                               {"request.timeout.ms", "5000"},
                                               {"default.api.timeout.ms", "20000"}});
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->client.bootstrap_servers, "127.0.0.1:9092,[::1]:9093");
  EXPECT_EQ(options->client.client_id, "ops-tool");
  EXPECT_EQ(options->client.request_timeout_ms, 5000);
  EXPECT_EQ(options->default_api_timeout_ms, 20000);

  // Left unset, default.api.timeout.ms is raised to a larger request.timeout.ms, as in Java.
  auto raised = AdminOptions::FromProperties({{"bootstrap.servers", "h:1"}, {"request.timeout.ms", "90000"}});
  ASSERT_TRUE(raised.ok());
  EXPECT_EQ(raised->default_api_timeout_ms, 90000);

  auto error_for = [](const Properties& p) {
    auto o = AdminOptions::FromProperties(p);
    EXPECT_FALSE(o.ok());
    return o.ok() ? Status() : o.status();
  };
  Status unknown = error_for({{"bootstrap.servers", "h:1"}, {"linger.ms", "5"}});
  EXPECT_EQ(unknown.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_NE(unknown.message().find("linger.ms"), std::string_view::npos) << unknown.ToString();
  Status not_a_number = error_for({{"bootstrap.servers", "h:1"}, {"request.timeout.ms", "soon"}});
  EXPECT_NE(not_a_number.message().find("request.timeout.ms"), std::string_view::npos) << not_a_number.ToString();
  Status too_big = error_for({{"bootstrap.servers", "h:1"}, {"request.timeout.ms", "99999999999"}});
  EXPECT_NE(too_big.message().find("request.timeout.ms"), std::string_view::npos) << too_big.ToString();
  Status below = error_for(
      {{"bootstrap.servers", "h:1"}, {"request.timeout.ms", "30000"}, {"default.api.timeout.ms", "1000"}});
  EXPECT_NE(below.message().find("default.api.timeout.ms"), std::string_view::npos) << below.ToString();
  Status missing = error_for({{"client.id", "x"}});
  EXPECT_NE(missing.message().find("bootstrap.servers"), std::string_view::npos) << missing.ToString();
  Status bad_id = error_for({{"bootstrap.servers", "h:1"}, {"client.id", "has space"}});
  EXPECT_NE(bad_id.message().find("client.id"), std::string_view::npos) << bad_id.ToString();

  AdminOptions invalid;
  invalid.client.bootstrap_servers = "h:1";
  invalid.default_api_timeout_ms = 0;
  auto admin = Admin::Create(invalid);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.status().code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_NE(admin.status().message().find("default.api.timeout.ms"), std::string_view::npos);
  EXPECT_FALSE(Admin::Create(Properties{{"bootstrap.servers", "no-port"}}).ok());
}

}  // namespace
}  // namespace kclient
