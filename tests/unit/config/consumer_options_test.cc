// ConsumerOptions from Kafka properties and ConsumerOptions::Validate: every property, Java's
// defaults and ranges, the rules between options (auto commit without a group, heartbeat against
// session timeout, static member ids, assignors), what is not supported yet, and errors that name
// the property at fault.
#include "kclient/consumer_options.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

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
ConsumerOptions Parse(Properties extra) {
  Result<ConsumerOptions> result = ConsumerOptions::FromProperties(With(std::move(extra)));
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? std::move(result).value() : ConsumerOptions{};
}

// The error of FromProperties(With(extra)), which must fail with kLocalInvalidConfig.
std::string ParseError(Properties extra) {
  Result<ConsumerOptions> result = ConsumerOptions::FromProperties(With(std::move(extra)));
  EXPECT_FALSE(result.ok());
  if (result.ok()) return "";
  EXPECT_EQ(result.status().code(), ErrorCode::kLocalInvalidConfig) << result.status().ToString();
  return std::string(result.status().message());
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

ConsumerOptions ValidOptions() {
  ConsumerOptions options;
  options.client.bootstrap_servers = kBootstrap;
  return options;
}

std::string ValidateError(const ConsumerOptions& options) {
  const Status status = options.Validate();
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig) << status.ToString();
  return std::string(status.message());
}

using Strategies = std::vector<AssignmentStrategy>;

// --- Defaults --------------------------------------------------------------------------------

// Every default but enable.auto.commit, which depends on group.id (see AutoCommit* below).
void ExpectJavaDefaults(const ConsumerOptions& o) {
  // ConsumerConfig / CommonClientConfigs, Kafka 4.x.
  EXPECT_EQ(o.client.request_timeout_ms, 30000);
  EXPECT_EQ(o.client.socket_connection_setup_timeout_ms, 10000);
  EXPECT_EQ(o.client.reconnect_backoff_ms, 50);
  EXPECT_EQ(o.client.reconnect_backoff_max_ms, 1000);
  EXPECT_EQ(o.client.retry_backoff_ms, 100);
  EXPECT_EQ(o.client.retry_backoff_max_ms, 1000);
  EXPECT_EQ(o.client.metadata_max_age_ms, 300000);
  EXPECT_TRUE(o.client.allow_auto_create_topics);
  EXPECT_FALSE(o.group_instance_id.has_value());
  EXPECT_EQ(o.session_timeout_ms, 45000);
  EXPECT_EQ(o.heartbeat_interval_ms, 3000);
  EXPECT_EQ(o.max_poll_interval_ms, 300000);
  EXPECT_EQ(o.assignment_strategies, (Strategies{AssignmentStrategy::kRange, AssignmentStrategy::kCooperativeSticky}));
  EXPECT_FALSE(o.client_rack.has_value());
  EXPECT_EQ(o.auto_commit_interval_ms, 5000);
  EXPECT_EQ(o.auto_offset_reset, OffsetReset::kLatest);
  EXPECT_EQ(o.max_poll_records, 500);
  EXPECT_EQ(o.fetch_min_bytes, 1);
  EXPECT_EQ(o.fetch_max_bytes, 52428800);
  EXPECT_EQ(o.fetch_max_wait_ms, 500);
  EXPECT_EQ(o.max_partition_fetch_bytes, 1048576);
  EXPECT_EQ(o.isolation_level, IsolationLevel::kReadUncommitted);
  EXPECT_TRUE(o.check_crcs);
  EXPECT_TRUE(o.exclude_internal_topics);
  // Not Java's: Java's client.id defaults to "consumer-<group>-<n>".
  EXPECT_EQ(o.client.client_id, "kclient");
}

