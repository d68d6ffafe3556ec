#include "consumer/consumer_protocol.h"

#include <algorithm>
#include <utility>

#include "consumer/topic_partition_array.h"
#include "protocol/wire.h"
#include "util/byte_buffer.h"

namespace kclient::consumer {
namespace {

int16_t ClampVersion(int16_t version) {
  return std::clamp<int16_t>(version, 0, kConsumerProtocolVersion);
}

void WriteNullableUserData(protocol::Writer& w, const std::optional<std::string>& data) {
  if (!data) {
    w.WriteBytesLength(-1, /*compact=*/false);
    return;
  }
  w.WriteBytes({reinterpret_cast<const uint8_t*>(data->data()), data->size()}, /*compact=*/false);
}

std::optional<std::string> ReadNullableUserData(protocol::Reader& r) {
  const int32_t n = r.ReadBytesLength(/*compact=*/false);
  if (n < 0) return std::nullopt;
  auto bytes = r.ReadSpan(static_cast<size_t>(n));
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

Result<protocol::Bytes> Finish(const protocol::Writer& w, const util::ByteBuffer& out) {
  if (!w.ok()) return w.status();
  return protocol::Bytes(out.data(), out.data() + out.size());
}

// The version prefix. Java reads any version >= 0 and parses newer ones with the newest layout it
// knows, relying on new versions only appending fields.
int16_t ReadVersion(protocol::Reader& r) {
  const int16_t version = r.ReadInt16();
  if (r.ok() && version < 0) r.Fail("negative version");
  return std::min(version, kConsumerProtocolVersion);
}

}  // namespace

Result<protocol::Bytes> EncodeSubscription(const Subscription& subscription, int16_t version) {
  version = ClampVersion(version);
  util::ByteBuffer out;
  protocol::Writer w(&out);
  w.WriteInt16(version);

  // Sorted, as Java writes them, so that a member rejoining with the same subscription sends the
  // same bytes and the coordinator sees nothing changed.
  std::vector<std::string_view> topics(subscription.topics.begin(), subscription.topics.end());
  std::sort(topics.begin(), topics.end());
  w.WriteArrayLength(static_cast<int32_t>(topics.size()), /*compact=*/false);
  for (std::string_view topic : topics) w.WriteString(topic, /*compact=*/false);
  WriteNullableUserData(w, subscription.user_data);

  if (version >= 1) {
    std::vector<TopicPartition> owned = subscription.owned_partitions;
    std::sort(owned.begin(), owned.end());
    WriteTopicPartitionArray(w, owned);
  }
  if (version >= 2) w.WriteInt32(subscription.generation_id);
  if (version >= 3) w.WriteNullableString(subscription.rack_id, /*compact=*/false);
  return Finish(w, out);
}

Result<Subscription> DecodeSubscription(std::span<const uint8_t> bytes) {
  protocol::Reader r(bytes);
  const int16_t version = ReadVersion(r);
  Subscription s;
  const int32_t topics = r.ReadArrayLength(/*compact=*/false);
  if (topics < 0) r.Fail("null topics");
  for (int32_t i = 0; i < topics && r.ok(); ++i) s.topics.push_back(r.ReadString(/*compact=*/false));
  s.user_data = ReadNullableUserData(r);
  if (version >= 1) ReadTopicPartitionArray(r, &s.owned_partitions);
  if (version >= 2) s.generation_id = r.ReadInt32();
  if (version >= 3) s.rack_id = r.ReadNullableString(/*compact=*/false);
  if (!r.ok()) return r.status("consumer protocol subscription");
  return s;
}

Result<protocol::Bytes> EncodeAssignment(const Assignment& assignment, int16_t version) {
  util::ByteBuffer out;
  protocol::Writer w(&out);
  w.WriteInt16(ClampVersion(version));
  WriteTopicPartitionArray(w, assignment.partitions);
  WriteNullableUserData(w, assignment.user_data);
  return Finish(w, out);
}

Result<Assignment> DecodeAssignment(std::span<const uint8_t> bytes) {
  protocol::Reader r(bytes);
  ReadVersion(r);  // every version has the same layout
  Assignment a;
  ReadTopicPartitionArray(r, &a.partitions);
  a.user_data = ReadNullableUserData(r);
  if (!r.ok()) return r.status("consumer protocol assignment");
  return a;
}

}  // namespace kclient::consumer
