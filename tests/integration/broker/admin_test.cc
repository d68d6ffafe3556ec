// The broker's admin APIs (CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs,
// DescribeCluster) and its connection-level behaviour (ApiVersions at every version and at an
// unknown one, undecodable and oversized requests, injected faults), over real sockets against
// an EmbeddedCluster. Expected codes and messages are Kafka 4.1's, as a 4.1.1 broker answers.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blocking_client.h"
#include "temp_dir.h"
#include "kclient/embedded_cluster.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/metadata.h"
#include "util/endian.h"

namespace kclient {
namespace {

using namespace protocol;
using testing::BlockingClient;

constexpr int16_t kNone = 0;
int16_t Code(ErrorCode c) { return static_cast<int16_t>(c); }

// A socket for what BlockingClient will not send: raw bytes, and reads that may time out or
// find the connection closed.
class RawConnection {
 public:
  explicit RawConnection(const std::string& host_port) {
    const auto colon = host_port.rfind(':');
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host_port.substr(0, colon).c_str(), host_port.substr(colon + 1).c_str(), &hints, &res) != 0) {
      return;
    }
    fd_ = ::socket(res->ai_family, SOCK_STREAM, 0);
    if (fd_ >= 0 && ::connect(fd_, res->ai_addr, res->ai_addrlen) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
    ::freeaddrinfo(res);
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return fd_ >= 0; }

  bool Send(const util::ByteBuffer& bytes) {
    size_t off = 0;
    while (off < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n <= 0) return false;
      off += static_cast<size_t>(n);
    }
    return true;
  }

  enum class Read { kFrame, kClosed, kTimeout };
  // Reads one response frame (without its size prefix) within `timeout`.
  Read ReadFrame(std::chrono::milliseconds timeout, util::ByteBuffer* frame) {
    uint8_t prefix[4];
    Read r = ReadExactly(prefix, 4, timeout);
    if (r != Read::kFrame) return r;
    const auto size = static_cast<size_t>(util::LoadBE32(prefix));
    frame->resize(size);
    return ReadExactly(frame->data(), size, timeout);
  }

 private:
  Read ReadExactly(uint8_t* p, size_t n, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (n > 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Read::kTimeout;
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) == 0) return Read::kTimeout;
      const ssize_t k = ::recv(fd_, p, n, 0);
      if (k <= 0) return Read::kClosed;
      p += k;
      n -= static_cast<size_t>(k);
    }
    return Read::kFrame;
  }

  int fd_ = -1;
};

template <typename Request>
util::ByteBuffer Frame(const Request& request, int16_t version, int32_t correlation_id = 7) {
  util::ByteBuffer out;
  EXPECT_TRUE(EncodeRequestFrame(request, version, correlation_id, std::string("admin-test"), &out).ok());
  return out;
}

class AdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmbeddedClusterOptions options;
    options.brokers = 3;
    options.cluster_id = "admin-test-cluster";
    auto started = EmbeddedCluster::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    cluster_ = std::move(started.value());
    bootstrap_ = cluster_->bootstrap_servers();
    first_ = bootstrap_.substr(0, bootstrap_.find(','));
    ASSERT_TRUE(client_.Connect(first_).ok());
  }

  static CreateTopicsRequest::CreatableTopic Topic(const std::string& name, int32_t partitions, int16_t rf) {
    CreateTopicsRequest::CreatableTopic t;
    t.name = name;
    t.num_partitions = partitions;
    t.replication_factor = rf;
    return t;
  }

  CreateTopicsResponse Create(std::vector<CreateTopicsRequest::CreatableTopic> topics, int16_t version = 7,
                              bool validate_only = false) {
    CreateTopicsRequest request;
    request.topics = std::move(topics);
    request.validate_only = validate_only;
    CreateTopicsResponse response;
    Status s = client_.RoundTrip(request, version, &response);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return response;
  }

  const CreateTopicsResponse::CreatableTopicResult* Find(const CreateTopicsResponse& r, const std::string& name) {
    for (const auto& t : r.topics) {
      if (t.name == name) return &t;
    }
    ADD_FAILURE() << "no result for " << name;
    return nullptr;
  }

  MetadataResponse Metadata(std::vector<std::string> names) {
    MetadataRequest request;
    request.topics.emplace();
    for (auto& n : names) request.topics->emplace_back().name = n;
    request.allow_auto_topic_creation = false;
    MetadataResponse response;
    EXPECT_TRUE(client_.RoundTrip(request, 12, &response).ok());
    return response;
  }

  bool Exists(const std::string& name) {
    MetadataResponse m = Metadata({name});
    return m.topics.size() == 1 && m.topics[0].error_code == kNone;
  }

  DescribeConfigsResponse Describe(int8_t type, const std::string& name, int16_t version = 4, bool synonyms = true,
                                   std::optional<std::vector<std::string>> keys = std::nullopt) {
    DescribeConfigsRequest request;
    auto& r = request.resources.emplace_back();
    r.resource_type = type;
    r.resource_name = name;
    r.configuration_keys = std::move(keys);
    request.include_synonyms = synonyms && version >= 1;
    DescribeConfigsResponse response;
    Status s = client_.RoundTrip(request, version, &response);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return response;
  }

  static const DescribeConfigsResponse::DescribeConfigsResourceResult* Config(const DescribeConfigsResponse& r,
                                                                              const std::string& name) {
    if (r.results.empty()) return nullptr;
    for (const auto& c : r.results[0].configs) {
      if (c.name == name) return &c;
    }
    return nullptr;
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  std::string bootstrap_;
  std::string first_;  // broker 1
  BlockingClient client_;
};

// ---- ApiVersions ------------------------------------------------------------------------------

