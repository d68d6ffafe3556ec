// AdminOptions::Validate and AdminOptions::FromProperties: the ClientOptions properties
// (config/client_config) plus default.api.timeout.ms, with Java's KafkaAdminClient rule that a
// call is allowed at least one whole request.
//
// Thread-safety: functions without shared state.
#include "kclient/admin_options.h"

#include <array>
#include <string>

#include "config/client_config.h"
#include "config/int32_option.h"
#include "config/property_parser.h"

namespace kclient {
namespace {

using config::Int32Option;
using config::JavaType;

constexpr std::array<Int32Option<AdminOptions>, 1> kInt32Options = {{
    {"default.api.timeout.ms", &AdminOptions::default_api_timeout_ms, 1, JavaType::kInt},
}};

}  // namespace

Status AdminOptions::Validate() const {
  if (Status s = config::ValidateClientOptions(client); !s.ok()) return s;
  if (Status s = config::CheckInt32Options<AdminOptions>(kInt32Options, *this); !s.ok()) return s;
  if (default_api_timeout_ms < client.request_timeout_ms) {
    return config::InvalidProperty("default.api.timeout.ms", std::to_string(default_api_timeout_ms),
                                   "no smaller than request.timeout.ms (" +
                                       std::to_string(client.request_timeout_ms) + ")");
  }
  return Status();
}

Result<AdminOptions> AdminOptions::FromProperties(const Properties& properties) {
  config::PropertyParser parser(properties);
  AdminOptions options;
  config::ReadClientProperties(&parser, &options.client);
  config::ReadInt32Options<AdminOptions>(&parser, kInt32Options, &options);
  if (Status s = parser.Finish(); !s.ok()) return s;
  // Java raises an unset default.api.timeout.ms to request.timeout.ms; a set one must be larger.
  if (!parser.IsSet("default.api.timeout.ms") && options.default_api_timeout_ms < options.client.request_timeout_ms) {
    options.default_api_timeout_ms = options.client.request_timeout_ms;
  }
  if (Status s = options.Validate(); !s.ok()) return s;
  return options;
}

}  // namespace kclient
