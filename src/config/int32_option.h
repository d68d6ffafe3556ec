// Int32Option: one row binding an int32 field of an options struct to the Kafka property that
// sets it and to its lower bound. The same table row reads the property (ReadInt32Options) and
// checks the field when it was set in code (CheckInt32Options), so a limit is written once.
//
// Java declares most durations LONG, with int32 fields here: such a property accepts anything up
// to INT64_MAX, as Java does, and a value above INT32_MAX (24.8 days) is kept as INT32_MAX,
// which no timer can tell apart from it in practice ("wait as long as possible").
//
// Thread-safety: constant tables and functions without shared state.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "config/property_parser.h"
#include "kclient/status.h"

namespace kclient::config {

/// How Java's ConfigDef declares the property.
enum class JavaType { kInt, kLong };

template <typename Options>
struct Int32Option {
  std::string_view property;
  int32_t Options::*field;
  int32_t min;  // the field may hold min..INT32_MAX
  JavaType java_type;
};

/// Reads every property of `table` that is given into its field of `options`.
template <typename Options>
void ReadInt32Options(PropertyParser* parser, std::span<const Int32Option<Options>> table, Options* options) {
  for (const Int32Option<Options>& option : table) {
    if (option.java_type == JavaType::kInt) {
      if (const auto value = parser->Int32(option.property, option.min, INT32_MAX)) {
        options->*option.field = *value;
      }
    } else if (const auto value = parser->Int64(option.property, option.min, INT64_MAX)) {
      options->*option.field = static_cast<int32_t>(std::min<int64_t>(*value, INT32_MAX));
    }
  }
}

/// The first field of `options` below its row's bound, as an error naming the property.
template <typename Options>
Status CheckInt32Options(std::span<const Int32Option<Options>> table, const Options& options) {
  for (const Int32Option<Options>& option : table) {
    const int32_t value = options.*option.field;
    if (value < option.min) {
      return InvalidProperty(option.property, std::to_string(value),
                             "expected " + IntegerRange(option.min, INT32_MAX));
    }
  }
  return Status::Ok();
}

}  // namespace kclient::config
