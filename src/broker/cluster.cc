#include "broker/cluster.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "broker/handlers/registry.h"
#include "broker/request.h"
#include "protocol/header.h"
#include "util/murmur2.h"

namespace kclient::broker {

Cluster::Cluster(EventLoop* loop, ClusterConfig config) : loop_(loop), config_(std::move(config)) {
  for (int i = 0; i < config_.brokers; ++i) {
    Broker b;
    b.id = i + 1;
    b.host = config_.host;
    b.port = static_cast<size_t>(i) < config_.ports.size() ? config_.ports[static_cast<size_t>(i)] : 0;
    brokers_.emplace(b.id, std::move(b));
  }
  topics_.set_storage(&storage_);
}

Cluster::~Cluster() { Shutdown(); }

int64_t Cluster::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status Cluster::Start() {
  // Topics and logs come back from the data directory before anyone can connect.
  std::vector<int32_t> broker_ids;
  for (const auto& [id, b] : brokers_) broker_ids.push_back(id);
  if (Status s = storage_.Open(&topics_, broker_ids, loop_, [this] { return NowMs(); }); !s.ok()) return s;
  if (Status s = groups_->Load(); !s.ok()) return s;
  for (auto& [id, b] : brokers_) {
    if (Status s = StartBroker(id); !s.ok()) return s;
  }
  return Status();
}

void Cluster::Shutdown() {
  parked_.clear();
  fetch_waiters_.Clear();
  groups_->Shutdown();
  for (auto& [id, b] : brokers_) b.listener.reset();
  for (auto& [id, c] : connections_) c->Close("shutting down");
  connections_.clear();
  storage_.Close(&topics_);  // flushes and fsyncs the logs
}

Cluster::Broker* Cluster::broker(int32_t id) {
  auto it = brokers_.find(id);
  return it == brokers_.end() ? nullptr : &it->second;
}

Status Cluster::StartBroker(int32_t id) {
  Broker* b = broker(id);
  if (b == nullptr) return Status(ErrorCode::kLocalInvalidArgument, "no broker " + std::to_string(id));
  if (b->running()) return Status();
  std::string error;
  b->listener = Listener::Open(this, id, b->host, b->port, &error);
  if (!b->listener) return Status(ErrorCode::kLocalIo, error);
  b->port = b->listener->port();
  // Partitions without a leader get one back as soon as one of their replicas returns.
  for (auto& [name, topic] : topics_.all()) {
    for (auto& p : topic->partitions) {
      if (p->leader == -1 && std::find(p->replicas.begin(), p->replicas.end(), id) != p->replicas.end()) {
        p->leader = id;
        p->leader_epoch++;
        if (std::find(p->isr.begin(), p->isr.end(), id) == p->isr.end()) p->isr.push_back(id);
      }
      // A returning follower shares the leader's log, so it is caught up and rejoins the ISR at once.
      if (std::find(p->replicas.begin(), p->replicas.end(), id) != p->replicas.end() &&
          std::find(p->isr.begin(), p->isr.end(), id) == p->isr.end()) {
        p->isr.push_back(id);
      }
    }
  }
  fetch_waiters_.WakeAll();
  return Status();
}

Status Cluster::StopBroker(int32_t id) {
  Broker* b = broker(id);
  if (b == nullptr) return Status(ErrorCode::kLocalInvalidArgument, "no broker " + std::to_string(id));
  b->listener.reset();
  for (auto& [cid, c] : connections_) {
    if (c->broker_id() == id) c->Close("broker " + std::to_string(id) + " stopped");
  }
  ElectLeaders(id);
  fetch_waiters_.WakeAll();
  return Status();
}

void Cluster::ElectLeaders(int32_t stopped) {
  for (auto& [name, topic] : topics_.all()) {
    for (auto& p : topic->partitions) {
      std::erase(p->isr, stopped);
      if (p->leader != stopped) continue;
      p->leader = -1;
      for (int32_t candidate : p->isr) {
        const Broker* cb = broker(candidate);
        if (cb != nullptr && cb->running()) {
          p->leader = candidate;
          break;
        }
      }
      p->leader_epoch++;
    }
  }
}

std::vector<int32_t> Cluster::RunningBrokerIds() const {
  std::vector<int32_t> ids;
  for (const auto& [id, b] : brokers_) {
    if (b.running()) ids.push_back(id);
  }
  return ids;
}

int32_t Cluster::CoordinatorFor(const std::string& key) const {
  const std::vector<int32_t> running = RunningBrokerIds();
  if (running.empty()) return -1;
  const int32_t h = util::ToPositive(util::Murmur2(key.data(), key.size()));
  return running[static_cast<size_t>(h) % running.size()];
}

std::string Cluster::bootstrap_servers() const {
  std::string out;
  for (const auto& [id, b] : brokers_) {
    if (!b.running()) continue;
    if (!out.empty()) out += ",";
    const bool v6 = b.host.find(':') != std::string::npos;
    out += v6 ? "[" + b.host + "]" : b.host;
    out += ":" + std::to_string(b.port);
  }
  return out;
}

Result<TopicState*> Cluster::CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                                         std::map<std::string, std::string> configs) {
  if (partitions == -1) partitions = config_.default_partitions;
  if (replication_factor == -1) replication_factor = config_.default_replication_factor;
  return topics_.Create(name, partitions, replication_factor, RunningBrokerIds(), std::move(configs));
}

