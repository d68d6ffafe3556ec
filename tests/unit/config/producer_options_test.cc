// ProducerOptions from Kafka properties and ProducerOptions::Validate: every property, Java's
// defaults and ranges, the rules between options (idempotence, delivery timeout, compression
// levels per codec, partitioners), and errors that name the property at fault.
#include "kclient/producer_options.h"

#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "kclient/properties.h"

namespace kclient {
namespace {

constexpr char kBootstrap[] = "127.0.0.1:9092";

// The minimal valid properties plus `extra` (which may override them).
Properties With(Properties extra) {
  extra.try_emplace("bootstrap.servers", kBootstrap);
  return extra;
}

// FromProperties(With(extra)), which must succeed.
ProducerOptions Parse(Properties extra) {
  Result<ProducerOptions> result = ProducerOptions::FromProperties(With(std::move(extra)));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : ProducerOptions{};
}

// The error of FromProperties(With(extra)), which must fail with kLocalInvalidConfig.
std::string ParseError(Properties extra) {
  Result<ProducerOptions> result = ProducerOptions::FromProperties(With(std::move(extra)));
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), ErrorCode::kLocalInvalidConfig) << result.status().ToString();
  return std::string(result.status().message());
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ProducerOptions ValidOptions() {
  ProducerOptions options;
  options.client.bootstrap_servers = kBootstrap;
  return options;
}

class FixedPartitioner : public Partitioner {
 public:
  int32_t Partition(const PartitionerContext&, const std::optional<std::string>&,
                    const std::optional<std::string>&) override {
    return 0;
  }
};

// --- Defaults --------------------------------------------------------------------------------

void ExpectJavaDefaults(const ProducerOptions& o) {
  // ProducerConfig / CommonClientConfigs, Kafka 4.x.
  EXPECT_EQ(o.client.request_timeout_ms, 30000);
  EXPECT_EQ(o.client.socket_connection_setup_timeout_ms, 10000);
  EXPECT_EQ(o.client.reconnect_backoff_ms, 50);
  EXPECT_EQ(o.client.reconnect_backoff_max_ms, 1000);
  EXPECT_EQ(o.client.retry_backoff_ms, 100);
  EXPECT_EQ(o.client.retry_backoff_max_ms, 1000);
  EXPECT_EQ(o.client.metadata_max_age_ms, 300000);
  EXPECT_TRUE(o.client.allow_auto_create_topics);
  EXPECT_EQ(o.acks, Acks::kAll);
  EXPECT_TRUE(o.enable_idempotence);
  EXPECT_EQ(o.retries, INT32_MAX);
  EXPECT_EQ(o.delivery_timeout_ms, 120000);
  EXPECT_EQ(o.max_in_flight_requests_per_connection, 5);
  EXPECT_EQ(o.linger_ms, 5);
  EXPECT_EQ(o.batch_size, 16384);
  EXPECT_EQ(o.buffer_memory, 33554432);
  EXPECT_EQ(o.max_block_ms, 60000);
  EXPECT_EQ(o.max_request_size, 1048576);
  EXPECT_EQ(o.compression, CompressionType::kNone);
  EXPECT_FALSE(o.compression_level.has_value());
  EXPECT_EQ(o.partitioner, PartitionerKind::kDefault);
  EXPECT_EQ(o.custom_partitioner, nullptr);
  // Not Java's: Java's client.id defaults to "producer-<n>".
  EXPECT_EQ(o.client.client_id, "kclient");
}

TEST(ProducerOptionsTest, DefaultsAreJavas) {
  ExpectJavaDefaults(ProducerOptions{});
  ExpectJavaDefaults(Parse({}));
  EXPECT_EQ(Parse({}).client.bootstrap_servers, kBootstrap);
}

TEST(ProducerOptionsTest, DefaultsWithBootstrapServersAreValid) {
  EXPECT_TRUE(ValidOptions().Validate().ok()) << ValidOptions().Validate().ToString();
}

// --- Every property ---------------------------------------------------------------------------

TEST(ProducerOptionsTest, EveryPropertyParses) {
  const ProducerOptions o = Parse({
      {"bootstrap.servers", "a:1, [::1]:2"},
      {"client.id", "orders-svc_1.x"},
      {"request.timeout.ms", "20000"},
      {"socket.connection.setup.timeout.ms", "7000"},
      {"reconnect.backoff.ms", "10"},
      {"reconnect.backoff.max.ms", "500"},
      {"retry.backoff.ms", "20"},
      {"retry.backoff.max.ms", "600"},
      {"metadata.max.age.ms", "60000"},
      {"allow.auto.create.topics", "false"},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      {"retries", "7"},
      {"delivery.timeout.ms", "90000"},
      {"max.in.flight.requests.per.connection", "3"},
      {"linger.ms", "50"},
      {"batch.size", "65536"},
      {"buffer.memory", "8589934592"},
      {"max.block.ms", "1000"},
      {"max.request.size", "2097152"},
      {"compression.type", "zstd"},
      {"compression.gzip.level", "9"},
      {"compression.lz4.level", "17"},
      {"compression.zstd.level", "19"},
      {"partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner"},
      {"partitioner.ignore.keys", "true"},
      {"partitioner.adaptive.partitioning.enable", "false"},
      {"partitioner.availability.timeout.ms", "100"},
      {"connections.max.idle.ms", "-1"},
      {"send.buffer.bytes", "-1"},
      {"receive.buffer.bytes", "65536"},
      {"metadata.max.idle.ms", "5000"},
      {"security.protocol", "plaintext"},
  });
  EXPECT_EQ(o.client.bootstrap_servers, "a:1, [::1]:2");
  EXPECT_EQ(o.client.client_id, "orders-svc_1.x");
  EXPECT_EQ(o.client.request_timeout_ms, 20000);
  EXPECT_EQ(o.client.socket_connection_setup_timeout_ms, 7000);
  EXPECT_EQ(o.client.reconnect_backoff_ms, 10);
  EXPECT_EQ(o.client.reconnect_backoff_max_ms, 500);
  EXPECT_EQ(o.client.retry_backoff_ms, 20);
  EXPECT_EQ(o.client.retry_backoff_max_ms, 600);
  EXPECT_EQ(o.client.metadata_max_age_ms, 60000);
  EXPECT_FALSE(o.client.allow_auto_create_topics);
  EXPECT_EQ(o.acks, Acks::kAll);
  EXPECT_TRUE(o.enable_idempotence);
  EXPECT_EQ(o.retries, 7);
  EXPECT_EQ(o.delivery_timeout_ms, 90000);
  EXPECT_EQ(o.max_in_flight_requests_per_connection, 3);
  EXPECT_EQ(o.linger_ms, 50);
  EXPECT_EQ(o.batch_size, 65536);
  EXPECT_EQ(o.buffer_memory, 8589934592);
  EXPECT_EQ(o.max_block_ms, 1000);
  EXPECT_EQ(o.max_request_size, 2097152);
  EXPECT_EQ(o.compression, CompressionType::kZstd);
  EXPECT_EQ(o.compression_level, 19);  // the chosen codec's level
  EXPECT_EQ(o.partitioner, PartitionerKind::kRoundRobin);  // a class ignores partitioner.ignore.keys
}

TEST(ProducerOptionsTest, AcksSpellings) {
  EXPECT_EQ(Parse({{"acks", "all"}}).acks, Acks::kAll);
  EXPECT_EQ(Parse({{"acks", "-1"}}).acks, Acks::kAll);
  EXPECT_EQ(Parse({{"acks", "1"}, {"enable.idempotence", "false"}}).acks, Acks::kLeader);
  EXPECT_EQ(Parse({{"acks", "0"}, {"enable.idempotence", "false"}}).acks, Acks::kNone);
}

TEST(ProducerOptionsTest, PartitionerNames) {
  EXPECT_EQ(Parse({{"partitioner.class", "default"}}).partitioner, PartitionerKind::kDefault);
  EXPECT_EQ(Parse({{"partitioner.class", "round_robin"}}).partitioner, PartitionerKind::kRoundRobin);
  EXPECT_EQ(Parse({{"partitioner.class", "uniform_sticky"}}).partitioner, PartitionerKind::kUniformSticky);
  EXPECT_EQ(Parse({{"partitioner.class", "org.apache.kafka.clients.producer.UniformStickyPartitioner"}}).partitioner,
            PartitionerKind::kUniformSticky);
  EXPECT_EQ(Parse({{"partitioner.class", "org.apache.kafka.clients.producer.internals.DefaultPartitioner"}})
                .partitioner,
            PartitionerKind::kDefault);
  // partitioner.ignore.keys turns the built-in partitioner into uniform sticky.
  EXPECT_EQ(Parse({{"partitioner.ignore.keys", "true"}}).partitioner, PartitionerKind::kUniformSticky);
  EXPECT_EQ(Parse({{"partitioner.ignore.keys", "false"}}).partitioner, PartitionerKind::kDefault);
  EXPECT_EQ(Parse({{"partitioner.class", "default"}, {"partitioner.ignore.keys", "true"}}).partitioner,
            PartitionerKind::kUniformSticky);
}

TEST(ProducerOptionsTest, LongDurationsBeyondInt32AreKeptAsInt32Max) {
  // Java declares these LONG and accepts any long; the int32 fields keep the largest they can.
  const ProducerOptions o = Parse({{"linger.ms", "9223372036854775807"},
                                   {"max.block.ms", "3000000000"},
                                   {"metadata.max.age.ms", "3000000000"},
                                   {"delivery.timeout.ms", "2147483647"}});
  EXPECT_EQ(o.linger_ms, INT32_MAX);
  EXPECT_EQ(o.max_block_ms, INT32_MAX);
  EXPECT_EQ(o.client.metadata_max_age_ms, INT32_MAX);
  // INT properties are not widened: Java refuses these too.
  EXPECT_TRUE(Contains(ParseError({{"retries", "2147483648"}}), "'retries'"));
  EXPECT_TRUE(Contains(ParseError({{"request.timeout.ms", "2147483648"}}), "'request.timeout.ms'"));
}

TEST(ProducerOptionsTest, ReconnectBackoffAloneFixesTheBackoffAsInJava) {
  // reconnect.backoff.ms without reconnect.backoff.max.ms: the max becomes the base.
  const ProducerOptions fixed = Parse({{"reconnect.backoff.ms", "200"}});
  EXPECT_EQ(fixed.client.reconnect_backoff_ms, 200);
  EXPECT_EQ(fixed.client.reconnect_backoff_max_ms, 200);
  const ProducerOptions both = Parse({{"reconnect.backoff.ms", "200"}, {"reconnect.backoff.max.ms", "5000"}});
  EXPECT_EQ(both.client.reconnect_backoff_max_ms, 5000);
  // Only reconnect backoff has this rule in Java; retry.backoff.max.ms keeps its default.
  EXPECT_EQ(Parse({{"retry.backoff.ms", "200"}}).client.retry_backoff_max_ms, 1000);
}

TEST(ProducerOptionsTest, MaxBackoffBelowItsBaseIsAccepted) {
  // Java applies a constant backoff then; not an error.
  const ProducerOptions o = Parse({{"retry.backoff.ms", "2000"},
                                   {"retry.backoff.max.ms", "100"},
                                   {"reconnect.backoff.ms", "2000"},
                                   {"reconnect.backoff.max.ms", "100"}});
  EXPECT_EQ(o.client.retry_backoff_max_ms, 100);
  EXPECT_EQ(o.client.reconnect_backoff_max_ms, 100);
}

TEST(ProducerOptionsTest, BatchSizeZeroAndSmallBufferMemoryAreAccepted) {
  const ProducerOptions o = Parse({{"batch.size", "0"}, {"buffer.memory", "1024"}});
  EXPECT_EQ(o.batch_size, 0);
  EXPECT_EQ(o.buffer_memory, 1024);
  EXPECT_EQ(Parse({{"batch.size", "1048576"}, {"buffer.memory", "1024"}}).batch_size, 1048576);
}

// --- Invalid values ---------------------------------------------------------------------------

TEST(ProducerOptionsTest, EachInvalidValueIsAnErrorNamingThePropertyAndValue) {
  struct Case {
    const char* property;
    const char* value;
    const char* expected;  // also in the message
  };
  const Case cases[] = {
      {"bootstrap.servers", "", "required"},
      {"bootstrap.servers", "localhost", "host:port"},
      {"bootstrap.servers", "a:0", "port"},
      {"bootstrap.servers", "a:70000", "port"},
      {"bootstrap.servers", ",", "empty"},
      {"client.id", "my client", "a-z, A-Z, 0-9"},
      {"client.id", "caf\xc3\xa9", "a-z, A-Z, 0-9"},
      {"request.timeout.ms", "-1", "[0, 2147483647]"},
      {"request.timeout.ms", "abc", "[0, 2147483647]"},
      {"socket.connection.setup.timeout.ms", "-5", "[0, 9223372036854775807]"},
      {"reconnect.backoff.ms", "-1", "[0, 9223372036854775807]"},
      {"reconnect.backoff.max.ms", "x", "[0, 9223372036854775807]"},
      {"retry.backoff.ms", "-1", "[0, 9223372036854775807]"},
      {"retry.backoff.max.ms", "1.5", "[0, 9223372036854775807]"},
      {"metadata.max.age.ms", "-1", "[0, 9223372036854775807]"},
      {"allow.auto.create.topics", "yes", "true or false"},
      {"acks", "2", "all, -1, 0, 1"},
      {"acks", "ALL", "all, -1, 0, 1"},
      {"enable.idempotence", "1", "true or false"},
      {"retries", "-1", "[0, 2147483647]"},
      {"delivery.timeout.ms", "-1", "[0, 2147483647]"},
      {"max.in.flight.requests.per.connection", "0", "[1, 2147483647]"},
      {"linger.ms", "-1", "[0, 9223372036854775807]"},
      {"batch.size", "-1", "[0, 2147483647]"},
      {"buffer.memory", "-1", "[0, 9223372036854775807]"},
      {"max.block.ms", "-1", "[0, 9223372036854775807]"},
      {"max.request.size", "0", "[1, 2147483647]"},
      {"compression.type", "brotli", "none, gzip, snappy, lz4, zstd"},
      {"compression.type", "GZIP", "none, gzip, snappy, lz4, zstd"},
      {"compression.gzip.level", "0", "1..9 or -1"},
      {"compression.lz4.level", "18", "1..17"},
      {"compression.zstd.level", "23", "-131072..22"},
      {"compression.zstd.level", "-2147483648", "[-2147483647, 2147483647]"},
      {"partitioner.class", "com.example.MyPartitioner", "ProducerOptions::custom_partitioner"},
      {"partitioner.class", "org.apache.kafka.clients.producer.RoundRobinPartitioner2", "round_robin"},
      {"partitioner.ignore.keys", "maybe", "true or false"},
      {"partitioner.adaptive.partitioning.enable", "on", "true or false"},
      {"partitioner.availability.timeout.ms", "-1", "[0, 9223372036854775807]"},
      {"key.serializer", "org.apache.kafka.common.serialization.StringSerializer", "serde.h"},
      {"value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer", "serde.h"},
      {"connections.max.idle.ms", "never", "an integer"},
      {"send.buffer.bytes", "-2", "[-1, 2147483647]"},
      {"receive.buffer.bytes", "-2", "[-1, 2147483647]"},
      {"metadata.max.idle.ms", "4999", "[5000, 9223372036854775807]"},
      {"security.protocol", "SSL", "TLS and SASL"},
      {"security.protocol", "SASL_SSL", "TLS and SASL"},
      {"security.protocol", "plain", "TLS and SASL"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.property) + "=" + c.value);
    const std::string message = ParseError({{c.property, c.value}});
    EXPECT_TRUE(Contains(message, "'" + std::string(c.property) + "'")) << message;
    EXPECT_TRUE(Contains(message, c.value)) << message;
    EXPECT_TRUE(Contains(message, c.expected)) << message;
  }
}