TEST_F(AdminTest, ApiVersionsAtEveryVersionListsTheAdminApis) {
  for (int16_t v = 0; v <= 4; ++v) {
    ApiVersionsRequest request;
    request.client_software_name = "admin-test";
    request.client_software_version = "1";
    ApiVersionsResponse response;
    ASSERT_TRUE(client_.RoundTrip(request, v, &response).ok()) << "v" << v;
    EXPECT_EQ(response.error_code, kNone) << "v" << v;
    auto range = [&](ApiKey key) -> std::pair<int, int> {
      for (const auto& k : response.api_keys) {
        if (k.api_key == static_cast<int16_t>(key)) return {k.min_version, k.max_version};
      }
      return {-1, -1};
    };
    EXPECT_EQ(range(ApiKey::kApiVersions), std::make_pair(0, 4));
    EXPECT_EQ(range(ApiKey::kCreateTopics), std::make_pair(0, 7));
    EXPECT_EQ(range(ApiKey::kDeleteTopics), std::make_pair(0, 6));
    EXPECT_EQ(range(ApiKey::kDescribeConfigs), std::make_pair(0, 4));
    EXPECT_EQ(range(ApiKey::kCreatePartitions), std::make_pair(0, 3));
    EXPECT_EQ(range(ApiKey::kDescribeCluster), std::make_pair(0, 2));
    // Ordered by key, as Kafka lists them.
    EXPECT_TRUE(std::is_sorted(response.api_keys.begin(), response.api_keys.end(),
                               [](const auto& a, const auto& b) { return a.api_key < b.api_key; }));
  }
}

TEST_F(AdminTest, UnknownApiVersionsVersionIsAnsweredAtV0WithTheApiList) {
  // KIP-511: a client newer than the broker sends ApiVersions at a version the broker does not
  // know; the broker answers at v0 with UNSUPPORTED_VERSION and its ranges.
  util::ByteBuffer frame;
  Writer w(&frame);
  w.WriteInt32(0);
  RequestHeader h;
  h.api_key = static_cast<int16_t>(ApiKey::kApiVersions);
  h.api_version = 99;
  h.correlation_id = 4242;
  h.client_id = "future-client";
  h.Write(w, 2);
  w.WriteUvarint32(0);  // an empty tag buffer for a body the broker cannot read
  w.PatchInt32(0, static_cast<int32_t>(frame.size() - 4));
  RawConnection raw(first_);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(frame));
  util::ByteBuffer reply;
  ASSERT_EQ(raw.ReadFrame(std::chrono::seconds(30), &reply), RawConnection::Read::kFrame);
  ResponseHeader header;
  ApiVersionsResponse response;
  ASSERT_TRUE(DecodeResponseFrame(reply.span(), 0, &header, &response).ok());
  EXPECT_EQ(header.correlation_id, 4242);
  EXPECT_EQ(response.error_code, Code(ErrorCode::kUnsupportedVersion));
  bool has_api_versions = false;
  for (const auto& k : response.api_keys) {
    if (k.api_key == static_cast<int16_t>(ApiKey::kApiVersions)) has_api_versions = k.max_version == 4;
  }
  EXPECT_TRUE(has_api_versions);
  EXPECT_GE(response.api_keys.size(), 7u);
}

// ---- CreateTopics -----------------------------------------------------------------------------

TEST_F(AdminTest, CreateTopicsAtEveryVersion) {
  for (int16_t v = 0; v <= 7; ++v) {
    const std::string name = "created-v" + std::to_string(v);
    CreateTopicsResponse r = Create({Topic(name, 3, 2)}, v);
    ASSERT_EQ(r.topics.size(), 1u);
    EXPECT_EQ(r.topics[0].name, name);
    EXPECT_EQ(r.topics[0].error_code, kNone) << "v" << v << ": " << r.topics[0].error_message.value_or("");
    if (v >= 5) {
      EXPECT_EQ(r.topics[0].num_partitions, 3);
      EXPECT_EQ(r.topics[0].replication_factor, 2);
      ASSERT_TRUE(r.topics[0].configs.has_value());
      EXPECT_EQ(r.topics[0].configs->size(), 33u);  // every Kafka 4.1 topic config
    }
    if (v >= 7) {
      EXPECT_FALSE(r.topics[0].topic_id.is_zero());
    }
    MetadataResponse m = Metadata({name});
    ASSERT_EQ(m.topics.size(), 1u);
    EXPECT_EQ(m.topics[0].error_code, kNone);
    ASSERT_EQ(m.topics[0].partitions.size(), 3u);
    for (const auto& p : m.topics[0].partitions) {
      EXPECT_EQ(p.replica_nodes.size(), 2u);
      EXPECT_EQ(p.leader_id, p.replica_nodes[0]);
    }
    if (v >= 7) {
      EXPECT_EQ(m.topics[0].topic_id, r.topics[0].topic_id);
    }
  }
}

TEST_F(AdminTest, CreateTopicsMinusOneTakesTheClusterDefaults) {
  CreateTopicsResponse r = Create({Topic("defaults", -1, -1)});
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, kNone);
  EXPECT_EQ(r.topics[0].num_partitions, 1);       // num.partitions
  EXPECT_EQ(r.topics[0].replication_factor, 1);   // default.replication.factor
}

