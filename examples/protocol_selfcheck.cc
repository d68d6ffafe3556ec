// The interim demo until the broker, producer and consumer land: builds a record batch with every
// codec, wraps it in a ProduceRequest frame at the newest version, decodes the frame the way a
// broker would, reads the records back and prints what went through the wire.
#include <cstdio>
#include <string>
#include <string_view>

#include "kclient/compression.h"
#include "protocol/header.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"

namespace {

using kclient::CompressionType;
namespace kp = kclient::protocol;

kp::ByteSpan AsBytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

bool RunCodec(CompressionType codec) {
  kp::RecordBatchBuilder builder;
  const std::string_view orders[][2] = {
      {"order-1", R"({"order":1,"amount":25.00,"status":"PAID"})"},
      {"order-2", R"({"order":2,"amount":13.50,"status":"PAID"})"},
      {"order-1", R"({"order":1,"status":"SHIPPED"})"},
  };
  const kp::RecordHeader trace[] = {{"trace-id", AsBytes("4bf92f3577b34da6")}};
  int64_t ts = 1'700'000'000'000;
  for (const auto& o : orders) builder.Append(ts++, AsBytes(o[0]), AsBytes(o[1]), trace);
  kp::RecordBatchBuilder::Options options;
  options.compression = codec;
  kp::ByteSpan batch;
  if (auto s = builder.Finish(options, &batch); !s.ok()) {
    std::printf("  %-6s build failed: %s\n", std::string(kclient::CompressionName(codec)).c_str(), s.ToString().c_str());
    return false;
  }

  kp::ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 30000;
  auto& topic = request.topic_data.emplace_back();
  topic.name = "orders";
  auto& partition = topic.partition_data.emplace_back();
  partition.index = 0;
  partition.records = kp::RecordsView(batch);
  const int16_t version = kp::ProduceRequest::kMaxStableVersion - 1;  // v12: topics by name
  kclient::util::ByteBuffer frame;
  if (auto s = kp::EncodeRequestFrame(request, version, 7, std::string("selfcheck"), &frame); !s.ok()) {
    std::printf("encode failed: %s\n", s.ToString().c_str());
    return false;
  }

  // Decode as the broker would: header first, then the body at the header's version.
  kp::RequestHeader header;
  kp::ByteSpan body;
  auto s = kp::ReadRequestHeader(frame.span().subspan(4), &header, &body);
  kp::ProduceRequest decoded;
  if (s.ok()) s = decoded.Decode(body, header.api_version);
  if (!s.ok()) {
    std::printf("decode failed: %s\n", s.ToString().c_str());
    return false;
  }
  const auto records = decoded.topic_data.at(0).partition_data.at(0).records.value_or(kp::RecordsView());
  kp::BatchIterator batches(records.span());
  kp::RecordBatchHeader bh;
  kp::ByteSpan one;
  kclient::util::ByteBuffer scratch;
  int count = 0;
  std::printf("  %-6s frame %4zu bytes, batch %4zu bytes, ProduceRequest v%d:\n",
              std::string(kclient::CompressionName(codec)).c_str(), frame.size(), batch.size(), header.api_version);
  while (batches.Next(&bh, &one)) {
    kp::RecordIterator it(bh, one, &scratch, 1 << 20);
    kp::Record r;
    while (it.Next(&r)) {
      ++count;
      std::printf("           offset %lld key=%.*s value=%.*s header %.*s\n", static_cast<long long>(r.offset),
                  static_cast<int>(r.key->size()), reinterpret_cast<const char*>(r.key->data()),
                  static_cast<int>(r.value->size()), reinterpret_cast<const char*>(r.value->data()),
                  static_cast<int>(r.headers[0].key.size()), r.headers[0].key.data());
    }
    if (!it.status().ok()) {
      std::printf("records failed: %s\n", it.status().ToString().c_str());
      return false;
    }
  }
  return count == 3 && batches.status().ok();
}

}  // namespace

int main() {
  std::printf("kclient protocol self-check: order events through a ProduceRequest frame\n");
  bool ok = true;
  for (auto codec : {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                     CompressionType::kLz4, CompressionType::kZstd}) {
    ok = RunCodec(codec) && ok;
  }
  std::printf("%s\n", ok ? "self-check passed" : "self-check FAILED");
  return ok ? 0 : 1;
}