TEST(ProducerOptionsTest, MessageFormat) {
  EXPECT_EQ(ParseError({{"linger.ms", "soon"}}),
            "invalid value 'soon' for property 'linger.ms': expected an integer in [0, 9223372036854775807]");
}

TEST(ProducerOptionsTest, UnknownPropertiesAreErrors) {
  EXPECT_EQ(ParseError({{"lingerms", "5"}}), "unknown property 'lingerms'");
  EXPECT_EQ(ParseError({{"transactional.id", "t"}, {"Acks", "all"}}),
            "unknown property 'Acks', also 'transactional.id'");
}

TEST(ProducerOptionsTest, BootstrapServersAreRequired) {
  Result<ProducerOptions> result = ProducerOptions::FromProperties({});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_TRUE(Contains(std::string(result.status().message()), "'bootstrap.servers' is required"));
}

// --- Idempotence ------------------------------------------------------------------------------

TEST(ProducerOptionsTest, ConflictsTurnUnsetIdempotenceOffQuietly) {
  EXPECT_FALSE(Parse({{"acks", "1"}}).enable_idempotence);
  EXPECT_FALSE(Parse({{"acks", "0"}}).enable_idempotence);
  EXPECT_FALSE(Parse({{"retries", "0"}}).enable_idempotence);
  EXPECT_FALSE(Parse({{"max.in.flight.requests.per.connection", "6"}}).enable_idempotence);
  // No conflict: it stays on.
  EXPECT_TRUE(Parse({{"max.in.flight.requests.per.connection", "5"}, {"retries", "1"}}).enable_idempotence);
}