TEST_F(AdminTest, CreateTopicsErrorsAreKafkas) {
  ASSERT_TRUE(cluster_->CreateTopic("existing", 1, 1).ok());
  ASSERT_TRUE(cluster_->CreateTopic("dotted.name", 1, 1).ok());
  auto with_config = [](CreateTopicsRequest::CreatableTopic t, std::string k, std::optional<std::string> v) {
    auto& c = t.configs.emplace_back();
    c.name = std::move(k);
    c.value = std::move(v);
    return t;
  };
  auto assigned = [](std::string name, std::vector<std::vector<int32_t>> parts, int32_t np = -1, int16_t rf = -1) {
    CreateTopicsRequest::CreatableTopic t = Topic(name, np, rf);
    for (size_t i = 0; i < parts.size(); ++i) {
      auto& a = t.assignments.emplace_back();
      a.partition_index = static_cast<int32_t>(i);
      a.broker_ids = parts[i];
    }
    return t;
  };
  CreateTopicsResponse r = Create({
      Topic("existing", 1, 1),
      Topic("bad/name", 1, 1),
      Topic("dotted_name", 1, 1),
      Topic("zero-partitions", 0, 1),
      Topic("minus-two-partitions", -2, 1),
      Topic("zero-rf", 1, 0),
      Topic("rf-too-big", 1, 4),
      with_config(Topic("unknown-config", 1, 1), "no.such.config", "1"),
      with_config(Topic("bad-long", 1, 1), "retention.ms", "abc"),
      with_config(Topic("below-range", 1, 1), "retention.ms", "-5"),
      with_config(Topic("bad-policy", 1, 1), "cleanup.policy", "foo"),
      with_config(Topic("null-config", 1, 1), "retention.ms", std::nullopt),
      assigned("assigned-with-count", {{1}}, 1, -1),
      assigned("assigned-unknown-broker", {{9}}),
      assigned("assigned-twice", {{1, 1}}),
      assigned("assigned-uneven", {{1, 2}, {1}}),
      Topic("dup", 1, 1),
      Topic("dup", 2, 1),
  });
  struct Want {
    const char* name;
    ErrorCode code;
    const char* message;
  };
  const Want want[] = {
      {"existing", ErrorCode::kTopicAlreadyExists, "Topic 'existing' already exists."},
      {"bad/name", ErrorCode::kInvalidTopicException,
       "Topic name is invalid: 'bad/name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"},
      {"dotted_name", ErrorCode::kInvalidTopicException, "Topic 'dotted_name' collides with existing topic: dotted.name"},
      {"zero-partitions", ErrorCode::kInvalidPartitions, "Number of partitions was set to an invalid non-positive value."},
      {"minus-two-partitions", ErrorCode::kInvalidPartitions,
       "Number of partitions was set to an invalid non-positive value."},
      {"zero-rf", ErrorCode::kInvalidReplicationFactor,
       "Replication factor must be larger than 0, or -1 to use the default value."},
      {"rf-too-big", ErrorCode::kInvalidReplicationFactor,
       "Unable to replicate the partition 4 time(s): The target replication factor of 4 cannot be reached because only "
       "3 broker(s) are registered."},
      {"unknown-config", ErrorCode::kInvalidConfig, "Unknown topic config name: no.such.config"},
      {"bad-long", ErrorCode::kInvalidConfig, "Invalid value abc for configuration retention.ms: Not a number of type LONG"},
      {"below-range", ErrorCode::kInvalidConfig,
       "Invalid value -5 for configuration retention.ms: Value must be at least -1"},
      {"bad-policy", ErrorCode::kInvalidConfig,
       "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete"},
      {"null-config", ErrorCode::kInvalidConfig, "Null value not supported for topic configs: retention.ms"},
      {"assigned-with-count", ErrorCode::kInvalidRequest,
       "A manual partition assignment was specified, but numPartitions was not set to -1."},
      {"assigned-unknown-broker", ErrorCode::kInvalidReplicaAssignment,
       "The manual partition assignment includes broker 9, but no such broker is registered."},
      {"assigned-twice", ErrorCode::kInvalidReplicaAssignment,
       "The manual partition assignment includes the broker 1 more than once."},
      {"assigned-uneven", ErrorCode::kInvalidReplicaAssignment,
       "The manual partition assignment includes a partition with 1 replica(s), but this is not consistent with "
       "previous partitions, which have 2 replica(s)."},
      {"dup", ErrorCode::kInvalidRequest, "Duplicate topic name."},
  };
  EXPECT_EQ(r.topics.size(), std::size(want));
  for (const Want& w : want) {
    const auto* t = Find(r, w.name);
    if (t == nullptr) continue;
    EXPECT_EQ(t->error_code, Code(w.code)) << w.name;
    EXPECT_EQ(t->error_message.value_or("<null>"), w.message) << w.name;
    EXPECT_EQ(t->num_partitions, -1) << w.name;
  }
  for (const char* name : {"bad-long", "null-config", "zero-rf", "dup", "rf-too-big", "assigned-twice"}) {
    EXPECT_FALSE(Exists(name)) << name;
  }
}

TEST_F(AdminTest, CreateTopicsValidateOnlyCreatesNothing) {
  auto t = Topic("validated", 4, 3);
  auto& c = t.configs.emplace_back();
  c.name = "retention.ms";
  c.value = " 1000 ";
  CreateTopicsResponse r = Create({t, Topic("validated-bad", 1, 5)}, 7, /*validate_only=*/true);
  ASSERT_EQ(r.topics.size(), 2u);
  EXPECT_EQ(r.topics[0].error_code, kNone);
  EXPECT_EQ(r.topics[0].num_partitions, 4);
  EXPECT_EQ(r.topics[0].replication_factor, 3);
  ASSERT_TRUE(r.topics[0].configs.has_value());
  bool saw_retention = false;
  for (const auto& cfg : *r.topics[0].configs) {
    if (cfg.name == "retention.ms") {
      saw_retention = true;
      EXPECT_EQ(cfg.value, std::optional<std::string>(" 1000 "));  // reported as given, like Kafka
      EXPECT_EQ(cfg.config_source, 1);                                // TOPIC_CONFIG
    }
    if (cfg.name == "cleanup.policy") {
      EXPECT_EQ(cfg.value, std::optional<std::string>("delete"));
      EXPECT_EQ(cfg.config_source, 5);  // DEFAULT_CONFIG
    }
  }
  EXPECT_TRUE(saw_retention);
  EXPECT_EQ(r.topics[1].error_code, Code(ErrorCode::kInvalidReplicationFactor));
  EXPECT_FALSE(Exists("validated"));
  EXPECT_FALSE(Exists("validated-bad"));
}

