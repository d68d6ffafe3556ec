// DescribeConfigsCall: one topic's effective configs, from DescribeConfigs (v0-4) for the TOPIC
// resource with every key (a null key list), sent to the least loaded broker. Configs without a
// value to show (sensitive ones) are left out.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "admin/admin_call.h"
#include "admin/completion.h"
#include "kclient/result.h"

namespace kclient::protocol {
struct DescribeConfigsResponse;
}  // namespace kclient::protocol

namespace kclient::admin {

class DescribeConfigsCall final : public AdminCall {
 public:
  using Outcome = Result<std::map<std::string, std::string>>;

  DescribeConfigsCall(net::Clock::time_point deadline, std::string topic,
                      std::shared_ptr<Completion<Outcome>> completion);

 private:
  void Attempt() override;
  void OnResponse(const Status& status, protocol::DescribeConfigsResponse& response);
  void Publish(const Status& rest) override;

  std::string topic_;
  std::map<std::string, std::string> configs_;
  Status topic_error_;  // the resource's own error: the answer, not a reason to retry
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
