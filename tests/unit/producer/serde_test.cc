// The built-in serializers of kclient/serde.h (round trips, Java's integer bytes, what the
// concepts accept) and the JSON ones of kclient/json_serde.h (round trips, errors as statuses).
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/json_serde.h"
#include "kclient/serde.h"

namespace kclient {
namespace {

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// --- What the concepts accept -------------------------------------------------------------------

static_assert(Serializer<StringSerializer, std::string>);
static_assert(Serializer<StringSerializer, std::string_view>);
static_assert(Serializer<StringSerializer, const char*>);
static_assert(Serializer<BytesSerializer, std::vector<uint8_t>>);
static_assert(Serializer<BytesSerializer, std::span<const uint8_t>>);
static_assert(Serializer<BytesSerializer, std::span<const std::byte>>);
static_assert(Serializer<Int32Serializer, int32_t>);
static_assert(Serializer<Int32Serializer, int16_t>);
static_assert(Serializer<Int64Serializer, int64_t>);
static_assert(Serializer<Int64Serializer, int32_t>);
static_assert(Serializer<Int64Serializer, uint32_t>);
// Nothing that would lose bits, and no bool.
static_assert(!Serializer<Int32Serializer, int64_t>);
static_assert(!Serializer<Int32Serializer, uint32_t>);
static_assert(!Serializer<Int64Serializer, uint64_t>);
static_assert(!Serializer<Int32Serializer, bool>);
static_assert(!Serializer<StringSerializer, int32_t>);
static_assert(!Serializer<BytesSerializer, std::string>);

static_assert(Serializer<DefaultSerializer<std::string>, std::string>);
static_assert(Serializer<DefaultSerializer<const char*>, const char*>);
static_assert(Serializer<DefaultSerializer<std::span<const uint8_t>>, std::span<const uint8_t>>);
static_assert(Serializer<DefaultSerializer<int32_t>, int32_t>);
static_assert(Serializer<DefaultSerializer<int64_t>, int64_t>);

static_assert(Deserializer<StringDeserializer, std::string>);
static_assert(Deserializer<BytesDeserializer, std::vector<uint8_t>>);
static_assert(Deserializer<Int32Deserializer, int32_t>);
static_assert(Deserializer<Int64Deserializer, int64_t>);
static_assert(!Deserializer<Int32Deserializer, int64_t>);
static_assert(Deserializer<DefaultDeserializer<std::string>, std::string>);
static_assert(Deserializer<DefaultDeserializer<int64_t>, int64_t>);

// --- Strings and bytes ---------------------------------------------------------------------------

TEST(SerdeTest, StringsRoundTripAsTheirBytes) {
  StringSerializer serializer;
  StringDeserializer deserializer;
  const std::string text("h\xc3\xa9llo\0w\xff", 9);  // UTF-8, a NUL and a byte that is not UTF-8
  std::string bytes;
  ASSERT_TRUE(serializer.Serialize("t", text, &bytes).ok());
  EXPECT_EQ(bytes, text);
  std::string back;
  ASSERT_TRUE(deserializer.Deserialize("t", Bytes(bytes), &back).ok());
  EXPECT_EQ(back, text);

  ASSERT_TRUE(serializer.Serialize("t", std::string_view("view"), &bytes).ok());
  EXPECT_EQ(bytes, "view");
  ASSERT_TRUE(serializer.Serialize("t", "literal", &bytes).ok());
  EXPECT_EQ(bytes, "literal");
  ASSERT_TRUE(serializer.Serialize("t", "", &bytes).ok());
  EXPECT_EQ(bytes, "");  // replaces what was there
}

TEST(SerdeTest, NullCharPointerIsASerializationError) {
  const char* null_text = nullptr;
  std::string bytes;
  const Status status = StringSerializer().Serialize("t", null_text, &bytes);
  EXPECT_EQ(status.code(), ErrorCode::kLocalSerialization);
  EXPECT_FALSE(status.retriable());
}

TEST(SerdeTest, BytesRoundTrip) {
  const std::vector<uint8_t> raw = {0x00, 0xff, 0x80, 0x7f, 0x01};
  const std::string expected("\x00\xff\x80\x7f\x01", 5);
  BytesSerializer serializer;
  std::string bytes;
  ASSERT_TRUE(serializer.Serialize("t", raw, &bytes).ok());
  EXPECT_EQ(bytes, expected);
  ASSERT_TRUE(serializer.Serialize("t", std::span<const uint8_t>(raw).first(2), &bytes).ok());
  EXPECT_EQ(bytes, expected.substr(0, 2));
  const std::byte as_bytes[] = {std::byte{0x00}, std::byte{0xff}, std::byte{0x80}, std::byte{0x7f},
                                std::byte{0x01}};
  ASSERT_TRUE(serializer.Serialize("t", std::span<const std::byte>(as_bytes), &bytes).ok());
  EXPECT_EQ(bytes, expected);

  std::vector<uint8_t> back = {9, 9, 9, 9, 9, 9, 9};
  ASSERT_TRUE(BytesDeserializer().Deserialize("t", Bytes(expected), &back).ok());
  EXPECT_EQ(back, raw);
}

// --- Integers: Java's IntegerSerializer / LongSerializer bytes -----------------------------------

// ByteBuffer.allocate(4).putInt(v) and ByteBuffer.allocate(8).putLong(v) in Java: big-endian two's
// complement.
TEST(SerdeTest, Int32MatchesJavaIntegerSerializer) {
  const std::pair<int32_t, std::string> cases[] = {
      {0, std::string("\x00\x00\x00\x00", 4)},
      {1, std::string("\x00\x00\x00\x01", 4)},
      {42, std::string("\x00\x00\x00\x2a", 4)},
      {-1, std::string("\xff\xff\xff\xff", 4)},
      {0x12345678, std::string("\x12\x34\x56\x78", 4)},
      {std::numeric_limits<int32_t>::max(), std::string("\x7f\xff\xff\xff", 4)},
      {std::numeric_limits<int32_t>::min(), std::string("\x80\x00\x00\x00", 4)},
  };
  for (const auto& [value, expected] : cases) {
    std::string bytes;
    ASSERT_TRUE(Int32Serializer().Serialize("t", value, &bytes).ok());
    EXPECT_EQ(bytes, expected) << value;
    int32_t back = 7;
    ASSERT_TRUE(Int32Deserializer().Deserialize("t", Bytes(expected), &back).ok());
    EXPECT_EQ(back, value);
  }
}

TEST(SerdeTest, Int64MatchesJavaLongSerializer) {
  const std::pair<int64_t, std::string> cases[] = {
      {0, std::string(8, '\0')},
      {42, std::string("\x00\x00\x00\x00\x00\x00\x00\x2a", 8)},
      {-1, std::string(8, '\xff')},
      {1234567890123, std::string("\x00\x00\x01\x1f\x71\xfb\x04\xcb", 8)},
      {0x0102030405060708, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)},
      {std::numeric_limits<int64_t>::max(), std::string("\x7f\xff\xff\xff\xff\xff\xff\xff", 8)},
      {std::numeric_limits<int64_t>::min(), std::string("\x80\x00\x00\x00\x00\x00\x00\x00", 8)},
  };
  for (const auto& [value, expected] : cases) {
    std::string bytes;
    ASSERT_TRUE(Int64Serializer().Serialize("t", value, &bytes).ok());
    EXPECT_EQ(bytes, expected) << value;
    int64_t back = 7;
    ASSERT_TRUE(Int64Deserializer().Deserialize("t", Bytes(expected), &back).ok());
    EXPECT_EQ(back, value);
  }
}

TEST(SerdeTest, NarrowerIntegersWidenBeforeEncoding) {
  std::string bytes;
  ASSERT_TRUE(Int64Serializer().Serialize("t", int16_t{-2}, &bytes).ok());
  EXPECT_EQ(bytes, std::string("\xff\xff\xff\xff\xff\xff\xff\xfe", 8));
  ASSERT_TRUE(Int64Serializer().Serialize("t", uint32_t{0xffffffff}, &bytes).ok());
  EXPECT_EQ(bytes, std::string("\x00\x00\x00\x00\xff\xff\xff\xff", 8));
}

TEST(SerdeTest, IntegerOfTheWrongSizeIsASerializationError) {
  for (const std::string& input : {std::string(), std::string(3, '\0'), std::string(5, '\0')}) {
    int32_t value = 0;
    const Status status = Int32Deserializer().Deserialize("t", Bytes(input), &value);
    EXPECT_EQ(status.code(), ErrorCode::kLocalSerialization) << input.size();
    EXPECT_NE(status.message().find("expects 4 bytes"), std::string_view::npos)
        << status.ToString();
  }
  int64_t value = 0;
  EXPECT_EQ(Int64Deserializer().Deserialize("t", Bytes(std::string(4, '\0')), &value).code(),
            ErrorCode::kLocalSerialization);
}

// --- Generic use through the concepts ------------------------------------------------------------

template <typename T, Serializer<T> S, Deserializer<T> D>
std::optional<T> RoundTrip(S& serializer, D& deserializer, const T& value) {
  std::string bytes;
  if (!serializer.Serialize("t", value, &bytes).ok()) return std::nullopt;
  T back{};
  if (!deserializer.Deserialize("t", Bytes(bytes), &back).ok()) return std::nullopt;
  return back;
}

TEST(SerdeTest, DefaultsRoundTrip) {
  DefaultSerializer<int64_t> int_serializer;
  DefaultDeserializer<int64_t> int_deserializer;
  EXPECT_EQ(RoundTrip(int_serializer, int_deserializer, int64_t{-123456789012}), -123456789012);
  DefaultSerializer<std::string> string_serializer;
  DefaultDeserializer<std::string> string_deserializer;
  EXPECT_EQ(RoundTrip(string_serializer, string_deserializer, std::string("orders")), "orders");
}

// --- JSON ----------------------------------------------------------------------------------------

struct Order {
  std::string id;
  int64_t quantity = 0;
  std::vector<std::string> tags;
  friend bool operator==(const Order&, const Order&) = default;
};

// Found by argument-dependent lookup, as nlohmann expects.
void to_json(nlohmann::json& j, const Order& order) {
  j = nlohmann::json{{"id", order.id}, {"quantity", order.quantity}, {"tags", order.tags}};
}
void from_json(const nlohmann::json& j, Order& order) {
  j.at("id").get_to(order.id);
  j.at("quantity").get_to(order.quantity);
  j.at("tags").get_to(order.tags);
}

static_assert(Serializer<JsonSerializer<Order>, Order>);
static_assert(Deserializer<JsonDeserializer<Order>, Order>);

TEST(JsonSerdeTest, StructRoundTrip) {
  const Order order{"o-1", 3, {"gift", "caf\xc3\xa9"}};
  std::string bytes;
  ASSERT_TRUE(JsonSerializer<Order>().Serialize("orders", order, &bytes).ok());
  EXPECT_EQ(bytes, R"({"id":"o-1","quantity":3,"tags":["gift","caf)"
                   "\xc3\xa9"
                   R"("]})");
  Order back;
  ASSERT_TRUE(JsonDeserializer<Order>().Deserialize("orders", Bytes(bytes), &back).ok());
  EXPECT_EQ(back, order);
}

