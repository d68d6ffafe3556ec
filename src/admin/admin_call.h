// AdminCall: one admin operation (CreateTopics, DescribeCluster, ...) as the I/O thread runs it:
// attempts, retries with exponential backoff, and a deadline. Subclasses build the request for
// whatever is still unanswered and read the response; this class decides when to try again and
// when to give up, and publishes the outcome exactly once.
//
// CallContext is what every call shares on the I/O thread: the network, the metadata (for the
// controller's id) and the set of calls in progress, which Close fails with kLocalClosed.
//
// Thread-safety: the I/O thread only, from Start on. The constructor may run on any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "client/metadata.h"
#include "kclient/status.h"
#include "net/event_loop.h"
#include "net/network_client.h"

namespace kclient::admin {

class AdminCall;

struct CallContext {
  net::EventLoop* loop = nullptr;
  net::NetworkClient* network = nullptr;
  client::Metadata* metadata = nullptr;
  int32_t retry_backoff_ms = 100;       // retry.backoff.ms
  int32_t retry_backoff_max_ms = 1000;  // retry.backoff.max.ms
  std::mt19937 jitter{std::random_device{}()};
  bool closing = false;  // set by Close: no call starts or retries any more
  std::map<uint64_t, std::shared_ptr<AdminCall>> active;
  uint64_t next_call_id = 1;

  /// Where requests for the controller go: the controller Metadata names, when it is a known
  /// broker, else any broker. (KRaft brokers name a random live broker and forward such requests
  /// to the real controller, KIP-590; in ZooKeeper clusters it is the controller itself.)
  int32_t ControllerNode() const;
};

/// The Status for a Kafka error code and its optional message from a response (ok for 0).
Status StatusFromWire(int16_t code, const std::optional<std::string>& message);

class AdminCall : public std::enable_shared_from_this<AdminCall> {
 public:
  /// `name` is the API, for messages ("CreateTopics"); the call fails at `deadline`.
  AdminCall(std::string name, net::Clock::time_point deadline);
  virtual ~AdminCall() = default;
  AdminCall(const AdminCall&) = delete;
  AdminCall& operator=(const AdminCall&) = delete;

  /// Registers with `ctx`, arms the deadline and makes the first attempt.
  void Start(CallContext* ctx);
  /// Ends the call: whatever is unanswered gets `why` (not ok), the outcome is published and the
  /// call unregisters. Idempotent: a finished call ignores it.
  void Abort(const Status& why);
  bool done() const { return done_; }

 protected:
  /// Sends one request for everything still unanswered. It must end with (or not reach) the
  /// send: the response handler may run inside NetworkClient::Send.
  virtual void Attempt() = 0;
  /// Publishes the outcome, giving every unanswered part `rest` (ok only when none is left).
  virtual void Publish(const Status& rest) = 0;

  /// Everything is answered: publish and unregister.
  void Finish();
  /// Tries again after the backoff; `why` is what the timeout error will name.
  void RetryLater(const Status& why);
  /// For a failed request (transport, timeout, decode, version) or a request-level error code:
  /// retries it when retriable and aborts the call otherwise. NOT_CONTROLLER and lost
  /// connections also ask for fresh metadata. Returns false (and does nothing) for ok.
  bool HandleRequestError(const Status& status);

  /// Sends `request` to `node` (or NetworkClient::kAnyBroker); `handler` gets the response unless
  /// the call has finished by then.
  template <typename Self, typename Request, typename Response>
  void Send(int32_t node, Request request, void (Self::*handler)(const Status&, Response&),
            net::SendOptions options = {}) {
    auto self = std::static_pointer_cast<Self>(shared_from_this());
    std::function<void(const Status&, Response&)> on_response = [self, handler](const Status& s, Response& r) {
      if (!self->done()) ((*self).*handler)(s, r);
    };
    ctx_->network->Send<Request, Response>(node, std::move(request), std::move(on_response), options);
  }

  /// Sends `request` to `node`; `handler(status, response, version)` — any callable, so that it
  /// can carry what the request was about — gets the response and the version it was encoded at,
  /// unless the call has finished by then. The call stays alive until then. Name the response
  /// type: SendWith<protocol::ListGroupsResponse>(node, std::move(request), handler).
  template <typename Response, typename Request, typename Handler>
  void SendWith(int32_t node, Request request, Handler handler, net::SendOptions options = {}) {
    auto self = shared_from_this();
    std::function<void(const Status&, Response&, int16_t, net::ResponseFrame&)> on_response =
        [self, handler = std::move(handler)](const Status& s, Response& r, int16_t version,
                                             net::ResponseFrame&) mutable {
          if (!self->done()) handler(s, r, version);
        };
    ctx_->network->Send<Request, Response>(node, std::move(request), std::move(on_response), options);
  }

  CallContext& ctx() { return *ctx_; }
  const std::string& name() const { return name_; }
  /// Milliseconds left until the deadline (at least 1), for requests' own timeout fields.
  int32_t RemainingMs() const;

 private:
  void OnDeadline();
  void Unregister();

  std::string name_;
  net::Clock::time_point deadline_;
  net::Clock::time_point started_{};
  CallContext* ctx_ = nullptr;
  uint64_t id_ = 0;
  int attempts_ = 0;
  bool done_ = false;
  Status last_error_;
  net::EventLoop::TimerId deadline_timer_ = 0;
  net::EventLoop::TimerId retry_timer_ = 0;
};

}  // namespace kclient::admin
