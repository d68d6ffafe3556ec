// Status: the outcome of an operation, as a value. Success is a null pointer and costs nothing;
// a failure carries a kclient::ErrorCode (Kafka's wire code, or a kclient-local condition) and a
// message saying what failed. Whether a failure is worth retrying comes from the one error
// table in error_code.h, so every layer classifies errors the same way.
//
// Thread-safety: a Status is immutable once built; copies share the same state and may be read
// from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "kclient/error_code.h"

namespace kclient {

class Status {
 public:
  /// Success.
  Status() noexcept = default;
  /// A failure with `code` (which must not be ErrorCode::kNone) and a message for humans.
  Status(ErrorCode code, std::string message);
  /// A failure with `code` and the table's message for it.
  explicit Status(ErrorCode code);

  /// Success, spelled out.
  static Status Ok() noexcept { return Status(); }

  bool ok() const noexcept { return state_ == nullptr; }
  /// ErrorCode::kNone when ok().
  ErrorCode code() const noexcept { return state_ ? state_->code : ErrorCode::kNone; }
  /// Whether retrying the same operation may succeed (the error table's classification).
  bool retriable() const noexcept { return state_ != nullptr && IsRetriable(state_->code); }
  /// What failed; empty when ok().
  std::string_view message() const noexcept {
    return state_ ? std::string_view(state_->message) : std::string_view();
  }
  /// "OK", or "NAME (code): message".
  std::string ToString() const;

  /// The same error with `context` prepended to its message ("fetching orders-0: ...").
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) noexcept { return a.code() == b.code(); }

 private:
  struct State {
    ErrorCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;
};

}  // namespace kclient
