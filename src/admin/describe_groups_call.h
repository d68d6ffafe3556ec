// DescribeGroupsCall: groups' state, assignor and members from their coordinators
// (DescribeGroups v0-6, one request per coordinator for all of its groups), each member's
// assignment decoded for consumer groups (protocol type "consumer", or "" as Java also takes it).
// A group that does not exist is described "Dead" whether the broker says so (v0-5) or answers
// GROUP_ID_NOT_FOUND (v6), so that callers get one answer whatever the broker's version.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "admin/completion.h"
#include "admin/coordinator_call.h"
#include "kclient/admin_types.h"
#include "kclient/result.h"

namespace kclient::protocol {
struct DescribeGroupsResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class DescribeGroupsCall final : public CoordinatorCall {
 public:
  using Outcome = std::map<std::string, Result<GroupDescription>>;

  /// `group_ids`: distinct.
  DescribeGroupsCall(net::Clock::time_point deadline, const std::vector<std::string>& group_ids,
                     std::shared_ptr<Completion<Outcome>> completion);

 private:
  void SendToCoordinator(int32_t coordinator, const std::vector<std::string>& groups) override;
  void OnResponse(int32_t coordinator, const std::vector<std::string>& groups, const Status& status,
                  protocol::DescribeGroupsResponse& response);
  void SetError(const std::string& group, const Status& why) override { results_.insert_or_assign(group, why); }
  void Publish(const Status& rest) override;

  Outcome results_;
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
