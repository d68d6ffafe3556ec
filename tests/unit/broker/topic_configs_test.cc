// The shared config table: validation messages, normalization, effective values and sources.
// Every expected message is what an Apache Kafka 4.1.1 broker answered to the same CreateTopics
// config (through the Java admin client).
#include "broker/topic_configs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace kclient::broker {
namespace {

TEST(TopicConfigsTest, TheTableIsKafka41sLogConfig) {
  EXPECT_EQ(TopicConfigDefs().size(), 33u);
  EXPECT_TRUE(std::is_sorted(TopicConfigDefs().begin(), TopicConfigDefs().end(),
                             [](const auto& a, const auto& b) { return a.name < b.name; }));
  const TopicConfigDef* retention = FindTopicConfig("retention.ms");
  ASSERT_NE(retention, nullptr);
  EXPECT_EQ(retention->kafka_default, "604800000");
  EXPECT_EQ(retention->type, ConfigType::kLong);
  EXPECT_EQ(retention->broker_synonym, "log.retention.ms");
  EXPECT_EQ(FindTopicConfig("message.format.version"), nullptr);  // gone in Kafka 4.0
  EXPECT_EQ(FindTopicConfig("message.downconversion.enable"), nullptr);
}

TEST(TopicConfigsTest, ValidationMessagesAreKafkas) {
  struct Case {
    const char* name;
    const char* value;
    const char* message;  // nullptr: valid
  };
  const Case cases[] = {
      {"bogus.name", "1", "Unknown topic config name: bogus.name"},
      {"retention.ms", "abc", "Invalid value abc for configuration retention.ms: Not a number of type LONG"},
      {"retention.ms", "-5", "Invalid value -5 for configuration retention.ms: Value must be at least -1"},
      {"retention.ms", "", "Invalid value  for configuration retention.ms: Not a number of type LONG"},
      {"retention.ms", "99999999999999999999",
       "Invalid value 99999999999999999999 for configuration retention.ms: Not a number of type LONG"},
      {"cleanup.policy", "foo", "Invalid value foo for configuration cleanup.policy: String must be one of: compact, delete"},
      {"compression.type", "brotli",
       "Invalid value brotli for configuration compression.type: String must be one of: uncompressed, zstd, lz4, "
       "snappy, gzip, producer"},
      {"unclean.leader.election.enable", "maybe",
       "Invalid value maybe for configuration unclean.leader.election.enable: Expected value to be either true or false"},
      {"min.cleanable.dirty.ratio", "2",
       "Invalid value 2.0 for configuration min.cleanable.dirty.ratio: Value must be no more than 1"},
      {"min.cleanable.dirty.ratio", "x",
       "Invalid value x for configuration min.cleanable.dirty.ratio: Not a number of type DOUBLE"},
      {"compression.gzip.level", "0",
       "Invalid value 0 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1"},
      {"compression.gzip.level", "10",
       "Invalid value 10 for configuration compression.gzip.level: Value must be between 1 and 9 or equal to -1"},
      {"compression.lz4.level", "18", "Invalid value 18 for configuration compression.lz4.level: Value must be no more than 17"},
      {"compression.zstd.level", "23", "Invalid value 23 for configuration compression.zstd.level: Value must be no more than 22"},
      {"segment.bytes", "5", "Invalid value 5 for configuration segment.bytes: Value must be at least 1048576"},
      {"min.insync.replicas", "0", "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1"},
      {"max.message.bytes", "2147483648",
       "Invalid value 2147483648 for configuration max.message.bytes: Not a number of type INT"},
      {"index.interval.bytes", "0x10", "Invalid value 0x10 for configuration index.interval.bytes: Not a number of type INT"},
      {"message.timestamp.type", "createtime",
       "Invalid value createtime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime"},
      {"leader.replication.throttled.replicas", "foo",
       "Invalid value [foo] for configuration leader.replication.throttled.replicas: leader.replication.throttled.replicas "
       "must be the literal '*' or a list of replicas in the following format: "
       "[partitionId]:[brokerId],[partitionId]:[brokerId],..."},
      {"remote.storage.enable", "true",
       "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage."},
      // Accepted as Kafka accepts them.
      {"cleanup.policy", "", nullptr},
      {"cleanup.policy", "compact, delete", nullptr},
      {"segment.ms", "+5", nullptr},
      {"max.message.bytes", " 77 ", nullptr},
      {"unclean.leader.election.enable", "TRUE", nullptr},
      {"leader.replication.throttled.replicas", "*", nullptr},
      {"leader.replication.throttled.replicas", "0:1, 1:1", nullptr},
      {"compression.zstd.level", "-5", nullptr},
      {"min.cleanable.dirty.ratio", "0.25", nullptr},
  };
  for (const Case& c : cases) {
    Status s = ValidateTopicConfig(c.name, c.value);
    if (c.message == nullptr) {
      EXPECT_TRUE(s.ok()) << c.name << "=" << c.value << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), ErrorCode::kInvalidConfig) << c.name << "=" << c.value;
      EXPECT_EQ(s.message(), c.message) << c.name << "=" << c.value;
    }
  }
}

