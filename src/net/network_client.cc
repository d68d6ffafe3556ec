#include "net/network_client.h"

#include <algorithm>
#include <limits>

#include "util/backoff.h"

namespace kclient::net {

Result<std::vector<BrokerAddress>> ParseBootstrapServers(const std::string& servers) {
  std::vector<BrokerAddress> out;
  int32_t next_id = -1;
  size_t start = 0;
  while (start <= servers.size()) {
    size_t end = servers.find(',', start);
    if (end == std::string::npos) end = servers.size();
    std::string item = servers.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    start = end + 1;
    if (item.empty()) continue;
    BrokerAddress a;
    a.node_id = next_id--;
    size_t colon;
    if (item.front() == '[') {
      const size_t close = item.find(']');
      if (close == std::string::npos || close + 1 >= item.size() || item[close + 1] != ':') {
        return Status(ErrorCode::kLocalInvalidConfig, "bootstrap server '" + item + "' is not [host]:port");
      }
      a.host = item.substr(1, close - 1);
      colon = close + 1;
    } else {
      colon = item.rfind(':');
      if (colon == std::string::npos || colon == 0) {
        return Status(ErrorCode::kLocalInvalidConfig, "bootstrap server '" + item + "' is not host:port");
      }
      a.host = item.substr(0, colon);
    }
    const std::string port = item.substr(colon + 1);
    char* rest = nullptr;
    const long p = std::strtol(port.c_str(), &rest, 10);
    if (port.empty() || *rest != '\0' || p <= 0 || p > 65535) {
      return Status(ErrorCode::kLocalInvalidConfig, "bootstrap server '" + item + "' has an invalid port");
    }
    a.port = static_cast<uint16_t>(p);
    out.push_back(std::move(a));
  }
  if (out.empty()) return Status(ErrorCode::kLocalInvalidConfig, "bootstrap.servers is empty");
  return out;
}

NetworkClient::NetworkClient(EventLoop* loop, NetworkOptions options, std::vector<BrokerAddress> bootstrap)
    : loop_(loop), options_(std::move(options)) {
  for (const BrokerAddress& a : bootstrap) Ensure(a);
}

NetworkClient::~NetworkClient() { CloseAll(Status(ErrorCode::kLocalClosed, "client closed")); }

NetworkClient::Node& NetworkClient::Ensure(const BrokerAddress& address) {
  auto [it, inserted] = nodes_.try_emplace(address.node_id);
  Node& n = it->second;
  if (!inserted && n.address == address) return n;
  if (n.connection) Retire(std::move(n.connection));
  n.address = address;
  n.connection = std::make_unique<BrokerConnection>(loop_, options_.connection, address.node_id, address.host,
                                                    address.port);
  n.connection->set_on_close([this, id = address.node_id](const Status& why) { OnConnectionClosed(id, why); });
  n.connection->set_on_ready([this, id = address.node_id] {
    if (Node* ready = NodeFor(id)) ready->failures = 0;
  });
  return n;
}

void NetworkClient::SetBrokers(const std::vector<BrokerAddress>& brokers) {
  std::map<int32_t, BrokerAddress> next;
  for (const BrokerAddress& b : brokers) next[b.node_id] = b;
  // Brokers that left the cluster: close their connections (bootstrap entries stay for
  // re-bootstrapping when every known broker is gone).
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    if (it->first >= 0 && !next.contains(it->first)) {
      Retire(std::move(it->second.connection));
      it = nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, b] : next) Ensure(b);
  brokers_ = std::move(next);
}

