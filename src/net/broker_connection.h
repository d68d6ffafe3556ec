// BrokerConnection: a client's connection to one broker. It connects without blocking, learns
// the broker's API versions with ApiVersions before anything else, then sends requests at the
// highest version both sides speak and hands each response (or the reason there is none) to the
// request's callback. Kafka answers requests on a connection in order, so responses are matched
// to the oldest in-flight request and a mismatched correlation id is a broken connection.
//
// A request that times out fails every request in flight on the connection and closes it, as the
// Java client does: the connection's state is unknown after that. Closing fails every pending
// request with a retriable transport error; the connection can then be opened again.
//
// Thread-safety: the owning event loop's thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "kclient/status.h"
#include "net/event_loop.h"
#include "net/socket_io.h"
#include "protocol/api_keys.h"
#include "util/byte_buffer.h"

namespace kclient::net {

struct ConnectionOptions {
  std::string client_id = "kclient";
  std::string software_name = "kclient";
  std::string software_version = "0.1.0";
  // Java's request.timeout.ms default.
  int32_t request_timeout_ms = 30000;
  // Java's socket.connection.setup.timeout.ms default: connect plus ApiVersions.
  int32_t connection_setup_timeout_ms = 10000;
  // Responses larger than this close the connection (a corrupt size prefix, not a real answer).
  int32_t max_response_size = 256 * 1024 * 1024;
};

// A response frame: the bytes after the size prefix. Callbacks may move it to keep `records`
// views that point into it alive (the consumer hands fetched batches to the user this way).
struct ResponseFrame {
  util::ByteBuffer bytes;
  size_t body_offset = 0;  // where the body starts, after the response header
  std::span<const uint8_t> body() const { return bytes.span().subspan(body_offset); }
};

// One request as the connection sees it, before a version is chosen.
struct OutgoingRequest {
  protocol::ApiKey key;
  int16_t min_version;
  int16_t max_version;
  // Appends the body (no header) encoded at `version`.
  std::function<Status(int16_t version, util::ByteBuffer* out)> encode;
  // Called exactly once, on the loop thread: with the response frame and the version the request
  // was encoded at, or with the error that prevented it. For requests that expect no response
  // (acks=0 produce) it is called with an empty frame once the socket has taken every byte of the
  // request (as the Java client completes a send), or with the error if the connection closes or
  // the timeout passes first.
  std::function<void(const Status& status, int16_t version, ResponseFrame frame)> complete;
  bool expect_response = true;
  // 0: ConnectionOptions::request_timeout_ms.
  int32_t timeout_ms = 0;
};

class BrokerConnection final : public IoHandler {
 public:
  enum class State { kDisconnected, kConnecting, kNegotiating, kReady };

  BrokerConnection(EventLoop* loop, const ConnectionOptions& options, int32_t node_id, std::string host,
                   uint16_t port);
  ~BrokerConnection() override;
  BrokerConnection(const BrokerConnection&) = delete;
  BrokerConnection& operator=(const BrokerConnection&) = delete;

  int32_t node_id() const { return node_id_; }
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  // Requests sent and not yet answered.
  size_t in_flight() const { return in_flight_.size(); }
  // Requests waiting for the connection to become ready.
  size_t queued() const { return queued_.size(); }

  // Queues `request`, connecting first if needed.
  void Send(OutgoingRequest request);
  // The highest version of `key` in [ours_min, ours_max] the broker also serves; std::nullopt
  // before negotiation or when the ranges do not meet.
  std::optional<int16_t> VersionFor(protocol::ApiKey key, int16_t ours_min, int16_t ours_max) const;
  // Closes the connection, failing everything pending with `why` (a retriable transport error
  // unless `why` says otherwise).
  void Close(const Status& why);
  // Called when the connection closes for any reason (to update backoff, metadata, ...).
  void set_on_close(std::function<void(const Status&)> fn) { on_close_ = std::move(fn); }
  // Called when the connection becomes ready (versions negotiated).
  void set_on_ready(std::function<void()> fn) { on_ready_ = std::move(fn); }

  void OnIo(uint32_t events) override;

 private:
  struct InFlight {
    int32_t correlation_id;
    int16_t version;
    OutgoingRequest request;
    Clock::time_point deadline;
  };
  // A request that expects no response, until the socket has taken its frame.
  struct Unwritten {
    uint64_t frame;  // its SendQueue number
    int16_t version;
    OutgoingRequest request;
    Clock::time_point deadline;
  };

  void Connect();
  void OnConnected();
  void SendApiVersions(int16_t version);
  void OnApiVersions(const Status& status, int16_t version, ResponseFrame frame);
  void Transmit(OutgoingRequest request);
  void DrainQueue();
  void ReadAvailable();
  // Handles every complete frame at the front of in_ and keeps the rest.
  void HandleCompleteFrames();
  // A response's bytes from `start` on (what precedes it, if anything, is the size prefix).
  void HandleFrame(util::ByteBuffer frame, size_t start);
  void FailQueuedPastDeadline();
  void Flush();
  void CompleteWritten();
  void UpdateInterest();
  void ArmTimer();
  void OnTimer();

  EventLoop* loop_;
  const ConnectionOptions& options_;
  int32_t node_id_;
  std::string host_;
  uint16_t port_;
  State state_ = State::kDisconnected;
  int fd_ = -1;
  uint32_t interest_ = 0;
  Clock::time_point setup_deadline_;

  std::map<int16_t, std::pair<int16_t, int16_t>> broker_versions_;  // key -> [min, max]
  int32_t next_correlation_id_ = 1;
  struct Queued {
    OutgoingRequest request;
    Clock::time_point deadline;
  };
  std::deque<Queued> queued_;
  std::deque<InFlight> in_flight_;
  std::deque<Unwritten> unwritten_;
  util::ByteBuffer in_;
  SendQueue out_;
  EventLoop::TimerId timer_ = 0;
  std::function<void(const Status&)> on_close_;
  std::function<void()> on_ready_;
};

}  // namespace kclient::net
