#include "admin/consumer_assignment.h"

#include <string>

#include "protocol/wire.h"

namespace kclient::admin {

Result<std::vector<TopicPartition>> DecodeAssignedPartitions(std::span<const uint8_t> assignment) {
  protocol::Reader r(assignment);
  std::vector<TopicPartition> out;
  if (r.ReadInt16() < 0) r.Fail("negative version");
  const int32_t topics = r.ReadArrayLength(/*compact=*/false);
  if (topics < 0) r.Fail("null topic array");
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    const std::string topic = r.ReadString(/*compact=*/false);
    const int32_t partitions = r.ReadArrayLength(/*compact=*/false);
    if (partitions < 0) r.Fail("null partition array");
    for (int32_t p = 0; p < partitions && r.ok(); ++p) {
      const int32_t partition = r.ReadInt32();
      if (r.ok()) out.push_back({topic, partition});
    }
  }
  // The user data after the partitions is not needed here.
  if (!r.ok()) return r.status("consumer protocol assignment");
  return out;
}

}  // namespace kclient::admin