NetworkClient::Node* NetworkClient::NodeFor(int32_t id) {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

size_t NetworkClient::InFlight(int32_t node) const {
  auto it = nodes_.find(node);
  return it == nodes_.end() ? 0 : it->second.connection->in_flight();
}

bool NetworkClient::IsReady(int32_t node) const {
  auto it = nodes_.find(node);
  return it != nodes_.end() && it->second.connection->ready();
}

std::optional<int16_t> NetworkClient::VersionFor(int32_t node, protocol::ApiKey key, int16_t min, int16_t max) const {
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return std::nullopt;
  return it->second.connection->VersionFor(key, min, max);
}

std::optional<int32_t> NetworkClient::LeastLoadedNode() const {
  // Prefer brokers Metadata named; fall back to bootstrap addresses only without them.
  const bool have_brokers = !brokers_.empty();
  const auto now = loop_->Now();
  std::optional<int32_t> best_ready;
  size_t best_load = std::numeric_limits<size_t>::max();
  std::optional<int32_t> idle;
  std::optional<int32_t> soonest;
  Clock::time_point soonest_at = Clock::time_point::max();
  for (const auto& [id, n] : nodes_) {
    if (have_brokers && id < 0) continue;
    const BrokerConnection& c = *n.connection;
    if (c.ready()) {
      const size_t load = c.in_flight() + c.queued();
      if (load < best_load) {
        best_load = load;
        best_ready = id;
      }
    } else if (c.state() != BrokerConnection::State::kDisconnected) {
      if (!idle) idle = id;  // connecting: requests queue behind the handshake
    } else if (n.next_attempt <= now) {
      if (!idle) idle = id;
    } else if (n.next_attempt < soonest_at) {
      soonest_at = n.next_attempt;
      soonest = id;
    }
  }
  if (best_ready) return best_ready;
  if (idle) return idle;
  return soonest;
}

void NetworkClient::SendRaw(int32_t node, OutgoingRequest request) {
  if (node == kAnyBroker) {
    auto picked = LeastLoadedNode();
    if (!picked) {
      request.complete(Status(ErrorCode::kLocalTransport, "no broker or bootstrap address to send to"), -1, ResponseFrame{});
      return;
    }
    node = *picked;
  }
  Node* n = NodeFor(node);
  if (n == nullptr) {
    request.complete(Status(ErrorCode::kLocalTransport, "broker " + std::to_string(node) + " is not known"), -1,
                     ResponseFrame{});
    return;
  }
  const auto now = loop_->Now();
  if (n->connection->state() == BrokerConnection::State::kDisconnected && n->next_attempt > now) {
    // In reconnect backoff: try again when it runs out.
    const uint64_t key = next_delayed_key_++;
    Delayed& d = delayed_[key];
    d.node = node;
    d.request = std::move(request);
    d.timer = loop_->AddTimer(n->next_attempt, [this, key] {
      auto it = delayed_.find(key);
      if (it == delayed_.end()) return;
      Delayed held = std::move(it->second);
      delayed_.erase(it);
      SendRaw(held.node, std::move(held.request));
    });
    return;
  }
  n->connection->Send(std::move(request));
}

void NetworkClient::OnConnectionClosed(int32_t id, const Status& why) {
  Node* n = NodeFor(id);
  if (n == nullptr) return;
  if (why.code() == ErrorCode::kLocalClosed) return;
  n->failures = std::min(n->failures + 1, 30);
  const util::ExponentialBackoff backoff(options_.reconnect_backoff_ms, options_.reconnect_backoff_max_ms);
  n->next_attempt = loop_->Now() + std::chrono::milliseconds(backoff.BackoffMs(n->failures - 1, jitter_));
}

void NetworkClient::Retire(std::unique_ptr<BrokerConnection> connection) {
  // This may run inside one of the connection's own callbacks (a Metadata response that drops
  // its broker), so it is closed now and destroyed once the stack has unwound.
  connection->set_on_close(nullptr);
  connection->set_on_ready(nullptr);
  connection->Close(Status(ErrorCode::kLocalTransport, "broker left the cluster"));
  std::shared_ptr<BrokerConnection> doomed(std::move(connection));
  loop_->Post([doomed] {});
}

void NetworkClient::CloseAll(const Status& why) {
  // Requests waiting out a reconnect backoff fail too; callbacks may send again, so detach first.
  std::map<uint64_t, Delayed> delayed;
  delayed.swap(delayed_);
  for (auto& [key, d] : delayed) {
    loop_->CancelTimer(d.timer);
    d.request.complete(why.ok() ? Status(ErrorCode::kLocalClosed, "client closed") : why, -1, ResponseFrame{});
  }
  for (auto& [id, n] : nodes_) n.connection->Close(why);
}

}  // namespace kclient::net
