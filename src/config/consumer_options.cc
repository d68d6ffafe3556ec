// ConsumerOptions::Validate and ConsumerOptions::FromProperties: the consumer's Kafka properties,
// their ranges and the rules between them (Java's ConsumerConfig, ClassicKafkaConsumer and
// GroupRebalanceConfig, Kafka 4.x, unless a comment says otherwise). The ClientOptions part is
// config/client_config's.
//
// Thread-safety: functions without shared state.
#include "kclient/consumer_options.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/client_config.h"
#include "config/int32_option.h"
#include "config/property_parser.h"

namespace kclient {
namespace {

using config::EnumName;
using config::Int32Option;
using config::InvalidProperty;
using config::JavaType;
using config::PropertyParser;

// Every one of these is an INT in Java's ConsumerConfig.
constexpr std::array<Int32Option<ConsumerOptions>, 9> kInt32Options = {{
    // Java declares no bound on the two group timings (the broker bounds the session timeout by
    // group.min/max.session.timeout.ms); a timing below 1 ms means nothing, so it is refused.
    {"session.timeout.ms", &ConsumerOptions::session_timeout_ms, 1, JavaType::kInt},
    {"heartbeat.interval.ms", &ConsumerOptions::heartbeat_interval_ms, 1, JavaType::kInt},
    {"max.poll.interval.ms", &ConsumerOptions::max_poll_interval_ms, 1, JavaType::kInt},
    // 0 is allowed, as in Java: every Poll commits.
    {"auto.commit.interval.ms", &ConsumerOptions::auto_commit_interval_ms, 0, JavaType::kInt},
    {"max.poll.records", &ConsumerOptions::max_poll_records, 1, JavaType::kInt},
    {"fetch.min.bytes", &ConsumerOptions::fetch_min_bytes, 0, JavaType::kInt},
    {"fetch.max.bytes", &ConsumerOptions::fetch_max_bytes, 0, JavaType::kInt},
    {"fetch.max.wait.ms", &ConsumerOptions::fetch_max_wait_ms, 0, JavaType::kInt},
    {"max.partition.fetch.bytes", &ConsumerOptions::max_partition_fetch_bytes, 0, JavaType::kInt},
}};

constexpr std::string_view kAssignmentStrategy = "partition.assignment.strategy";

// An assignor by its protocol name (what JoinGroup carries, and librdkafka's spelling) and by the
// Java class that implements it, so a Java config keeps working.
struct AssignorName {
  AssignmentStrategy strategy;
  std::string_view protocol;
  std::string_view java_class;
};
constexpr std::array<AssignorName, 4> kAssignors = {{
    {AssignmentStrategy::kRange, "range", "org.apache.kafka.clients.consumer.RangeAssignor"},
    {AssignmentStrategy::kRoundRobin, "roundrobin", "org.apache.kafka.clients.consumer.RoundRobinAssignor"},
    {AssignmentStrategy::kSticky, "sticky", "org.apache.kafka.clients.consumer.StickyAssignor"},
    {AssignmentStrategy::kCooperativeSticky, "cooperative-sticky",
     "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"},
}};
constexpr std::string_view kExpectedAssignors =
    "expected assignors among range, roundrobin, sticky, cooperative-sticky (or their Java classes "
    "org.apache.kafka.clients.consumer.RangeAssignor, RoundRobinAssignor, StickyAssignor, "
    "CooperativeStickyAssignor); custom assignors are not supported yet";

constexpr std::array<EnumName<OffsetReset>, 3> kOffsetResetNames = {{
    {"latest", OffsetReset::kLatest},
    {"earliest", OffsetReset::kEarliest},
    {"none", OffsetReset::kNone},
}};
constexpr std::string_view kExpectedOffsetReset = "expected one of latest, earliest, none";

constexpr std::array<EnumName<IsolationLevel>, 2> kIsolationLevelNames = {{
    {"read_uncommitted", IsolationLevel::kReadUncommitted},
    {"read_committed", IsolationLevel::kReadCommitted},
}};

// JoinGroupRequest.validateGroupInstanceId: a static member id obeys the topic name rules.
constexpr size_t kMaxGroupInstanceIdLength = 249;

const AssignorName* FindAssignor(std::string_view name) {
  for (const AssignorName& assignor : kAssignors) {
    if (name == assignor.protocol || name == assignor.java_class) return &assignor;
  }
  return nullptr;
}

const AssignorName* FindAssignor(AssignmentStrategy strategy) {
  for (const AssignorName& assignor : kAssignors) {
    if (assignor.strategy == strategy) return &assignor;
  }
  return nullptr;
}

// ASCII only, whatever the locale, as Java's Topic.containsValidPattern.
bool IsLegalIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
}

std::string Lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// --- Reading properties ------------------------------------------------------------------------

// partition.assignment.strategy. An empty list is left for Validate, which refuses it whatever
// its origin.
void ReadAssignors(PropertyParser* parser, ConsumerOptions* options) {
  const auto names = parser->List(kAssignmentStrategy);
  if (!names) return;
  std::vector<AssignmentStrategy> strategies;
  for (const std::string& name : *names) {
    const AssignorName* assignor = FindAssignor(name);
    if (assignor == nullptr) {
      parser->Reject(kAssignmentStrategy, name, kExpectedAssignors);
      return;
    }
    // Refused as Java 4.2 refuses duplicates in a list property (KIP-1161); here two spellings
    // of one assignor are duplicates too.
    if (std::find(strategies.begin(), strategies.end(), assignor->strategy) != strategies.end()) {
      parser->Reject(kAssignmentStrategy, name,
                     "the " + std::string(assignor->protocol) + " assignor is listed already; list each assignor once");
      return;
    }
    strategies.push_back(assignor->strategy);
  }
  options->assignment_strategies = std::move(strategies);
}

void ReadGroup(PropertyParser* parser, ConsumerOptions* options) {
  if (auto group_id = parser->String("group.id")) {
    // Java 4 refuses an empty (or blank) group.id; here an empty group_id means "no group", so
    // an explicit empty one is refused rather than read as that.
    if (group_id->empty()) {
      parser->Reject("group.id", *group_id, "expected a group id; leave group.id unset to consume without a group");
    } else {
      options->group_id = std::move(*group_id);
    }
  }
  // Checked by Validate (Java's JoinGroupRequest.validateGroupInstanceId).
  if (auto instance_id = parser->String("group.instance.id")) options->group_instance_id = std::move(*instance_id);

  // group.protocol=consumer is KIP-848's protocol (ConsumerGroupHeartbeat, assignment by the
  // broker). Only the classic protocol is implemented. Java matches the names case-insensitively.
  if (const auto protocol = parser->String("group.protocol")) {
    const std::string name = Lowercase(*protocol);
    if (name == "consumer") {
      parser->Reject("group.protocol", *protocol,
                     "the consumer group protocol (KIP-848) is not supported yet; expected classic");
    } else if (name != "classic") {
      parser->Reject("group.protocol", *protocol, "expected classic (consumer is not supported yet)");
    }
  }
  // The broker-side assignor of the consumer protocol. Java refuses it under the classic protocol
  // unless it is blank.
  if (const auto assignor = parser->String("group.remote.assignor"); assignor && !assignor->empty()) {
    parser->Reject("group.remote.assignor", *assignor,
                   "it applies only to group.protocol=consumer, which is not supported yet; remove it");
  }

  ReadAssignors(parser, options);

  // Java's default "" means no rack, and so does an empty value here.
  if (auto rack = parser->String("client.rack"); rack && !rack->empty()) options->client_rack = std::move(*rack);
}

void ReadOffsetReset(PropertyParser* parser, ConsumerOptions* options) {
  const std::optional<std::string> text = parser->String("auto.offset.reset");
  if (!text) return;
  for (const EnumName<OffsetReset>& entry : kOffsetResetNames) {
    if (entry.name == *text) {
      options->auto_offset_reset = entry.value;
      return;
    }
  }
  // Kafka 4.0 added by_duration:<ISO-8601 duration> (KIP-1106): reset to the offset of that long
  // ago. Not implemented; said so rather than "unknown".
  if (text->starts_with("by_duration")) {
    parser->Reject("auto.offset.reset", *text,
                   std::string(kExpectedOffsetReset) + "; by_duration:<duration> (KIP-1106) is not supported yet");
    return;
  }
  parser->Reject("auto.offset.reset", *text, kExpectedOffsetReset);
}

void ReadConsumerProperties(PropertyParser* parser, ConsumerOptions* options) {
  config::ReadClientProperties(parser, &options->client);
  config::ReadInt32Options<ConsumerOptions>(parser, kInt32Options, options);
  ReadGroup(parser, options);
  if (const auto commit = parser->Bool("enable.auto.commit")) options->enable_auto_commit = *commit;
  ReadOffsetReset(parser, options);
  if (const auto level = parser->Enum<IsolationLevel>("isolation.level", kIsolationLevelNames)) {
    options->isolation_level = *level;
  }
  if (const auto check = parser->Bool("check.crcs")) options->check_crcs = *check;
  if (const auto exclude = parser->Bool("exclude.internal.topics")) options->exclude_internal_topics = *exclude;

  // Java names deserializer classes here; in C++ a deserializer is a type given to the consumer.
  for (const std::string_view property : {"key.deserializer", "value.deserializer"}) {
    if (const auto value = parser->String(property)) {
      parser->Reject(property, *value,
                     "deserializers are C++ types in kclient, not properties (see kclient/serde.h); remove it");
    }
  }
  // Java's default timeout of its blocking calls. Here each call takes its timeout as an argument
  // (defaulting to Java's 60000), so the property would be silently without effect: refused.
  if (const auto value = parser->String("default.api.timeout.ms")) {
    parser->Reject("default.api.timeout.ms", *value,
                   "the Consumer's blocking calls take their timeout as an argument; remove it");
  }
}

// Java's ConsumerConfig.maybeOverrideEnableAutoCommit: without a group.id there is nowhere to
// commit to, so auto commit turns off quietly when left unset and is an error when asked for.
Status ApplyAutoCommitRule(const PropertyParser& parser, ConsumerOptions* options) {
  if (!options->group_id.empty()) return Status::Ok();
  if (!parser.IsSet("enable.auto.commit")) {
    options->enable_auto_commit = false;
    return Status::Ok();
  }
  if (!options->enable_auto_commit) return Status::Ok();
  return Status(ErrorCode::kLocalInvalidConfig,
                "enable.auto.commit=true needs a group.id to commit to; set group.id or enable.auto.commit=false");
}

// --- Checking fields ---------------------------------------------------------------------------

Status CheckGroupId(const std::string& group_id) {
  // Empty is "no group"; blank is what Java 4 refuses ("should not be an empty string or
  // whitespace").
  if (group_id.empty() || !IsBlank(group_id)) return Status::Ok();
  return InvalidProperty("group.id", group_id, "expected a group id that is not only whitespace");
}

// JoinGroupRequest.validateGroupInstanceId. Java checks it with or without a group.id.
Status CheckGroupInstanceId(const std::optional<std::string>& id) {
  if (!id) return Status::Ok();
  constexpr std::string_view kProperty = "group.instance.id";
  if (id->empty()) return InvalidProperty(kProperty, *id, "expected a non-empty id; leave it unset for none");
  if (*id == "." || *id == "..") return InvalidProperty(kProperty, *id, "expected an id other than '.' and '..'");
  if (id->size() > kMaxGroupInstanceIdLength) {
    return InvalidProperty(kProperty, *id, "expected at most " + std::to_string(kMaxGroupInstanceIdLength) + " characters");
  }
  if (!std::all_of(id->begin(), id->end(), IsLegalIdChar)) {
    return InvalidProperty(kProperty, *id, "expected only the characters a-z, A-Z, 0-9, '.', '_' and '-'");
  }
  return Status::Ok();
}

Status CheckAssignmentStrategies(const std::vector<AssignmentStrategy>& strategies) {
  // Java accepts an empty list and fails at subscribe ("Must configure at least one partition
  // assigner"); refused here up front.
  if (strategies.empty()) return InvalidProperty(kAssignmentStrategy, "", "expected at least one assignor");
  for (size_t i = 0; i < strategies.size(); ++i) {
    const AssignorName* assignor = FindAssignor(strategies[i]);
    if (assignor == nullptr) {
      return InvalidProperty(kAssignmentStrategy, std::to_string(static_cast<int>(strategies[i])),
                             "expected an AssignmentStrategy");
    }
    if (std::find(strategies.begin(), strategies.begin() + static_cast<ptrdiff_t>(i), strategies[i]) !=
        strategies.begin() + static_cast<ptrdiff_t>(i)) {
      return InvalidProperty(kAssignmentStrategy, assignor->protocol, "listed twice; list each assignor once");
    }
  }
  return Status::Ok();
}

Status CheckOffsetReset(OffsetReset reset) {
  switch (reset) {
    case OffsetReset::kLatest:
    case OffsetReset::kEarliest:
    case OffsetReset::kNone:
      return Status::Ok();
  }
  return InvalidProperty("auto.offset.reset", std::to_string(static_cast<int>(reset)), kExpectedOffsetReset);
}

Status CheckIsolationLevel(IsolationLevel level) {
  switch (level) {
    case IsolationLevel::kReadUncommitted:
    case IsolationLevel::kReadCommitted:
      return Status::Ok();
  }
  return InvalidProperty("isolation.level", std::to_string(static_cast<int>(level)),
                         "expected one of read_uncommitted, read_committed");
}

// Java's Heartbeat refuses heartbeat.interval.ms >= session.timeout.ms, and only builds one for
// a group: without a group.id neither timing is used and the pair is not checked, as in Java.
Status CheckHeartbeat(const ConsumerOptions& options) {
  if (options.group_id.empty() || options.heartbeat_interval_ms < options.session_timeout_ms) return Status::Ok();
  return Status(ErrorCode::kLocalInvalidConfig,
                "heartbeat.interval.ms=" + std::to_string(options.heartbeat_interval_ms) +
                    " must be lower than session.timeout.ms=" + std::to_string(options.session_timeout_ms));
}

}  // namespace

