// Cluster: the whole broker side of kclient-broker — every broker's listener and connections,
// topics and their logs, and (through its members) groups, producer ids and injected faults.
// Several brokers share one Cluster and one event loop: they are separate endpoints with
// separate ids, leaderships and failure states, but their state lives in one place that only the
// loop thread touches, so nothing here takes a lock.
//
// Thread-safety: loop thread only. Other threads reach it through EventLoop::Post (see
// EmbeddedCluster).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/cluster_config.h"
#include "broker/connection.h"
#include "broker/event_loop.h"
#include "broker/faults.h"
#include "broker/log/log_storage.h"
#include "broker/fetch_waiters.h"
#include "broker/group/group_coordinator.h"
#include "broker/producer_state.h"
#include "broker/request.h"
#include "broker/topics.h"
#include "util/byte_buffer.h"

namespace kclient::broker {

class Cluster {
 public:
  struct Broker {
    int32_t id = 0;
    std::string host;
    uint16_t port = 0;  // fixed after the first start so that clients can reconnect
    std::unique_ptr<Listener> listener;  // null while the broker is stopped
    bool running() const { return listener != nullptr; }
  };

  Cluster(EventLoop* loop, ClusterConfig config);
  ~Cluster();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  // Opens every broker's listener.
  Status Start();
  // Closes every listener and connection.
  void Shutdown();

  EventLoop& loop() { return *loop_; }
  // Posts `task` to the loop, to run only if this Cluster still exists then. Every task the
  // broker posts that touches cluster state goes through here.
  void Post(std::function<void()> task);
  const ClusterConfig& config() const { return config_; }
  int64_t NowMs() const;

  // ---- Brokers ----
  const std::map<int32_t, Broker>& brokers() const { return brokers_; }
  Broker* broker(int32_t id);
  Status StartBroker(int32_t id);
  // Closes the broker's listener and connections; partitions it led elect a new leader from
  // their in-sync replicas.
  Status StopBroker(int32_t id);
  std::vector<int32_t> RunningBrokerIds() const;
  // The broker that answers group and transaction coordinator lookups for `key`.
  int32_t CoordinatorFor(const std::string& key) const;
  std::string bootstrap_servers() const;

  // ---- Topics ----
  TopicRegistry& topics() { return topics_; }
  // Topic metadata and logs on disk (with a data_dir), log configs and retention.
  LogStorage& storage() { return storage_; }
  // Creates a topic with the cluster defaults where an argument is -1.
  Result<TopicState*> CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                                  std::map<std::string, std::string> configs = {});
  // Moves leadership of a partition to `broker_id` (which must be an in-sync replica).
  Status MoveLeader(const std::string& topic, int32_t partition, int32_t broker_id);

  // ---- Connections ----
  void OnAccepted(int32_t broker_id, int fd, std::string peer);
  void OnConnectionClosed(Connection* c, const std::string& why);
  Connection* FindConnection(ConnectionId id);
  // Handles one request frame (the bytes after the size prefix) from `c`.
  void Dispatch(Connection* c, util::ByteBuffer frame);

  // ---- Faults ----
  Faults& faults() { return faults_; }

  // ---- Classic consumer groups and committed offsets ----
  GroupCoordinator& groups() { return *groups_; }

  // ---- Data plane (produce/fetch) ----
  ProducerIdManager& producer_ids() { return producer_ids_; }
  ProducerStateManager& producer_state() { return producer_state_; }
  // Fetches parked until data arrives; wake them when a partition changes.
  FetchWaiters& fetch_waiters() { return fetch_waiters_; }

  // A log line on stderr, prefixed with the broker name.
  void Log(const std::string& line) const;

 private:
  void ElectLeaders(int32_t stopped_broker);

  EventLoop* loop_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  ClusterConfig config_;
  std::map<int32_t, Broker> brokers_;
  TopicRegistry topics_;
  LogStorage storage_{config_, [this](const std::string& line) { Log(line); }};
  Faults faults_;
  std::map<ConnectionId, std::unique_ptr<Connection>> connections_;
  std::vector<Responder> parked_;  // requests a kNoResponse fault keeps unanswered
  ProducerIdManager producer_ids_;
  ProducerStateManager producer_state_;
  FetchWaiters fetch_waiters_{loop_};
  std::unique_ptr<GroupCoordinator> groups_ = GroupCoordinator::ForLoop(loop_, config_);
  ConnectionId next_connection_id_ = 1;
};

}  // namespace kclient::broker