Status Cluster::MoveLeader(const std::string& topic_name, int32_t partition, int32_t broker_id) {
  TopicState* topic = topics_.Find(topic_name);
  PartitionState* p = topic ? topic->partition(partition) : nullptr;
  if (p == nullptr) return Status(ErrorCode::kUnknownTopicOrPartition, topic_name + "-" + std::to_string(partition));
  if (std::find(p->isr.begin(), p->isr.end(), broker_id) == p->isr.end()) {
    return Status(ErrorCode::kLocalInvalidArgument, "broker " + std::to_string(broker_id) + " is not in sync");
  }
  p->leader = broker_id;
  p->leader_epoch++;
  fetch_waiters_.WakeAll();
  return Status();
}

void Cluster::OnAccepted(int32_t broker_id, int fd, std::string peer) {
  const ConnectionId id = next_connection_id_++;
  if (config_.log_requests) Log("broker " + std::to_string(broker_id) + ": connection from " + peer);
  connections_.emplace(id, std::make_unique<Connection>(this, broker_id, id, fd, std::move(peer)));
}

void Cluster::OnConnectionClosed(Connection* c, const std::string& why) {
  if (config_.log_requests) Log("broker " + std::to_string(c->broker_id()) + ": closed " + c->peer() + ": " + why);
  // Deleted after the current event has been handled: the loop may still hold its pointer.
  Post([this, id = c->id()] { connections_.erase(id); });
}

Connection* Cluster::FindConnection(ConnectionId id) {
  auto it = connections_.find(id);
  return it == connections_.end() || it->second->closed() ? nullptr : it->second.get();
}

void Cluster::Dispatch(Connection* c, util::ByteBuffer frame) {
  RequestContext ctx;
  ctx.cluster = this;
  ctx.broker_id = c->broker_id();
  ctx.connection = c->id();
  std::span<const uint8_t> body;
  if (Status s = protocol::ReadRequestHeader(frame.span(), &ctx.header, &body); !s.ok()) {
    c->Close("unreadable request header: " + s.ToString());
    return;
  }
  if (config_.log_requests) {
    const protocol::ApiInfo* api = protocol::FindApi(ctx.header.api_key);
    Log("broker " + std::to_string(ctx.broker_id) + ": " + (api ? std::string(api->name) : "api " + std::to_string(ctx.header.api_key)) +
        " v" + std::to_string(ctx.header.api_version) + " from " + ctx.client_id());
  }
  const HandlerEntry* entry = FindHandler(ctx.header.api_key);
  Responder responder(this, c->id(), ctx.header.correlation_id, ctx.header.api_version);
  if (entry == nullptr) {
    responder.CloseConnection("unsupported API key " + std::to_string(ctx.header.api_key));
    return;
  }
  const bool version_ok = ctx.header.api_version >= entry->min_version && ctx.header.api_version <= entry->max_version;
  // ApiVersions answers any version (KIP-511: an unsupported one gets the v0 error answer).
  if (!version_ok && entry->key != protocol::ApiKey::kApiVersions) {
    responder.CloseConnection("unsupported version " + std::to_string(ctx.header.api_version) + " of API " +
                              std::to_string(ctx.header.api_key));
    return;
  }
  if (!faults_.empty()) {
    if (auto fault = faults_.TakeRequestFault(ctx.header.api_key, ctx.broker_id)) {
      switch (fault->kind) {
        case Fault::Kind::kDropConnection:
          responder.CloseConnection("injected fault: drop connection");
          return;
        case Fault::Kind::kDropResponse:
          responder.DropAnswer();
          break;
        case Fault::Kind::kNoResponse:
          // The request is parked for good; the connection stalls until the client gives up.
          parked_.push_back(std::move(responder));
          return;
        case Fault::Kind::kLatency: {
          // The frame is needed after Dispatch returns, so it moves into the timer.
          auto delayed = std::make_shared<util::ByteBuffer>(std::move(frame));
          auto shared_responder = std::make_shared<Responder>(std::move(responder));
          auto shared_ctx = std::make_shared<RequestContext>(ctx);
          const size_t body_offset = static_cast<size_t>(body.data() - delayed->data());
          loop_->AddTimer(std::chrono::milliseconds(fault->latency_ms),
                          [entry, delayed, shared_responder, shared_ctx, body_offset] {
                            entry->handle(*shared_ctx, delayed->span().subspan(body_offset), std::move(*shared_responder));
                          });
          return;
        }
        case Fault::Kind::kError:
          break;
      }
    }
  }
  entry->handle(ctx, body, std::move(responder));
}

void Cluster::Post(std::function<void()> task) {
  loop_->Post([alive = std::weak_ptr<bool>(alive_), task = std::move(task)] {
    if (alive.lock()) task();
  });
}

void Cluster::Log(const std::string& line) const { std::fprintf(stderr, "kclient-broker: %s\n", line.c_str()); }

// ---- Responder -----------------------------------------------------------------------------

Responder::~Responder() {
  if (cluster_ != nullptr) CloseConnection("request dropped without an answer");
}

void Responder::Deliver(const Status& encoded, util::ByteBuffer frame) {
  Cluster* cluster = std::exchange(cluster_, nullptr);
  Connection* c = cluster->FindConnection(connection_);
  if (c == nullptr) return;
  if (!encoded.ok()) {
    cluster->Log("cannot encode a response: " + encoded.ToString());
    c->Close("response encoding failed");
    return;
  }
  if (drop_answer_) {
    c->Close("injected fault: response dropped after handling");
    return;
  }
  c->SendResponse(std::move(frame));
}

void Responder::SendNothing() {
  Cluster* cluster = std::exchange(cluster_, nullptr);
  if (Connection* c = cluster->FindConnection(connection_)) c->FinishWithoutResponse();
}

void Responder::CloseConnection(const std::string& why) {
  Cluster* cluster = std::exchange(cluster_, nullptr);
  if (cluster == nullptr) return;
  cluster->Log("closing connection: " + why);
  if (Connection* c = cluster->FindConnection(connection_)) c->Close(why);
}

}  // namespace kclient::broker
