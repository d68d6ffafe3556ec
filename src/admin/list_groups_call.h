// ListGroupsCall: every group of the cluster. A group is known only to its coordinator, so the
// call first asks any broker for the broker list (Metadata for no topics), then sends ListGroups
// (v0-5, no filters) to every broker and merges the answers, as Java's admin client does. A broker
// that fails in a way worth retrying (COORDINATOR_LOAD_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, a
// lost connection) is asked again; only those are. Any other failure of any broker fails the call,
// since its groups would be missing.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "admin/completion.h"
#include "admin/fan_out_call.h"
#include "kclient/admin_types.h"
#include "kclient/result.h"

namespace kclient::protocol {
struct ListGroupsResponse;
struct MetadataResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class ListGroupsCall final : public FanOutCall {
 public:
  using Outcome = Result<std::vector<GroupListing>>;

  ListGroupsCall(net::Clock::time_point deadline, std::shared_ptr<Completion<Outcome>> completion);

 private:
  void SendRound() override;
  bool AllAnswered() const override { return brokers_known_ && pending_.empty(); }
  void LeftUnanswered() override;
  void OnMetadata(const Status& status, protocol::MetadataResponse& response);
  void OnListGroups(int32_t broker, const Status& status, protocol::ListGroupsResponse& response, int16_t version);
  void Publish(const Status& rest) override;

  bool brokers_known_ = false;
  std::set<int32_t> pending_;                   // brokers yet to answer
  std::map<std::string, GroupListing> groups_;  // by group id: sorted, and once each
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
