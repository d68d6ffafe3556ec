// Properties: Kafka's configuration as string key/value pairs ("bootstrap.servers" ->
// "127.0.0.1:9092"), the way Java, librdkafka and the console tools take it. Every options struct
// of kclient (ProducerOptions, ConsumerOptions, AdminOptions) can be built from one, so a service
// can keep its Kafka configuration in the form its operators already know.
//
// Thread-safety: a plain value.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace kclient {

/// Property name -> value, as in a Java .properties file. Names are case-sensitive.
using Properties = std::map<std::string, std::string, std::less<>>;

}  // namespace kclient
