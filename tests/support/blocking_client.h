// BlockingClient: the smallest possible Kafka connection for tests that talk to a broker we did
// not write before kclient's own network layer exists: connect, send one request frame, read its
// response frame. Blocking I/O with a receive timeout; loopback only.
// Thread-safety: none; one test thread owns it.
#pragma once

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <optional>
#include <string>

#include "kclient/status.h"
#include "protocol/header.h"
#include "util/byte_buffer.h"
#include "util/endian.h"

namespace kclient::testing {

class BlockingClient {
 public:
  ~BlockingClient() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Connects to "host:port".
  Status Connect(const std::string& host_port) {
    const auto colon = host_port.rfind(':');
    if (colon == std::string::npos) return Status(ErrorCode::kLocalInvalidArgument, "no port in " + host_port);
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const std::string host = host_port.substr(0, colon);
    const std::string port = host_port.substr(colon + 1);
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
      return Status(ErrorCode::kLocalTransport, "cannot resolve " + host_port);
    }
    fd_ = ::socket(res->ai_family, SOCK_STREAM, 0);
    const int rc = fd_ < 0 ? -1 : ::connect(fd_, res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
    if (rc != 0) return Status(ErrorCode::kLocalTransport, "cannot connect to " + host_port);
    timeval tv{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return Status();
  }

  // Sends `request` at `version` and decodes the matching response into `response`.
  template <typename Request, typename Response>
  Status RoundTrip(const Request& request, int16_t version, Response* response) {
    util::ByteBuffer frame;
    const int32_t correlation_id = next_correlation_id_++;
    Status s = protocol::EncodeRequestFrame(request, version, correlation_id, std::string("kclient-test"), &frame);
    if (!s.ok()) return s;
    if (!SendAll(frame.data(), frame.size())) return Status(ErrorCode::kLocalTransport, "send failed");
    uint8_t size_prefix[4];
    if (!RecvAll(size_prefix, 4)) return Status(ErrorCode::kLocalTransport, "no response");
    const auto size = static_cast<int32_t>(util::LoadBE32(size_prefix));
    if (size < 4 || size > protocol::kDefaultMaxFrameSize) {
      return Status(ErrorCode::kLocalMalformed, "bad response size " + std::to_string(size));
    }
    last_frame_.resize(static_cast<size_t>(size));
    if (!RecvAll(last_frame_.data(), last_frame_.size())) return Status(ErrorCode::kLocalTransport, "short response");
    protocol::ResponseHeader header;
    s = protocol::DecodeResponseFrame(last_frame_.span(), version, &header, response);
    if (!s.ok()) return s;
    if (header.correlation_id != correlation_id) {
      return Status(ErrorCode::kLocalMalformed, "correlation id mismatch");
    }
    return Status();
  }

 private:
  bool SendAll(const uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t k = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (k <= 0) return false;
      p += k;
      n -= static_cast<size_t>(k);
    }
    return true;
  }
  bool RecvAll(uint8_t* p, size_t n) {
    while (n > 0) {
      const ssize_t k = ::recv(fd_, p, n, 0);
      if (k <= 0) return false;
      p += k;
      n -= static_cast<size_t>(k);
    }
    return true;
  }

  int fd_ = -1;
  int32_t next_correlation_id_ = 1;
  // The last response frame: decoded `records` fields point into it.
  util::ByteBuffer last_frame_;
};

}  // namespace kclient::testing
