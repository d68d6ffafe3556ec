// ProducerOptions: everything that configures a Producer. Build it field by field, or from Kafka
// property names with FromProperties (which names any unknown or invalid property in its
// error). Defaults are the Java producer's (Kafka 4.x) unless a field says otherwise.
//
// Thread-safety: a plain value; the Producer copies it at Create.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "kclient/client_options.h"
#include "kclient/compression.h"
#include "kclient/partitioner.h"
#include "kclient/properties.h"
#include "kclient/result.h"
#include "kclient/status.h"

namespace kclient {

/// acks: how many replicas must have a record before the broker answers.
enum class Acks : int16_t {
  kNone = 0,     ///< "0": no response at all; offsets are unknown and errors go unseen
  kLeader = 1,   ///< "1": the leader wrote it
  kAll = -1,     ///< "all" / "-1": every in-sync replica has it (the default)
};

/// How records without an explicit partition are placed.
enum class PartitionerKind {
  kDefault,        ///< Java's built-in: murmur2 for keys, sticky batches for null keys
  kUniformSticky,  ///< partitioner.ignore.keys=true: sticky batches for every record
  kRoundRobin,     ///< org.apache.kafka.clients.producer.RoundRobinPartitioner
  kCustom,         ///< ProducerOptions::custom_partitioner
};

struct ProducerOptions {
  ClientOptions client;

  // --- Delivery ------------------------------------------------------------------------------

  /// acks. Default kAll. Idempotence needs kAll.
  Acks acks = Acks::kAll;

  /// enable.idempotence: the broker drops retried duplicates by producer id and sequence number,
  /// so retries neither duplicate nor reorder records. Needs acks=all, retries > 0 and at most 5
  /// requests in flight. Default true. When left unset in properties and those conditions do not
  /// hold, it is turned off quietly, as Java does; set explicitly, a conflict is an error.
  bool enable_idempotence = true;

  /// retries: how many times a failed batch is resent (delivery_timeout_ms bounds it too).
  /// Default INT32_MAX.
  int32_t retries = INT32_MAX;

  /// delivery.timeout.ms: upper bound from Send until the record's callback, retries included.
  /// Must be at least linger_ms + request_timeout_ms. Default 120000.
  int32_t delivery_timeout_ms = 120000;

  /// max.in.flight.requests.per.connection: produce requests sent to one broker and not yet
  /// answered. At most 5 with idempotence. Default 5.
  int32_t max_in_flight_requests_per_connection = 5;

  // --- Batching and memory -------------------------------------------------------------------

  /// linger.ms: how long a batch that is not full waits for more records. Default 5 (Kafka 4.0's
  /// default, KIP-1030).
  int32_t linger_ms = 5;

  /// batch.size: the bytes (uncompressed) a batch may hold before it is sent; a larger record gets
  /// a batch of its own. Default 16384.
  int32_t batch_size = 16384;

  /// buffer.memory: bytes of records waiting to be sent, over all partitions. When full, Send
  /// waits up to max_block_ms for room (TrySend fails at once). Default 33554432 (32 MiB).
  int64_t buffer_memory = 33554432;

  /// max.block.ms: the longest Send waits, for buffer room or for a topic's metadata.
  /// Default 60000.
  int32_t max_block_ms = 60000;

  /// max.request.size: the largest produce request, and so the largest record. Default 1048576.
  int32_t max_request_size = 1048576;

  /// compression.type and the level for it: compression.gzip.level (1-9),
  /// compression.lz4.level (1-17), compression.zstd.level (-131072..22), or librdkafka's
  /// compression.level for whichever codec is chosen. Empty level: the codec's default.
  CompressionType compression = CompressionType::kNone;
  std::optional<int> compression_level;

  // --- Partitioning --------------------------------------------------------------------------

  /// partitioner.class / partitioner.ignore.keys. Default kDefault.
  PartitionerKind partitioner = PartitionerKind::kDefault;
  /// Used when partitioner == kCustom (which setting this alone does not imply).
  std::shared_ptr<Partitioner> custom_partitioner;

  /// Checks every field and the rules between them; the error names the property at fault.
  /// Also applied by Producer::Create.
  Status Validate() const;

  /// Builds options from Kafka property names. Unknown properties and values that do not parse
  /// or are out of range are errors naming the property.
  static Result<ProducerOptions> FromProperties(const Properties& properties);
};

}  // namespace kclient
