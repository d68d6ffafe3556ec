// DescribeCluster (v0-2): the cluster id, a controller id and the brokers, as Kafka's
// AuthHelper.computeDescribeClusterResponse answers on a broker listener (what the Java admin
// client's describeCluster sends). Like a KRaft broker, the controller id names a live broker,
// since clients cannot reach the real controller. v1 adds the endpoint type: asking a broker for
// controllers is MISMATCHED_ENDPOINT_TYPE, an unknown type UNSUPPORTED_ENDPOINT_TYPE (both
// INVALID_REQUEST at v0). v2 can include stopped brokers, reported fenced. Without an authorizer
// every cluster operation is allowed.
#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/describe_cluster.h"

namespace kclient::broker {
namespace {

using protocol::DescribeClusterRequest;
using protocol::DescribeClusterResponse;

constexpr int8_t kEndpointBroker = 1;
constexpr int8_t kEndpointController = 2;

// Kafka's AclEntry.supportedOperations(CLUSTER) as a bit field of AclOperation codes: CREATE 5,
// ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12.
constexpr int32_t kClusterOperations = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

void HandleDescribeClusterRequest(RequestContext& ctx, DescribeClusterRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  DescribeClusterResponse response;
  const bool v0 = ctx.version() == 0;
  if (request.endpoint_type != kEndpointBroker && request.endpoint_type != kEndpointController) {
    response.error_code = static_cast<int16_t>(v0 ? ErrorCode::kInvalidRequest : ErrorCode::kUnsupportedEndpointType);
    response.error_message = "Unsupported endpoint type " + std::to_string(request.endpoint_type);
    responder.Send(response);
    return;
  }
  if (request.endpoint_type == kEndpointController) {
    response.error_code = static_cast<int16_t>(v0 ? ErrorCode::kInvalidRequest : ErrorCode::kMismatchedEndpointType);
    response.error_message = "The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER";
    responder.Send(response);
    return;
  }
  if (auto injected =
          cluster.faults().TakeError(static_cast<int16_t>(protocol::ApiKey::kDescribeCluster), ctx.broker_id)) {
    response.error_code = static_cast<int16_t>(*injected);
    responder.Send(response);
    return;
  }
  response.endpoint_type = kEndpointBroker;
  response.cluster_id = cluster.config().cluster_id;
  for (const auto& [id, b] : cluster.brokers()) {
    if (!b.running() && !request.include_fenced_brokers) continue;
    auto& out = response.brokers.emplace_back();
    out.broker_id = id;
    out.host = b.host;
    out.port = b.port;
    out.is_fenced = !b.running();
    // The same controller Metadata names: the first live broker.
    if (b.running() && response.controller_id == -1) response.controller_id = id;
  }
  if (request.include_cluster_authorized_operations) response.cluster_authorized_operations = kClusterOperations;
  responder.Send(response);
}

}  // namespace

void HandleDescribeCluster(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<DescribeClusterRequest, HandleDescribeClusterRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
