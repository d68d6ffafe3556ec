#include "admin/admin_call.h"

#include <algorithm>
#include <limits>

namespace kclient::admin {

int32_t CallContext::ControllerNode() const {
  const int32_t controller = metadata->controller_id();
  if (controller >= 0 && network->brokers().contains(controller)) return controller;
  return net::NetworkClient::kAnyBroker;
}

Status StatusFromWire(int16_t code, const std::optional<std::string>& message) {
  const auto error = static_cast<ErrorCode>(code);
  if (error == ErrorCode::kNone) return Status();
  if (!message || message->empty()) return Status(error);
  return Status(error, *message);
}

AdminCall::AdminCall(std::string name, net::Clock::time_point deadline)
    : name_(std::move(name)), deadline_(deadline) {}

void AdminCall::Start(CallContext* ctx) {
  ctx_ = ctx;
  started_ = ctx_->loop->Now();
  if (ctx_->closing) {
    Abort(Status(ErrorCode::kLocalClosed, "the admin client is closed"));
    return;
  }
  id_ = ctx_->next_call_id++;
  ctx_->active.emplace(id_, shared_from_this());
  auto self = shared_from_this();
  deadline_timer_ = ctx_->loop->AddTimer(deadline_, [self] {
    self->deadline_timer_ = 0;
    self->OnDeadline();
  });
  ++attempts_;
  Attempt();
}

void AdminCall::Abort(const Status& why) {
  if (done_) return;
  done_ = true;
  Unregister();
  Publish(why);
}

void AdminCall::Finish() {
  if (done_) return;
  done_ = true;
  Unregister();
  Publish(Status());
}

void AdminCall::Unregister() {
  if (ctx_ == nullptr) return;
  if (deadline_timer_ != 0) ctx_->loop->CancelTimer(deadline_timer_);
  if (retry_timer_ != 0) ctx_->loop->CancelTimer(retry_timer_);
  deadline_timer_ = retry_timer_ = 0;
  if (id_ != 0) ctx_->active.erase(id_);  // may drop the last reference but one: `self` in callers
}

void AdminCall::RetryLater(const Status& why) {
  if (done_) return;
  last_error_ = why;
  if (ctx_->closing) {
    Abort(Status(ErrorCode::kLocalClosed, "the admin client is closed"));
    return;
  }
  // Exponential backoff with +-20% jitter (KIP-580), as the Java admin client.
  double backoff = std::max(ctx_->retry_backoff_ms, 0);
  for (int i = 1; i < attempts_ && backoff < ctx_->retry_backoff_max_ms; ++i) backoff *= 2;
  backoff = std::min<double>(backoff, std::max(ctx_->retry_backoff_max_ms, ctx_->retry_backoff_ms));
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  const auto delay = std::chrono::milliseconds(static_cast<int64_t>(backoff * jitter(ctx_->jitter)));
  // Past the deadline the deadline timer ends the call first.
  auto self = shared_from_this();
  retry_timer_ = ctx_->loop->AddTimer(delay, [self] {
    self->retry_timer_ = 0;
    if (self->done_) return;
    if (self->ctx_->closing) {
      self->Abort(Status(ErrorCode::kLocalClosed, "the admin client is closed"));
      return;
    }
    ++self->attempts_;
    self->Attempt();
  });
}

bool AdminCall::HandleRequestError(const Status& status) {
  if (status.ok()) return false;
  if (status.code() == ErrorCode::kNotController || status.code() == ErrorCode::kLocalTransport ||
      status.code() == ErrorCode::kLocalTimedOut) {
    ctx_->metadata->RequestUpdate();
  }
  if (status.retriable()) {
    RetryLater(status);
  } else {
    Abort(status.WithContext(name_));
  }
  return true;
}

int32_t AdminCall::RemainingMs() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - ctx_->loop->Now()).count();
  return static_cast<int32_t>(std::clamp<int64_t>(left, 1, std::numeric_limits<int32_t>::max()));
}

void AdminCall::OnDeadline() {
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(ctx_->loop->Now() - started_).count();
  std::string message = name_ + " did not complete within " + std::to_string(waited) + " ms (" +
                        std::to_string(attempts_) + (attempts_ == 1 ? " attempt" : " attempts") + ")";
  if (!last_error_.ok()) message += "; last error: " + last_error_.ToString();
  Abort(Status(ErrorCode::kLocalTimedOut, std::move(message)));
}

}  // namespace kclient::admin