TEST(ProducerOptionsTest, ConflictsWithExplicitIdempotenceAreErrorsNamingBothProperties) {
  struct Case {
    const char* property;
    const char* value;
  };
  const Case cases[] = {
      {"acks", "1"},
      {"acks", "0"},
      {"retries", "0"},
      {"max.in.flight.requests.per.connection", "6"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.property);
    const std::string message = ParseError({{"enable.idempotence", "true"}, {c.property, c.value}});
    EXPECT_TRUE(Contains(message, "enable.idempotence")) << message;
    EXPECT_TRUE(Contains(message, std::string(c.property) + "=" + c.value)) << message;
    // Explicitly off: no conflict.
    EXPECT_FALSE(Parse({{"enable.idempotence", "false"}, {c.property, c.value}}).enable_idempotence);
  }
}

TEST(ProducerOptionsTest, ValidateRefusesIdempotenceConflicts) {
  ProducerOptions acks = ValidOptions();
  acks.acks = Acks::kLeader;
  ProducerOptions retries = ValidOptions();
  retries.retries = 0;
  ProducerOptions in_flight = ValidOptions();
  in_flight.max_in_flight_requests_per_connection = 6;
  for (const ProducerOptions& o : {acks, retries, in_flight}) {
    const Status status = o.Validate();
    EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
    EXPECT_TRUE(Contains(std::string(status.message()), "enable.idempotence")) << status.ToString();
    ProducerOptions off = o;
    off.enable_idempotence = false;
    EXPECT_TRUE(off.Validate().ok()) << off.Validate().ToString();
  }
}

