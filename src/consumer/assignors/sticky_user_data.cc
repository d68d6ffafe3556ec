#include "consumer/assignors/sticky_user_data.h"

#include <algorithm>

#include "consumer/topic_partition_array.h"
#include "protocol/wire.h"
#include "util/byte_buffer.h"

namespace kclient::consumer {
namespace {

protocol::Reader ReaderOver(std::string_view bytes) {
  return protocol::Reader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

std::string ToString(const util::ByteBuffer& out) { return std::string(out.view()); }

}  // namespace

std::string EncodeStickyUserData(const std::vector<TopicPartition>& previous_assignment,
                                 int32_t generation) {
  std::vector<TopicPartition> sorted = previous_assignment;
  std::sort(sorted.begin(), sorted.end());
  util::ByteBuffer out;
  protocol::Writer w(&out);
  WriteTopicPartitionArray(w, sorted);
  w.WriteInt32(generation);
  return ToString(out);
}

Result<StickyUserData> DecodeStickyUserData(std::string_view bytes) {
  protocol::Reader r = ReaderOver(bytes);
  StickyUserData data;
  ReadTopicPartitionArray(r, &data.previous_assignment);
  if (!r.ok()) return r.status("sticky assignor user data");
  if (r.remaining() >= 4) data.generation = r.ReadInt32();
  return data;
}

std::string EncodeCooperativeStickyUserData(int32_t generation) {
  util::ByteBuffer out;
  protocol::Writer w(&out);
  w.WriteInt32(generation);
  return ToString(out);
}

Result<int32_t> DecodeCooperativeStickyUserData(std::string_view bytes) {
  protocol::Reader r = ReaderOver(bytes);
  const int32_t generation = r.ReadInt32();
  if (!r.ok()) return r.status("cooperative-sticky assignor user data");
  return generation;
}

}  // namespace kclient::consumer
