#include "broker/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "broker/cluster.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

// While a request is being handled, the connection stops reading once this much of the next
// requests is buffered (Kafka mutes the channel); TCP flow control then holds the client back.
constexpr size_t kMaxBufferedWhileBusy = 1 << 20;

}  // namespace

Connection::Connection(Cluster* cluster, int32_t broker_id, ConnectionId id, int fd, std::string peer)
    : cluster_(cluster), broker_id_(broker_id), id_(id), fd_(fd), peer_(std::move(peer)) {
  interest_ = EPOLLIN | EPOLLRDHUP;
  cluster_->loop().Watch(fd_, interest_, this);
}

Connection::~Connection() {
  if (!closed_) Close("destroyed");
}

void Connection::Close(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  cluster_->loop().Unwatch(fd_);
  ::close(fd_);
  cluster_->OnConnectionClosed(this, why);
}

void Connection::OnIo(uint32_t events) {
  if (closed_) return;
  if (events & (EPOLLERR | EPOLLHUP)) {
    Close("socket error or hang-up");
    return;
  }
  if (events & EPOLLOUT) Flush();
  if (!closed_ && (events & (EPOLLIN | EPOLLRDHUP))) ReadAvailable();
}

void Connection::ReadAvailable() {
  // While a request is in progress, read only up to the buffering limit (Kafka mutes the channel).
  const size_t limit = awaiting_response_ ? kMaxBufferedWhileBusy : SIZE_MAX;
  const net::IoResult r = net::ReadAvailable(fd_, &in_, in_consumed_, limit);
  if (!r.ok()) {
    Close(r.error);
    return;
  }
  ProcessFrames();
}

void Connection::ProcessFrames() {
  while (!closed_ && !awaiting_response_) {
    const size_t available = in_.size() - in_consumed_;
    if (available < 4) break;
    const auto size = static_cast<int32_t>(util::LoadBE32(in_.data() + in_consumed_));
    if (size < 0 || size > cluster_->config().max_request_size) {
      Close("request size " + std::to_string(size) + " is outside 0.." +
            std::to_string(cluster_->config().max_request_size));
      return;
    }
    if (available < 4 + static_cast<size_t>(size)) {
      in_.reserve(in_consumed_ + 4 + static_cast<size_t>(size));
      break;
    }
    util::ByteBuffer frame(static_cast<size_t>(size));
    frame.Append(in_.data() + in_consumed_ + 4, static_cast<size_t>(size));
    in_consumed_ += 4 + static_cast<size_t>(size);
    awaiting_response_ = true;
    cluster_->Dispatch(this, std::move(frame));
  }
  // Compact the input buffer once everything in it has been consumed.
  if (in_consumed_ == in_.size()) {
    in_.clear();
    in_consumed_ = 0;
  } else if (in_consumed_ > 65536) {
    std::memmove(in_.data(), in_.data() + in_consumed_, in_.size() - in_consumed_);
    in_.resize(in_.size() - in_consumed_);
    in_consumed_ = 0;
  }
  if (!closed_) UpdateInterest();
}

void Connection::SendResponse(util::ByteBuffer frame) {
  if (closed_) return;
  out_.Push(std::move(frame));
  Flush();
  FinishWithoutResponse();
}

void Connection::FinishWithoutResponse() {
  if (closed_) return;
  awaiting_response_ = false;
  UpdateInterest();
  // The next request may already be buffered; handle it after the current call stack unwinds
  // so that a chain of immediate answers cannot recurse without bound.
  cluster_->Post([cluster = cluster_, id = id_] {
    if (Connection* c = cluster->FindConnection(id)) c->ProcessFrames();
  });
}

void Connection::Flush() {
  if (const net::IoResult r = out_.Flush(fd_); !r.ok()) {
    Close(r.error);
    return;
  }
  UpdateInterest();
}

void Connection::UpdateInterest() {
  const bool muted = awaiting_response_ && in_.size() - in_consumed_ >= kMaxBufferedWhileBusy;
  const uint32_t interest = (muted ? 0u : static_cast<uint32_t>(EPOLLIN | EPOLLRDHUP)) |
                            (out_.empty() ? 0u : static_cast<uint32_t>(EPOLLOUT));
  if (interest == interest_) return;
  interest_ = interest;
  cluster_->loop().Modify(fd_, interest, this);
}

// ---- Listener ------------------------------------------------------------------------------

std::unique_ptr<Listener> Listener::Open(Cluster* cluster, int32_t broker_id, const std::string& host,
                                         uint16_t port, std::string* error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string port_text = std::to_string(port);
  if (int rc = ::getaddrinfo(host.c_str(), port_text.c_str(), &hints, &res); rc != 0 || res == nullptr) {
    *error = "cannot resolve " + host + ": " + ::gai_strerror(rc);
    return nullptr;
  }
  const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    *error = std::string("socket: ") + std::strerror(errno);
    return nullptr;
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 128) != 0) {
    *error = "cannot listen on " + host + ":" + port_text + ": " + std::strerror(errno);
    ::freeaddrinfo(res);
    ::close(fd);
    return nullptr;
  }
  ::freeaddrinfo(res);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  const uint16_t actual = bound.ss_family == AF_INET6
                              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                              : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  std::unique_ptr<Listener> l(new Listener(cluster, broker_id, fd, actual));
  cluster->loop().Watch(fd, EPOLLIN, l.get());
  return l;
}

Listener::~Listener() {
  cluster_->loop().Unwatch(fd_);
  ::close(fd_);
}

void Listener::OnIo(uint32_t) {
  for (;;) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    const int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: no more pending connections (or a transient error: retried on next event)
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char host[NI_MAXHOST] = "?";
    char serv[NI_MAXSERV] = "?";
    ::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                  NI_NUMERICHOST | NI_NUMERICSERV);
    cluster_->OnAccepted(broker_id_, fd, std::string(host) + ":" + serv);
  }
}

}  // namespace kclient::broker
