// The ClientOptions part of every client's configuration (producer, consumer, admin): reading
// its Kafka properties and validating its fields, written once so each role's FromProperties
// and Validate share them.
//
// Thread-safety: functions without shared state.
#pragma once

#include "config/property_parser.h"
#include "kclient/client_options.h"
#include "kclient/status.h"

namespace kclient::config {

/// Reads the ClientOptions properties (bootstrap.servers, client.id, request.timeout.ms,
/// socket.connection.setup.timeout.ms, reconnect.backoff.ms, reconnect.backoff.max.ms,
/// retry.backoff.ms, retry.backoff.max.ms, metadata.max.age.ms, allow.auto.create.topics) into
/// `options`, and consumes the connection properties every Java client takes but kclient has no
/// use for (connections.max.idle.ms, send.buffer.bytes, receive.buffer.bytes,
/// security.protocol=PLAINTEXT), checking their values. Errors are kept in `parser`; rules
/// between fields are left to ValidateClientOptions.
void ReadClientProperties(PropertyParser* parser, ClientOptions* options);

/// Checks every field of `options`: bootstrap.servers is given and parses, client.id uses only
/// [a-zA-Z0-9._-], every number is in range. The error names the property at fault.
Status ValidateClientOptions(const ClientOptions& options);

}  // namespace kclient::config
