// Connection: one client's TCP connection to one broker. It frames requests (int32 size prefix,
// bounded by the socket request limit), hands each to the cluster, and writes responses back.
// Like Kafka, it reads the next request only after answering the current one (or learning that
// it needs no answer), so responses always come back in request order.
//
// Listener: the accepting socket of one broker.
//
// Thread-safety: loop thread only. Connections are destroyed through a posted task, never while
// the loop may still deliver an event to them.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "broker/event_loop.h"
#include "net/socket_io.h"
#include "util/byte_buffer.h"

namespace kclient::broker {

class Cluster;

using ConnectionId = uint64_t;

class Connection final : public IoHandler {
 public:
  Connection(Cluster* cluster, int32_t broker_id, ConnectionId id, int fd, std::string peer);
  ~Connection() override;

  ConnectionId id() const { return id_; }
  int32_t broker_id() const { return broker_id_; }
  const std::string& peer() const { return peer_; }
  bool closed() const { return closed_; }

  void OnIo(uint32_t events) override;

  // Queues a complete response frame and moves on to the next request.
  void SendResponse(util::ByteBuffer frame);
  // The current request needs no response (acks=0): move on to the next request.
  void FinishWithoutResponse();
  // Closes the socket now; the object is deleted later by the cluster. `why` is logged.
  void Close(const std::string& why);

 private:
  void ReadAvailable();
  void ProcessFrames();
  void Flush();
  void UpdateInterest();

  Cluster* cluster_;
  int32_t broker_id_;
  ConnectionId id_;
  int fd_;
  std::string peer_;
  bool closed_ = false;
  bool awaiting_response_ = false;  // a request is being handled; do not start the next
  uint32_t interest_ = 0;           // the epoll events currently asked for
  util::ByteBuffer in_;
  size_t in_consumed_ = 0;
  net::SendQueue out_;
};

class Listener final : public IoHandler {
 public:
  // Binds host:port (port 0 picks an ephemeral one) and starts accepting.
  static std::unique_ptr<Listener> Open(Cluster* cluster, int32_t broker_id, const std::string& host,
                                        uint16_t port, std::string* error);
  ~Listener() override;

  uint16_t port() const { return port_; }
  void OnIo(uint32_t events) override;

 private:
  Listener(Cluster* cluster, int32_t broker_id, int fd, uint16_t port)
      : cluster_(cluster), broker_id_(broker_id), fd_(fd), port_(port) {}

  Cluster* cluster_;
  int32_t broker_id_;
  int fd_;
  uint16_t port_;
};

}  // namespace kclient::broker
