// How the public ClientOptions map onto the network layer's options, shared by every client
// (producer, consumer, admin) so each reaches the cluster the same way.
// Thread-safety: pure functions.
#pragma once

#include "client/metadata.h"
#include "kclient/client_options.h"
#include "net/network_client.h"

namespace kclient::client {

inline net::NetworkOptions ToNetworkOptions(const ClientOptions& options) {
  net::NetworkOptions n;
  n.connection.client_id = options.client_id;
  n.connection.request_timeout_ms = options.request_timeout_ms;
  n.connection.connection_setup_timeout_ms = options.socket_connection_setup_timeout_ms;
  n.reconnect_backoff_ms = options.reconnect_backoff_ms;
  n.reconnect_backoff_max_ms = options.reconnect_backoff_max_ms;
  return n;
}

inline MetadataOptions ToMetadataOptions(const ClientOptions& options) {
  MetadataOptions m;
  m.max_age_ms = options.metadata_max_age_ms;
  m.retry_backoff_ms = options.retry_backoff_ms;
  m.allow_auto_topic_creation = options.allow_auto_create_topics;
  return m;
}

}  // namespace kclient::client