// --- Delivery timeout -------------------------------------------------------------------------

TEST(ProducerOptionsTest, ExplicitDeliveryTimeoutBelowLingerPlusRequestTimeoutIsAnError) {
  const std::string message = ParseError(
      {{"delivery.timeout.ms", "30000"}, {"linger.ms", "100"}, {"request.timeout.ms", "30000"}});
  EXPECT_TRUE(Contains(message, "delivery.timeout.ms=30000")) << message;
  EXPECT_TRUE(Contains(message, "linger.ms + request.timeout.ms")) << message;
  EXPECT_TRUE(Contains(message, "30100")) << message;
  // Equal is enough.
  EXPECT_EQ(Parse({{"delivery.timeout.ms", "30100"}, {"linger.ms", "100"}, {"request.timeout.ms", "30000"}})
                .delivery_timeout_ms,
            30100);
}

TEST(ProducerOptionsTest, UnsetDeliveryTimeoutGrowsToLingerPlusRequestTimeout) {
  // As KafkaProducer.configureDeliveryTimeout does.
  EXPECT_EQ(Parse({{"linger.ms", "1000"}, {"request.timeout.ms", "200000"}}).delivery_timeout_ms, 201000);
  EXPECT_EQ(Parse({{"linger.ms", "2147483647"}, {"request.timeout.ms", "2147483647"}}).delivery_timeout_ms,
            INT32_MAX);  // the sum, capped
  EXPECT_EQ(Parse({{"linger.ms", "10"}}).delivery_timeout_ms, 120000);  // large enough already
}

