// EndOffsetsCall: the log end offsets of partitions — ListOffsets (v1-10) for the latest offset
// (timestamp -1, read-uncommitted: the high watermark) sent to each partition's leader, which a
// Metadata request for the partitions' topics names first. Errors that mean "ask again, maybe
// elsewhere" (NOT_LEADER_OR_FOLLOWER, LEADER_NOT_AVAILABLE, FENCED_LEADER_EPOCH, a lost
// connection, ...) look the leader up again and retry; a partition that Metadata says does not
// exist (UNKNOWN_TOPIC_OR_PARTITION for its topic, or an index past the topic's partitions) gets
// std::nullopt; any other error fails the call.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "admin/completion.h"
#include "admin/fan_out_call.h"
#include "kclient/result.h"
#include "kclient/topic_partition.h"

namespace kclient::protocol {
struct ListOffsetsResponse;
struct MetadataResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class EndOffsetsCall final : public FanOutCall {
 public:
  /// Partition -> log end offset, or std::nullopt for a partition that does not exist.
  using EndOffsets = std::map<TopicPartition, std::optional<int64_t>>;
  using Outcome = Result<EndOffsets>;

  EndOffsetsCall(net::Clock::time_point deadline, std::set<TopicPartition> partitions,
                 std::shared_ptr<Completion<Outcome>> completion);

 private:
  void SendRound() override;
  bool AllAnswered() const override { return pending_.empty(); }
  void LeftUnanswered() override;
  void OnMetadata(const Status& status, protocol::MetadataResponse& response);
  void OnListOffsets(int32_t leader, const std::vector<TopicPartition>& asked, const Status& status,
                     protocol::ListOffsetsResponse& response);
  // The pending partitions of `topic`.
  std::vector<TopicPartition> PendingOf(const std::string& topic) const;
  void Publish(const Status& rest) override;

  std::set<TopicPartition> pending_;
  std::map<TopicPartition, int32_t> leaders_;  // pending partitions whose leader is known
  EndOffsets results_;
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
