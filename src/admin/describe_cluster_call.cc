#include "admin/describe_cluster_call.h"

#include <algorithm>

#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/metadata.h"

namespace kclient::admin {

namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

constexpr int8_t kBrokerEndpoints = 1;  // DescribeCluster EndpointType: 1 brokers, 2 controllers

// Orders the brokers by id, and makes the controller one of them or -1 (none known): a cluster
// may name a controller it does not describe (librdkafka's mock names broker 0, and its brokers
// are numbered from 1), which Java's admin client reports as no controller too.
void Normalize(ClusterDescription* cluster) {
  std::sort(cluster->brokers.begin(), cluster->brokers.end(),
            [](const BrokerDescription& a, const BrokerDescription& b) { return a.id < b.id; });
  const bool described = std::any_of(cluster->brokers.begin(), cluster->brokers.end(),
                                     [&](const BrokerDescription& b) { return b.id == cluster->controller_id; });
  if (!described) cluster->controller_id = -1;
}

}  // namespace

DescribeClusterCall::DescribeClusterCall(net::Clock::time_point deadline,
                                         std::shared_ptr<Completion<Outcome>> completion)
    : AdminCall("DescribeCluster", deadline), completion_(std::move(completion)) {}

void DescribeClusterCall::Attempt() {
  if (use_metadata_) {
    MetadataRequest request;
    request.topics.emplace();  // no topics: brokers, cluster id and controller only
    request.allow_auto_topic_creation = false;
    net::SendOptions options;
    options.min_version = 4;
    Send(net::NetworkClient::kAnyBroker, std::move(request), &DescribeClusterCall::OnMetadata, options);
    return;
  }
  DescribeClusterRequest request;
  request.endpoint_type = kBrokerEndpoints;
  Send(net::NetworkClient::kAnyBroker, std::move(request), &DescribeClusterCall::OnDescribeCluster);
}

void DescribeClusterCall::OnDescribeCluster(const Status& status, DescribeClusterResponse& response) {
  if (status.code() == ErrorCode::kLocalUnsupportedVersion) {
    // A broker older than Kafka 2.8: Metadata says the same. No backoff: nothing failed.
    use_metadata_ = true;
    Attempt();
    return;
  }
  if (HandleRequestError(status.ok() ? StatusFromWire(response.error_code, response.error_message) : status)) return;
  cluster_.cluster_id = std::move(response.cluster_id);
  cluster_.controller_id = response.controller_id;
  for (auto& b : response.brokers) {
    cluster_.brokers.push_back(BrokerDescription{b.broker_id, std::move(b.host), b.port, std::move(b.rack)});
  }
  Normalize(&cluster_);
  Finish();
}

void DescribeClusterCall::OnMetadata(const Status& status, MetadataResponse& response) {
  if (HandleRequestError(status.ok() ? StatusFromWire(response.error_code, std::nullopt) : status)) return;
  cluster_.cluster_id = response.cluster_id.value_or("");
  cluster_.controller_id = response.controller_id;
  for (auto& b : response.brokers) {
    cluster_.brokers.push_back(BrokerDescription{b.node_id, std::move(b.host), b.port, std::move(b.rack)});
  }
  Normalize(&cluster_);
  Finish();
}

void DescribeClusterCall::Publish(const Status& rest) {
  if (rest.ok()) {
    completion_->Set(std::move(cluster_));
  } else {
    completion_->Set(rest);
  }
}

}  // namespace kclient::admin
