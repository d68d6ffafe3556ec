#include "client/metadata.h"

#include <algorithm>

#include "protocol/messages/metadata.h"

namespace kclient::client {

Metadata::Metadata(net::NetworkClient* network, MetadataOptions options) : network_(network), options_(options) {
  Schedule(net::Clock::duration::zero());
}

Metadata::~Metadata() {
  *alive_ = false;
  if (timer_ != 0) network_->loop().CancelTimer(timer_);
}

void Metadata::AddTopic(const std::string& topic) {
  if (topics_.insert(topic).second) RequestUpdate();
}

void Metadata::SetTopics(const std::set<std::string>& topics) {
  if (topics == topics_) return;
  topics_ = topics;
  RequestUpdate();
}

void Metadata::RequestUpdate() {
  update_requested_ = true;
  if (in_flight_) return;  // the response schedules the next refresh
  const auto earliest = last_attempt_ + std::chrono::milliseconds(options_.retry_backoff_ms);
  const auto now = network_->loop().Now();
  Schedule(earliest > now ? earliest - now : net::Clock::duration::zero());
}

void Metadata::Schedule(net::Clock::duration delay) {
  if (timer_ != 0) network_->loop().CancelTimer(timer_);
  timer_ = network_->loop().AddTimer(delay, [this] {
    timer_ = 0;
    Refresh();
  });
}

void Metadata::Refresh() {
  if (in_flight_) return;
  in_flight_ = true;
  update_requested_ = false;
  last_attempt_ = network_->loop().Now();
  protocol::MetadataRequest request;
  auto& topics = request.topics.emplace();
  for (const std::string& t : topics_) topics.emplace_back().name = t;
  request.allow_auto_topic_creation = options_.allow_auto_topic_creation;
  net::SendOptions send;
  // v4 is the first that can refuse auto-creation; older brokers are long gone.
  send.min_version = 4;
  network_->Send<protocol::MetadataRequest, protocol::MetadataResponse>(
      net::NetworkClient::kAnyBroker, std::move(request),
      std::function<void(const Status&, protocol::MetadataResponse&)>(
          [this, alive = alive_](const Status& s, protocol::MetadataResponse& r) {
            if (!*alive) return;
            OnResponse(s, r);
          }),
      send);
}

void Metadata::OnResponse(const Status& status, protocol::MetadataResponse& response) {
  in_flight_ = false;
  if (!status.ok() || response.error_code != 0) {
    last_error_ = status.ok() ? Status(static_cast<ErrorCode>(response.error_code), "metadata refresh refused") : status;
    update_requested_ = true;
    Schedule(std::chrono::milliseconds(options_.retry_backoff_ms));
    return;
  }
  last_error_ = Status();
  std::vector<net::BrokerAddress> brokers;
  for (const auto& b : response.brokers) brokers.push_back({b.node_id, b.host, static_cast<uint16_t>(b.port)});
  if (!brokers.empty()) network_->SetBrokers(brokers);
  cluster_id_ = response.cluster_id.value_or("");
  controller_id_ = response.controller_id;

  bool incomplete = false;
  for (auto& t : response.topics) {
    if (!t.name) continue;
    TopicMetadata next;
    next.name = *t.name;
    next.id = t.topic_id;
    next.error = static_cast<ErrorCode>(t.error_code);
    next.internal = t.is_internal;
    for (auto& p : t.partitions) {
      PartitionMetadata pm;
      pm.partition = p.partition_index;
      pm.leader = p.leader_id;
      pm.leader_epoch = p.leader_epoch;
      pm.replicas = std::move(p.replica_nodes);
      pm.isr = std::move(p.isr_nodes);
      pm.error = static_cast<ErrorCode>(p.error_code);
      next.partitions.push_back(std::move(pm));
    }
    std::sort(next.partitions.begin(), next.partitions.end(),
              [](const PartitionMetadata& a, const PartitionMetadata& b) { return a.partition < b.partition; });
    // Keep newer partition state from an earlier answer when this broker is behind.
    if (auto old = cache_.find(next.name); old != cache_.end() && old->second.id == next.id) {
      for (auto& p : next.partitions) {
        const auto& prev = old->second.partitions;
        const auto i = static_cast<size_t>(p.partition);
        if (i < prev.size() && prev[i].partition == p.partition && prev[i].leader_epoch > p.leader_epoch) p = prev[i];
      }
    }
    if (next.error != ErrorCode::kNone || next.partitions.empty() ||
        std::any_of(next.partitions.begin(), next.partitions.end(), [](const auto& p) { return p.leader < 0; })) {
      incomplete = true;
    }
    cache_[next.name] = std::move(next);
  }
  ++version_;
  for (auto& l : listeners_) l();
  // Topics still being created or electing leaders: ask again soon. Otherwise at max age.
  if (incomplete || update_requested_) {
    Schedule(std::chrono::milliseconds(options_.retry_backoff_ms));
  } else {
    Schedule(std::chrono::milliseconds(options_.max_age_ms));
  }
}

const TopicMetadata* Metadata::topic(const std::string& name) const {
  auto it = cache_.find(name);
  return it == cache_.end() ? nullptr : &it->second;
}

int32_t Metadata::LeaderFor(const std::string& topic, int32_t partition) const {
  const TopicMetadata* t = this->topic(topic);
  if (t == nullptr || partition < 0 || static_cast<size_t>(partition) >= t->partitions.size()) return -1;
  return t->partitions[static_cast<size_t>(partition)].leader;
}

}  // namespace kclient::client
