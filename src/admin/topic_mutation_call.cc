#include "admin/topic_mutation_call.h"

namespace kclient::admin {

namespace {

// Per-topic answers that mean "send this topic again", not "this is the outcome".
bool ComeBackLater(ErrorCode code) {
  return code == ErrorCode::kNotController || code == ErrorCode::kThrottlingQuotaExceeded;
}

}  // namespace

TopicMutationCall::TopicMutationCall(std::string name, net::Clock::time_point deadline,
                                     const std::vector<std::string>& topics,
                                     std::shared_ptr<Completion<Outcome>> completion)
    : AdminCall(std::move(name), deadline),
      pending_(topics.begin(), topics.end()),
      completion_(std::move(completion)) {}

void TopicMutationCall::Record(const std::string& topic, int16_t code, const std::optional<std::string>& message) {
  if (!pending_.contains(topic)) return;
  Status status = StatusFromWire(code, message);
  if (ComeBackLater(status.code())) {
    if (status.code() == ErrorCode::kNotController) ctx().metadata->RequestUpdate();
    retry_reason_ = status.WithContext("topic '" + topic + "'");
    return;
  }
  pending_.erase(topic);
  results_[topic] = status.ok() ? status : status.WithContext("topic '" + topic + "'");
}

void TopicMutationCall::AfterResponse() {
  if (!retry_reason_.ok()) {
    Status why = std::move(retry_reason_);
    retry_reason_ = Status();
    RetryLater(why);
    return;
  }
  // Nothing to retry: a topic the broker left out of its answer will not get one.
  for (const std::string& topic : pending_) {
    results_[topic] = Status(ErrorCode::kUnknownServerError, "the response has no result for topic '" + topic + "'");
  }
  pending_.clear();
  Finish();
}

void TopicMutationCall::Publish(const Status& rest) {
  for (const std::string& topic : pending_) results_[topic] = rest;
  pending_.clear();
  completion_->Set(std::move(results_));
}

}  // namespace kclient::admin
