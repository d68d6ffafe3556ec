// Result<T>: a value or the Status saying why there is none. The error path of operations that
// produce something (a started cluster, a record's metadata, a parsed config).
// Thread-safety: like T; a Result is a plain value.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "kclient/status.h"

namespace kclient {

template <typename T>
class Result {
 public:
  /// A value.
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A failure; `status` must not be ok.
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  /// Ok when a value is present.
  const Status& status() const { return status_; }

  /// The value; only when ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

}  // namespace kclient
