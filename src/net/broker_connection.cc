#include "net/broker_connection.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "protocol/header.h"
#include "protocol/messages/api_versions.h"
#include "util/endian.h"

namespace kclient::net {
namespace {

using protocol::ApiKey;

Status Transport(std::string why) { return Status(ErrorCode::kLocalTransport, std::move(why)); }

}  // namespace

BrokerConnection::BrokerConnection(EventLoop* loop, const ConnectionOptions& options, int32_t node_id,
                                   std::string host, uint16_t port)
    : loop_(loop), options_(options), node_id_(node_id), host_(std::move(host)), port_(port) {}

BrokerConnection::~BrokerConnection() {
  on_close_ = nullptr;  // the owner is going away too
  on_ready_ = nullptr;
  Close(Status(ErrorCode::kLocalClosed, "client closed"));
}

std::optional<int16_t> BrokerConnection::VersionFor(ApiKey key, int16_t ours_min, int16_t ours_max) const {
  auto it = broker_versions_.find(static_cast<int16_t>(key));
  if (it == broker_versions_.end()) return std::nullopt;
  const int16_t hi = std::min(ours_max, it->second.second);
  const int16_t lo = std::max(ours_min, it->second.first);
  if (hi < lo) return std::nullopt;
  return hi;
}

void BrokerConnection::Send(OutgoingRequest request) {
  const int32_t timeout = request.timeout_ms > 0 ? request.timeout_ms : options_.request_timeout_ms;
  if (state_ == State::kReady && queued_.empty()) {
    Transmit(std::move(request));
    return;
  }
  queued_.push_back(Queued{std::move(request), loop_->Now() + std::chrono::milliseconds(timeout)});
  if (state_ == State::kDisconnected) Connect();
  ArmTimer();
}

void BrokerConnection::Connect() {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(port_);
  // Blocking resolution on the loop thread: fine for the numeric and loopback addresses kclient
  // is used with today; a resolver thread is the fix if that stops being true.
  if (int rc = ::getaddrinfo(host_.c_str(), port.c_str(), &hints, &res); rc != 0 || res == nullptr) {
    Close(Transport("cannot resolve " + host_ + ": " + ::gai_strerror(rc)));
    return;
  }
  fd_ = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    ::freeaddrinfo(res);
    Close(Transport(std::string("socket: ") + std::strerror(errno)));
    return;
  }
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc = ::connect(fd_, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (rc != 0 && errno != EINPROGRESS) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    Close(Transport("connect to " + host_ + ":" + port + ": " + std::strerror(err)));
    return;
  }
  state_ = State::kConnecting;
  setup_deadline_ = loop_->Now() + std::chrono::milliseconds(options_.connection_setup_timeout_ms);
  interest_ = EPOLLOUT | EPOLLIN;
  loop_->Watch(fd_, interest_, this);
  ArmTimer();
}

void BrokerConnection::OnIo(uint32_t events) {
  if (fd_ < 0) return;
  if (state_ == State::kConnecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (events & (EPOLLERR | EPOLLHUP))) {
      Close(Transport("connect to " + host_ + ":" + std::to_string(port_) + ": " + std::strerror(err ? err : ECONNREFUSED)));
      return;
    }
    if (events & EPOLLOUT) OnConnected();
    return;
  }
  if (events & (EPOLLERR | EPOLLHUP)) {
    Close(Transport("connection to broker " + std::to_string(node_id_) + " failed"));
    return;
  }
  if (events & EPOLLOUT) Flush();
  if (fd_ >= 0 && (events & EPOLLIN)) ReadAvailable();
}

void BrokerConnection::OnConnected() {
  state_ = State::kNegotiating;
  SendApiVersions(protocol::ApiVersionsRequest::kMaxStableVersion);
}

void BrokerConnection::SendApiVersions(int16_t version) {
  OutgoingRequest r;
  r.key = ApiKey::kApiVersions;
  r.min_version = version;
  r.max_version = version;
  r.encode = [this](int16_t v, util::ByteBuffer* out) {
    protocol::ApiVersionsRequest request;
    request.client_software_name = options_.software_name;
    request.client_software_version = options_.software_version;
    return request.Encode(out, v);
  };
  r.complete = [this](const Status& s, int16_t v, ResponseFrame frame) { OnApiVersions(s, v, std::move(frame)); };
  r.timeout_ms = options_.connection_setup_timeout_ms;
  Transmit(std::move(r));
}

