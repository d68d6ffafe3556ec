// Metadata: what a client knows about the cluster — brokers, and for the topics it uses, their
// ids, partitions, leaders and leader epochs. Refreshed when someone asks (an unknown topic, a
// NOT_LEADER_OR_FOLLOWER answer, a broker gone), at most once per retry backoff, and at least
// every metadata.max.age.ms. Each refresh feeds the broker list to the NetworkClient.
//
// A leader epoch never goes backwards: a response from a broker that is behind keeps the newer
// partition state, as the Java client's Metadata does.
//
// Thread-safety: the event loop's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "kclient/error_code.h"
#include "kclient/uuid.h"
#include "net/network_client.h"

namespace kclient::protocol {
struct MetadataResponse;
}  // namespace kclient::protocol

namespace kclient::client {

struct PartitionMetadata {
  int32_t partition = 0;
  int32_t leader = -1;
  int32_t leader_epoch = -1;
  std::vector<int32_t> replicas;
  std::vector<int32_t> isr;
  ErrorCode error = ErrorCode::kNone;
};

struct TopicMetadata {
  std::string name;
  Uuid id;
  ErrorCode error = ErrorCode::kNone;  // UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, ...
  bool internal = false;
  std::vector<PartitionMetadata> partitions;
};

struct MetadataOptions {
  int32_t max_age_ms = 300000;       // metadata.max.age.ms
  int32_t retry_backoff_ms = 100;    // retry.backoff.ms
  bool allow_auto_topic_creation = true;
};

class Metadata {
 public:
  Metadata(net::NetworkClient* network, MetadataOptions options);
  ~Metadata();
  Metadata(const Metadata&) = delete;
  Metadata& operator=(const Metadata&) = delete;

  // Topics to keep metadata for. Adding an unknown one asks for a refresh.
  void AddTopic(const std::string& topic);
  void SetTopics(const std::set<std::string>& topics);
  const std::set<std::string>& topics() const { return topics_; }

  // Asks for a refresh as soon as the backoff allows.
  void RequestUpdate();
  // Called after every successful refresh.
  void AddListener(std::function<void()> listener) { listeners_.push_back(std::move(listener)); }

  const TopicMetadata* topic(const std::string& name) const;
  // The leader of a partition, or -1 when unknown or leaderless.
  int32_t LeaderFor(const std::string& topic, int32_t partition) const;
  const std::string& cluster_id() const { return cluster_id_; }
  int32_t controller_id() const { return controller_id_; }
  // Incremented by every successful refresh.
  uint64_t version() const { return version_; }
  // The error of the last failed refresh (ok after a success).
  const Status& last_error() const { return last_error_; }

 private:
  void Schedule(net::Clock::duration delay);
  void Refresh();
  void OnResponse(const Status& status, protocol::MetadataResponse& response);

  net::NetworkClient* network_;
  MetadataOptions options_;
  std::set<std::string> topics_;
  std::map<std::string, TopicMetadata> cache_;
  std::string cluster_id_;
  int32_t controller_id_ = -1;
  uint64_t version_ = 0;
  Status last_error_;
  bool in_flight_ = false;
  bool update_requested_ = false;
  net::Clock::time_point last_attempt_{};
  net::EventLoop::TimerId timer_ = 0;
  std::vector<std::function<void()>> listeners_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // guards callbacks after destruction
};

}  // namespace kclient::client
