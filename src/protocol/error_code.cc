// Lookup functions for kclient/error_code.h, generated from the
// KCLIENT_ERROR_CODES table (no second table). Each function is a switch over
// the table, so a duplicated code is a compile error (duplicate case value).
// All functions are pure and thread-safe.
#include "kclient/error_code.h"

namespace kclient {

std::string_view ErrorName(ErrorCode code) noexcept {
  switch (code) {
#define KCLIENT_X(e, value, name, retriable, msg) \
  case ErrorCode::e:                             \
    return #name;
    KCLIENT_ERROR_CODES(KCLIENT_X)
#undef KCLIENT_X
  }
  return "UNKNOWN_ERROR_CODE";
}

std::string_view ErrorMessage(ErrorCode code) noexcept {
  switch (code) {
#define KCLIENT_X(e, value, name, retriable, msg) \
  case ErrorCode::e:                             \
    return msg;
    KCLIENT_ERROR_CODES(KCLIENT_X)
#undef KCLIENT_X
  }
  return "unknown error code";
}

bool IsRetriable(ErrorCode code) noexcept {
  switch (code) {
#define KCLIENT_X(e, value, name, retriable, msg) \
  case ErrorCode::e:                             \
    return retriable;
    KCLIENT_ERROR_CODES(KCLIENT_X)
#undef KCLIENT_X
  }
  return false;
}

bool IsKnownErrorCode(int16_t code) noexcept {
  switch (code) {
#define KCLIENT_X(e, value, name, retriable, msg) case value:
    KCLIENT_ERROR_CODES(KCLIENT_X)
#undef KCLIENT_X
    return true;
    default:
      return false;
  }
}

}  // namespace kclient
