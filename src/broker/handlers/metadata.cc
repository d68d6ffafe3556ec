// Metadata: brokers, the controller, and topics with their partitions, leaders and replicas.
// Asking for an unknown topic creates it when auto-creation is on and the client allows it; like
// Kafka, that first answer says LEADER_NOT_AVAILABLE and the client asks again.
#include <algorithm>

#include "broker/cluster.h"
#include "broker/handlers/handlers.h"
#include "protocol/messages/metadata.h"

namespace kclient::broker {
namespace {

using protocol::MetadataRequest;
using protocol::MetadataResponse;

void DescribeTopic(Cluster& cluster, TopicState& topic, MetadataResponse::MetadataResponseTopic* out) {
  out->name = topic.name;
  out->topic_id = topic.id;
  out->is_internal = topic.internal;
  for (const auto& p : topic.partitions) {
    auto& mp = out->partitions.emplace_back();
    mp.partition_index = p->index;
    mp.leader_id = p->leader;
    mp.leader_epoch = p->leader_epoch;
    mp.replica_nodes = p->replicas;
    mp.isr_nodes = p->isr;
    for (int32_t r : p->replicas) {
      const Cluster::Broker* b = cluster.broker(r);
      if (b == nullptr || !b->running()) mp.offline_replicas.push_back(r);
    }
    if (p->leader == -1) mp.error_code = static_cast<int16_t>(ErrorCode::kLeaderNotAvailable);
  }
}

void HandleMetadataRequest(RequestContext& ctx, MetadataRequest& request, Responder responder) {
  Cluster& cluster = *ctx.cluster;
  MetadataResponse response;
  for (const auto& [id, b] : cluster.brokers()) {
    if (!b.running()) continue;
    auto& mb = response.brokers.emplace_back();
    mb.node_id = id;
    mb.host = b.host;
    mb.port = b.port;
    if (response.controller_id == -1) response.controller_id = id;
  }
  response.cluster_id = cluster.config().cluster_id;

  // v0 asks for every topic with an empty list; later versions with null.
  const bool all = !request.topics || (ctx.version() == 0 && request.topics->empty());
  if (all) {
    for (auto& [name, topic] : cluster.topics().all()) DescribeTopic(cluster, *topic, &response.topics.emplace_back());
  } else {
    // Versions 0-3 have no allow_auto_topic_creation field and always allow it.
    const bool allow_create = cluster.config().auto_create_topics && request.allow_auto_topic_creation;
    for (const auto& want : *request.topics) {
      auto& out = response.topics.emplace_back();
      TopicState* topic = nullptr;
      if (want.name) {
        topic = cluster.topics().Find(*want.name);
      } else if (!want.topic_id.is_zero()) {
        topic = cluster.topics().FindById(want.topic_id);
        if (topic == nullptr) {
          out.name.reset();
          out.topic_id = want.topic_id;
          out.error_code = static_cast<int16_t>(ErrorCode::kUnknownTopicId);
          continue;
        }
      }
      if (topic != nullptr) {
        DescribeTopic(cluster, *topic, &out);
        continue;
      }
      out.name = want.name;
      if (!want.name) {
        out.error_code = static_cast<int16_t>(ErrorCode::kInvalidRequest);
      } else if (Status valid = TopicRegistry::ValidateName(*want.name); !valid.ok()) {
        out.error_code = static_cast<int16_t>(ErrorCode::kInvalidTopicException);
      } else if (allow_create && cluster.CreateTopic(*want.name, -1, -1).ok()) {
        out.error_code = static_cast<int16_t>(ErrorCode::kLeaderNotAvailable);
      } else {
        out.error_code = static_cast<int16_t>(ErrorCode::kUnknownTopicOrPartition);
      }
    }
  }
  responder.Send(response);
}

}  // namespace

void HandleMetadata(RequestContext& ctx, std::span<const uint8_t> body, Responder responder) {
  DecodeAndHandle<MetadataRequest, HandleMetadataRequest>(ctx, body, std::move(responder));
}

}  // namespace kclient::broker
