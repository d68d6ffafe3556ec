// ProducerOptions::Validate and ProducerOptions::FromProperties: the producer's Kafka properties,
// their ranges and the rules between them (Java's ProducerConfig and KafkaProducer, Kafka 4.x,
// unless a comment says otherwise). The ClientOptions part is config/client_config's.
//
// Thread-safety: functions without shared state.
#include "kclient/producer_options.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/client_config.h"
#include "config/int32_option.h"
#include "config/property_parser.h"
#include "protocol/compression.h"

namespace kclient {
namespace {

using config::EnumName;
using config::Int32Option;
using config::InvalidProperty;
using config::JavaType;
using config::PropertyParser;

// Java's idempotent producer keeps sequence numbers for at most this many in-flight batches per
// partition (MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION_FOR_IDEMPOTENCE).
constexpr int32_t kMaxInFlightForIdempotence = 5;

constexpr std::array<Int32Option<ProducerOptions>, 7> kInt32Options = {{
    {"retries", &ProducerOptions::retries, 0, JavaType::kInt},
    {"delivery.timeout.ms", &ProducerOptions::delivery_timeout_ms, 0, JavaType::kInt},
    {"max.in.flight.requests.per.connection", &ProducerOptions::max_in_flight_requests_per_connection, 1,
     JavaType::kInt},
    {"linger.ms", &ProducerOptions::linger_ms, 0, JavaType::kLong},
    // 0 is allowed, as in Java: batching is off and every batch holds one record.
    {"batch.size", &ProducerOptions::batch_size, 0, JavaType::kInt},
    {"max.block.ms", &ProducerOptions::max_block_ms, 0, JavaType::kLong},
    // Java allows 0, which refuses every record; at least one byte is required here.
    {"max.request.size", &ProducerOptions::max_request_size, 1, JavaType::kInt},
}};

constexpr std::array<EnumName<Acks>, 4> kAcksNames = {{
    {"all", Acks::kAll},
    {"-1", Acks::kAll},
    {"0", Acks::kNone},
    {"1", Acks::kLeader},
}};

// partitioner.class values. Kafka's own partitioners are known by their Java class names so
// existing configs keep working; a custom class cannot be loaded by name in C++.
constexpr std::array<EnumName<PartitionerKind>, 6> kPartitionerNames = {{
    {"default", PartitionerKind::kDefault},
    {"uniform_sticky", PartitionerKind::kUniformSticky},
    {"round_robin", PartitionerKind::kRoundRobin},
    {"org.apache.kafka.clients.producer.RoundRobinPartitioner", PartitionerKind::kRoundRobin},
    // Deprecated in Kafka 3.3 and gone in 4.0 (partitioner.ignore.keys=true replaces it), but
    // still found in configs written for 3.x.
    {"org.apache.kafka.clients.producer.UniformStickyPartitioner", PartitionerKind::kUniformSticky},
    // Likewise gone in 4.0; it hashed keys with murmur2 as the built-in partitioner does.
    {"org.apache.kafka.clients.producer.internals.DefaultPartitioner", PartitionerKind::kDefault},
}};

constexpr std::string_view kCustomPartitionerHint =
    "custom partitioners are given in code, through ProducerOptions::custom_partitioner with "
    "partitioner = PartitionerKind::kCustom";

// Java's per-codec level properties (KIP-390).
struct CodecLevelProperty {
  CompressionType codec;
  std::string_view property;
};
constexpr std::array<CodecLevelProperty, 3> kCodecLevelProperties = {{
    {CompressionType::kGzip, "compression.gzip.level"},
    {CompressionType::kLz4, "compression.lz4.level"},
    {CompressionType::kZstd, "compression.zstd.level"},
}};
// librdkafka's name for the level of whichever codec is chosen.
constexpr std::string_view kGenericLevelProperty = "compression.level";

// The compression.type spellings, from the one place that knows them (kclient/compression.h).
std::array<EnumName<CompressionType>, 5> CompressionNames() {
  constexpr std::array<CompressionType, 5> kCodecs = {CompressionType::kNone, CompressionType::kGzip,
                                                      CompressionType::kSnappy, CompressionType::kLz4,
                                                      CompressionType::kZstd};
  std::array<EnumName<CompressionType>, 5> names{};
  for (size_t i = 0; i < kCodecs.size(); ++i) names[i] = {CompressionName(kCodecs[i]), kCodecs[i]};
  return names;
}

// The property that holds the level of `codec`, for error messages.
std::string_view LevelPropertyOf(CompressionType codec) {
  for (const CodecLevelProperty& entry : kCodecLevelProperties) {
    if (entry.codec == codec) return entry.property;
  }
  return kGenericLevelProperty;
}

std::string_view AcksName(Acks acks) {
  switch (acks) {
    case Acks::kAll:
      return "all";
    case Acks::kLeader:
      return "1";
    case Acks::kNone:
      return "0";
  }
  return "?";
}

// --- Reading properties ------------------------------------------------------------------------

// `level`, read from `property`, if the codec layer (which owns the ranges) accepts it for `codec`.
std::optional<int> CheckLevel(PropertyParser* parser, std::string_view property, CompressionType codec,
                              int32_t level) {
  if (const Status valid = protocol::ValidateCompressionLevel(codec, level); !valid.ok()) {
    parser->Reject(property, std::to_string(level), valid.message());
    return std::nullopt;
  }
  return level;
}

// A level property as a number; INT32_MIN is excluded because it is
// protocol::kDefaultCompressionLevel, a marker rather than a level.
std::optional<int32_t> ReadLevel(PropertyParser* parser, std::string_view property) {
  return parser->Int32(property, INT32_MIN + 1, INT32_MAX);
}

void ReadCompression(PropertyParser* parser, ProducerOptions* options) {
  const auto names = CompressionNames();
  if (const auto codec = parser->Enum<CompressionType>("compression.type", names)) options->compression = *codec;

  // As in Java, every codec's level is checked whichever codec is chosen, and the chosen one's
  // is used.
  for (const CodecLevelProperty& entry : kCodecLevelProperties) {
    const std::optional<int32_t> read = ReadLevel(parser, entry.property);
    if (!read) continue;
    const std::optional<int> level = CheckLevel(parser, entry.property, entry.codec, *read);
    if (level && entry.codec == options->compression) options->compression_level = *level;
  }

  // librdkafka's compression.level, for whichever codec is chosen.
  if (!parser->IsSet(kGenericLevelProperty)) return;
  const std::string_view specific = LevelPropertyOf(options->compression);
  if (specific != kGenericLevelProperty && parser->IsSet(specific)) {
    const std::optional<std::string> text = parser->String(kGenericLevelProperty);
    parser->Reject(kGenericLevelProperty, text.value_or(""),
                   "set either it or " + std::string(specific) + ", not both");
    return;
  }
  const std::optional<int32_t> read = ReadLevel(parser, kGenericLevelProperty);
  // -1 is librdkafka's "the codec's default" (for zstd unlike compression.zstd.level=-1, which
  // is a real zstd level).
  if (!read || *read == -1) return;
  if (const auto level = CheckLevel(parser, kGenericLevelProperty, options->compression, *read)) {
    options->compression_level = *level;
  }
}

void ReadPartitioning(PropertyParser* parser, ProducerOptions* options) {
  const auto kind = parser->Enum<PartitionerKind>("partitioner.class", kPartitionerNames, kCustomPartitionerHint);
  if (kind) options->partitioner = *kind;
  // As in Java, partitioner.ignore.keys only changes the built-in partitioner; a partitioner
  // class decides about keys itself.
  const std::optional<bool> ignore_keys = parser->Bool("partitioner.ignore.keys");
  if (ignore_keys.value_or(false) && options->partitioner == PartitionerKind::kDefault) {
    options->partitioner = PartitionerKind::kUniformSticky;
  }
  // Adaptive partitioning (KIP-794: the sticky partition avoids brokers that are slow to take
  // batches) is not implemented; the sticky partition moves on uniformly. The two properties
  // are accepted, and checked as Java checks them, for config compatibility only.
  parser->Bool("partitioner.adaptive.partitioning.enable");
  parser->Int64("partitioner.availability.timeout.ms", 0, INT64_MAX);
}

void ReadProducerProperties(PropertyParser* parser, ProducerOptions* options) {
  config::ReadClientProperties(parser, &options->client);
  config::ReadInt32Options<ProducerOptions>(parser, kInt32Options, options);
  if (const auto acks = parser->Enum<Acks>("acks", kAcksNames)) options->acks = *acks;
  if (const auto idempotence = parser->Bool("enable.idempotence")) options->enable_idempotence = *idempotence;
  if (const auto memory = parser->Int64("buffer.memory", 0, INT64_MAX)) options->buffer_memory = *memory;
  ReadCompression(parser, options);
  ReadPartitioning(parser, options);

  // Java names serializer classes here; in C++ a serializer is a type given to the producer.
  for (const std::string_view property : {"key.serializer", "value.serializer"}) {
    if (const auto value = parser->String(property)) {
      parser->Reject(property, *value,
                     "serializers are C++ types in kclient, not properties (see kclient/serde.h); "
                     "remove it");
    }
  }
  // Java drops the metadata of topics not produced to for this long. kclient has no such expiry
  // (yet); the property is accepted, and checked as Java checks it, for compatibility only.
  parser->Int64("metadata.max.idle.ms", 5000, INT64_MAX);
}

// --- Rules between options ---------------------------------------------------------------------

// What idempotence needs (acks=all, retries > 0, at most 5 in flight), as an error naming the
// property that stands in the way; ok when idempotence is off.
Status CheckIdempotence(const ProducerOptions& options) {
  if (!options.enable_idempotence) return Status::Ok();
  auto conflict = [](std::string_view need, const std::string& got) {
    return Status(ErrorCode::kLocalInvalidConfig,
                  "enable.idempotence=true needs " + std::string(need) + ", but " + got +
                      "; change it or set enable.idempotence=false");
  };
  if (options.acks != Acks::kAll) {
    return conflict("acks=all", "acks=" + std::string(AcksName(options.acks)));
  }
  if (options.retries == 0) return conflict("retries > 0", "retries=0");
  if (options.max_in_flight_requests_per_connection > kMaxInFlightForIdempotence) {
    return conflict("max.in.flight.requests.per.connection <= 5",
                    "max.in.flight.requests.per.connection=" +
                        std::to_string(options.max_in_flight_requests_per_connection));
  }
  return Status::Ok();
}

// linger.ms + request.timeout.ms, capped as Java caps it (KafkaProducer.configureDeliveryTimeout).
int32_t MinDeliveryTimeoutMs(const ProducerOptions& options) {
  const int64_t sum = int64_t{options.linger_ms} + options.client.request_timeout_ms;
  return static_cast<int32_t>(std::min<int64_t>(sum, INT32_MAX));
}

Status CheckDeliveryTimeout(const ProducerOptions& options) {
  // A record must be allowed to wait for its batch and then for one request, or it would expire
  // before its first attempt could be answered.
  const int32_t min = MinDeliveryTimeoutMs(options);
  if (options.delivery_timeout_ms >= min) return Status::Ok();
  return Status(ErrorCode::kLocalInvalidConfig,
                "delivery.timeout.ms=" + std::to_string(options.delivery_timeout_ms) +
                    " must be at least linger.ms + request.timeout.ms = " + std::to_string(options.linger_ms) +
                    " + " + std::to_string(options.client.request_timeout_ms) + " = " + std::to_string(min));
}

Status CheckCompression(const ProducerOptions& options) {
  // A value cast from an integer may be no codec at all.
  if (!protocol::ValidateCompressionLevel(options.compression, protocol::kDefaultCompressionLevel).ok()) {
    return InvalidProperty("compression.type", std::to_string(static_cast<int>(options.compression)),
                           "expected one of none, gzip, snappy, lz4, zstd");
  }
  if (!options.compression_level) return Status::Ok();
  const Status valid = protocol::ValidateCompressionLevel(options.compression, *options.compression_level);
  if (valid.ok()) return Status::Ok();
  return InvalidProperty(LevelPropertyOf(options.compression), std::to_string(*options.compression_level),
                         valid.message());
}

Status CheckPartitioner(const ProducerOptions& options) {
  switch (options.partitioner) {
    case PartitionerKind::kDefault:
    case PartitionerKind::kUniformSticky:
    case PartitionerKind::kRoundRobin:
      return Status::Ok();
    case PartitionerKind::kCustom:
      if (options.custom_partitioner != nullptr) return Status::Ok();
      return Status(ErrorCode::kLocalInvalidConfig,
                    "partitioner is PartitionerKind::kCustom but ProducerOptions::custom_partitioner is null");
  }
  return InvalidProperty("partitioner.class", std::to_string(static_cast<int>(options.partitioner)),
                         "expected a PartitionerKind");
}

Status CheckAcks(Acks acks) {
  switch (acks) {
    case Acks::kAll:
    case Acks::kLeader:
    case Acks::kNone:
      return Status::Ok();
  }
  return InvalidProperty("acks", std::to_string(static_cast<int>(acks)), "expected one of all, -1, 0, 1");
}

// Java's defaults that give way, when the user did not set them, to settings that rule them out.
void ApplyImplicitDefaults(const PropertyParser& parser, ProducerOptions* options) {
  // enable.idempotence turns off quietly when left unset and acks, retries or
  // max.in.flight.requests.per.connection rule it out, as Kafka 3.x's ProducerConfig does.
  // (Kafka 4.0 made max.in.flight > 5 an error even then; keeping 3.x's rule lets configs written
  // for 3.x keep working, and a 4.x config never meets it.)
  if (!parser.IsSet("enable.idempotence") && !CheckIdempotence(*options).ok()) {
    options->enable_idempotence = false;
  }
  // delivery.timeout.ms, when left unset, grows to linger.ms + request.timeout.ms, as in
  // KafkaProducer.configureDeliveryTimeout; set explicitly too low, it is an error.
  if (!parser.IsSet("delivery.timeout.ms")) {
    options->delivery_timeout_ms = std::max(options->delivery_timeout_ms, MinDeliveryTimeoutMs(*options));
  }
}

}  // namespace

Status ProducerOptions::Validate() const {
  if (Status s = config::ValidateClientOptions(client); !s.ok()) return s;
  if (Status s = config::CheckInt32Options<ProducerOptions>(kInt32Options, *this); !s.ok()) return s;
  if (buffer_memory < 0) {
    return InvalidProperty("buffer.memory", std::to_string(buffer_memory),
                           "expected " + config::IntegerRange(0, INT64_MAX));
  }
  // buffer.memory below batch.size is not refused, as Java does not refuse it. The producer has
  // to cap a batch at buffer.memory then (Java's BufferPool fails such an allocation instead).
  if (Status s = CheckAcks(acks); !s.ok()) return s;
  if (Status s = CheckCompression(*this); !s.ok()) return s;
  if (Status s = CheckPartitioner(*this); !s.ok()) return s;
  if (Status s = CheckIdempotence(*this); !s.ok()) return s;
  return CheckDeliveryTimeout(*this);
}

Result<ProducerOptions> ProducerOptions::FromProperties(const Properties& properties) {
  PropertyParser parser(properties);
  ProducerOptions options;
  ReadProducerProperties(&parser, &options);
  if (Status s = parser.Finish(); !s.ok()) return s;
  ApplyImplicitDefaults(parser, &options);
  if (Status s = options.Validate(); !s.ok()) return s;
  return options;
}

}  // namespace kclient
