// AdminOptions: everything that configures an Admin client. Build it field by field, or from Kafka
// property names with FromProperties (which names any unknown or invalid property in its error).
// Defaults are the Java admin client's (Kafka 4.x).
//
// Thread-safety: a plain value; the Admin copies it at Create.
#pragma once

#include <cstdint>

#include "kclient/client_options.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

struct AdminOptions {
  ClientOptions client;

  /// default.api.timeout.ms: how long a call (CreateTopics, DescribeCluster, ...) may take, retries
  /// included, when the call is not given a timeout of its own. Must be positive. Default 60000.
  /// From properties, as in Java: set explicitly below request.timeout.ms it is an error; left
  /// unset, it is raised to request.timeout.ms.
  int32_t default_api_timeout_ms = 60000;

  /// Checks every field; the error (kLocalInvalidConfig) names the property at fault.
  /// Also applied by Admin::Create.
  Status Validate() const;

  /// Builds options from Kafka property names: bootstrap.servers, client.id, request.timeout.ms
  /// and default.api.timeout.ms. Any other name, and values that do not parse or are out of
  /// range, are kLocalInvalidConfig errors naming the property.
  static Result<AdminOptions> FromProperties(const Properties& properties);
};

}  // namespace kclient
