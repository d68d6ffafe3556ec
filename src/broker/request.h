// Request and Responder: what a handler gets for one request.
//
// A Responder answers its request exactly once, now or later (a long-polling fetch, a join that
// waits for the rebalance, an acks=all produce waiting for replicas). If the client has gone by
// then, the answer is dropped. Responses are encoded at the request's version with the header
// version that version implies.
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "broker/connection.h"
#include "protocol/header.h"
#include "util/byte_buffer.h"

namespace kclient::broker {

class Cluster;

struct RequestContext {
  Cluster* cluster = nullptr;
  int32_t broker_id = 0;  // the broker the client connected to
  ConnectionId connection = 0;
  protocol::RequestHeader header;

  int16_t version() const { return header.api_version; }
  const std::string& client_id() const {
    static const std::string kNone;
    return header.client_id ? *header.client_id : kNone;
  }
};

class Responder {
 public:
  Responder(Cluster* cluster, ConnectionId connection, int32_t correlation_id, int16_t version)
      : cluster_(cluster), connection_(connection), correlation_id_(correlation_id), version_(version) {}
  Responder(Responder&& o) noexcept { *this = std::move(o); }
  Responder& operator=(Responder&& o) noexcept {
    cluster_ = std::exchange(o.cluster_, nullptr);
    connection_ = o.connection_;
    correlation_id_ = o.correlation_id_;
    version_ = o.version_;
    drop_answer_ = o.drop_answer_;
    return *this;
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  // A request dropped without an answer would stall its connection forever; closing it is the
  // honest outcome.
  ~Responder();

  int16_t version() const { return version_; }
  bool answered() const { return cluster_ == nullptr; }
  // Answers at another version than the request's: only ApiVersions does this, replying v0 to
  // a version it does not know (KIP-511).
  void set_version(int16_t version) { version_ = version; }

  template <typename Response>
  void Send(const Response& response) {
    if (cluster_ == nullptr) return;
    util::ByteBuffer frame;
    Status s = protocol::EncodeResponseFrame(response, version_, correlation_id_, &frame);
    Deliver(s, std::move(frame));
  }
  // The request needs no answer (acks=0 produce).
  void SendNothing();
  // Closes the connection instead of answering (Kafka's answer to some malformed requests).
  void CloseConnection(const std::string& why);
  // Fault injection: the request is handled, but its answer closes the connection instead.
  void DropAnswer() { drop_answer_ = true; }

 private:
  void Deliver(const Status& encoded, util::ByteBuffer frame);

  Cluster* cluster_ = nullptr;
  ConnectionId connection_ = 0;
  int32_t correlation_id_ = 0;
  bool drop_answer_ = false;
  int16_t version_ = 0;
};

}  // namespace kclient::broker