TEST(JsonSerdeTest, JsonValuesAndStandardTypesRoundTrip) {
  const nlohmann::json value = {{"a", 1}, {"b", {true, nullptr, 2.5}}};
  JsonSerializer<nlohmann::json> json_serializer;
  JsonDeserializer<nlohmann::json> json_deserializer;
  EXPECT_EQ(RoundTrip(json_serializer, json_deserializer, value), value);

  const std::map<std::string, std::vector<int>> map = {{"x", {1, 2}}, {"y", {}}};
  JsonSerializer<std::map<std::string, std::vector<int>>> map_serializer;
  JsonDeserializer<std::map<std::string, std::vector<int>>> map_deserializer;
  EXPECT_EQ(RoundTrip(map_serializer, map_deserializer, map), map);
}

TEST(JsonSerdeTest, TextThatIsNotJsonIsAStatus) {
  for (const std::string& input : {std::string(), std::string("{"), std::string("{\"id\": }"),
                                   std::string("[1] trailing")}) {
    nlohmann::json value;
    const Status status = JsonDeserializer<nlohmann::json>().Deserialize("orders", Bytes(input),
                                                                         &value);
    EXPECT_EQ(status.code(), ErrorCode::kLocalSerialization) << input;
    EXPECT_NE(status.message().find("topic 'orders'"), std::string_view::npos)
        << status.ToString();
  }
}

TEST(JsonSerdeTest, JsonOfTheWrongShapeIsAStatus) {
  for (const std::string& input : {std::string(R"({"id":"o-1"})"),                        // missing
                                   std::string(R"({"id":1,"quantity":2,"tags":[]})"),     // type
                                   std::string(R"([1,2,3])")}) {
    Order order;
    const Status status = JsonDeserializer<Order>().Deserialize("orders", Bytes(input), &order);
    EXPECT_EQ(status.code(), ErrorCode::kLocalSerialization) << input;
  }
  int32_t number = 0;
  EXPECT_EQ(JsonDeserializer<int32_t>().Deserialize("t", Bytes(R"("text")"), &number).code(),
            ErrorCode::kLocalSerialization);
}

TEST(JsonSerdeTest, InvalidUtf8IsASerializationStatus) {
  const Order order{"bad\xff", 1, {}};
  std::string bytes;
  const Status status = JsonSerializer<Order>().Serialize("orders", order, &bytes);
  EXPECT_EQ(status.code(), ErrorCode::kLocalSerialization);
  EXPECT_NE(status.message().find("JSON serialization"), std::string_view::npos)
      << status.ToString();
}

}  // namespace
}  // namespace kclient
