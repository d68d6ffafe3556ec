// TopicMutationCall: what CreateTopics, DeleteTopics and CreatePartitions have in common. Each
// sends one request for a set of topics to the controller and gets one error code per topic.
// Topics the controller asks to come back for (NOT_CONTROLLER: it moved; THROTTLING_QUOTA_EXCEEDED:
// the controller mutation quota of KIP-599) are sent again after the backoff; every other answer
// is final, as in the Java admin client.
//
// Thread-safety: the I/O thread only (see AdminCall).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "admin/admin_call.h"
#include "admin/completion.h"

namespace kclient::admin {

class TopicMutationCall : public AdminCall {
 public:
  using Outcome = std::map<std::string, Status>;

  /// `topics`: the distinct names the request covers. The outcome goes to `completion`.
  TopicMutationCall(std::string name, net::Clock::time_point deadline, const std::vector<std::string>& topics,
                    std::shared_ptr<Completion<Outcome>> completion);

 protected:
  /// Topics not answered yet (every one at first); the next request covers exactly these.
  const std::set<std::string>& pending() const { return pending_; }
  /// One topic's answer from a response. Unknown names are ignored.
  void Record(const std::string& topic, int16_t code, const std::optional<std::string>& message);
  /// After a response has been recorded: topics it did not mention fail, and the call finishes
  /// or retries those the controller asked to come back for.
  void AfterResponse();
  /// The whole request failed (or had a request-level error): retry or give up (AdminCall).
  void OnRequestError(const Status& status) { HandleRequestError(status); }

  void Publish(const Status& rest) override;

 private:
  std::set<std::string> pending_;
  Outcome results_;
  Status retry_reason_;  // why topics are still pending after the last response
  std::shared_ptr<Completion<Outcome>> completion_;
};

}  // namespace kclient::admin
