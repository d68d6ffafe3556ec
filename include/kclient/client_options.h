// ClientOptions: what every kclient client (producer, consumer, admin) needs to reach a cluster.
// Each field names the Kafka property it corresponds to; the defaults are the Java client's.
// Role-specific options (ProducerOptions, ...) embed one of these as `client`.
//
// Thread-safety: a plain value. Validation happens in one place: the Validate function of the
// role's options, called by the client's Create.
#pragma once

#include <cstdint>
#include <string>

namespace kclient {

struct ClientOptions {
  // Declared so that ClientOptions is not an aggregate: otherwise Producer::Create({{"k", "v"}})
  // could mean a ProducerOptions whose ClientOptions is {"k", "v"}, and the call would be
  // ambiguous with Create(Properties). Set fields by name.
  ClientOptions() = default;

  // --- Behaviour -----------------------------------------------------------------------------

  /// bootstrap.servers: "host:port[,host:port...]" ("[::1]:9092" for IPv6). Required. Only used to
  /// find the cluster; the brokers Metadata names are used from then on.
  std::string bootstrap_servers;

  /// client.id: sent with every request so brokers can log and quota by client. Must match
  /// [a-zA-Z0-9._-]* to also serve as the ApiVersions software name. Default: "kclient".
  std::string client_id = "kclient";

  /// request.timeout.ms: how long to wait for a response before failing the request and closing
  /// the connection (everything in flight on it is retried or failed). Default 30000.
  int32_t request_timeout_ms = 30000;

  /// socket.connection.setup.timeout.ms: TCP connect plus version negotiation. Default 10000.
  int32_t socket_connection_setup_timeout_ms = 10000;

  /// reconnect.backoff.ms / reconnect.backoff.max.ms: wait before dialling a broker whose
  /// connection failed, doubling per failure up to the max, with +-20% jitter. Defaults 50 / 1000.
  int32_t reconnect_backoff_ms = 50;
  int32_t reconnect_backoff_max_ms = 1000;

  /// retry.backoff.ms / retry.backoff.max.ms: wait before retrying a failed request (a produce,
  /// a metadata refresh), doubling per attempt up to the max, with +-20% jitter (KIP-580).
  /// Defaults 100 / 1000.
  int32_t retry_backoff_ms = 100;
  int32_t retry_backoff_max_ms = 1000;

  /// metadata.max.age.ms: refresh metadata at least this often, even without errors, so new
  /// partitions and brokers are seen. Default 300000.
  int32_t metadata_max_age_ms = 300000;

  /// allow.auto.create.topics: whether a metadata request may create a topic the client uses
  /// (the broker's auto.create.topics.enable must also allow it). Default true.
  bool allow_auto_create_topics = true;
};

}  // namespace kclient
