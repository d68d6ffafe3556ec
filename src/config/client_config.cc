// The ClientOptions properties: their names, ranges and Java's rules between them.
// Ranges are Java's (CommonClientConfigs and the role configs of Kafka 4.x) unless a comment says
// otherwise.
// Thread-safety: see client_config.h.
#include "config/client_config.h"

#include <array>
#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "config/int32_option.h"
#include "config/property_parser.h"
#include "net/network_client.h"

namespace kclient::config {
namespace {

constexpr std::array<Int32Option<ClientOptions>, 7> kInt32Options = {{
    {"request.timeout.ms", &ClientOptions::request_timeout_ms, 0, JavaType::kInt},
    // Java declares no bound here; a negative timeout means nothing, so it is refused.
    {"socket.connection.setup.timeout.ms", &ClientOptions::socket_connection_setup_timeout_ms, 0,
     JavaType::kLong},
    {"reconnect.backoff.ms", &ClientOptions::reconnect_backoff_ms, 0, JavaType::kLong},
    {"reconnect.backoff.max.ms", &ClientOptions::reconnect_backoff_max_ms, 0, JavaType::kLong},
    {"retry.backoff.ms", &ClientOptions::retry_backoff_ms, 0, JavaType::kLong},
    {"retry.backoff.max.ms", &ClientOptions::retry_backoff_max_ms, 0, JavaType::kLong},
    {"metadata.max.age.ms", &ClientOptions::metadata_max_age_ms, 0, JavaType::kLong},
}};

// ASCII only, whatever the locale: the id goes into request headers and broker logs.
bool IsClientIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Java matches security.protocol case-insensitively (CaseInsensitiveValidString).
bool IsPlaintext(std::string protocol) {
  for (char& c : protocol) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return protocol == "PLAINTEXT";
}

// Properties of Java's network layer that appear in real configs but have nothing to act on
// here. They are checked as Java checks them, so a config that Java rejects is rejected here too,
// and then ignored.
void ReadUnusedConnectionProperties(PropertyParser* parser) {
  // Idle connections are not closed by the client; the broker's connections.max.idle.ms still
  // applies and the client reconnects when needed. Java accepts any value (negative: never).
  parser->Int64("connections.max.idle.ms", INT64_MIN, INT64_MAX);
  // Socket buffers keep the operating system's defaults. -1 asks Java for the same.
  parser->Int32("send.buffer.bytes", -1, INT32_MAX);
  parser->Int32("receive.buffer.bytes", -1, INT32_MAX);
  if (const auto protocol = parser->String("security.protocol"); protocol && !IsPlaintext(*protocol)) {
    parser->Reject("security.protocol", *protocol,
                   "expected PLAINTEXT; TLS and SASL (SSL, SASL_PLAINTEXT, SASL_SSL) are not supported yet");
  }
}

}  // namespace

void ReadClientProperties(PropertyParser* parser, ClientOptions* options) {
  if (auto servers = parser->String("bootstrap.servers")) options->bootstrap_servers = std::move(*servers);
  if (auto client_id = parser->String("client.id")) options->client_id = std::move(*client_id);
  ReadInt32Options<ClientOptions>(parser, kInt32Options, options);
  if (const auto allow = parser->Bool("allow.auto.create.topics")) options->allow_auto_create_topics = *allow;

  // Java: reconnect.backoff.ms given without reconnect.backoff.max.ms turns the exponential
  // reconnect backoff off, the max becoming the base (CommonClientConfigs.
  // postProcessReconnectBackoffConfigs), so an old config asking for a fixed backoff keeps it.
  if (parser->IsSet("reconnect.backoff.ms") && !parser->IsSet("reconnect.backoff.max.ms")) {
    options->reconnect_backoff_max_ms = options->reconnect_backoff_ms;
  }
  ReadUnusedConnectionProperties(parser);
}

Status ValidateClientOptions(const ClientOptions& options) {
  if (options.bootstrap_servers.empty()) {
    return Status(ErrorCode::kLocalInvalidConfig,
                  "property 'bootstrap.servers' is required (host:port[,host:port...])");
  }
  if (const auto servers = net::ParseBootstrapServers(options.bootstrap_servers); !servers.ok()) {
    return InvalidProperty("bootstrap.servers", options.bootstrap_servers, servers.status().message());
  }
  for (const char c : options.client_id) {
    if (!IsClientIdChar(c)) {
      return InvalidProperty("client.id", options.client_id,
                             "expected only the characters a-z, A-Z, 0-9, '.', '_' and '-'");
    }
  }
  // A max backoff below its base is not an error in Java either: the backoff is then constant at
  // the max (ExponentialBackoff, Kafka 3.7+), which is what min(base * 2^n, max) gives, as the
  // network layer computes its reconnect backoff. So the two max properties need no check here.
  return CheckInt32Options<ClientOptions>(kInt32Options, options);
}

}  // namespace kclient::config
