#include "broker/topic_configs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace kclient::broker {
namespace {

constexpr std::string_view kLongMax = "9223372036854775807";

// How a value is checked after it parses (Kafka's ConfigDef validators).
enum class Check {
  kNone,
  kAtLeast,      // Range.atLeast(min)
  kBetween,      // Range.between(min, max)
  kOneOf,        // ValidString.in(choices) / ValidList.in(choices) for lists
  kGzipLevel,    // CompressionType.GZIP.levelValidator(): 1..9 or -1
  kThrottledReplicas,  // ThrottledReplicaListValidator: "*" or partition:broker pairs
  kRemoteStorage,      // tiered storage is off in this broker: only false is accepted
};

struct TopicConfigRule {
  TopicConfigDef def;
  Check check = Check::kNone;
  int64_t min = 0;
  int64_t max = 0;
  std::span<const std::string_view> choices;
  // Whether the broker synonym has a default of its own. Kafka lists a DEFAULT_CONFIG synonym
  // only then: log.retention.ms, log.roll.ms, log.roll.jitter.ms and log.flush.interval.ms
  // default to null (the hours / scheduler settings stand in), so their topic configs show none.
  bool synonym_has_default = true;
};

constexpr TopicConfigRule Rule(TopicConfigDef def, Check check = Check::kNone, int64_t min = 0, int64_t max = 0,
                               std::span<const std::string_view> choices = {}, bool synonym_has_default = true) {
  return {def, check, min, max, choices, synonym_has_default};
}

constexpr std::string_view kCleanupPolicies[] = {"compact", "delete"};
constexpr std::string_view kCompressionTypes[] = {"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"};
constexpr std::string_view kTimestampTypes[] = {"CreateTime", "LogAppendTime"};

using T = ConfigType;

// Kafka 4.1's LogConfig, sorted by name. Defaults are ConfigDef.convertToString of the defaults;
// validators and synonyms as LogConfig and ServerTopicConfigSynonyms define them.
const TopicConfigRule kTopicRules[] = {
    Rule({"cleanup.policy", T::kList, "delete", "log.cleanup.policy"}, Check::kOneOf, 0, 0, kCleanupPolicies),
    Rule({"compression.gzip.level", T::kInt, "-1", "compression.gzip.level"}, Check::kGzipLevel),
    Rule({"compression.lz4.level", T::kInt, "9", "compression.lz4.level"}, Check::kBetween, 1, 17),
    Rule({"compression.type", T::kString, "producer", "compression.type"}, Check::kOneOf, 0, 0, kCompressionTypes),
    Rule({"compression.zstd.level", T::kInt, "3", "compression.zstd.level"}, Check::kBetween, -131072, 22),
    Rule({"delete.retention.ms", T::kLong, "86400000", "log.cleaner.delete.retention.ms"}, Check::kAtLeast, 0),
    Rule({"file.delete.delay.ms", T::kLong, "60000", "log.segment.delete.delay.ms"}, Check::kAtLeast, 0),
    Rule({"flush.messages", T::kLong, kLongMax, "log.flush.interval.messages"}, Check::kAtLeast, 1),
    Rule({"flush.ms", T::kLong, kLongMax, "log.flush.interval.ms"}, Check::kAtLeast, 0, 0, {}, false),
    Rule({"follower.replication.throttled.replicas", T::kList, "", ""}, Check::kThrottledReplicas),
    Rule({"index.interval.bytes", T::kInt, "4096", "log.index.interval.bytes"}, Check::kAtLeast, 0),
    Rule({"leader.replication.throttled.replicas", T::kList, "", ""}, Check::kThrottledReplicas),
    Rule({"local.retention.bytes", T::kLong, "-2", "log.local.retention.bytes"}, Check::kAtLeast, -2),
    Rule({"local.retention.ms", T::kLong, "-2", "log.local.retention.ms"}, Check::kAtLeast, -2),
    Rule({"max.compaction.lag.ms", T::kLong, kLongMax, "log.cleaner.max.compaction.lag.ms"}, Check::kAtLeast, 1),
    Rule({"max.message.bytes", T::kInt, "1048588", "message.max.bytes"}, Check::kAtLeast, 0),
    Rule({"message.timestamp.after.max.ms", T::kLong, "3600000", "log.message.timestamp.after.max.ms"}, Check::kAtLeast, 0),
    Rule({"message.timestamp.before.max.ms", T::kLong, kLongMax, "log.message.timestamp.before.max.ms"}, Check::kAtLeast, 0),
    Rule({"message.timestamp.type", T::kString, "CreateTime", "log.message.timestamp.type"}, Check::kOneOf, 0, 0, kTimestampTypes),
    Rule({"min.cleanable.dirty.ratio", T::kDouble, "0.5", "log.cleaner.min.cleanable.ratio"}, Check::kBetween, 0, 1),
    Rule({"min.compaction.lag.ms", T::kLong, "0", "log.cleaner.min.compaction.lag.ms"}, Check::kAtLeast, 0),
    Rule({"min.insync.replicas", T::kInt, "1", "min.insync.replicas"}, Check::kAtLeast, 1),
    Rule({"preallocate", T::kBoolean, "false", "log.preallocate"}),
    Rule({"remote.log.copy.disable", T::kBoolean, "false", ""}),
    Rule({"remote.log.delete.on.disable", T::kBoolean, "false", ""}),
    Rule({"remote.storage.enable", T::kBoolean, "false", ""}, Check::kRemoteStorage),
    Rule({"retention.bytes", T::kLong, "-1", "log.retention.bytes"}),
    Rule({"retention.ms", T::kLong, "604800000", "log.retention.ms"}, Check::kAtLeast, -1, 0, {}, false),
    Rule({"segment.bytes", T::kInt, "1073741824", "log.segment.bytes"}, Check::kAtLeast, 1024 * 1024),
    Rule({"segment.index.bytes", T::kInt, "10485760", "log.index.size.max.bytes"}, Check::kAtLeast, 4),
    Rule({"segment.jitter.ms", T::kLong, "0", "log.roll.jitter.ms"}, Check::kAtLeast, 0, 0, {}, false),
    Rule({"segment.ms", T::kLong, "604800000", "log.roll.ms"}, Check::kAtLeast, 1, 0, {}, false),
    Rule({"unclean.leader.election.enable", T::kBoolean, "false", "unclean.leader.election.enable"}),
};

// The definitions alone, for TopicConfigDefs().
const std::vector<TopicConfigDef>& Defs() {
  static const std::vector<TopicConfigDef> defs = [] {
    std::vector<TopicConfigDef> v;
    for (const TopicConfigRule& r : kTopicRules) v.push_back(r.def);
    return v;
  }();
  return defs;
}

const TopicConfigRule* FindRule(std::string_view name) {
  for (const TopicConfigRule& r : kTopicRules) {
    if (r.def.name == name) return &r;
  }
  return nullptr;
}

// ---- Parsing as Kafka's ConfigDef.parseType does ------------------------------------------

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Java's Integer/Long/Short.parseInt: an optional sign and decimal digits, in range.
std::optional<int64_t> ParseInteger(std::string_view s, int64_t lo, int64_t hi) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return std::nullopt;
  return v;
}