TEST(ProducerOptionsTest, ValidateRefusesAShortDeliveryTimeout) {
  ProducerOptions o = ValidOptions();
  o.linger_ms = 1000;
  o.delivery_timeout_ms = o.client.request_timeout_ms + 999;
  const Status status = o.Validate();
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_TRUE(Contains(std::string(status.message()), "delivery.timeout.ms")) << status.ToString();
  o.delivery_timeout_ms += 1;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

// --- Compression ------------------------------------------------------------------------------

TEST(ProducerOptionsTest, CompressionLevelsPerCodec) {
  struct Case {
    const char* codec;
    const char* property;
    int min;
    int max;
  };
  const Case cases[] = {
      {"gzip", "compression.gzip.level", 1, 9},
      {"lz4", "compression.lz4.level", 1, 17},
      {"zstd", "compression.zstd.level", -131072, 22},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.property);
    for (int level : {c.min, c.max}) {
      const ProducerOptions o = Parse({{"compression.type", c.codec}, {c.property, std::to_string(level)}});
      EXPECT_EQ(CompressionName(o.compression), c.codec);
      EXPECT_EQ(o.compression_level, level);
      // librdkafka's compression.level means the same for the chosen codec.
      EXPECT_EQ(Parse({{"compression.type", c.codec}, {"compression.level", std::to_string(level)}}).compression_level,
                level);
    }
    for (int level : {c.min - 1, c.max + 1}) {
      const std::string message = ParseError({{"compression.type", c.codec}, {c.property, std::to_string(level)}});
      EXPECT_TRUE(Contains(message, std::string("'") + c.property + "'")) << message;
      EXPECT_TRUE(Contains(message, std::to_string(level))) << message;
      const std::string generic =
          ParseError({{"compression.type", c.codec}, {"compression.level", std::to_string(level)}});
      EXPECT_TRUE(Contains(generic, "'compression.level'")) << generic;
    }
  }
  // gzip also takes -1 (Java's default value, Deflater.DEFAULT_COMPRESSION).
  EXPECT_EQ(Parse({{"compression.type", "gzip"}, {"compression.gzip.level", "-1"}}).compression_level, -1);
  // zstd's negative levels are real levels.
  EXPECT_EQ(Parse({{"compression.type", "zstd"}, {"compression.zstd.level", "-1"}}).compression_level, -1);
}