void BrokerConnection::OnApiVersions(const Status& status, int16_t version, ResponseFrame frame) {
  if (!status.ok()) return;  // the connection is already closing with that status
  protocol::ApiVersionsResponse response;
  Status decoded = response.Decode(frame.body(), version);
  // A broker that does not know our version answers in v0 with UNSUPPORTED_VERSION (KIP-511),
  // naming the ApiVersions versions it serves (Kafka 2.4+). When the answer names none or cannot
  // be read at all, fall back to v0, which every broker serves, as the Java client does. (The
  // mock cluster of librdkafka 2.0 answers a v3+ request in a format of its own that no version
  // decodes; tests/integration/producer/producer_mock_cluster_test.cc meets it.)
  if (!decoded.ok() || response.error_code == static_cast<int16_t>(ErrorCode::kUnsupportedVersion)) {
    protocol::ApiVersionsResponse v0;
    const bool v0_readable = v0.Decode(frame.body(), 0).ok();
    if (!v0_readable || v0.error_code == static_cast<int16_t>(ErrorCode::kUnsupportedVersion)) {
      int16_t theirs = 0;
      if (v0_readable) {
        for (const auto& k : v0.api_keys) {
          if (k.api_key == static_cast<int16_t>(ApiKey::kApiVersions)) theirs = k.max_version;
        }
      }
      if (theirs < version) {
        SendApiVersions(theirs);
        return;
      }
    }
    Close(decoded.ok() ? Status(static_cast<ErrorCode>(response.error_code), "ApiVersions refused")
                       : decoded.WithContext("ApiVersions response"));
    return;
  }
  if (response.error_code != 0) {
    Close(Status(static_cast<ErrorCode>(response.error_code), "ApiVersions refused by broker " + std::to_string(node_id_)));
    return;
  }
  broker_versions_.clear();
  for (const auto& k : response.api_keys) broker_versions_[k.api_key] = {k.min_version, k.max_version};
  state_ = State::kReady;
  if (on_ready_) on_ready_();
  DrainQueue();
}

void BrokerConnection::DrainQueue() {
  while (state_ == State::kReady && !queued_.empty()) {
    OutgoingRequest r = std::move(queued_.front().request);
    queued_.pop_front();
    Transmit(std::move(r));
  }
}

void BrokerConnection::Transmit(OutgoingRequest request) {
  int16_t version = request.max_version;
  if (request.key != ApiKey::kApiVersions) {
    auto v = VersionFor(request.key, request.min_version, request.max_version);
    if (!v) {
      request.complete(Status(ErrorCode::kLocalUnsupportedVersion,
                              "broker " + std::to_string(node_id_) + " serves no version of API " +
                                  std::to_string(static_cast<int>(request.key)) + " in " +
                                  std::to_string(request.min_version) + ".." + std::to_string(request.max_version)),
                       -1, ResponseFrame{});
      return;
    }
    version = *v;
  }
  util::ByteBuffer frame;
  protocol::Writer w(&frame);
  w.WriteInt32(0);
  protocol::RequestHeader header;
  header.api_key = static_cast<int16_t>(request.key);
  header.api_version = version;
  header.correlation_id = next_correlation_id_++;
  header.client_id = options_.client_id;
  header.Write(w, protocol::RequestHeaderVersion(request.key, version));
  if (Status s = request.encode(version, &frame); !s.ok()) {
    request.complete(s, version, ResponseFrame{});
    return;
  }
  w.PatchInt32(0, static_cast<int32_t>(frame.size() - 4));
  const uint64_t frame_number = out_.Push(std::move(frame));
  const int32_t timeout = request.timeout_ms > 0 ? request.timeout_ms : options_.request_timeout_ms;
  const auto deadline = loop_->Now() + std::chrono::milliseconds(timeout);
  if (request.expect_response) {
    in_flight_.push_back(InFlight{header.correlation_id, version, std::move(request), deadline});
  } else {
    // Done once the socket has the whole frame: bytes still queued here would be lost if the
    // connection closed, so reporting the request sent before that would be a lie.
    unwritten_.push_back(Unwritten{frame_number, version, std::move(request), deadline});
  }
  Flush();
  ArmTimer();
}