TEST_F(AdminTest, CreateTopicsWithAnExplicitAssignment) {
  CreateTopicsRequest::CreatableTopic t = Topic("assigned", -1, -1);
  const std::vector<std::vector<int32_t>> parts = {{3, 1}, {2, 3}};
  for (size_t i = 0; i < parts.size(); ++i) {
    auto& a = t.assignments.emplace_back();
    a.partition_index = static_cast<int32_t>(i);
    a.broker_ids = parts[i];
  }
  CreateTopicsResponse r = Create({t});
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, kNone) << r.topics[0].error_message.value_or("");
  EXPECT_EQ(r.topics[0].num_partitions, 2);
  EXPECT_EQ(r.topics[0].replication_factor, 2);
  MetadataResponse m = Metadata({"assigned"});
  ASSERT_EQ(m.topics.size(), 1u);
  ASSERT_EQ(m.topics[0].partitions.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(m.topics[0].partitions[i].replica_nodes, parts[i]);
    EXPECT_EQ(m.topics[0].partitions[i].leader_id, parts[i][0]);
  }
}

TEST_F(AdminTest, CreateTopicsWithAStoppedBrokerPlacesItAsAFollowerOnly) {
  ASSERT_TRUE(cluster_->StopBroker(3).ok());
  CreateTopicsResponse r = Create({Topic("with-fenced", 3, 3)});
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_EQ(r.topics[0].error_code, kNone) << r.topics[0].error_message.value_or("");
  MetadataResponse m = Metadata({"with-fenced"});
  ASSERT_EQ(m.topics.size(), 1u);
  for (const auto& p : m.topics[0].partitions) {
    EXPECT_EQ(p.replica_nodes.size(), 3u);
    EXPECT_NE(p.leader_id, 3);
    EXPECT_EQ(std::count(p.isr_nodes.begin(), p.isr_nodes.end(), 3), 0);
  }
}

// ---- DeleteTopics -----------------------------------------------------------------------------

TEST_F(AdminTest, DeleteTopicsByNameAtEveryVersion) {
  for (int16_t v = 0; v <= 6; ++v) {
    const std::string name = "doomed-v" + std::to_string(v);
    ASSERT_TRUE(cluster_->CreateTopic(name, 2, 1).ok());
    DeleteTopicsRequest request;
    if (v < 6) {
      request.topic_names = {name, "never-existed"};
    } else {
      request.topics.emplace_back().name = name;
      request.topics.emplace_back().name = "never-existed";
    }
    DeleteTopicsResponse response;
    ASSERT_TRUE(client_.RoundTrip(request, v, &response).ok()) << "v" << v;
    ASSERT_EQ(response.responses.size(), 2u);
    for (const auto& r : response.responses) {
      if (r.name == name) {
        EXPECT_EQ(r.error_code, kNone);
      } else {
        EXPECT_EQ(r.name, std::optional<std::string>("never-existed"));
        EXPECT_EQ(r.error_code, Code(ErrorCode::kUnknownTopicOrPartition));
      }
    }
    EXPECT_FALSE(Exists(name)) << "v" << v;
  }
}

TEST_F(AdminTest, DeleteTopicsByIdAtV6) {
  CreateTopicsResponse created = Create({Topic("by-id", 1, 1)});
  ASSERT_EQ(created.topics.size(), 1u);
  const Uuid id = created.topics[0].topic_id;
  ASSERT_FALSE(id.is_zero());
  DeleteTopicsRequest request;
  request.topics.emplace_back().name.reset();
  request.topics.back().topic_id = id;
  auto& unknown = request.topics.emplace_back();
  unknown.name.reset();
  unknown.topic_id = Uuid{42, 42};
  auto& both = request.topics.emplace_back();
  both.name = "x";
  both.topic_id = Uuid{1, 2};
  request.topics.emplace_back().name.reset();  // neither
  DeleteTopicsResponse response;
  ASSERT_TRUE(client_.RoundTrip(request, 6, &response).ok());
  ASSERT_EQ(response.responses.size(), 4u);
  int seen = 0;
  for (const auto& r : response.responses) {
    if (r.topic_id == id) {
      EXPECT_EQ(r.error_code, kNone);
      EXPECT_EQ(r.name, std::optional<std::string>("by-id"));
      ++seen;
    } else if (r.topic_id == Uuid{42, 42}) {
      EXPECT_EQ(r.error_code, Code(ErrorCode::kUnknownTopicId));
      EXPECT_FALSE(r.name.has_value());
      ++seen;
    } else if (r.name == std::optional<std::string>("x")) {
      EXPECT_EQ(r.error_code, Code(ErrorCode::kInvalidRequest));
      EXPECT_EQ(r.error_message, std::optional<std::string>("You may not specify both topic name and topic id."));
      ++seen;
    } else {
      EXPECT_EQ(r.error_code, Code(ErrorCode::kInvalidRequest));
      EXPECT_EQ(r.error_message, std::optional<std::string>("Neither topic name nor id were specified."));
      ++seen;
    }
  }
  EXPECT_EQ(seen, 4);
  EXPECT_FALSE(Exists("by-id"));
}