TEST(TopicConfigsTest, NormalizedAsKafkaPrintsParsedValues) {
  EXPECT_EQ(NormalizeTopicConfig("cleanup.policy", " compact , delete "), "compact,delete");
  EXPECT_EQ(NormalizeTopicConfig("max.message.bytes", " 77 "), "77");
  EXPECT_EQ(NormalizeTopicConfig("segment.ms", "+5"), "5");
  EXPECT_EQ(NormalizeTopicConfig("unclean.leader.election.enable", "TRUE"), "true");
  EXPECT_EQ(NormalizeTopicConfig("min.cleanable.dirty.ratio", "1"), "1.0");
  EXPECT_EQ(NormalizeTopicConfig("min.cleanable.dirty.ratio", "0.25"), "0.25");
  EXPECT_EQ(NormalizeTopicConfig("compression.type", " lz4 "), "lz4");
}

TEST(TopicConfigsTest, EffectiveValuesComeFromTheTopicTheBrokerOrKafka) {
  ClusterConfig config;
  config.max_message_bytes = 2000000;  // as if message.max.bytes were set in server.properties
  std::map<std::string, std::string> overrides = {{"retention.ms", " 1000 "}};
  EXPECT_EQ(TopicConfigValue(config, overrides, "retention.ms"), "1000");
  EXPECT_EQ(TopicConfigValue(config, overrides, "max.message.bytes"), "2000000");
  EXPECT_EQ(TopicConfigValue(config, overrides, "cleanup.policy"), "delete");
  EXPECT_EQ(TopicConfigValue(config, overrides, "no.such.config"), "");

  auto find = [](const std::vector<ConfigEntry>& entries, const std::string& name) -> const ConfigEntry* {
    for (const auto& e : entries) {
      if (e.name == name) return &e;
    }
    return nullptr;
  };
  const std::vector<ConfigEntry> described = DescribeTopicConfigs(config, overrides);
  ASSERT_EQ(described.size(), 33u);
  const ConfigEntry* retention = find(described, "retention.ms");
  EXPECT_EQ(retention->value, std::optional<std::string>("1000"));
  EXPECT_EQ(retention->source, ConfigSource::kTopicConfig);
  ASSERT_EQ(retention->synonyms.size(), 1u);  // log.retention.ms has no default of its own
  const ConfigEntry* max = find(described, "max.message.bytes");
  EXPECT_EQ(max->value, std::optional<std::string>("2000000"));
  EXPECT_EQ(max->source, ConfigSource::kStaticBrokerConfig);
  ASSERT_EQ(max->synonyms.size(), 2u);
  EXPECT_EQ(max->synonyms[0].name, "message.max.bytes");
  EXPECT_EQ(max->synonyms[0].source, ConfigSource::kStaticBrokerConfig);
  EXPECT_EQ(max->synonyms[1].value, std::optional<std::string>("1048588"));
  EXPECT_EQ(max->synonyms[1].source, ConfigSource::kDefaultConfig);
  const ConfigEntry* throttled = find(described, "leader.replication.throttled.replicas");
  EXPECT_EQ(throttled->value, std::optional<std::string>(""));
  EXPECT_TRUE(throttled->synonyms.empty());
  EXPECT_EQ(throttled->source, ConfigSource::kDefaultConfig);
  // CreateTopics reports overrides as given.
  EXPECT_EQ(find(DescribeTopicConfigs(config, overrides, true), "retention.ms")->value,
            std::optional<std::string>(" 1000 "));
}

TEST(TopicConfigsTest, BrokerConfigsReportTheClusterOptionsAsStaticSettings) {
  ClusterConfig config;
  config.brokers = 1;
  config.default_partitions = 6;
  const std::vector<ConfigEntry> entries = DescribeBrokerConfigs(config, 1);
  std::map<std::string, const ConfigEntry*> by_name;
  for (const auto& e : entries) by_name[e.name] = &e;
  EXPECT_EQ(by_name["num.partitions"]->value, std::optional<std::string>("6"));
  EXPECT_EQ(by_name["num.partitions"]->source, ConfigSource::kStaticBrokerConfig);
  EXPECT_TRUE(by_name["num.partitions"]->read_only);
  EXPECT_EQ(by_name["offsets.topic.replication.factor"]->value, std::optional<std::string>("1"));
  EXPECT_EQ(by_name["offsets.topic.replication.factor"]->type, ConfigType::kShort);
  EXPECT_EQ(by_name["log.retention.hours"]->source, ConfigSource::kDefaultConfig);
  EXPECT_FALSE(by_name["log.retention.ms"]->value.has_value());
  EXPECT_FALSE(by_name["message.max.bytes"]->read_only);
  ASSERT_EQ(by_name["node.id"]->synonyms.size(), 1u);  // required: no default
  EXPECT_EQ(by_name["broker.id"]->synonyms.back().value, std::optional<std::string>("-1"));
}

}  // namespace
}  // namespace kclient::broker
