// NetworkClient: every connection a client (producer, consumer, admin) keeps to a cluster, and
// the one way that client talks to brokers. Requests go to a broker by id, or to "any broker" (the
// least loaded connection, else a bootstrap address); versions are negotiated per broker; the
// callback gets the decoded response or the reason there is none.
//
// Bootstrap addresses are connections with negative ids (-1, -2, ...) until Metadata names the
// brokers, as in the Java client. A broker whose connection failed is not dialled again before
// its reconnect backoff (exponential with jitter, Java's reconnect.backoff.ms/.max.ms) runs out.
//
// Thread-safety: the event loop's thread only. Clients post work to that thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kclient/result.h"
#include "kclient/status.h"
#include "net/broker_connection.h"
#include "net/event_loop.h"

namespace kclient::net {

struct BrokerAddress {
  int32_t node_id = -1;
  std::string host;
  uint16_t port = 0;
  friend bool operator==(const BrokerAddress&, const BrokerAddress&) = default;
};

struct NetworkOptions {
  ConnectionOptions connection;
  // Java's reconnect.backoff.ms and reconnect.backoff.max.ms.
  int32_t reconnect_backoff_ms = 50;
  int32_t reconnect_backoff_max_ms = 1000;
};

// Parses "host:port,host:port" ("[v6addr]:port" for IPv6) into bootstrap addresses.
Result<std::vector<BrokerAddress>> ParseBootstrapServers(const std::string& servers);

struct SendOptions {
  int16_t min_version = -1;  // -1: the oldest version the schema defines
  int16_t max_version = -1;  // -1: the newest stable version
  int32_t timeout_ms = 0;    // 0: the connection's request timeout
  bool expect_response = true;
};

class NetworkClient {
 public:
  static constexpr int32_t kAnyBroker = INT32_MIN;

  NetworkClient(EventLoop* loop, NetworkOptions options, std::vector<BrokerAddress> bootstrap);
  ~NetworkClient();
  NetworkClient(const NetworkClient&) = delete;
  NetworkClient& operator=(const NetworkClient&) = delete;

  EventLoop& loop() { return *loop_; }

  // The brokers Metadata reported. Connections to brokers no longer listed close.
  void SetBrokers(const std::vector<BrokerAddress>& brokers);
  const std::map<int32_t, BrokerAddress>& brokers() const { return brokers_; }

  // Sends `request` to broker `node` (or kAnyBroker). `done(status, response, version)` runs on
  // the loop thread; with a failed status the response is default-constructed. `frame` variants
  // also hand over the response frame, which `records` fields point into.
  template <typename Request, typename Response>
  void Send(int32_t node, Request request,
            std::function<void(const Status&, Response&, int16_t version, ResponseFrame& frame)> done,
            SendOptions options = {});

  template <typename Request, typename Response>
  void Send(int32_t node, Request request, std::function<void(const Status&, Response&)> done,
            SendOptions options = {}) {
    Send<Request, Response>(
        node, std::move(request),
        std::function<void(const Status&, Response&, int16_t, ResponseFrame&)>(
            [done = std::move(done)](const Status& s, Response& r, int16_t, ResponseFrame&) { done(s, r); }),
        options);
  }

  // Requests in flight to `node` (0 when not connected).
  size_t InFlight(int32_t node) const;
  bool IsReady(int32_t node) const;
  // Highest common version with `node`, once negotiated.
  std::optional<int16_t> VersionFor(int32_t node, protocol::ApiKey key, int16_t min, int16_t max) const;
  // The node kAnyBroker would pick now (the ready connection with the fewest requests in flight,
  // else a known broker or bootstrap address not in backoff), or std::nullopt.
  std::optional<int32_t> LeastLoadedNode() const;

  // Fails everything pending (including requests waiting out a reconnect backoff) and closes
  // every connection.
  void CloseAll(const Status& why);

 private:
  struct Node {
    BrokerAddress address;
    std::unique_ptr<BrokerConnection> connection;
    int failures = 0;  // consecutive connection failures, for backoff
    Clock::time_point next_attempt{};
  };

  void SendRaw(int32_t node, OutgoingRequest request);
  Node* NodeFor(int32_t id);
  Node& Ensure(const BrokerAddress& address);
  void OnConnectionClosed(int32_t id, const Status& why);
  void Retire(std::unique_ptr<BrokerConnection> connection);

  // A request held back while its broker is in reconnect backoff.
  struct Delayed {
    int32_t node = 0;
    OutgoingRequest request;
    EventLoop::TimerId timer = 0;
  };

  EventLoop* loop_;
  NetworkOptions options_;
  std::map<uint64_t, Delayed> delayed_;
  uint64_t next_delayed_key_ = 1;
  std::map<int32_t, BrokerAddress> brokers_;
  std::map<int32_t, Node> nodes_;  // brokers and bootstrap addresses
  std::mt19937 jitter_{std::random_device{}()};
};

template <typename Request, typename Response>
void NetworkClient::Send(int32_t node, Request request,
                         std::function<void(const Status&, Response&, int16_t, ResponseFrame&)> done,
                         SendOptions options) {
  auto shared = std::make_shared<Request>(std::move(request));
  OutgoingRequest r;
  r.key = Request::kApiKey;
  r.min_version = options.min_version >= 0 ? options.min_version : Request::kMinVersion;
  r.max_version = options.max_version >= 0 ? options.max_version : Request::kMaxStableVersion;
  r.timeout_ms = options.timeout_ms;
  r.expect_response = options.expect_response;
  r.encode = [shared](int16_t version, util::ByteBuffer* out) { return shared->Encode(out, version); };
  r.complete = [done = std::move(done), expect = options.expect_response](const Status& status, int16_t version,
                                                                           ResponseFrame frame) {
    Response response;
    if (!status.ok() || !expect) {
      done(status, response, version, frame);
      return;
    }
    Status decoded = response.Decode(frame.body(), version);
    done(decoded, response, version, frame);
  };
  SendRaw(node, std::move(r));
}

}  // namespace kclient::net