TEST(ConsumerOptionsTest, DefaultsAreJavas) {
  ExpectJavaDefaults(ConsumerOptions{});
  EXPECT_TRUE(ConsumerOptions{}.enable_auto_commit);
  EXPECT_TRUE(ConsumerOptions{}.group_id.empty());

  const ConsumerOptions grouped = Parse({{"group.id", "g"}});
  ExpectJavaDefaults(grouped);
  EXPECT_EQ(grouped.group_id, "g");
  EXPECT_TRUE(grouped.enable_auto_commit);
  EXPECT_EQ(grouped.client.bootstrap_servers, kBootstrap);

  ExpectJavaDefaults(Parse({}));
}

TEST(ConsumerOptionsTest, DefaultsWithBootstrapServersAreValid) {
  // Also with enable_auto_commit (default true) and no group: see AutoCommitWithoutAGroup*.
  EXPECT_TRUE(ValidOptions().Validate().ok()) << ValidOptions().Validate().ToString();
  ConsumerOptions grouped = ValidOptions();
  grouped.group_id = "g";
  EXPECT_TRUE(grouped.Validate().ok()) << grouped.Validate().ToString();
}

// --- Every property ---------------------------------------------------------------------------

TEST(ConsumerOptionsTest, EveryPropertyParses) {
  const ConsumerOptions o = Parse({
      {"bootstrap.servers", "a:1, [::1]:2"},
      {"client.id", "billing_1.x"},
      {"request.timeout.ms", "20000"},
      {"socket.connection.setup.timeout.ms", "7000"},
      {"reconnect.backoff.ms", "10"},
      {"reconnect.backoff.max.ms", "500"},
      {"retry.backoff.ms", "20"},
      {"retry.backoff.max.ms", "600"},
      {"metadata.max.age.ms", "60000"},
      {"allow.auto.create.topics", "false"},
      {"connections.max.idle.ms", "540000"},
      {"send.buffer.bytes", "131072"},
      {"receive.buffer.bytes", "-1"},
      {"security.protocol", "PLAINTEXT"},
      {"group.id", " billing "},
      {"group.instance.id", "billing-0"},
      {"group.protocol", "CLASSIC"},
      {"group.remote.assignor", ""},
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
      {"max.poll.interval.ms", "60000"},
      {"partition.assignment.strategy", "org.apache.kafka.clients.consumer.StickyAssignor, roundrobin"},
      {"client.rack", "eu-west-1a"},
      {"enable.auto.commit", "FALSE"},
      {"auto.commit.interval.ms", "0"},
      {"auto.offset.reset", "earliest"},
      {"max.poll.records", "1"},
      {"fetch.min.bytes", "0"},
      {"fetch.max.bytes", "0"},
      {"fetch.max.wait.ms", "0"},
      {"max.partition.fetch.bytes", "0"},
      {"isolation.level", "read_committed"},
      {"check.crcs", "false"},
      {"exclude.internal.topics", "false"},
  });
  EXPECT_EQ(o.client.bootstrap_servers, "a:1, [::1]:2");
  EXPECT_EQ(o.client.client_id, "billing_1.x");
  EXPECT_EQ(o.client.request_timeout_ms, 20000);
  EXPECT_EQ(o.client.socket_connection_setup_timeout_ms, 7000);
  EXPECT_EQ(o.client.reconnect_backoff_ms, 10);
  EXPECT_EQ(o.client.reconnect_backoff_max_ms, 500);
  EXPECT_EQ(o.client.retry_backoff_ms, 20);
  EXPECT_EQ(o.client.retry_backoff_max_ms, 600);
  EXPECT_EQ(o.client.metadata_max_age_ms, 60000);
  EXPECT_FALSE(o.client.allow_auto_create_topics);
  EXPECT_EQ(o.group_id, "billing");  // trimmed, as Java trims
  EXPECT_EQ(o.group_instance_id, "billing-0");
  EXPECT_EQ(o.session_timeout_ms, 10000);
  EXPECT_EQ(o.heartbeat_interval_ms, 1000);
  EXPECT_EQ(o.max_poll_interval_ms, 60000);
  EXPECT_EQ(o.assignment_strategies, (Strategies{AssignmentStrategy::kSticky, AssignmentStrategy::kRoundRobin}));
  EXPECT_EQ(o.client_rack, "eu-west-1a");
  EXPECT_FALSE(o.enable_auto_commit);
  EXPECT_EQ(o.auto_commit_interval_ms, 0);
  EXPECT_EQ(o.auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_EQ(o.max_poll_records, 1);
  EXPECT_EQ(o.fetch_min_bytes, 0);
  EXPECT_EQ(o.fetch_max_bytes, 0);
  EXPECT_EQ(o.fetch_max_wait_ms, 0);
  EXPECT_EQ(o.max_partition_fetch_bytes, 0);
  EXPECT_EQ(o.isolation_level, IsolationLevel::kReadCommitted);
  EXPECT_FALSE(o.check_crcs);
  EXPECT_FALSE(o.exclude_internal_topics);
}

TEST(ConsumerOptionsTest, EnumSpellings) {
  EXPECT_EQ(Parse({{"auto.offset.reset", "latest"}}).auto_offset_reset, OffsetReset::kLatest);
  EXPECT_EQ(Parse({{"auto.offset.reset", "earliest"}}).auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_EQ(Parse({{"auto.offset.reset", " none "}}).auto_offset_reset, OffsetReset::kNone);
  EXPECT_EQ(Parse({{"isolation.level", "read_uncommitted"}}).isolation_level, IsolationLevel::kReadUncommitted);
  EXPECT_EQ(Parse({{"isolation.level", "read_committed"}}).isolation_level, IsolationLevel::kReadCommitted);
  // group.protocol matches case-insensitively, as Java's CaseInsensitiveValidString.
  for (const char* classic : {"classic", "Classic", "CLASSIC"}) Parse({{"group.protocol", classic}});
}

TEST(ConsumerOptionsTest, AssignorsByProtocolOrJavaClassName) {
  struct Case {
    const char* name;
    AssignmentStrategy strategy;
  };
  const Case cases[] = {
      {"range", AssignmentStrategy::kRange},
      {"roundrobin", AssignmentStrategy::kRoundRobin},
      {"sticky", AssignmentStrategy::kSticky},
      {"cooperative-sticky", AssignmentStrategy::kCooperativeSticky},
      {"org.apache.kafka.clients.consumer.RangeAssignor", AssignmentStrategy::kRange},
      {"org.apache.kafka.clients.consumer.RoundRobinAssignor", AssignmentStrategy::kRoundRobin},
      {"org.apache.kafka.clients.consumer.StickyAssignor", AssignmentStrategy::kSticky},
      {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", AssignmentStrategy::kCooperativeSticky},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(Parse({{"partition.assignment.strategy", c.name}}).assignment_strategies, Strategies{c.strategy});
  }
  // Order is preference order; blanks around and between the names are dropped.
  EXPECT_EQ(Parse({{"partition.assignment.strategy", " cooperative-sticky ,, range ,"}}).assignment_strategies,
            (Strategies{AssignmentStrategy::kCooperativeSticky, AssignmentStrategy::kRange}));
  EXPECT_EQ(Parse({{"partition.assignment.strategy",
                    "org.apache.kafka.clients.consumer.RangeAssignor,org.apache.kafka.clients.consumer."
                    "CooperativeStickyAssignor"}})
                .assignment_strategies,
            (Strategies{AssignmentStrategy::kRange, AssignmentStrategy::kCooperativeSticky}));
}

TEST(ConsumerOptionsTest, AnEmptyClientRackIsNoRack) {
  // Java's default client.rack is "".
  EXPECT_FALSE(Parse({{"client.rack", ""}}).client_rack.has_value());
  EXPECT_FALSE(Parse({{"client.rack", "  "}}).client_rack.has_value());
}

TEST(ConsumerOptionsTest, IntPropertiesAreNotWidened) {
  // Every consumer duration is an INT in Java, which refuses these too.
  for (const char* property : {"session.timeout.ms", "max.poll.interval.ms", "fetch.max.wait.ms"}) {
    SCOPED_TRACE(property);
    const std::string message = ParseError({{property, "2147483648"}});
    EXPECT_TRUE(Contains(message, std::string("'") + property + "'")) << message;
    EXPECT_TRUE(Contains(message, ", 2147483647]")) << message;
  }
  EXPECT_EQ(Parse({{"max.poll.interval.ms", "2147483647"}}).max_poll_interval_ms, 2147483647);
}

// --- Invalid values ---------------------------------------------------------------------------

TEST(ConsumerOptionsTest, EachInvalidValueIsAnErrorNamingThePropertyAndValue) {
  struct Case {
    const char* property;
    const char* value;
    const char* expected;  // also in the message
  };
  const Case cases[] = {
      {"bootstrap.servers", "localhost", "host:port"},
      {"client.id", "my client", "a-z, A-Z, 0-9"},
      {"request.timeout.ms", "-1", "[0, 2147483647]"},
      {"metadata.max.age.ms", "-1", "[0, 9223372036854775807]"},
      {"security.protocol", "SASL_SSL", "TLS and SASL"},
      {"session.timeout.ms", "0", "[1, 2147483647]"},
      {"heartbeat.interval.ms", "0", "[1, 2147483647]"},
      {"heartbeat.interval.ms", "1s", "[1, 2147483647]"},
      {"max.poll.interval.ms", "0", "[1, 2147483647]"},
      {"auto.commit.interval.ms", "-1", "[0, 2147483647]"},
      {"max.poll.records", "0", "[1, 2147483647]"},
      {"fetch.min.bytes", "-1", "[0, 2147483647]"},
      {"fetch.max.bytes", "-1", "[0, 2147483647]"},
      {"fetch.max.wait.ms", "-1", "[0, 2147483647]"},
      {"max.partition.fetch.bytes", "-1", "[0, 2147483647]"},
      {"enable.auto.commit", "yes", "true or false"},
      {"check.crcs", "1", "true or false"},
      {"exclude.internal.topics", "no", "true or false"},
      {"auto.offset.reset", "smallest", "latest, earliest, none"},
      {"auto.offset.reset", "LATEST", "latest, earliest, none"},
      {"auto.offset.reset", "by_duration:PT1H", "not supported yet"},
      {"auto.offset.reset", "by_duration", "not supported yet"},
      {"isolation.level", "READ_COMMITTED", "read_uncommitted, read_committed"},
      {"isolation.level", "serializable", "read_uncommitted, read_committed"},
      {"group.protocol", "consumer", "not supported yet"},
      {"group.protocol", "CONSUMER", "not supported yet"},
      {"group.protocol", "share", "expected classic"},
      {"group.remote.assignor", "uniform", "not supported yet"},
      {"partition.assignment.strategy", "com.example.MyAssignor", "custom assignors are not supported yet"},
      {"partition.assignment.strategy", "Range", "cooperative-sticky"},
      {"partition.assignment.strategy", "org.apache.kafka.clients.consumer.RangeAssignor2", "RangeAssignor"},
      {"group.instance.id", "", "non-empty"},
      {"group.instance.id", "a b", "a-z, A-Z, 0-9"},
      {"group.instance.id", "..", "'.' and '..'"},
      {"client.id", "caf\xc3\xa9", "a-z, A-Z, 0-9"},
      {"key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer", "serde.h"},
      {"value.deserializer", "org.apache.kafka.common.serialization.ByteArrayDeserializer", "serde.h"},
      {"default.api.timeout.ms", "60000", "timeout as an argument"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.property) + "=" + c.value);
    const std::string message = ParseError({{c.property, c.value}});
    EXPECT_TRUE(Contains(message, "'" + std::string(c.property) + "'")) << message;
    EXPECT_TRUE(Contains(message, c.value)) << message;
    EXPECT_TRUE(Contains(message, c.expected)) << message;
  }
}

TEST(ConsumerOptionsTest, MessageFormat) {
  EXPECT_EQ(ParseError({{"max.poll.records", "many"}}),
            "invalid value 'many' for property 'max.poll.records': expected an integer in [1, 2147483647]");
  EXPECT_EQ(ParseError({{"auto.offset.reset", "by_duration:P1D"}}),
            "invalid value 'by_duration:P1D' for property 'auto.offset.reset': expected one of latest, earliest, "
            "none; by_duration:<duration> (KIP-1106) is not supported yet");
}

TEST(ConsumerOptionsTest, UnknownPropertiesAreErrors) {
  EXPECT_EQ(ParseError({{"groupid", "g"}}), "unknown property 'groupid'");
  // Producer properties, and metadata.max.idle.ms (a producer property Java's ConsumerConfig
  // does not define), are unknown to the consumer.
  EXPECT_EQ(ParseError({{"linger.ms", "5"}, {"metadata.max.idle.ms", "5000"}}),
            "unknown property 'linger.ms', also 'metadata.max.idle.ms'");
}

TEST(ConsumerOptionsTest, BootstrapServersAreRequired) {
  Result<ConsumerOptions> result = ConsumerOptions::FromProperties({{"group.id", "g"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_TRUE(Contains(std::string(result.status().message()), "'bootstrap.servers' is required"));
}

TEST(ConsumerOptionsTest, AnExplicitEmptyGroupIdIsAnError) {
  // Java 4 refuses an empty or blank group.id; leaving it unset means no group.
  for (const char* empty : {"", "   "}) {
    SCOPED_TRACE(std::string("'") + empty + "'");
    const std::string message = ParseError({{"group.id", empty}});
    EXPECT_TRUE(Contains(message, "'group.id'")) << message;
    EXPECT_TRUE(Contains(message, "leave group.id unset")) << message;
  }
}

TEST(ConsumerOptionsTest, ABlankRemoteAssignorIsAccepted) {
  // As Java accepts it under the classic protocol (Parse expects success).
  Parse({{"group.remote.assignor", " "}});
  Parse({{"group.remote.assignor", ""}, {"group.id", "g"}});
}

// --- Assignors --------------------------------------------------------------------------------

TEST(ConsumerOptionsTest, AnEmptyAssignorListIsAnError) {
  for (const char* empty : {"", " , ,"}) {
    SCOPED_TRACE(std::string("'") + empty + "'");
    const std::string message = ParseError({{"partition.assignment.strategy", empty}});
    EXPECT_TRUE(Contains(message, "'partition.assignment.strategy'")) << message;
    EXPECT_TRUE(Contains(message, "at least one assignor")) << message;
  }
}

TEST(ConsumerOptionsTest, AnAssignorListedTwiceIsAnError) {
  // Also under two spellings.
  for (const char* list : {"range,range", "range, org.apache.kafka.clients.consumer.RangeAssignor"}) {
    SCOPED_TRACE(list);
    const std::string message = ParseError({{"partition.assignment.strategy", list}});
    EXPECT_TRUE(Contains(message, "'partition.assignment.strategy'")) << message;
    EXPECT_TRUE(Contains(message, "the range assignor is listed already")) << message;
  }
}

TEST(ConsumerOptionsTest, ValidateChecksTheAssignors) {
  ConsumerOptions o = ValidOptions();
  o.assignment_strategies.clear();
  EXPECT_TRUE(Contains(ValidateError(o), "at least one assignor"));
  o.assignment_strategies = {AssignmentStrategy::kSticky, AssignmentStrategy::kRange, AssignmentStrategy::kSticky};
  const std::string twice = ValidateError(o);
  EXPECT_TRUE(Contains(twice, "'sticky'")) << twice;
  EXPECT_TRUE(Contains(twice, "listed twice")) << twice;
  o.assignment_strategies = {AssignmentStrategy::kRange, static_cast<AssignmentStrategy>(9)};
  EXPECT_TRUE(Contains(ValidateError(o), "'partition.assignment.strategy'"));
  o.assignment_strategies = {AssignmentStrategy::kRoundRobin};
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

// --- Auto commit without a group ---------------------------------------------------------------

TEST(ConsumerOptionsTest, AutoCommitLeftUnsetTurnsOffWithoutAGroup) {
  // Java's ConsumerConfig.maybeOverrideEnableAutoCommit.
  EXPECT_FALSE(Parse({}).enable_auto_commit);
  EXPECT_FALSE(Parse({{"auto.commit.interval.ms", "100"}}).enable_auto_commit);
  EXPECT_TRUE(Parse({{"group.id", "g"}}).enable_auto_commit);
}

TEST(ConsumerOptionsTest, ExplicitAutoCommitWithoutAGroupIsAnError) {
  for (const char* on : {"true", "TRUE"}) {
    const std::string message = ParseError({{"enable.auto.commit", on}});
    EXPECT_TRUE(Contains(message, "enable.auto.commit=true")) << message;
    EXPECT_TRUE(Contains(message, "group.id")) << message;
  }
  EXPECT_FALSE(Parse({{"enable.auto.commit", "false"}}).enable_auto_commit);
  EXPECT_TRUE(Parse({{"enable.auto.commit", "true"}, {"group.id", "g"}}).enable_auto_commit);
}

TEST(ConsumerOptionsTest, ValidateAcceptsAutoCommitWithoutAGroup) {
  // A struct cannot tell the default from a choice; without a group nothing is committed.
  ConsumerOptions o = ValidOptions();
  o.enable_auto_commit = true;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

// --- Heartbeat against session timeout --------------------------------------------------------

TEST(ConsumerOptionsTest, HeartbeatMustBeLowerThanTheSessionTimeoutInAGroup) {
  for (const char* heartbeat : {"10000", "10001"}) {
    SCOPED_TRACE(heartbeat);
    const std::string message =
        ParseError({{"group.id", "g"}, {"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", heartbeat}});
    EXPECT_TRUE(Contains(message, std::string("heartbeat.interval.ms=") + heartbeat)) << message;
    EXPECT_TRUE(Contains(message, "lower than session.timeout.ms=10000")) << message;
  }
  EXPECT_EQ(Parse({{"group.id", "g"}, {"session.timeout.ms", "10000"}, {"heartbeat.interval.ms", "9999"}})
                .heartbeat_interval_ms,
            9999);
  // The default heartbeat against a short session timeout.
  EXPECT_TRUE(Contains(ParseError({{"group.id", "g"}, {"session.timeout.ms", "3000"}}), "heartbeat.interval.ms=3000"));
}

TEST(ConsumerOptionsTest, HeartbeatIsNotCheckedWithoutAGroup) {
  // As in Java, which builds its Heartbeat only for a group.
  EXPECT_EQ(Parse({{"session.timeout.ms", "1000"}, {"heartbeat.interval.ms", "5000"}}).heartbeat_interval_ms, 5000);
  ConsumerOptions o = ValidOptions();
  o.heartbeat_interval_ms = o.session_timeout_ms;
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  o.group_id = "g";
  EXPECT_TRUE(Contains(ValidateError(o), "must be lower than session.timeout.ms"));
}

// --- Static membership ------------------------------------------------------------------------

TEST(ConsumerOptionsTest, GroupInstanceIdFollowsJavasRules) {
  // JoinGroupRequest.validateGroupInstanceId, applied with or without a group.id.
  const std::string longest(249, 'a');
  for (const std::string& valid : {std::string("valid"), std::string("_0-9_."), std::string("..."), longest}) {
    SCOPED_TRACE(valid);
    EXPECT_EQ(Parse({{"group.instance.id", valid}}).group_instance_id, valid);
    EXPECT_EQ(Parse({{"group.instance.id", valid}, {"group.id", "g"}}).group_instance_id, valid);
  }
  for (const std::string& invalid :
       {std::string("foo bar"), std::string("."), std::string(".."), std::string("foo:bar"), std::string(250, 'a')}) {
    SCOPED_TRACE(invalid);
    const std::string message = ParseError({{"group.instance.id", invalid}, {"group.id", "g"}});
    EXPECT_TRUE(Contains(message, "'group.instance.id'")) << message;
  }
  EXPECT_TRUE(Contains(ParseError({{"group.instance.id", std::string(250, 'a')}}), "at most 249 characters"));
}

// --- Validate on fields set in code -----------------------------------------------------------

TEST(ConsumerOptionsTest, ValidateNamesThePropertyOfABadField) {
  struct Case {
    const char* property;
    std::function<void(ConsumerOptions&)> spoil;
  };
  const Case cases[] = {
      {"bootstrap.servers", [](ConsumerOptions& o) { o.client.bootstrap_servers.clear(); }},
      {"client.id", [](ConsumerOptions& o) { o.client.client_id = "a/b"; }},
      {"request.timeout.ms", [](ConsumerOptions& o) { o.client.request_timeout_ms = -1; }},
      {"retry.backoff.ms", [](ConsumerOptions& o) { o.client.retry_backoff_ms = -1; }},
      {"group.id", [](ConsumerOptions& o) { o.group_id = " \t"; }},
      {"group.instance.id", [](ConsumerOptions& o) { o.group_instance_id = ""; }},
      {"group.instance.id", [](ConsumerOptions& o) { o.group_instance_id = "x/y"; }},
      {"session.timeout.ms", [](ConsumerOptions& o) { o.session_timeout_ms = 0; }},
      {"heartbeat.interval.ms", [](ConsumerOptions& o) { o.heartbeat_interval_ms = 0; }},
      {"max.poll.interval.ms", [](ConsumerOptions& o) { o.max_poll_interval_ms = 0; }},
      {"partition.assignment.strategy", [](ConsumerOptions& o) { o.assignment_strategies.clear(); }},
      {"client.rack", [](ConsumerOptions& o) { o.client_rack = ""; }},
      {"auto.commit.interval.ms", [](ConsumerOptions& o) { o.auto_commit_interval_ms = -1; }},
      {"auto.offset.reset", [](ConsumerOptions& o) { o.auto_offset_reset = static_cast<OffsetReset>(3); }},
      {"max.poll.records", [](ConsumerOptions& o) { o.max_poll_records = 0; }},
      {"fetch.min.bytes", [](ConsumerOptions& o) { o.fetch_min_bytes = -1; }},
      {"fetch.max.bytes", [](ConsumerOptions& o) { o.fetch_max_bytes = -1; }},
      {"fetch.max.wait.ms", [](ConsumerOptions& o) { o.fetch_max_wait_ms = -1; }},
      {"max.partition.fetch.bytes", [](ConsumerOptions& o) { o.max_partition_fetch_bytes = -1; }},
      {"isolation.level", [](ConsumerOptions& o) { o.isolation_level = static_cast<IsolationLevel>(2); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.property);
    ConsumerOptions o = ValidOptions();
    c.spoil(o);
    const std::string message = ValidateError(o);
    EXPECT_TRUE(Contains(message, "'" + std::string(c.property) + "'")) << message;
  }
}

TEST(ConsumerOptionsTest, ValidateAcceptsTheEdgesOfEachRange) {
  ConsumerOptions o = ValidOptions();
  o.group_id = "g";
  o.group_instance_id = std::string(249, 'z');
  o.session_timeout_ms = 2;
  o.heartbeat_interval_ms = 1;
  o.max_poll_interval_ms = 1;
  o.auto_commit_interval_ms = 0;
  o.max_poll_records = 1;
  o.fetch_min_bytes = 0;
  o.fetch_max_bytes = 0;
  o.fetch_max_wait_ms = 0;
  o.max_partition_fetch_bytes = 0;
  o.client_rack = "r";
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
}

}  // namespace
}  // namespace kclient