TEST_F(AdminTest, DeleteTopicsNamedTwiceIsRefusedOnce) {
  ASSERT_TRUE(cluster_->CreateTopic("twice", 1, 1).ok());
  DeleteTopicsRequest request;
  request.topic_names = {"twice", "twice"};
  DeleteTopicsResponse response;
  ASSERT_TRUE(client_.RoundTrip(request, 5, &response).ok());
  ASSERT_EQ(response.responses.size(), 1u);
  EXPECT_EQ(response.responses[0].error_code, Code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(response.responses[0].error_message, std::optional<std::string>("Duplicate topic name."));
  EXPECT_TRUE(Exists("twice"));
}

// ---- CreatePartitions -------------------------------------------------------------------------

TEST_F(AdminTest, CreatePartitionsGrowsTopicsAtEveryVersion) {
  for (int16_t v = 0; v <= 3; ++v) {
    const std::string name = "growing-v" + std::to_string(v);
    ASSERT_TRUE(cluster_->CreateTopic(name, 1, 2).ok());
    CreatePartitionsRequest request;
    auto& t = request.topics.emplace_back();
    t.name = name;
    t.count = 3;
    t.assignments.reset();
    CreatePartitionsResponse response;
    ASSERT_TRUE(client_.RoundTrip(request, v, &response).ok());
    ASSERT_EQ(response.results.size(), 1u);
    EXPECT_EQ(response.results[0].error_code, kNone) << response.results[0].error_message.value_or("");
    MetadataResponse m = Metadata({name});
    ASSERT_EQ(m.topics.size(), 1u);
    ASSERT_EQ(m.topics[0].partitions.size(), 3u);
    for (const auto& p : m.topics[0].partitions) EXPECT_EQ(p.replica_nodes.size(), 2u);
  }
}

TEST_F(AdminTest, CreatePartitionsErrorsAndValidateOnly) {
  ASSERT_TRUE(cluster_->CreateTopic("grow", 2, 1).ok());
  ASSERT_TRUE(cluster_->CreateTopic("grow2", 1, 1).ok());
  CreatePartitionsRequest request;
  auto add = [&](std::string name, int32_t count, std::optional<std::vector<std::vector<int32_t>>> assignment) {
    auto& t = request.topics.emplace_back();
    t.name = std::move(name);
    t.count = count;
    if (assignment) {
      t.assignments.emplace();
      for (auto& replicas : *assignment) t.assignments->emplace_back().broker_ids = replicas;
    } else {
      t.assignments.reset();
    }
  };
  add("grow", 2, std::nullopt);
  add("grow2", 4, std::vector<std::vector<int32_t>>{{2}});
  add("nope", 3, std::nullopt);
  CreatePartitionsResponse response;
  ASSERT_TRUE(client_.RoundTrip(request, 3, &response).ok());
  ASSERT_EQ(response.results.size(), 3u);
  EXPECT_EQ(response.results[0].error_code, Code(ErrorCode::kInvalidPartitions));
  EXPECT_EQ(response.results[0].error_message, std::optional<std::string>("Topic already has 2 partition(s)."));
  EXPECT_EQ(response.results[1].error_code, Code(ErrorCode::kInvalidReplicaAssignment));
  EXPECT_EQ(response.results[1].error_message,
            std::optional<std::string>("Attempted to add 3 additional partition(s), but only 1 assignment(s) were specified."));
  EXPECT_EQ(response.results[2].error_code, Code(ErrorCode::kUnknownTopicOrPartition));

  request.topics.clear();
  add("grow", 1, std::nullopt);
  add("grow2", 3, std::vector<std::vector<int32_t>>{{2}, {3}});
  request.validate_only = true;
  ASSERT_TRUE(client_.RoundTrip(request, 3, &response).ok());
  ASSERT_EQ(response.results.size(), 2u);
  EXPECT_EQ(response.results[0].error_message,
            std::optional<std::string>("The topic grow currently has 2 partition(s); 1 would not be an increase."));
  EXPECT_EQ(response.results[1].error_code, kNone);
  EXPECT_EQ(Metadata({"grow2"}).topics[0].partitions.size(), 1u);

  request.validate_only = false;
  request.topics.erase(request.topics.begin());
  ASSERT_TRUE(client_.RoundTrip(request, 3, &response).ok());
  ASSERT_EQ(response.results.size(), 1u);
  EXPECT_EQ(response.results[0].error_code, kNone);
  MetadataResponse m = Metadata({"grow2"});
  ASSERT_EQ(m.topics[0].partitions.size(), 3u);
  EXPECT_EQ(m.topics[0].partitions[1].replica_nodes, std::vector<int32_t>{2});
  EXPECT_EQ(m.topics[0].partitions[2].replica_nodes, std::vector<int32_t>{3});
  EXPECT_EQ(m.topics[0].partitions[2].leader_id, 3);
}

// ---- DescribeConfigs --------------------------------------------------------------------------

TEST_F(AdminTest, DescribeConfigsTopicDefaultsAtEveryVersion) {
  ASSERT_TRUE(cluster_->CreateTopic("described", 1, 1).ok());
  for (int16_t v = 0; v <= 4; ++v) {
    DescribeConfigsResponse r = Describe(2, "described", v);
    ASSERT_EQ(r.results.size(), 1u);
    EXPECT_EQ(r.results[0].error_code, kNone);
    EXPECT_EQ(r.results[0].configs.size(), 33u) << "v" << v;
    struct Want {
      const char* name;
      const char* value;
      int8_t type;
    };
    for (const Want& w : {Want{"cleanup.policy", "delete", 7}, Want{"retention.ms", "604800000", 5},
                          Want{"retention.bytes", "-1", 5},
                          Want{"max.message.bytes", "1048588", 3}, Want{"min.insync.replicas", "1", 3},
                          Want{"message.timestamp.type", "CreateTime", 2}, Want{"compression.type", "producer", 2},
                          Want{"message.timestamp.after.max.ms", "3600000", 5},
                          Want{"unclean.leader.election.enable", "false", 1}}) {
      const auto* c = Config(r, w.name);
      ASSERT_NE(c, nullptr) << w.name;
      EXPECT_EQ(c->value, std::optional<std::string>(w.value)) << w.name;
      EXPECT_FALSE(c->read_only) << w.name;
      EXPECT_FALSE(c->is_sensitive) << w.name;
      if (v == 0) {
        EXPECT_TRUE(c->is_default) << w.name;
      }
      if (v >= 1) {
        EXPECT_EQ(c->config_source, 5) << w.name;  // DEFAULT_CONFIG
      }
      if (v >= 3) {
        EXPECT_EQ(c->config_type, w.type) << w.name;
      }
    }
    // The embedded cluster rolls segments at 64 MiB, not Kafka's 1 GiB, and says so the way
    // Kafka reports a server.properties override.
    const auto* segment = Config(r, "segment.bytes");
    ASSERT_NE(segment, nullptr);
    EXPECT_EQ(segment->value, std::optional<std::string>("67108864"));
    if (v == 0) {
      EXPECT_FALSE(segment->is_default);
    } else {
      EXPECT_EQ(segment->config_source, 4);  // STATIC_BROKER_CONFIG
    }
    if (v >= 1) {
      const auto* max = Config(r, "max.message.bytes");
      ASSERT_EQ(max->synonyms.size(), 1u);
      EXPECT_EQ(max->synonyms[0].name, "message.max.bytes");
      EXPECT_EQ(max->synonyms[0].value, std::optional<std::string>("1048588"));
      EXPECT_EQ(max->synonyms[0].source, 5);
      EXPECT_TRUE(Config(r, "retention.ms")->synonyms.empty());  // log.retention.ms has no default
    }
  }
}

TEST_F(AdminTest, DescribeConfigsTopicOverridesAndKeys) {
  CreateTopicsRequest::CreatableTopic t = Topic("overridden", 1, 1);
  auto& c1 = t.configs.emplace_back();
  c1.name = "cleanup.policy";
  c1.value = "compact, delete";
  auto& c2 = t.configs.emplace_back();
  c2.name = "unclean.leader.election.enable";
  c2.value = "TRUE";
  ASSERT_EQ(Create({t}).topics[0].error_code, kNone);
  DescribeConfigsResponse r =
      Describe(2, "overridden", 4, true, std::vector<std::string>{"cleanup.policy", "unclean.leader.election.enable"});
  ASSERT_EQ(r.results[0].configs.size(), 2u);
  const auto* policy = Config(r, "cleanup.policy");
  ASSERT_NE(policy, nullptr);
  EXPECT_EQ(policy->value, std::optional<std::string>("compact,delete"));  // as Kafka prints it parsed
  EXPECT_EQ(policy->config_source, 1);                                   // TOPIC_CONFIG
  ASSERT_EQ(policy->synonyms.size(), 2u);
  EXPECT_EQ(policy->synonyms[0].name, "cleanup.policy");
  EXPECT_EQ(policy->synonyms[0].source, 1);
  EXPECT_EQ(policy->synonyms[1].name, "log.cleanup.policy");
  EXPECT_EQ(policy->synonyms[1].value, std::optional<std::string>("delete"));
  EXPECT_EQ(Config(r, "unclean.leader.election.enable")->value, std::optional<std::string>("true"));

  // Without include_synonyms there are none.
  r = Describe(2, "overridden", 4, false);
  EXPECT_TRUE(Config(r, "cleanup.policy")->synonyms.empty());
}

TEST_F(AdminTest, DescribeConfigsErrors) {
  DescribeConfigsRequest request;
  auto add = [&](int8_t type, std::string name) {
    auto& r = request.resources.emplace_back();
    r.resource_type = type;
    r.resource_name = std::move(name);
    r.configuration_keys.reset();
  };
  add(2, "no-such-topic");
  add(2, "bad/name");
  add(4, "2");  // asked of broker 1
  add(4, "one");
  add(4, "");
  add(99, "x");
  DescribeConfigsResponse response;
  ASSERT_TRUE(client_.RoundTrip(request, 4, &response).ok());
  ASSERT_EQ(response.results.size(), 6u);
  EXPECT_EQ(response.results[0].error_code, Code(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(response.results[1].error_code, Code(ErrorCode::kInvalidTopicException));
  EXPECT_EQ(response.results[2].error_code, Code(ErrorCode::kInvalidRequest));
  EXPECT_EQ(response.results[2].error_message,
            std::optional<std::string>("Unexpected broker id, expected 1 or empty string, but received 2"));
  EXPECT_EQ(response.results[3].error_message, std::optional<std::string>("Broker id must be an integer, but it is: one"));
  EXPECT_EQ(response.results[4].error_code, kNone);
  EXPECT_TRUE(response.results[4].configs.empty());
  EXPECT_EQ(response.results[5].error_code, Code(ErrorCode::kInvalidRequest));
  for (const auto& r : response.results) EXPECT_EQ(r.resource_name.empty(), &r == &response.results[4]);
}

TEST_F(AdminTest, DescribeConfigsBrokerDefaultsAndStaticSettings) {
  for (int16_t v = 0; v <= 4; ++v) {
    DescribeConfigsResponse r = Describe(4, "1", v);
    ASSERT_EQ(r.results.size(), 1u);
    ASSERT_EQ(r.results[0].error_code, kNone);
    struct Want {
      const char* name;
      std::optional<std::string> value;
      int8_t source;
      bool read_only;
      int8_t type;
    };
    const Want want[] = {
        {"num.partitions", "1", 5, true, 3},
        {"default.replication.factor", "1", 5, true, 3},
        {"auto.create.topics.enable", "true", 5, true, 1},
        {"message.max.bytes", "1048588", 5, false, 3},
        {"log.retention.hours", "168", 5, true, 3},
        {"log.retention.ms", std::nullopt, 5, false, 5},
        {"min.insync.replicas", "1", 5, false, 3},
        {"compression.type", "producer", 5, false, 2},
        // A 3-broker cluster keeps Kafka's 3; the embedded cluster's 0 ms delay is a static setting.
        {"offsets.topic.replication.factor", "3", 5, true, 4},
        {"group.initial.rebalance.delay.ms", "0", 4, true, 3},
        {"broker.id", "1", 4, true, 3},
        {"node.id", "1", 4, true, 3},
    };
    for (const Want& w : want) {
      const auto* c = Config(r, w.name);
      ASSERT_NE(c, nullptr) << w.name;
      EXPECT_EQ(c->value, w.value) << w.name;
      EXPECT_EQ(c->read_only, w.read_only) << w.name;
      if (v == 0) {
        EXPECT_EQ(c->is_default, w.source == 5) << w.name;
      }
      if (v >= 1) {
        EXPECT_EQ(c->config_source, w.source) << w.name;
      }
      if (v >= 3) {
        EXPECT_EQ(c->config_type, w.type) << w.name;
      }
    }
    if (v >= 1) {
      const auto* delay = Config(r, "group.initial.rebalance.delay.ms");
      ASSERT_EQ(delay->synonyms.size(), 2u);
      EXPECT_EQ(delay->synonyms[0].source, 4);
      EXPECT_EQ(delay->synonyms[1].value, std::optional<std::string>("3000"));
      EXPECT_EQ(delay->synonyms[1].source, 5);
    }
  }
}

// ---- DescribeCluster --------------------------------------------------------------------------

TEST_F(AdminTest, DescribeClusterAtEveryVersion) {
  ASSERT_TRUE(cluster_->StopBroker(2).ok());
  for (int16_t v = 0; v <= 2; ++v) {
    DescribeClusterRequest request;
    request.include_cluster_authorized_operations = true;
    request.include_fenced_brokers = v >= 2;
    DescribeClusterResponse response;
    ASSERT_TRUE(client_.RoundTrip(request, v, &response).ok());
    EXPECT_EQ(response.error_code, kNone);
    EXPECT_EQ(response.cluster_id, "admin-test-cluster");
    EXPECT_EQ(response.controller_id, 1);
    EXPECT_EQ(response.cluster_authorized_operations, 8096);
    std::vector<int32_t> ids;
    for (const auto& b : response.brokers) {
      ids.push_back(b.broker_id);
      EXPECT_EQ(b.host, "127.0.0.1");
      EXPECT_GT(b.port, 0);
      if (v >= 2) {
        EXPECT_EQ(b.is_fenced, b.broker_id == 2);
      }
    }
    EXPECT_EQ(ids, v >= 2 ? std::vector<int32_t>({1, 2, 3}) : std::vector<int32_t>({1, 3})) << "v" << v;
  }
  DescribeClusterRequest controllers;
  controllers.endpoint_type = 2;
  DescribeClusterResponse response;
  ASSERT_TRUE(client_.RoundTrip(controllers, 1, &response).ok());
  EXPECT_EQ(response.error_code, Code(ErrorCode::kMismatchedEndpointType));
  controllers.endpoint_type = 7;
  ASSERT_TRUE(client_.RoundTrip(controllers, 1, &response).ok());
  EXPECT_EQ(response.error_code, Code(ErrorCode::kUnsupportedEndpointType));
}

// ---- Connection-level behaviour -----------------------------------------------------------------

TEST_F(AdminTest, UndecodableRequestClosesOnlyItsConnection) {
  BlockingClient other;
  ASSERT_TRUE(other.Connect(first_).ok());
  CreateTopicsRequest request;
  request.topics.push_back(Topic("truncated", 1, 1));
  util::ByteBuffer frame = Frame(request, 4);
  // Cut the body short and fix the size prefix: the header reads, the body does not.
  frame.resize(frame.size() - 6);
  frame.data()[0] = 0;
  util::StoreBE32(frame.data(), static_cast<uint32_t>(frame.size() - 4));
  RawConnection raw(first_);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Send(frame));
  util::ByteBuffer reply;
  EXPECT_EQ(raw.ReadFrame(std::chrono::seconds(30), &reply), RawConnection::Read::kClosed);
  // The other connection, and new ones, still work.
  DescribeClusterRequest describe;
  DescribeClusterResponse response;
  ASSERT_TRUE(other.RoundTrip(describe, 2, &response).ok());
  EXPECT_EQ(response.error_code, kNone);
  ASSERT_TRUE(client_.RoundTrip(describe, 0, &response).ok());
  EXPECT_FALSE(Exists("truncated"));
}

TEST(AdminLimitsTest, RequestLargerThanTheLimitClosesTheConnection) {
  EmbeddedClusterOptions options;
  options.max_request_size = 1024;
  auto started = EmbeddedCluster::Start(options);
  ASSERT_TRUE(started.ok());
  const std::string bootstrap = (*started)->bootstrap_servers();
  CreateTopicsRequest request;
  auto& t = request.topics.emplace_back();
  t.name = "big";
  t.num_partitions = 1;
  t.replication_factor = 1;
  auto& c = t.configs.emplace_back();
  c.name = "retention.ms";
  c.value = std::string(2000, '1');
  RawConnection raw(bootstrap);
  ASSERT_TRUE(raw.connected());
  util::ByteBuffer frame = Frame(request, 4);
  ASSERT_GT(frame.size(), 1024u + 4);
  raw.Send(frame);  // the broker may close before reading it all
  util::ByteBuffer reply;
  EXPECT_EQ(raw.ReadFrame(std::chrono::seconds(30), &reply), RawConnection::Read::kClosed);
  // A request within the limit is served on a new connection.
  BlockingClient client;
  ASSERT_TRUE(client.Connect(bootstrap).ok());
  DescribeClusterRequest describe;
  DescribeClusterResponse response;
  ASSERT_TRUE(client.RoundTrip(describe, 2, &response).ok());
}

// With a data directory, what the admin APIs change survives a restart: created topics with
// their assignment and configs, added partitions, and deletions.
TEST(AdminDurableTest, AdminChangesSurviveARestart) {
  // Declared first so that it is removed last, after every cluster using it has stopped, and
  // also when an assertion ends the test early.
  kclient::testing::TempDir dir("kclient-admin");
  EmbeddedClusterOptions options;
  options.brokers = 2;
  options.data_dir = dir.path();
  {
    auto started = EmbeddedCluster::Start(options);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    const std::string bootstrap = (*started)->bootstrap_servers();
    BlockingClient client;
    ASSERT_TRUE(client.Connect(bootstrap.substr(0, bootstrap.find(','))).ok());
    CreateTopicsRequest create;
    auto& kept = create.topics.emplace_back();
    kept.name = "kept";
    kept.num_partitions = -1;
    kept.replication_factor = -1;
    kept.assignments.emplace_back().broker_ids = {2, 1};
    auto& c = kept.configs.emplace_back();
    c.name = "retention.ms";
    c.value = "123456";
    auto& gone = create.topics.emplace_back();
    gone.name = "gone";
    gone.num_partitions = 1;
    gone.replication_factor = 1;
    CreateTopicsResponse created;
    ASSERT_TRUE(client.RoundTrip(create, 7, &created).ok());
    for (const auto& t : created.topics) ASSERT_EQ(t.error_code, kNone) << t.name;
    CreatePartitionsRequest grow;
    auto& g = grow.topics.emplace_back();
    g.name = "kept";
    g.count = 2;
    g.assignments.emplace().emplace_back().broker_ids = {1, 2};
    CreatePartitionsResponse grown;
    ASSERT_TRUE(client.RoundTrip(grow, 3, &grown).ok());
    ASSERT_EQ(grown.results[0].error_code, kNone) << grown.results[0].error_message.value_or("");
    DeleteTopicsRequest del;
    del.topic_names = {"gone"};
    DeleteTopicsResponse deleted;
    ASSERT_TRUE(client.RoundTrip(del, 5, &deleted).ok());
    ASSERT_EQ(deleted.responses[0].error_code, kNone);
  }
  auto restarted = EmbeddedCluster::Start(options);
  ASSERT_TRUE(restarted.ok()) << restarted.status().ToString();
  const std::string bootstrap = (*restarted)->bootstrap_servers();
  BlockingClient client;
  ASSERT_TRUE(client.Connect(bootstrap.substr(0, bootstrap.find(','))).ok());
  MetadataRequest request;
  request.topics.reset();
  MetadataResponse m;
  ASSERT_TRUE(client.RoundTrip(request, 12, &m).ok());
  ASSERT_EQ(m.topics.size(), 1u);
  EXPECT_EQ(m.topics[0].name, std::optional<std::string>("kept"));
  ASSERT_EQ(m.topics[0].partitions.size(), 2u);
  EXPECT_EQ(m.topics[0].partitions[0].replica_nodes, (std::vector<int32_t>{2, 1}));
  EXPECT_EQ(m.topics[0].partitions[1].replica_nodes, (std::vector<int32_t>{1, 2}));
  DescribeConfigsRequest describe;
  auto& r = describe.resources.emplace_back();
  r.resource_type = 2;
  r.resource_name = "kept";
  r.configuration_keys = std::vector<std::string>{"retention.ms"};
  DescribeConfigsResponse configs;
  ASSERT_TRUE(client.RoundTrip(describe, 4, &configs).ok());
  ASSERT_EQ(configs.results[0].configs.size(), 1u);
  EXPECT_EQ(configs.results[0].configs[0].value, std::optional<std::string>("123456"));
  EXPECT_EQ(configs.results[0].configs[0].config_source, 1);
  restarted.value().reset();
}

TEST_F(AdminTest, InjectedDropConnectionFires) {
  Fault fault;
  fault.kind = Fault::Kind::kDropConnection;
  fault.api_key = static_cast<int16_t>(ApiKey::kCreateTopics);
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  EXPECT_FALSE(handle->fired());
  CreateTopicsRequest request;
  request.topics.push_back(Topic("dropped", 1, 1));
  RawConnection raw(first_);
  ASSERT_TRUE(raw.Send(Frame(request, 7)));
  util::ByteBuffer reply;
  EXPECT_EQ(raw.ReadFrame(std::chrono::seconds(30), &reply), RawConnection::Read::kClosed);
  EXPECT_EQ(handle->times_fired(), 1);
  EXPECT_FALSE(Exists("dropped"));
  // count = 1: the next request goes through.
  EXPECT_EQ(Create({Topic("dropped", 1, 1)}).topics[0].error_code, kNone);
  EXPECT_EQ(handle->times_fired(), 1);
}

TEST_F(AdminTest, InjectedLatencyDelaysTheAnswer) {
  Fault fault;
  fault.kind = Fault::Kind::kLatency;
  fault.api_key = static_cast<int16_t>(ApiKey::kDescribeCluster);
  fault.latency_ms = 400;
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  const auto start = std::chrono::steady_clock::now();
  DescribeClusterRequest request;
  DescribeClusterResponse response;
  ASSERT_TRUE(client_.RoundTrip(request, 2, &response).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  EXPECT_EQ(response.error_code, kNone);
  EXPECT_TRUE(handle->fired());
}

TEST_F(AdminTest, InjectedNoResponseStallsOnlyThatConnection) {
  Fault fault;
  fault.kind = Fault::Kind::kNoResponse;
  fault.api_key = static_cast<int16_t>(ApiKey::kDescribeConfigs);
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  DescribeConfigsRequest request;
  auto& r = request.resources.emplace_back();
  r.resource_type = 4;
  r.resource_name = "1";
  RawConnection raw(first_);
  ASSERT_TRUE(raw.Send(Frame(request, 4)));
  util::ByteBuffer reply;
  EXPECT_EQ(raw.ReadFrame(std::chrono::milliseconds(500), &reply), RawConnection::Read::kTimeout);
  EXPECT_EQ(handle->times_fired(), 1);
  EXPECT_EQ(Describe(4, "1").results[0].error_code, kNone);  // other connections are served
}

TEST_F(AdminTest, InjectedErrorFailsOneTopic) {
  Fault fault;
  fault.kind = Fault::Kind::kError;
  fault.api_key = static_cast<int16_t>(ApiKey::kCreateTopics);
  fault.topic = "unlucky";
  fault.error = ErrorCode::kNotController;
  auto handle = cluster_->InjectFault(fault);
  ASSERT_TRUE(handle.ok());
  CreateTopicsResponse r = Create({Topic("lucky", 1, 1), Topic("unlucky", 1, 1)});
  EXPECT_EQ(Find(r, "lucky")->error_code, kNone);
  EXPECT_EQ(Find(r, "unlucky")->error_code, Code(ErrorCode::kNotController));
  EXPECT_TRUE(handle->fired());
  EXPECT_FALSE(Exists("unlucky"));
}

}  // namespace
}  // namespace kclient
