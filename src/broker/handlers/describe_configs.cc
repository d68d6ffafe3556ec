// DescribeConfigs (v0-4): the effective configs of topics and of the broker answering, from the
// shared table in topic_configs.h, with Kafka's sources, read-only and sensitive flags,
// synonyms (v1+, when asked) and types (v3+). As Kafka's ConfigHelper.describeConfigs: an
// invalid topic name is INVALID_TOPIC_EXCEPTION, an unknown topic UNKNOWN_TOPIC_OR_PARTITION;
// a broker resource must name the answering broker (or be empty, for the cluster-wide dynamic
// defaults, of which there are none here); asking for no keys means every key. Documentation
// (v3+) is not carried: it is null.
#include <algorithm>
#include <charconv>

#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_admin.h"
#include "broker/topic_configs.h"
#include "protocol/messages/describe_configs.h"

namespace kclient::broker {
namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using ResourceResult = DescribeConfigsResponse::DescribeConfigsResult;

bool Wanted(const DescribeConfigsRequest::DescribeConfigsResource& resource, const std::string& name) {
  if (!resource.configuration_keys || resource.configuration_keys->empty()) return true;
  const auto& keys = *resource.configuration_keys;
  return std::find(keys.begin(), keys.end(), name) != keys.end();
}

void Fill(RequestContext& ctx, const DescribeConfigsRequest& request,
          const DescribeConfigsRequest::DescribeConfigsResource& resource, const std::vector<ConfigEntry>& entries,
          ResourceResult* out) {
  for (const ConfigEntry& e : entries) {
    if (!Wanted(resource, e.name)) continue;
    auto& c = out->configs.emplace_back();
    c.name = e.name;
    c.value = e.sensitive ? std::nullopt : e.value;
    c.read_only = e.read_only;
    if (ctx.version() == 0) c.is_default = e.source == ConfigSource::kDefaultConfig;  // v1+ carry the source
    c.config_source = static_cast<int8_t>(e.source);
    c.is_sensitive = e.sensitive;
    if (request.include_synonyms && ctx.version() >= 1) {
      for (const ConfigSynonymEntry& s : e.synonyms) {
        auto& syn = c.synonyms.emplace_back();
        syn.name = s.name;
        syn.value = e.sensitive ? std::nullopt : s.value;
        syn.source = static_cast<int8_t>(s.source);
      }
    }
    c.config_type = static_cast<int8_t>(e.type);
    c.documentation.reset();
  }
}

void Error(ResourceResult* out, ErrorCode code, std::string message) {
  out->error_code = static_cast<int16_t>(code);
  out->error_message = std::move(message);
}

void DescribeTopic(RequestContext& ctx, const DescribeConfigsRequest& request,
                   const DescribeConfigsRequest::DescribeConfigsResource& resource, ResourceResult* out) {
  Cluster& cluster = *ctx.cluster;
  if (Status s = ValidateTopicName(resource.resource_name); !s.ok()) {
    Error(out, s.code(), std::string(s.message()));
    return;
  }
  TopicState* topic = cluster.topics().Find(resource.resource_name);
  if (topic == nullptr) {
    Error(out, ErrorCode::kUnknownTopicOrPartition, "");  // Kafka sends no message here
    return;
  }
  Fill(ctx, request, resource, DescribeTopicConfigs(cluster.config(), topic->configs), out);
}

void DescribeBroker(RequestContext& ctx, const DescribeConfigsRequest& request,
                    const DescribeConfigsRequest::DescribeConfigsResource& resource, bool loggers, ResourceResult* out) {
  const std::string& name = resource.resource_name;
  if (name.empty()) {
    if (loggers) Error(out, ErrorCode::kInvalidRequest, "Broker id must not be empty");
    return;  // the cluster-wide dynamic defaults: none are set
  }
  int32_t id = 0;
  auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || end != name.data() + name.size()) {
    Error(out, ErrorCode::kInvalidRequest, "Broker id must be an integer, but it is: " + name);
    return;
  }
  if (id != ctx.broker_id) {
    Error(out, ErrorCode::kInvalidRequest,
          loggers ? "Unexpected broker id, expected " + std::to_string(ctx.broker_id) + " but received " + name
                  : "Unexpected broker id, expected " + std::to_string(ctx.broker_id) +
                        " or empty string, but received " + name);
    return;
  }
  if (loggers) return;  // no loggers to report
  Fill(ctx, request, resource, DescribeBrokerConfigs(ctx.cluster->config(), ctx.broker_id), out);
}

void HandleDescribeConfigsRequest(RequestContext& ctx, DescribeConfigsRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  DescribeConfigsResponse response;
  for (const auto& resource : request.resources) {
    ResourceResult& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message.reset();
    const auto type = static_cast<ConfigResourceType>(resource.resource_type);
    const std::string_view topic = type == ConfigResourceType::kTopic ? std::string_view(resource.resource_name) : "";
    if (auto injected =
            cluster.faults().TakeError(static_cast<int16_t>(protocol::ApiKey::kDescribeConfigs), ctx.broker_id, topic)) {
      out.error_code = static_cast<int16_t>(*injected);
      continue;
    }
    switch (type) {
      case ConfigResourceType::kTopic:
        DescribeTopic(ctx, request, resource, &out);
        break;
      case ConfigResourceType::kBroker:
        DescribeBroker(ctx, request, resource, /*loggers=*/false, &out);
        break;
      case ConfigResourceType::kBrokerLogger:
        DescribeBroker(ctx, request, resource, /*loggers=*/true, &out);
        break;
      default:
        Error(&out, ErrorCode::kInvalidRequest,
              "Unsupported resource type " + std::to_string(resource.resource_type) + " for resource " +
                  resource.resource_name);
        break;
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleDescribeConfigs(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<DescribeConfigsRequest, HandleDescribeConfigsRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