// enable_auto_commit with an empty group_id is accepted: a struct cannot tell a default from a
// choice, and the default (true) must not make every consumer without a group invalid. It means
// what Java's unset enable.auto.commit means then: nothing is committed. FromProperties, which
// knows what was set, applies Java's whole rule (ApplyAutoCommitRule).
Status ConsumerOptions::Validate() const {
  if (Status s = config::ValidateClientOptions(client); !s.ok()) return s;
  if (Status s = config::CheckInt32Options<ConsumerOptions>(kInt32Options, *this); !s.ok()) return s;
  if (Status s = CheckGroupId(group_id); !s.ok()) return s;
  if (Status s = CheckGroupInstanceId(group_instance_id); !s.ok()) return s;
  if (Status s = CheckAssignmentStrategies(assignment_strategies); !s.ok()) return s;
  if (client_rack && client_rack->empty()) {
    return InvalidProperty("client.rack", "", "expected a non-empty rack id; leave client_rack unset for none");
  }
  if (Status s = CheckOffsetReset(auto_offset_reset); !s.ok()) return s;
  if (Status s = CheckIsolationLevel(isolation_level); !s.ok()) return s;
  return CheckHeartbeat(*this);
}

Result<ConsumerOptions> ConsumerOptions::FromProperties(const Properties& properties) {
  PropertyParser parser(properties);
  ConsumerOptions options;
  ReadConsumerProperties(&parser, &options);
  if (Status s = parser.Finish(); !s.ok()) return s;
  if (Status s = ApplyAutoCommitRule(parser, &options); !s.ok()) return s;
  if (Status s = options.Validate(); !s.ok()) return s;
  return options;
}

}  // namespace kclient
