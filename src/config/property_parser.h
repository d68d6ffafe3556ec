// PropertyParser: the one place where Kafka property text ("linger.ms" -> "5") becomes typed
// values for an options struct. Each getter reads one property, if it is given, and marks it
// consumed; Finish then names any property no getter asked for, so a misspelt or unsupported
// property is an error instead of being silently ignored.
//
// A getter returns std::nullopt for a property that is absent or invalid (the caller's default
// stays) and the parser keeps the first error, so a caller reads every property in a row and
// checks once, with Finish. Every error is kLocalInvalidConfig and names the property, the value
// given and what is allowed.
//
// Values are trimmed of surrounding whitespace first and booleans match case-insensitively, as
// Java's ConfigDef does, so a Java .properties file means the same here.
//
// Thread-safety: a PropertyParser is used by one thread at a time. It refers to the Properties
// it was built from, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/properties.h"
#include "kclient/status.h"

namespace kclient::config {

/// One spelling of an enum-valued property and the value it stands for.
template <typename T>
struct EnumName {
  std::string_view name;
  T value;
};

/// The error for property `name` holding `value`: "invalid value 'v' for property 'name':
/// <expected>". Shared by the parser and by the Validate functions of the options structs, so
/// an error reads the same whether the value came from properties or was set in code.
Status InvalidProperty(std::string_view name, std::string_view value, std::string_view expected);

/// "an integer in [min, max]", the expectation of an integer property.
std::string IntegerRange(int64_t min, int64_t max);

class PropertyParser {
 public:
  explicit PropertyParser(const Properties& properties) : properties_(properties) {}
  PropertyParser(const PropertyParser&) = delete;
  PropertyParser& operator=(const PropertyParser&) = delete;

  /// Whether `name` was given explicitly (whatever its value, read or not). Java's
  /// "originals().containsKey": some defaults adapt quietly to other settings only when the
  /// user did not set them.
  bool IsSet(std::string_view name) const { return properties_.find(name) != properties_.end(); }

  /// A decimal integer (an optional sign, as Java's parseInt/parseLong accept) in [min, max].
  std::optional<int32_t> Int32(std::string_view name, int32_t min, int32_t max);
  std::optional<int64_t> Int64(std::string_view name, int64_t min, int64_t max);

  /// "true" or "false", in any case.
  std::optional<bool> Bool(std::string_view name);

  /// Any text (trimmed).
  std::optional<std::string> String(std::string_view name);

  /// A comma-separated list; each element is trimmed and empty elements are dropped.
  std::optional<std::vector<std::string>> List(std::string_view name);

  /// One of `names` (matched case-sensitively, as Java's ValidString does). The error lists
  /// the allowed names, followed by `hint` when it is not empty.
  template <typename T>
  std::optional<T> Enum(std::string_view name, std::span<const EnumName<T>> names,
                        std::string_view hint = {});

  /// Records an error about `name` found by the caller (a value the getters cannot judge),
  /// unless an earlier error is kept already.
  void Reject(std::string_view name, std::string_view value, std::string_view expected);

  /// The first error so far; ok while there is none.
  const Status& status() const { return first_error_; }

  /// The first error, else "unknown property 'x'" for the properties no getter consumed, else
  /// ok. Call after every getter.
  Status Finish() const;

 private:
  // The trimmed value of `name` when it is given, marking it consumed.
  std::optional<std::string_view> Take(std::string_view name);
  void Fail(Status error);

  const Properties& properties_;
  std::set<std::string, std::less<>> consumed_;
  Status first_error_;
};

template <typename T>
std::optional<T> PropertyParser::Enum(std::string_view name, std::span<const EnumName<T>> names,
                                      std::string_view hint) {
  const std::optional<std::string_view> text = Take(name);
  if (!text) return std::nullopt;
  for (const EnumName<T>& entry : names) {
    if (entry.name == *text) return entry.value;
  }
  std::string expected = "expected one of ";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) expected += ", ";
    expected += names[i].name;
  }
  if (!hint.empty()) {
    expected += "; ";
    expected += hint;
  }
  Reject(name, *text, expected);
  return std::nullopt;
}

}  // namespace kclient::config
