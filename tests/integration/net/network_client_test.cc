// NetworkClient against the embedded broker: version negotiation, routing to a broker or to any
// broker, transport failures and backoff, request timeouts, bootstrap parsing.
#include <chrono>
#include <future>
#include <memory>

#include <gtest/gtest.h>

#include "kclient/embedded_cluster.h"
#include "net/loop_thread.h"
#include "net/network_client.h"
#include "protocol/messages/add_offsets_to_txn.h"
#include "protocol/messages/metadata.h"

namespace kclient::net {
namespace {

using protocol::MetadataRequest;
using protocol::MetadataResponse;

class NetworkClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedClusterOptions o;
    o.brokers = 2;
    auto c = EmbeddedCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    Connect(cluster_->bootstrap_servers());
  }
  void TearDown() override {
    io_.Call([this] {
      client_.reset();
      return 0;
    });
  }

  void Connect(const std::string& bootstrap, NetworkOptions options = {}) {
    auto addresses = ParseBootstrapServers(bootstrap);
    ASSERT_TRUE(addresses.ok());
    io_.Call([&] {
      client_ = std::make_unique<NetworkClient>(&io_.loop(), options, *addresses);
      return 0;
    });
  }

  // Sends on the loop thread and waits for the callback.
  template <typename Request, typename Response>
  std::pair<Status, Response> SendAndWait(int32_t node, Request request, SendOptions options = {}) {
    std::promise<std::pair<Status, Response>> done;
    io_.Post([&] {
      client_->Send<Request, Response>(
          node, std::move(request),
          std::function<void(const Status&, Response&)>(
              [&done](const Status& s, Response& r) { done.set_value({s, std::move(r)}); }),
          options);
    });
    auto f = done.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(60)), std::future_status::ready);
    return f.get();
  }

  std::pair<Status, MetadataResponse> Metadata(int32_t node, SendOptions options = {}) {
    MetadataRequest request;
    request.topics.reset();
    return SendAndWait<MetadataRequest, MetadataResponse>(node, request, options);
  }

  void LearnBrokers(const MetadataResponse& m) {
    std::vector<BrokerAddress> brokers;
    for (const auto& b : m.brokers) brokers.push_back({b.node_id, b.host, static_cast<uint16_t>(b.port)});
    io_.Call([&] {
      client_->SetBrokers(brokers);
      return 0;
    });
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  LoopThread io_;
  std::unique_ptr<NetworkClient> client_;  // loop thread only
};

TEST_F(NetworkClientTest, NegotiatesVersionsAndRoutesByBrokerId) {
  auto [status, metadata] = Metadata(NetworkClient::kAnyBroker);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(metadata.brokers.size(), 2u);
  // The bootstrap connection negotiated the newest Metadata version both sides speak.
  // Bootstrap addresses have ids -1 and -2; whichever was used has negotiated.
  const auto v = io_.Call([this] {
    for (int32_t bootstrap : {-1, -2}) {
      auto version = client_->VersionFor(bootstrap, protocol::ApiKey::kMetadata, MetadataRequest::kMinVersion,
                                         MetadataRequest::kMaxStableVersion);
      if (version) return version;
    }
    return std::optional<int16_t>();
  });
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(*v, MetadataRequest::kMaxStableVersion);

  LearnBrokers(metadata);
  for (int32_t id : {1, 2}) {
    auto [s, m] = Metadata(id);
    EXPECT_TRUE(s.ok()) << "broker " << id << ": " << s.ToString();
    EXPECT_TRUE(io_.Call([&] { return client_->IsReady(id); }));
  }
}

