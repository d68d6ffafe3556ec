// DescribeClusterCall: the cluster id, controller and live brokers, from DescribeCluster (v0-2,
// KIP-700, Kafka 2.8+) when the broker serves it, else from a Metadata request for no topics,
// which every broker answers with the same three things.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <memory>

#include "admin/admin_call.h"
#include "admin/completion.h"
#include "kclient/admin_types.h"
#include "kclient/result.h"

namespace kclient::protocol {
struct DescribeClusterResponse;
struct MetadataResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class DescribeClusterCall final : public AdminCall {
 public:
  using Outcome = Result<ClusterDescription>;

  DescribeClusterCall(net::Clock::time_point deadline, std::shared_ptr<Completion<Outcome>> completion);

 private:
  void Attempt() override;
  void OnDescribeCluster(const Status& status, protocol::DescribeClusterResponse& response);
  void OnMetadata(const Status& status, protocol::MetadataResponse& response);
  void Publish(const Status& rest) override;

  bool use_metadata_ = false;  // the broker has no DescribeCluster
  ClusterDescription cluster_;
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
