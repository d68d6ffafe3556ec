// Golden record batches written by a client we did not write: librdkafka produced them into its
// mock cluster (see tests/integration/librdkafka_mock_interop_test.cc, which captured them), one
// per codec, each holding the same three keyed records with a header and fixed timestamps.
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/record_batch.h"
#include "util/byte_buffer.h"

namespace kclient::protocol {
namespace {

constexpr int64_t kBaseTimestamp = 1'700'000'000'000;
const char* const kKeys[] = {"order-1", "order-2", "order-1"};
const char* const kValues[] = {R"({"order":1,"status":"PAID"})", R"({"order":2,"status":"PAID"})",
                               R"({"order":1,"status":"SHIPPED"})"};
const char* const kTraces[] = {"trace-a", "trace-b", "trace-c"};

std::vector<uint8_t> ReadFixture(const std::string& codec) {
  std::ifstream f(std::string(KCLIENT_TESTDATA_DIR) + "/librdkafka_" + codec + ".bin", std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string_view Str(ByteSpan s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }
ByteSpan Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

class LibrdkafkaFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(LibrdkafkaFixture, DecodesEveryRecord) {
  const std::vector<uint8_t> bytes = ReadFixture(GetParam());
  ASSERT_FALSE(bytes.empty()) << "missing fixture for " << GetParam();
  BatchIterator batches(bytes);
  RecordBatchHeader header;
  ByteSpan batch;
  util::ByteBuffer scratch;
  int n = 0;
  while (batches.Next(&header, &batch)) {
    EXPECT_TRUE(VerifyBatchCrc(batch));
    EXPECT_EQ(CompressionName(header.compression()), GetParam());
    RecordIterator records(header, batch, &scratch, 1 << 20);
    Record r;
    while (records.Next(&r)) {
      ASSERT_LT(n, 3);
      EXPECT_EQ(r.offset, n);
      EXPECT_EQ(r.timestamp, kBaseTimestamp + n);
      EXPECT_EQ(Str(*r.key), kKeys[n]);
      EXPECT_EQ(Str(*r.value), kValues[n]);
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].key, "trace-id");
      EXPECT_EQ(Str(*r.headers[0].value), kTraces[n]);
      ++n;
    }
    EXPECT_TRUE(records.status().ok()) << records.status().ToString();
  }
  EXPECT_TRUE(batches.status().ok());
  EXPECT_FALSE(batches.truncated());
  EXPECT_EQ(n, 3);
}

TEST_P(LibrdkafkaFixture, DetectsACorruptedByte) {
  std::vector<uint8_t> bytes = ReadFixture(GetParam());
  ASSERT_GT(bytes.size(), 70u);
  bytes[bytes.size() - 3] ^= 0x40;
  BatchIterator batches(bytes);
  RecordBatchHeader header;
  ByteSpan batch;
  ASSERT_TRUE(batches.Next(&header, &batch));
  EXPECT_FALSE(VerifyBatchCrc(batch));
  util::ByteBuffer scratch;
  RecordIterator records(header, batch, &scratch, 1 << 20);
  Record r;
  EXPECT_FALSE(records.Next(&r));
  EXPECT_EQ(records.status().code(), ErrorCode::kCorruptMessage);
}

INSTANTIATE_TEST_SUITE_P(EveryCodec, LibrdkafkaFixture, ::testing::Values("none", "gzip", "snappy", "lz4", "zstd"));

// Our encoder must write the very bytes librdkafka wrote for the same uncompressed records.
TEST(LibrdkafkaFixture, OurEncoderMatchesLibrdkafkaByteForByte) {
  const std::vector<uint8_t> theirs = ReadFixture("none");
  RecordBatchHeader header;
  ASSERT_TRUE(RecordBatchHeader::Parse(theirs, &header).ok());

  RecordBatchBuilder builder;
  for (int i = 0; i < 3; ++i) {
    const RecordHeader h[] = {{"trace-id", Bytes(kTraces[i])}};
    builder.Append(kBaseTimestamp + i, Bytes(kKeys[i]), Bytes(kValues[i]), h);
  }
  RecordBatchBuilder::Options options;
  options.producer_id = header.producer_id;  // assigned by the mock cluster to librdkafka
  options.producer_epoch = header.producer_epoch;
  options.base_sequence = header.base_sequence;
  options.base_offset = header.base_offset;
  options.partition_leader_epoch = header.partition_leader_epoch;
  ByteSpan ours;
  ASSERT_TRUE(builder.Finish(options, &ours).ok());
  EXPECT_EQ(std::vector<uint8_t>(ours.begin(), ours.end()), theirs);
}

}  // namespace
}  // namespace kclient::protocol