TEST(ProducerOptionsTest, LevelsOfOtherCodecsAreCheckedButNotUsed) {
  const ProducerOptions o = Parse({{"compression.type", "lz4"}, {"compression.gzip.level", "3"}});
  EXPECT_EQ(o.compression, CompressionType::kLz4);
  EXPECT_FALSE(o.compression_level.has_value());
  EXPECT_TRUE(Contains(ParseError({{"compression.type", "lz4"}, {"compression.gzip.level", "10"}}),
                       "'compression.gzip.level'"));
  // Without compression.type, levels are still checked.
  EXPECT_FALSE(Parse({{"compression.zstd.level", "5"}}).compression_level.has_value());
}

TEST(ProducerOptionsTest, GenericCompressionLevel) {
  // -1 is librdkafka's "codec default" for every codec.
  EXPECT_FALSE(Parse({{"compression.type", "zstd"}, {"compression.level", "-1"}}).compression_level.has_value());
  EXPECT_FALSE(Parse({{"compression.type", "snappy"}, {"compression.level", "-1"}}).compression_level.has_value());
  // snappy and none take no level.
  EXPECT_TRUE(Contains(ParseError({{"compression.type", "snappy"}, {"compression.level", "3"}}),
                       "'compression.level'"));
  EXPECT_TRUE(Contains(ParseError({{"compression.level", "3"}}), "'compression.level'"));
  // Two names for the chosen codec's level: ambiguous.
  const std::string both = ParseError(
      {{"compression.type", "gzip"}, {"compression.level", "3"}, {"compression.gzip.level", "4"}});
  EXPECT_TRUE(Contains(both, "'compression.level'")) << both;
  EXPECT_TRUE(Contains(both, "compression.gzip.level")) << both;
  // A level for another codec is no conflict.
  EXPECT_EQ(Parse({{"compression.type", "gzip"}, {"compression.level", "3"}, {"compression.zstd.level", "4"}})
                .compression_level,
            3);
}

