// PropertyParser: typed getters, Java's text rules (trimming, booleans in any case, a leading
// '+'), the first error kept, and properties nobody read reported as unknown.
#include "config/property_parser.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "kclient/properties.h"

namespace kclient::config {
namespace {

enum class Color { kRed, kGreen };
constexpr std::array<EnumName<Color>, 2> kColors = {{{"red", Color::kRed}, {"green", Color::kGreen}}};

TEST(PropertyParserTest, AbsentPropertiesLeaveDefaultsAndAreNotErrors) {
  const Properties properties;
  PropertyParser parser(properties);
  EXPECT_FALSE(parser.Int32("a", 0, 10).has_value());
  EXPECT_FALSE(parser.Bool("b").has_value());
  EXPECT_FALSE(parser.IsSet("a"));
  EXPECT_TRUE(parser.Finish().ok());
}

TEST(PropertyParserTest, ReadsEveryTypeTrimmedAsJavaDoes) {
  const Properties properties = {
      {"int", " 42 "},         {"plus", "+7"},          {"negative", "-3"},
      {"long", "9000000000"},  {"yes", "TRUE"},         {"no", " false"},
      {"text", "  hello  "},   {"list", " a, b ,,c , "}, {"color", "green\t"},
  };
  PropertyParser parser(properties);
  EXPECT_EQ(parser.Int32("int", 0, 100), 42);
  EXPECT_EQ(parser.Int32("plus", 0, 100), 7);
  EXPECT_EQ(parser.Int32("negative", -5, 5), -3);
  EXPECT_EQ(parser.Int64("long", 0, INT64_MAX), 9000000000);
  EXPECT_EQ(parser.Bool("yes"), true);
  EXPECT_EQ(parser.Bool("no"), false);
  EXPECT_EQ(parser.String("text"), "hello");
  EXPECT_EQ(parser.List("list"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(parser.Enum<Color>("color", kColors), Color::kGreen);
  EXPECT_TRUE(parser.IsSet("int"));
  EXPECT_TRUE(parser.Finish().ok()) << parser.Finish().ToString();
}

TEST(PropertyParserTest, AnEmptyListIsEmpty) {
  const Properties properties = {{"list", "  "}};
  PropertyParser parser(properties);
  EXPECT_EQ(parser.List("list"), std::vector<std::string>{});
  EXPECT_TRUE(parser.Finish().ok());
}

TEST(PropertyParserTest, BadValuesNameThePropertyTheValueAndWhatIsAllowed) {
  struct Case {
    const char* value;
    const char* expected;  // a part of the message
  };
  const Case int_cases[] = {
      {"abc", "an integer in [1, 10]"},  {"", "an integer in [1, 10]"},   {"0", "an integer in [1, 10]"},
      {"11", "an integer in [1, 10]"},   {"5x", "an integer in [1, 10]"}, {"+-5", "an integer in [1, 10]"},
      {"1.5", "an integer in [1, 10]"},  {"99999999999999999999", "an integer in [1, 10]"},
  };
  for (const Case& c : int_cases) {
    const Properties properties = {{"n", c.value}};
    PropertyParser parser(properties);
    EXPECT_FALSE(parser.Int32("n", 1, 10).has_value()) << c.value;
    const Status status = parser.Finish();
    EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig) << c.value;
    EXPECT_EQ(status.message(), std::string("invalid value '") + c.value + "' for property 'n': expected " +
                                    c.expected);
  }

  const Properties properties = {{"flag", "yes"}, {"color", "blue"}};
  PropertyParser parser(properties);
  EXPECT_FALSE(parser.Bool("flag").has_value());
  EXPECT_EQ(parser.Finish().message(), "invalid value 'yes' for property 'flag': expected true or false");

  PropertyParser enums(properties);
  EXPECT_FALSE(enums.Enum<Color>("color", kColors, "or paint it").has_value());
  EXPECT_EQ(enums.Finish().message(),
            "invalid value 'blue' for property 'color': expected one of red, green; or paint it");
}

TEST(PropertyParserTest, EnumNamesAreCaseSensitiveAsInJava) {
  const Properties properties = {{"color", "RED"}};
  PropertyParser parser(properties);
  EXPECT_FALSE(parser.Enum<Color>("color", kColors).has_value());
  EXPECT_FALSE(parser.Finish().ok());
}

TEST(PropertyParserTest, KeepsTheFirstError) {
  const Properties properties = {{"a", "x"}, {"b", "y"}};
  PropertyParser parser(properties);
  parser.Int32("b", 0, 1);
  parser.Int32("a", 0, 1);
  parser.Reject("a", "x", "later");
  EXPECT_NE(parser.status().message().find("'b'"), std::string::npos) << parser.status().ToString();
  EXPECT_EQ(parser.Finish(), parser.status());
  EXPECT_NE(parser.Finish().message().find("'b'"), std::string::npos);
}

TEST(PropertyParserTest, NamesEveryPropertyNobodyRead) {
  const Properties properties = {{"known", "1"}, {"lingr.ms", "5"}, {"zzz", "1"}};
  PropertyParser parser(properties);
  EXPECT_TRUE(parser.IsSet("zzz"));  // asking does not consume
  EXPECT_EQ(parser.Int32("known", 0, 1), 1);
  const Status status = parser.Finish();
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_EQ(status.message(), "unknown property 'lingr.ms', also 'zzz'");
}

TEST(PropertyParserTest, InvalidPropertyIsTheSharedMessage) {
  const Status status = InvalidProperty("retries", "-1", "expected " + IntegerRange(0, 5));
  EXPECT_EQ(status.code(), ErrorCode::kLocalInvalidConfig);
  EXPECT_EQ(status.message(), "invalid value '-1' for property 'retries': expected an integer in [0, 5]");
}

}  // namespace
}  // namespace kclient::config
