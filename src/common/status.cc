#include "kclient/status.h"

#include <string>

namespace kclient {

Status::Status(ErrorCode code, std::string message)
    : state_(code == ErrorCode::kNone ? nullptr
                                      : std::make_shared<const State>(State{code, std::move(message)})) {}

Status::Status(ErrorCode code) : Status(code, std::string(ErrorMessage(code))) {}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s(ErrorName(state_->code));
  s += " (";
  s += std::to_string(static_cast<int>(state_->code));
  s += ")";
  if (!state_->message.empty()) {
    s += ": ";
    s += state_->message;
  }
  return s;
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  std::string m(context);
  m += ": ";
  m += state_->message;
  return Status(state_->code, std::move(m));
}

}  // namespace kclient
