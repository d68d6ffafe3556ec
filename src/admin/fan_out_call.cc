#include "admin/fan_out_call.h"

namespace kclient::admin {

void FanOutCall::Attempt() {
  // The round holds itself open while it sends: a response handled inside Send (a request that
  // could not be encoded, an unknown broker) must not end it before the rest are out.
  in_flight_ = 1;
  retry_reason_ = Status();
  continue_ = false;
  SendRound();
  EndRequest();
}

void FanOutCall::EndRequest() {
  if (--in_flight_ > 0 || done()) return;
  if (AllAnswered()) {
    Finish();
  } else if (!retry_reason_.ok()) {
    RetryLater(retry_reason_);
  } else if (continue_) {
    Attempt();
  } else {
    LeftUnanswered();
    Finish();
  }
}

bool FanOutCall::RequestFailed(const Status& status) {
  if (status.ok()) return false;
  if (status.code() == ErrorCode::kLocalTransport || status.code() == ErrorCode::kLocalTimedOut) {
    ctx().metadata->RequestUpdate();
  }
  if (status.retriable()) {
    RetryAfterRound(status);
  } else {
    Abort(status.WithContext(name()));
  }
  return true;
}

}  // namespace kclient::admin
