// ListGroupOffsetsCall: one group's committed offsets, from OffsetFetch (v1-9) to its coordinator.
// Up to v7 a request names one group and carries its error at the top (v2+) or, before v2, on
// every partition; from v8 (Kafka 3.0, KIP-709) the request names groups and each is answered
// with its own error. Both forms are read. Asking for every committed partition (a null topic
// list) needs v2+. v10 names topics by id and is not used.
//
// What goes into the result: partitions with a committed offset (a negative offset means none);
// partitions answered with an error of their own (UNKNOWN_TOPIC_OR_PARTITION,
// TOPIC_AUTHORIZATION_FAILED) are left out, as Java's admin client does.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "admin/completion.h"
#include "admin/coordinator_call.h"
#include "kclient/consumer_record.h"
#include "kclient/result.h"
#include "kclient/topic_partition.h"

namespace kclient::protocol {
struct OffsetFetchResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class ListGroupOffsetsCall final : public CoordinatorCall {
 public:
  using Offsets = std::map<TopicPartition, OffsetAndMetadata>;
  using Outcome = Result<Offsets>;

  /// `partitions`: std::nullopt for every partition the group has committed.
  ListGroupOffsetsCall(net::Clock::time_point deadline, std::string group_id,
                       std::optional<std::vector<TopicPartition>> partitions,
                       std::shared_ptr<Completion<Outcome>> completion);

 private:
  void SendToCoordinator(int32_t coordinator, const std::vector<std::string>& groups) override;
  void OnResponse(protocol::OffsetFetchResponse& response, int16_t version);
  // A group-level error: true when there is one — the group is then answered with it, or handed
  // back to be retried; false for none (the offsets are the answer).
  bool OnGroupError(const Status& error);
  template <typename Topics>
  void Record(Topics& topics);
  void SetError(const std::string& group, const Status& why) override { error_ = why; }
  void Publish(const Status& rest) override;

  std::string group_id_;
  std::optional<std::vector<TopicPartition>> partitions_;
  Offsets offsets_;
  Status error_;  // the group's own error: the answer, not a reason to retry
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
