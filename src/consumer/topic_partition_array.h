// The [topic string, partitions [int32]] array that Kafka's consumer protocol (owned and assigned
// partitions) and the StickyAssignor's user data share, in its non-flexible form: an int32 count,
// then per topic an int16-length string and an int32-counted list of int32 partitions.
//
// Thread-safety: pure functions; the Reader or Writer belongs to the caller's thread.
#pragma once

#include <span>
#include <vector>

#include "kclient/topic_partition.h"
#include "protocol/wire.h"

namespace kclient::consumer {

// Writes `partitions` grouped by topic, topics in order of first appearance and each topic's
// partitions in their given order (Java's grouping). Callers wanting a canonical form sort first.
void WriteTopicPartitionArray(protocol::Writer& w, std::span<const TopicPartition> partitions);

// Reads one array and appends its partitions to *out in wire order. A null array or topic fails
// the reader, as in Java, where neither field is nullable.
void ReadTopicPartitionArray(protocol::Reader& r, std::vector<TopicPartition>* out);

}  // namespace kclient::consumer
