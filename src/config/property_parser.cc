// PropertyParser: text to typed values, with the first error kept and unread properties reported.
// Thread-safety: see property_parser.h.
#include "config/property_parser.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace kclient::config {
namespace {

// Java's String.trim, which ConfigDef applies to every value: drops control characters and
// spaces at both ends.
std::string_view Trim(std::string_view text) {
  auto is_blank = [](char c) { return static_cast<unsigned char>(c) <= ' '; };
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

// A whole decimal integer. Java's parseInt/parseLong accept an explicit '+', so this does too.
std::optional<int64_t> ParseInteger(std::string_view text) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && text.front() == '-') return std::nullopt;
  }
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

Status InvalidProperty(std::string_view name, std::string_view value, std::string_view expected) {
  std::string message = "invalid value '";
  message += value;
  message += "' for property '";
  message += name;
  message += "': ";
  message += expected;
  return Status(ErrorCode::kLocalInvalidConfig, std::move(message));
}

std::string IntegerRange(int64_t min, int64_t max) {
  return "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
}

std::optional<int64_t> PropertyParser::Int64(std::string_view name, int64_t min, int64_t max) {
  const std::optional<std::string_view> text = Take(name);
  if (!text) return std::nullopt;
  const std::optional<int64_t> value = ParseInteger(*text);
  if (!value || *value < min || *value > max) {
    Reject(name, *text, "expected " + IntegerRange(min, max));
    return std::nullopt;
  }
  return value;
}

std::optional<int32_t> PropertyParser::Int32(std::string_view name, int32_t min, int32_t max) {
  const std::optional<int64_t> value = Int64(name, min, max);
  if (!value) return std::nullopt;
  return static_cast<int32_t>(*value);
}

std::optional<bool> PropertyParser::Bool(std::string_view name) {
  const std::optional<std::string_view> text = Take(name);
  if (!text) return std::nullopt;
  if (EqualsIgnoreCase(*text, "true")) return true;
  if (EqualsIgnoreCase(*text, "false")) return false;
  Reject(name, *text, "expected true or false");
  return std::nullopt;
}

std::optional<std::string> PropertyParser::String(std::string_view name) {
  const std::optional<std::string_view> text = Take(name);
  if (!text) return std::nullopt;
  return std::string(*text);
}

std::optional<std::vector<std::string>> PropertyParser::List(std::string_view name) {
  const std::optional<std::string_view> text = Take(name);
  if (!text) return std::nullopt;
  std::vector<std::string> items;
  std::string_view rest = *text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view item = Trim(rest.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return items;
}

void PropertyParser::Reject(std::string_view name, std::string_view value, std::string_view expected) {
  Fail(InvalidProperty(name, value, expected));
}

Status PropertyParser::Finish() const {
  if (!first_error_.ok()) return first_error_;
  std::string unknown;
  for (const auto& [name, value] : properties_) {
    if (consumed_.count(name) != 0) continue;
    unknown += unknown.empty() ? "unknown property '" : ", also '";
    unknown += name;
    unknown += "'";
  }
  if (unknown.empty()) return Status::Ok();
  return Status(ErrorCode::kLocalInvalidConfig, std::move(unknown));
}

std::optional<std::string_view> PropertyParser::Take(std::string_view name) {
  const auto it = properties_.find(name);
  if (it == properties_.end()) return std::nullopt;
  consumed_.insert(it->first);
  return Trim(it->second);
}

void PropertyParser::Fail(Status error) {
  if (first_error_.ok()) first_error_ = std::move(error);
}

}  // namespace kclient::config
