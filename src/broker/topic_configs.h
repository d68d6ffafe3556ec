// The configs the broker knows, in one place: Kafka's topic configs (LogConfig) with their
// defaults, types, validators and broker-level synonyms, and the broker configs clients ask for.
// CreateTopics validates against this table and reports effective configs from it;
// DescribeConfigs describes topics and brokers from it; the log and produce paths read a
// topic's effective value through TopicConfigValue.
//
// Facts follow Apache Kafka 4.1 (LogConfig, ServerLogConfigs, ServerTopicConfigSynonyms,
// ConfigHelper, ConfigDef), checked against a running 4.1.1 broker's DescribeConfigs answers.
// The cluster options stand in for server.properties: a broker setting whose value differs from
// Kafka's default is reported as STATIC_BROKER_CONFIG, as if it were set there.
//
// Thread-safety: the tables are immutable; every function is pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/cluster_config.h"
#include "kclient/status.h"

namespace kclient::broker {

// Kafka's DescribeConfigsResponse.ConfigSource ids.
enum class ConfigSource : int8_t {
  kUnknown = 0,
  kTopicConfig = 1,
  kDynamicBrokerConfig = 2,
  kDynamicDefaultBrokerConfig = 3,
  kStaticBrokerConfig = 4,
  kDefaultConfig = 5,
};

// Kafka's DescribeConfigsResponse.ConfigType ids (ConfigDef.Type).
enum class ConfigType : int8_t {
  kUnknown = 0,
  kBoolean = 1,
  kString = 2,
  kInt = 3,
  kShort = 4,
  kLong = 5,
  kDouble = 6,
  kList = 7,
  kClass = 8,
  kPassword = 9,
};

// Kafka's ConfigResource.Type ids.
enum class ConfigResourceType : int8_t {
  kUnknown = 0,
  kTopic = 2,
  kBroker = 4,
  kBrokerLogger = 8,
  kClientMetrics = 16,
  kGroup = 32,
};

struct ConfigSynonymEntry {
  std::string name;
  std::optional<std::string> value;
  ConfigSource source = ConfigSource::kDefaultConfig;
};

// One described config: what DescribeConfigs and CreateTopics (v5+) report.
struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // null: unset and without a default (log.retention.ms)
  ConfigSource source = ConfigSource::kDefaultConfig;
  ConfigType type = ConfigType::kUnknown;
  bool read_only = false;
  bool sensitive = false;
  // Highest precedence first, as Kafka lists them (the topic override, then broker settings,
  // then Kafka's default).
  std::vector<ConfigSynonymEntry> synonyms;
};

// One of Kafka's topic configs.
struct TopicConfigDef {
  std::string_view name;
  ConfigType type;
  std::string_view kafka_default;  // ConfigDef.convertToString of LogConfig's default
  // The broker config that supplies the default when the topic does not set it (the first of
  // ServerTopicConfigSynonyms), or empty when there is none.
  std::string_view broker_synonym;
};

// Every topic config Kafka 4.1 has, sorted by name.
std::span<const TopicConfigDef> TopicConfigDefs();
const TopicConfigDef* FindTopicConfig(std::string_view name);

// Checks one topic config value as Kafka's controller does on CreateTopics: a known name and a
// value that parses as the config's type and passes its validator. INVALID_CONFIG with Kafka's
// message ("Unknown topic config name: x", "Invalid value abc for configuration retention.ms:
// Not a number of type LONG", ...).
Status ValidateTopicConfig(std::string_view name, std::string_view value);

// A valid value the way Kafka prints it after parsing (ConfigDef.convertToString): numbers and
// booleans trimmed and canonical, lists without blanks around commas.
std::string NormalizeTopicConfig(std::string_view name, std::string_view value);

// Every topic config with its effective value for a topic with `overrides`: the override
// (TOPIC_CONFIG), else the broker's setting, else Kafka's default. Sorted by name. With
// `raw_overrides`, overridden values are reported as given (CreateTopics does); otherwise as
// Kafka prints them after parsing (DescribeConfigs does).
std::vector<ConfigEntry> DescribeTopicConfigs(const ClusterConfig& config,
                                              const std::map<std::string, std::string>& overrides,
                                              bool raw_overrides = false);

// The broker configs this broker reports for broker `broker_id`, sorted by name.
std::vector<ConfigEntry> DescribeBrokerConfigs(const ClusterConfig& config, int32_t broker_id);

// The effective value of topic config `name` for a topic with `overrides` (as Kafka prints it);
// empty for an unknown name.
std::string TopicConfigValue(const ClusterConfig& config, const std::map<std::string, std::string>& overrides,
                             std::string_view name);

}  // namespace kclient::broker