std::optional<double> ParseDouble(std::string_view s) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '+' || s.front() == '-')) return std::nullopt;
  }
  if (s.empty()) return std::nullopt;
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// Java's Double.toString for the values configs take: "0.5", "1.0", "2.0".
std::string JavaDouble(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e7) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : std::to_string(v);
}

std::vector<std::string_view> SplitList(std::string_view s) {
  std::vector<std::string_view> out;
  s = Trim(s);
  if (s.empty()) return out;
  for (;;) {
    const size_t comma = s.find(',');
    out.push_back(Trim(s.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

std::string Join(std::span<const std::string_view> parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

Status Invalid(std::string_view name, std::string_view shown_value, std::string_view why) {
  return Status(ErrorCode::kInvalidConfig, "Invalid value " + std::string(shown_value) + " for configuration " +
                                               std::string(name) + ": " + std::string(why));
}

std::string TypeName(ConfigType t) {
  switch (t) {
    case T::kInt: return "INT";
    case T::kShort: return "SHORT";
    case T::kLong: return "LONG";
    case T::kDouble: return "DOUBLE";
    default: return "STRING";
  }
}

Status CheckRange(const TopicConfigRule& r, std::string_view shown, double v) {
  if ((r.check == Check::kAtLeast || r.check == Check::kBetween) && v < static_cast<double>(r.min)) {
    return Invalid(r.def.name, shown, "Value must be at least " + std::to_string(r.min));
  }
  if (r.check == Check::kBetween && v > static_cast<double>(r.max)) {
    return Invalid(r.def.name, shown, "Value must be no more than " + std::to_string(r.max));
  }
  return Status();
}

bool IsThrottledReplica(std::string_view entry) {
  const size_t colon = entry.find(':');
  if (colon == std::string_view::npos) return false;
  auto digits = [](std::string_view d) {
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  return digits(Trim(entry.substr(0, colon))) && digits(Trim(entry.substr(colon + 1)));
}

// ---- Broker configs ---------------------------------------------------------------------------

struct BrokerConfigDef {
  std::string_view name;
  ConfigType type;
  std::optional<std::string_view> kafka_default;  // nullopt: null, or no default at all
  bool has_default;                               // false: required (node.id), no DEFAULT_CONFIG synonym
  bool read_only;                                 // not dynamically updatable in Kafka
};

// The broker configs reported, with Kafka 4.1's defaults and read-only flags (as a 4.1.1
// broker's DescribeConfigs reports them).
const BrokerConfigDef kBrokerDefs[] = {
    {"auto.create.topics.enable", T::kBoolean, "true", true, true},
    {"broker.id", T::kInt, "-1", true, true},
    {"compression.type", T::kString, "producer", true, false},
    {"default.replication.factor", T::kInt, "1", true, true},
    {"delete.topic.enable", T::kBoolean, "true", true, true},
    {"group.initial.rebalance.delay.ms", T::kInt, "3000", true, true},
    {"group.max.session.timeout.ms", T::kInt, "1800000", true, true},
    {"group.min.session.timeout.ms", T::kInt, "6000", true, true},
    {"log.cleanup.policy", T::kList, "delete", true, false},
    {"log.dirs", T::kString, std::nullopt, true, true},
    {"log.message.timestamp.type", T::kString, "CreateTime", true, false},
    {"log.retention.bytes", T::kLong, "-1", true, false},
    {"log.retention.hours", T::kInt, "168", true, true},
    {"log.retention.minutes", T::kInt, std::nullopt, true, true},
    {"log.retention.ms", T::kLong, std::nullopt, true, false},
    {"log.roll.hours", T::kInt, "168", true, true},
    {"log.roll.ms", T::kLong, std::nullopt, true, false},
    {"log.segment.bytes", T::kInt, "1073741824", true, false},
    {"message.max.bytes", T::kInt, "1048588", true, false},
    {"min.insync.replicas", T::kInt, "1", true, false},
    {"node.id", T::kInt, std::nullopt, false, true},
    {"num.partitions", T::kInt, "1", true, true},
    {"offsets.topic.replication.factor", T::kShort, "3", true, true},
    {"socket.request.max.bytes", T::kInt, "104857600", true, true},
    {"transaction.state.log.min.isr", T::kInt, "2", true, true},
    {"transaction.state.log.replication.factor", T::kShort, "3", true, true},
    {"unclean.leader.election.enable", T::kBoolean, "false", true, false},
};

// This cluster's value of a broker config, or nullopt where it keeps Kafka's default. The
// options stand in for server.properties.
std::optional<std::string> ClusterValue(const ClusterConfig& c, std::string_view name, int32_t broker_id) {
  const int32_t three = std::min(3, c.brokers);  // internal topics cannot have more replicas than brokers
  if (name == "auto.create.topics.enable") return c.auto_create_topics ? "true" : "false";
  if (name == "broker.id" || name == "node.id") return std::to_string(broker_id);
  if (name == "default.replication.factor") return std::to_string(c.default_replication_factor);
  if (name == "group.initial.rebalance.delay.ms") return std::to_string(c.group_initial_rebalance_delay_ms);
  if (name == "group.max.session.timeout.ms") return std::to_string(c.group_max_session_timeout_ms);
  if (name == "group.min.session.timeout.ms") return std::to_string(c.group_min_session_timeout_ms);
  if (name == "log.dirs" && !c.data_dir.empty()) return c.data_dir;
  // Reported only where they differ from Kafka's defaults (retention.ms's default comes from
  // log.retention.hours=168, so an unchanged 7 days is no setting of ours).
  if (name == "log.retention.bytes" && c.log_retention_bytes != -1) return std::to_string(c.log_retention_bytes);
  if (name == "log.retention.ms" && c.log_retention_ms != 7LL * 24 * 3600 * 1000) return std::to_string(c.log_retention_ms);
  if (name == "log.segment.bytes") return std::to_string(c.log_segment_bytes);
  if (name == "message.max.bytes") return std::to_string(c.max_message_bytes);
  if (name == "min.insync.replicas") return std::to_string(c.min_insync_replicas);
  if (name == "num.partitions") return std::to_string(c.default_partitions);
  if (name == "offsets.topic.replication.factor") return std::to_string(three);
  if (name == "socket.request.max.bytes") return std::to_string(c.max_request_size);
  if (name == "transaction.state.log.min.isr") return std::to_string(std::min(2, three));
  if (name == "transaction.state.log.replication.factor") return std::to_string(three);
  return std::nullopt;
}

// Kafka's ConfigHelper.configSynonyms for one broker config: the static setting (when the
// cluster's value differs from Kafka's default), then Kafka's default.
std::vector<ConfigSynonymEntry> BrokerSynonyms(const ClusterConfig& c, const BrokerConfigDef& d, int32_t broker_id) {
  std::vector<ConfigSynonymEntry> out;
  std::optional<std::string> value = ClusterValue(c, d.name, broker_id);
  const bool is_default = d.has_default && (!value || (d.kafka_default && *value == *d.kafka_default));
  if (!is_default && value) out.push_back({std::string(d.name), *value, ConfigSource::kStaticBrokerConfig});
  if (d.has_default && d.kafka_default) {
    out.push_back({std::string(d.name), std::string(*d.kafka_default), ConfigSource::kDefaultConfig});
  }
  return out;
}

}  // namespace

std::span<const TopicConfigDef> TopicConfigDefs() { return Defs(); }

const TopicConfigDef* FindTopicConfig(std::string_view name) {
  const TopicConfigRule* r = FindRule(name);
  return r == nullptr ? nullptr : &r->def;
}

Status ValidateTopicConfig(std::string_view name, std::string_view value) {
  const TopicConfigRule* r = FindRule(name);
  if (r == nullptr) return Status(ErrorCode::kInvalidConfig, "Unknown topic config name: " + std::string(name));
  const std::string_view trimmed = Trim(value);
  switch (r->def.type) {
    case T::kInt:
    case T::kShort:
    case T::kLong: {
      const int64_t lo = r->def.type == T::kInt     ? std::numeric_limits<int32_t>::min()
                         : r->def.type == T::kShort ? std::numeric_limits<int16_t>::min()
                                                    : std::numeric_limits<int64_t>::min();
      const int64_t hi = r->def.type == T::kInt     ? std::numeric_limits<int32_t>::max()
                         : r->def.type == T::kShort ? std::numeric_limits<int16_t>::max()
                                                    : std::numeric_limits<int64_t>::max();
      std::optional<int64_t> v = ParseInteger(trimmed, lo, hi);
      if (!v) return Invalid(name, value, "Not a number of type " + TypeName(r->def.type));
      if (r->check == Check::kGzipLevel && (*v > 9 || (*v < 1 && *v != -1))) {
        return Invalid(name, std::to_string(*v), "Value must be between 1 and 9 or equal to -1");
      }
      return CheckRange(*r, std::to_string(*v), static_cast<double>(*v));
    }
    case T::kDouble: {
      std::optional<double> v = ParseDouble(trimmed);
      if (!v) return Invalid(name, value, "Not a number of type DOUBLE");
      return CheckRange(*r, JavaDouble(*v), *v);
    }
    case T::kBoolean: {
      std::string lower(trimmed);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (lower != "true" && lower != "false") return Invalid(name, value, "Expected value to be either true or false");
      if (r->check == Check::kRemoteStorage && lower == "true") {
        return Status(ErrorCode::kInvalidConfig,
                      "Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote "
                      "log storage.");
      }
      return Status();
    }
    case T::kString:
      if (r->check == Check::kOneOf && std::find(r->choices.begin(), r->choices.end(), trimmed) == r->choices.end()) {
        return Invalid(name, trimmed, "String must be one of: " + Join(r->choices, ", "));
      }
      return Status();
    case T::kList: {
      const std::vector<std::string_view> items = SplitList(value);
      if (r->check == Check::kOneOf) {
        for (std::string_view item : items) {
          if (std::find(r->choices.begin(), r->choices.end(), item) == r->choices.end()) {
            return Invalid(name, item, "String must be one of: " + Join(r->choices, ", "));
          }
        }
      } else if (r->check == Check::kThrottledReplicas) {
        const bool wildcard = items.size() == 1 && items[0] == "*";
        if (!wildcard && !std::all_of(items.begin(), items.end(), IsThrottledReplica)) {
          return Invalid(name, "[" + Join(items, ", ") + "]",
                         std::string(name) +
                             " must be the literal '*' or a list of replicas in the following format: "
                             "[partitionId]:[brokerId],[partitionId]:[brokerId],...");
        }
      }
      return Status();
    }
    default:
      return Status();
  }
}

std::string NormalizeTopicConfig(std::string_view name, std::string_view value) {
  const TopicConfigRule* r = FindRule(name);
  const std::string_view trimmed = Trim(value);
  if (r == nullptr) return std::string(value);
  switch (r->def.type) {
    case T::kInt:
    case T::kShort:
    case T::kLong: {
      std::optional<int64_t> v =
          ParseInteger(trimmed, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
      return v ? std::to_string(*v) : std::string(value);
    }
    case T::kDouble: {
      std::optional<double> v = ParseDouble(trimmed);
      return v ? JavaDouble(*v) : std::string(value);
    }
    case T::kBoolean: {
      std::string lower(trimmed);
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return lower;
    }
    case T::kList: {
      const std::vector<std::string_view> items = SplitList(value);
      return Join(items, ",");
    }
    default:
      return std::string(trimmed);
  }
}

namespace {

// A config's value and source are those of its first synonym, the one that wins (Kafka's
// ConfigHelper); with none, `fallback` from DEFAULT_CONFIG.
void TakeValueFromSynonyms(ConfigEntry* e, std::optional<std::string> fallback) {
  if (e->synonyms.empty()) {
    e->value = std::move(fallback);
    e->source = ConfigSource::kDefaultConfig;
  } else {
    e->value = e->synonyms.front().value;
    e->source = e->synonyms.front().source;
  }
}

}  // namespace

std::vector<ConfigEntry> DescribeTopicConfigs(const ClusterConfig& config,
                                              const std::map<std::string, std::string>& overrides,
                                              bool raw_overrides) {
  std::vector<ConfigEntry> out;
  out.reserve(std::size(kTopicRules));
  for (const TopicConfigRule& r : kTopicRules) {
    ConfigEntry e;
    e.name = std::string(r.def.name);
    e.type = r.def.type;
    // Kafka's ConfigHelper.createTopicConfigEntry: the topic's own setting first, then the
    // broker synonym's settings (static, then Kafka's default), each naming where it came from.
    if (!r.def.broker_synonym.empty()) {
      std::optional<std::string> cluster_value = ClusterValue(config, r.def.broker_synonym, 0);
      if (cluster_value && *cluster_value != r.def.kafka_default) {
        e.synonyms.push_back({std::string(r.def.broker_synonym), *cluster_value, ConfigSource::kStaticBrokerConfig});
      }
      if (r.synonym_has_default) {
        e.synonyms.push_back(
            {std::string(r.def.broker_synonym), std::string(r.def.kafka_default), ConfigSource::kDefaultConfig});
      }
    }
    auto it = overrides.find(e.name);
    if (it != overrides.end()) {
      std::string shown = raw_overrides ? it->second : NormalizeTopicConfig(e.name, it->second);
      e.synonyms.insert(e.synonyms.begin(), {e.name, shown, ConfigSource::kTopicConfig});
    }
    TakeValueFromSynonyms(&e, std::string(r.def.kafka_default));
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<ConfigEntry> DescribeBrokerConfigs(const ClusterConfig& config, int32_t broker_id) {
  std::vector<ConfigEntry> out;
  out.reserve(std::size(kBrokerDefs));
  for (const BrokerConfigDef& d : kBrokerDefs) {
    ConfigEntry e;
    e.name = std::string(d.name);
    e.type = d.type;
    e.read_only = d.read_only;
    e.synonyms = BrokerSynonyms(config, d, broker_id);
    // Unset without a default (log.retention.ms): Kafka reports a null value from DEFAULT_CONFIG.
    TakeValueFromSynonyms(&e, std::nullopt);
    out.push_back(std::move(e));
  }
  return out;
}

std::string TopicConfigValue(const ClusterConfig& config, const std::map<std::string, std::string>& overrides,
                             std::string_view name) {
  const TopicConfigRule* r = FindRule(name);
  if (r == nullptr) return {};
  auto it = overrides.find(std::string(name));
  if (it != overrides.end()) return NormalizeTopicConfig(name, it->second);
  if (!r->def.broker_synonym.empty()) {
    if (std::optional<std::string> v = ClusterValue(config, r->def.broker_synonym, 0)) return *v;
  }
  return std::string(r->def.kafka_default);
}

}  // namespace kclient::broker