TEST_F(NetworkClientTest, StoppedBrokerGivesARetriableErrorThenRecovers) {
  auto [status, metadata] = Metadata(NetworkClient::kAnyBroker);
  ASSERT_TRUE(status.ok());
  LearnBrokers(metadata);
  ASSERT_TRUE(Metadata(2).first.ok());

  ASSERT_TRUE(cluster_->StopBroker(2).ok());
  auto [down, unused] = Metadata(2);
  EXPECT_FALSE(down.ok());
  EXPECT_TRUE(down.retriable()) << down.ToString();
  EXPECT_EQ(down.code(), ErrorCode::kLocalTransport) << down.ToString();

  ASSERT_TRUE(cluster_->StartBroker(2).ok());
  // Reconnects after its backoff; a few attempts may still land in the window before restart.
  Status last;
  for (int attempt = 0; attempt < 50; ++attempt) {
    last = Metadata(2).first;
    if (last.ok()) break;
    ASSERT_TRUE(last.retriable()) << last.ToString();
  }
  EXPECT_TRUE(last.ok()) << last.ToString();
}

TEST_F(NetworkClientTest, UnansweredRequestTimesOutAndTheConnectionRecovers) {
  Fault fault;
  fault.kind = Fault::Kind::kNoResponse;
  fault.api_key = static_cast<int16_t>(protocol::ApiKey::kMetadata);
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  SendOptions quick;
  quick.timeout_ms = 300;
  auto [status, unused] = Metadata(NetworkClient::kAnyBroker, quick);
  EXPECT_EQ(status.code(), ErrorCode::kLocalTimedOut) << status.ToString();
  EXPECT_TRUE(status.retriable());
  EXPECT_TRUE(handle->fired());
  // The connection was closed; the next request opens a fresh one and is answered.
  auto [again, metadata] = Metadata(NetworkClient::kAnyBroker);
  EXPECT_TRUE(again.ok()) << again.ToString();
  EXPECT_EQ(metadata.brokers.size(), 2u);
}

TEST_F(NetworkClientTest, AnApiTheBrokerDoesNotServeIsReportedWithoutSending) {
  protocol::AddOffsetsToTxnRequest request;
  request.transactional_id = "t";
  auto [status, unused] =
      SendAndWait<protocol::AddOffsetsToTxnRequest, protocol::AddOffsetsToTxnResponse>(NetworkClient::kAnyBroker, request);
  EXPECT_EQ(status.code(), ErrorCode::kLocalUnsupportedVersion) << status.ToString();
  // The connection is still usable.
  EXPECT_TRUE(Metadata(NetworkClient::kAnyBroker).first.ok());
}

TEST_F(NetworkClientTest, RefusedConnectionFailsFast) {
  // A port nobody listens on: stop broker 2 and use its address as the only bootstrap server.
  auto [status, metadata] = Metadata(NetworkClient::kAnyBroker);
  ASSERT_TRUE(status.ok());
  std::string address;
  for (const auto& b : metadata.brokers) {
    if (b.node_id == 2) address = b.host + ":" + std::to_string(b.port);
  }
  ASSERT_TRUE(cluster_->StopBroker(2).ok());
  io_.Call([this] {
    client_.reset();
    return 0;
  });
  Connect(address);
  auto [refused, unused] = Metadata(NetworkClient::kAnyBroker);
  EXPECT_EQ(refused.code(), ErrorCode::kLocalTransport) << refused.ToString();
}

TEST(ParseBootstrapServers, AcceptsHostPortListsAndRejectsGarbage) {
  auto ok = ParseBootstrapServers(" 127.0.0.1:9092, [::1]:9093,localhost:1 ");
  ASSERT_TRUE(ok.ok());
  ASSERT_EQ(ok->size(), 3u);
  EXPECT_EQ((*ok)[0], (BrokerAddress{-1, "127.0.0.1", 9092}));
  EXPECT_EQ((*ok)[1], (BrokerAddress{-2, "::1", 9093}));
  EXPECT_EQ((*ok)[2], (BrokerAddress{-3, "localhost", 1}));
  for (const char* bad : {"", ",", "host", "host:", ":9092", "host:0", "host:65536", "host:12x", "[::1]9092"}) {
    EXPECT_FALSE(ParseBootstrapServers(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kclient::net