void BrokerConnection::CompleteWritten() {
  // Callbacks may send or close; take each entry off the queue before running it.
  while (fd_ >= 0 && !unwritten_.empty() && unwritten_.front().frame <= out_.written()) {
    Unwritten u = std::move(unwritten_.front());
    unwritten_.pop_front();
    u.request.complete(Status(), u.version, ResponseFrame{});
  }
}

void BrokerConnection::Flush() {
  if (fd_ < 0) return;
  if (const IoResult r = out_.Flush(fd_); !r.ok()) {
    Close(Transport(r.error));
    return;
  }
  UpdateInterest();
  CompleteWritten();
}

void BrokerConnection::UpdateInterest() {
  if (fd_ < 0) return;
  const uint32_t interest = EPOLLIN | (out_.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
  if (interest == interest_) return;
  interest_ = interest;
  loop_->Modify(fd_, interest, this);
}

// Responses at least this large are handed over with the read buffer instead of copied out.
constexpr int32_t kHandOverBytes = 64 * 1024;
// Room kept free past a frame being read, so net::ReadAvailable never has to grow the buffer.
constexpr size_t kReadSlack = 16 * 1024;

void BrokerConnection::ReadAvailable() {
  // Reads as far as the first incomplete frame needs and no further; once its length is known,
  // room for all of it is made at once. A large fetch response read into a buffer that grows as
  // it arrives would be copied at every doubling (a seventh of the CPU of consuming 1 KiB records).
  for (;;) {
    size_t want = 4;
    if (in_.size() >= 4) {
      const auto size = static_cast<int32_t>(util::LoadBE32(in_.data()));
      if (size >= 4 && size <= options_.max_response_size) want = 4 + static_cast<size_t>(size);
    }
    in_.reserve(want + kReadSlack);
    if (const IoResult r = net::ReadAvailable(fd_, &in_, 0, want); !r.ok()) {
      Close(Transport(r.kind == IoResult::kClosed ? "broker " + std::to_string(node_id_) + " closed the connection"
                                                  : r.error));
      return;
    }
    const bool maybe_more = in_.size() >= want;  // stopped at `want`, not because the socket ran dry
    HandleCompleteFrames();
    if (fd_ < 0 || !maybe_more) return;
  }
}

void BrokerConnection::HandleCompleteFrames() {
  size_t consumed = 0;
  while (fd_ >= 0 && in_.size() - consumed >= 4) {
    const auto size = static_cast<int32_t>(util::LoadBE32(in_.data() + consumed));
    if (size < 4 || size > options_.max_response_size) {
      Close(Status(ErrorCode::kLocalMalformed, "response size " + std::to_string(size) + " from broker " +
                                                   std::to_string(node_id_)));
      return;
    }
    if (in_.size() - consumed < 4 + static_cast<size_t>(size)) break;
    if (consumed == 0 && in_.size() == 4 + static_cast<size_t>(size) && size >= kHandOverBytes) {
      // The buffer holds exactly this frame, as it does for a large fetch response read into the
      // room made for it: hand the buffer over rather than copy megabytes. Small frames are
      // copied: handing over the buffer would cost a fresh read buffer each time.
      util::ByteBuffer whole = std::move(in_);
      HandleFrame(std::move(whole), 4);
      return;  // in_ is empty now (and reset if the frame closed the connection)
    }
    util::ByteBuffer frame(static_cast<size_t>(size));
    frame.Append(in_.data() + consumed + 4, static_cast<size_t>(size));
    consumed += 4 + static_cast<size_t>(size);
    HandleFrame(std::move(frame), 0);
  }
  if (fd_ < 0) return;  // closed while handling: Close() reset the buffer
  if (consumed == in_.size()) {
    in_.clear();
  } else if (consumed > 0) {
    std::memmove(in_.data(), in_.data() + consumed, in_.size() - consumed);
    in_.resize(in_.size() - consumed);
  }
}

void BrokerConnection::HandleFrame(util::ByteBuffer frame, size_t start) {
  if (in_flight_.empty()) {
    Close(Status(ErrorCode::kLocalMalformed, "unsolicited response from broker " + std::to_string(node_id_)));
    return;
  }
  InFlight call = std::move(in_flight_.front());
  in_flight_.pop_front();
  protocol::Reader r(frame.span().subspan(start));
  protocol::ResponseHeader header;
  header.Read(r, protocol::ResponseHeaderVersion(call.request.key, call.version));
  if (!r.ok() || header.correlation_id != call.correlation_id) {
    in_flight_.push_front(std::move(call));  // failed by Close with everything else
    Close(Status(ErrorCode::kLocalMalformed, "response out of order or unreadable from broker " + std::to_string(node_id_)));
    return;
  }
  ResponseFrame response{std::move(frame), 0};
  response.body_offset = response.bytes.size() - r.remaining();
  call.request.complete(Status(), call.version, std::move(response));
  ArmTimer();
}

void BrokerConnection::ArmTimer() {
  Clock::time_point next = Clock::time_point::max();
  if (state_ == State::kConnecting || state_ == State::kNegotiating) next = setup_deadline_;
  for (const InFlight& f : in_flight_) next = std::min(next, f.deadline);
  for (const Unwritten& u : unwritten_) next = std::min(next, u.deadline);
  for (const Queued& q : queued_) next = std::min(next, q.deadline);
  if (timer_ != 0) loop_->CancelTimer(timer_);
  timer_ = 0;
  if (next == Clock::time_point::max()) return;
  timer_ = loop_->AddTimer(next, [this] {
    timer_ = 0;
    OnTimer();
  });
}

void BrokerConnection::FailQueuedPastDeadline() {
  const auto now = loop_->Now();
  std::deque<Queued> keep;
  std::deque<Queued> expired;
  for (Queued& q : queued_) (q.deadline <= now ? expired : keep).push_back(std::move(q));
  queued_.swap(keep);
  for (Queued& q : expired) {
    q.request.complete(Status(ErrorCode::kLocalTimedOut, "no connection to broker " + std::to_string(node_id_) +
                                                             " within the request timeout"),
                       -1, ResponseFrame{});
  }
}

void BrokerConnection::OnTimer() {
  const auto now = loop_->Now();
  if ((state_ == State::kConnecting || state_ == State::kNegotiating) && setup_deadline_ <= now) {
    Close(Status(ErrorCode::kLocalTimedOut, "connection setup to " + host_ + ":" + std::to_string(port_) + " timed out"));
    return;
  }
  for (const InFlight& f : in_flight_) {
    if (f.deadline <= now) {
      Close(Status(ErrorCode::kLocalTimedOut, "request to broker " + std::to_string(node_id_) + " timed out"));
      return;
    }
  }
  for (const Unwritten& u : unwritten_) {
    if (u.deadline <= now) {
      Close(Status(ErrorCode::kLocalTimedOut, "broker " + std::to_string(node_id_) + " took no bytes within the request timeout"));
      return;
    }
  }
  FailQueuedPastDeadline();
  ArmTimer();
}

void BrokerConnection::Close(const Status& why) {
  const bool was_open = fd_ >= 0 || state_ != State::kDisconnected;
  if (fd_ >= 0) {
    loop_->Unwatch(fd_);
    ::close(fd_);
    fd_ = -1;
  }
  state_ = State::kDisconnected;
  interest_ = 0;
  in_.clear();
  out_.clear();
  broker_versions_.clear();
  if (timer_ != 0) loop_->CancelTimer(timer_);
  timer_ = 0;
  // Callbacks may send again (re-opening the connection), so work on detached lists.
  std::deque<InFlight> in_flight;
  in_flight.swap(in_flight_);
  std::deque<Unwritten> unwritten;
  unwritten.swap(unwritten_);
  std::deque<Queued> queued;
  queued.swap(queued_);
  const Status failure = why.ok() ? Transport("connection closed") : why;
  for (InFlight& f : in_flight) f.request.complete(failure, f.version, ResponseFrame{});
  for (Unwritten& u : unwritten) u.request.complete(failure, u.version, ResponseFrame{});
  for (Queued& q : queued) q.request.complete(failure, -1, ResponseFrame{});
  if (was_open && on_close_) on_close_(failure);
}

}  // namespace kclient::net
