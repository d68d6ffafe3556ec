#include "consumer/topic_partition_array.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kclient::consumer {

void WriteTopicPartitionArray(protocol::Writer& w, std::span<const TopicPartition> partitions) {
  struct TopicGroup {
    std::string_view topic;
    std::vector<int32_t> partitions;
  };
  std::vector<TopicGroup> groups;
  std::unordered_map<std::string_view, size_t> group_of_topic;
  for (const TopicPartition& tp : partitions) {
    auto [it, inserted] = group_of_topic.try_emplace(tp.topic, groups.size());
    if (inserted) groups.push_back(TopicGroup{tp.topic, {}});
    groups[it->second].partitions.push_back(tp.partition);
  }

  w.WriteArrayLength(static_cast<int32_t>(groups.size()), /*compact=*/false);
  for (const TopicGroup& g : groups) {
    w.WriteString(g.topic, /*compact=*/false);
    w.WriteArrayLength(static_cast<int32_t>(g.partitions.size()), /*compact=*/false);
    for (int32_t p : g.partitions) w.WriteInt32(p);
  }
}

void ReadTopicPartitionArray(protocol::Reader& r, std::vector<TopicPartition>* out) {
  const int32_t topics = r.ReadArrayLength(/*compact=*/false);
  if (topics < 0) {
    r.Fail("null topic-partition array");
    return;
  }
  for (int32_t t = 0; t < topics && r.ok(); ++t) {
    std::string topic = r.ReadString(/*compact=*/false);
    const int32_t count = r.ReadArrayLength(/*compact=*/false);
    if (count < 0) {
      r.Fail("null partition array");
      return;
    }
    for (int32_t i = 0; i < count && r.ok(); ++i) {
      const int32_t partition = r.ReadInt32();
      if (r.ok()) out->push_back(TopicPartition{topic, partition});
    }
  }
}

}  // namespace kclient::consumer
