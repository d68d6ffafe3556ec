#include "admin/describe_configs_call.h"

#include "protocol/messages/describe_configs.h"

namespace kclient::admin {

namespace {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;

constexpr int8_t kTopicResource = 2;  // Kafka's ConfigResource.Type.TOPIC

}  // namespace

DescribeConfigsCall::DescribeConfigsCall(net::Clock::time_point deadline, std::string topic,
                                         std::shared_ptr<Completion<Outcome>> completion)
    : AdminCall("DescribeConfigs", deadline), topic_(std::move(topic)), completion_(std::move(completion)) {}

void DescribeConfigsCall::Attempt() {
  DescribeConfigsRequest request;
  auto& resource = request.resources.emplace_back();
  resource.resource_type = kTopicResource;
  resource.resource_name = topic_;
  resource.configuration_keys.reset();  // null: every key
  Send(net::NetworkClient::kAnyBroker, std::move(request), &DescribeConfigsCall::OnResponse);
}

void DescribeConfigsCall::OnResponse(const Status& status, DescribeConfigsResponse& response) {
  if (HandleRequestError(status)) return;
  const DescribeConfigsResponse::DescribeConfigsResult* mine = nullptr;
  for (const auto& r : response.results) {
    if (r.resource_type == kTopicResource && r.resource_name == topic_) mine = &r;
  }
  if (mine == nullptr) {
    topic_error_ = Status(ErrorCode::kUnknownServerError, "the response has no result for topic '" + topic_ + "'");
  } else if (Status s = StatusFromWire(mine->error_code, mine->error_message); !s.ok()) {
    topic_error_ = s.WithContext("topic '" + topic_ + "'");
  } else {
    for (const auto& c : mine->configs) {
      if (c.value) configs_[c.name] = *c.value;
    }
  }
  Finish();
}

void DescribeConfigsCall::Publish(const Status& rest) {
  if (!rest.ok()) {
    completion_->Set(rest);
  } else if (!topic_error_.ok()) {
    completion_->Set(topic_error_);
  } else {
    completion_->Set(std::move(configs_));
  }
}

}  // namespace kclient::admin