TEST(ProducerOptionsTest, ValidateChecksTheLevelAgainstTheChosenCodec) {
  ProducerOptions o = ValidOptions();
  o.compression = CompressionType::kGzip;
  o.compression_level = 10;
  Status status = o.Validate();
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_TRUE(Contains(std::string(status.message()), "'compression.gzip.level'")) << status.ToString();
  o.compression = CompressionType::kZstd;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  o.compression = CompressionType::kSnappy;
  EXPECT_TRUE(Contains(std::string(o.Validate().message()), "'compression.level'")) << o.Validate().ToString();
  o.compression_level.reset();
  EXPECT_TRUE(o.Validate().ok());
  o.compression = static_cast<CompressionType>(7);
  EXPECT_TRUE(Contains(std::string(o.Validate().message()), "'compression.type'")) << o.Validate().ToString();
}

// --- Validate on fields set in code -----------------------------------------------------------

TEST(ProducerOptionsTest, ValidateNamesThePropertyOfABadField) {
  struct Case {
    const char* property;
    std::function<void(ProducerOptions&)> spoil;
  };
  const Case cases[] = {
      {"bootstrap.servers", [](ProducerOptions& o) { o.client.bootstrap_servers.clear(); }},
      {"bootstrap.servers", [](ProducerOptions& o) { o.client.bootstrap_servers = "nohost"; }},
      {"client.id", [](ProducerOptions& o) { o.client.client_id = "a/b"; }},
      {"request.timeout.ms", [](ProducerOptions& o) { o.client.request_timeout_ms = -1; }},
      {"socket.connection.setup.timeout.ms",
       [](ProducerOptions& o) { o.client.socket_connection_setup_timeout_ms = -1; }},
      {"reconnect.backoff.ms", [](ProducerOptions& o) { o.client.reconnect_backoff_ms = -1; }},
      {"reconnect.backoff.max.ms", [](ProducerOptions& o) { o.client.reconnect_backoff_max_ms = -1; }},
      {"retry.backoff.ms", [](ProducerOptions& o) { o.client.retry_backoff_ms = -1; }},
      {"retry.backoff.max.ms", [](ProducerOptions& o) { o.client.retry_backoff_max_ms = -1; }},
      {"metadata.max.age.ms", [](ProducerOptions& o) { o.client.metadata_max_age_ms = -1; }},
      {"acks", [](ProducerOptions& o) { o.acks = static_cast<Acks>(2); }},
      {"retries", [](ProducerOptions& o) { o.retries = -1; }},
      {"delivery.timeout.ms", [](ProducerOptions& o) { o.delivery_timeout_ms = -1; }},
      {"max.in.flight.requests.per.connection",
       [](ProducerOptions& o) { o.max_in_flight_requests_per_connection = 0; }},
      {"linger.ms", [](ProducerOptions& o) { o.linger_ms = -1; }},
      {"batch.size", [](ProducerOptions& o) { o.batch_size = -1; }},
      {"buffer.memory", [](ProducerOptions& o) { o.buffer_memory = -1; }},
      {"max.block.ms", [](ProducerOptions& o) { o.max_block_ms = -1; }},
      {"max.request.size", [](ProducerOptions& o) { o.max_request_size = 0; }},
      {"partitioner.class", [](ProducerOptions& o) { o.partitioner = static_cast<PartitionerKind>(9); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.property);
    ProducerOptions o = ValidOptions();
    c.spoil(o);
    const Status status = o.Validate();
    EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig) << status.ToString();
    EXPECT_TRUE(Contains(std::string(status.message()), "'" + std::string(c.property) + "'")) << status.ToString();
  }
}

TEST(ProducerOptionsTest, CustomPartitionerKindNeedsAPartitioner) {
  ProducerOptions o = ValidOptions();
  o.partitioner = PartitionerKind::kCustom;
  const Status status = o.Validate();
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_TRUE(Contains(std::string(status.message()), "custom_partitioner")) << status.ToString();
  o.custom_partitioner = std::make_shared<FixedPartitioner>();
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

TEST(ProducerOptionsTest, AnEmptyClientIdIsAllowed) {
  ProducerOptions o = ValidOptions();
  o.client.client_id.clear();
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

}  // namespace
}  // namespace kclient
