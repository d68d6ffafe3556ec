#include "admin/delete_topics_call.h"

#include "protocol/messages/delete_topics.h"

namespace kclient::admin {

namespace {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;

// DeleteTopicsRequest by name, filled for the version it is encoded at: v0-5 carry names in
// TopicNames, v6 in Topics (which older versions cannot carry, so both cannot simply be set).
struct DeleteTopicsByName {
  static constexpr protocol::ApiKey kApiKey = DeleteTopicsRequest::kApiKey;
  static constexpr int16_t kMinVersion = DeleteTopicsRequest::kMinVersion;
  static constexpr int16_t kMaxStableVersion = DeleteTopicsRequest::kMaxStableVersion;

  std::vector<std::string> names;
  int32_t timeout_ms = 0;

  Status Encode(util::ByteBuffer* out, int16_t version) const {
    DeleteTopicsRequest request;
    request.timeout_ms = timeout_ms;
    if (version >= 6) {
      for (const std::string& n : names) request.topics.emplace_back().name = n;
    } else {
      request.topic_names = names;
    }
    return request.Encode(out, version);
  }
};

}  // namespace

DeleteTopicsCall::DeleteTopicsCall(net::Clock::time_point deadline, const std::vector<std::string>& names,
                                   std::shared_ptr<Completion<Outcome>> completion)
    : TopicMutationCall("DeleteTopics", deadline, names, std::move(completion)) {}

void DeleteTopicsCall::Attempt() {
  DeleteTopicsByName request;
  request.names.assign(pending().begin(), pending().end());
  request.timeout_ms = RemainingMs();
  Send(ctx().ControllerNode(), std::move(request), &DeleteTopicsCall::OnResponse);
}

void DeleteTopicsCall::OnResponse(const Status& status, DeleteTopicsResponse& response) {
  if (!status.ok()) {
    OnRequestError(status);
    return;
  }
  // We only ask by name, so every answer names its topic.
  for (const auto& r : response.responses) {
    if (r.name) Record(*r.name, r.error_code, r.error_message);
  }
  AfterResponse();
}

}  // namespace kclient::admin
