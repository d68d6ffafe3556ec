// AdminOptions::Validate and FromProperties. A deliberately small parser for the four properties
// an admin client needs today; the shared property parser (src/config) will take this over.
#include "kclient/admin_options.h"

#include <charconv>
#include <string>
#include <string_view>

#include "net/network_client.h"

namespace kclient {

namespace {

Status Invalid(std::string_view property, const std::string& why) {
  return Status(ErrorCode::kLocalInvalidConfig, std::string(property) + ": " + why);
}

Status ParseInt32(std::string_view property, const std::string& text, int32_t* out) {
  int32_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) return Invalid(property, "'" + text + "' is out of range");
  if (ec != std::errc() || ptr != end || text.empty()) return Invalid(property, "'" + text + "' is not an integer");
  *out = value;
  return Status();
}

bool ValidClientId(const std::string& id) {
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status AdminOptions::Validate() const {
  const ClientOptions& c = client;
  if (c.bootstrap_servers.empty()) return Invalid("bootstrap.servers", "is required");
  if (auto parsed = net::ParseBootstrapServers(c.bootstrap_servers); !parsed.ok()) {
    return Invalid("bootstrap.servers", std::string(parsed.status().message()));
  }
  if (!ValidClientId(c.client_id)) {
    return Invalid("client.id", "'" + c.client_id + "' has characters outside [a-zA-Z0-9._-]");
  }
  struct Range {
    std::string_view property;
    int32_t value;
    int32_t min;
  };
  const Range ranges[] = {
      {"request.timeout.ms", c.request_timeout_ms, 1},
      {"socket.connection.setup.timeout.ms", c.socket_connection_setup_timeout_ms, 1},
      {"reconnect.backoff.ms", c.reconnect_backoff_ms, 0},
      {"reconnect.backoff.max.ms", c.reconnect_backoff_max_ms, 0},
      {"retry.backoff.ms", c.retry_backoff_ms, 0},
      {"retry.backoff.max.ms", c.retry_backoff_max_ms, 0},
      {"metadata.max.age.ms", c.metadata_max_age_ms, 0},
      {"default.api.timeout.ms", default_api_timeout_ms, 1},
  };
  for (const Range& r : ranges) {
    if (r.value < r.min) {
      return Invalid(r.property, std::to_string(r.value) + " is below the minimum " + std::to_string(r.min));
    }
  }
  return Status();
}

Result<AdminOptions> AdminOptions::FromProperties(const Properties& properties) {
  AdminOptions options;
  bool api_timeout_set = false;
  for (const auto& [name, value] : properties) {
    Status s;
    if (name == "bootstrap.servers") {
      options.client.bootstrap_servers = value;
    } else if (name == "client.id") {
      options.client.client_id = value;
    } else if (name == "request.timeout.ms") {
      s = ParseInt32(name, value, &options.client.request_timeout_ms);
    } else if (name == "default.api.timeout.ms") {
      s = ParseInt32(name, value, &options.default_api_timeout_ms);
      api_timeout_set = true;
    } else {
      s = Status(ErrorCode::kLocalInvalidConfig, "unknown admin property '" + name + "'");
    }
    if (!s.ok()) return s;
  }
  // As Java's KafkaAdminClient: a call must be allowed at least one whole request.
  if (options.default_api_timeout_ms < options.client.request_timeout_ms) {
    if (api_timeout_set) {
      return Invalid("default.api.timeout.ms", "must be no smaller than request.timeout.ms (" +
                                                   std::to_string(options.client.request_timeout_ms) + ")");
    }
    options.default_api_timeout_ms = options.client.request_timeout_ms;
  }
  if (Status s = options.Validate(); !s.ok()) return s;
  return options;
}

}  // namespace kclient
