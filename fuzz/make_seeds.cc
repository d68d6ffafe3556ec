// Writes a seed corpus for the fuzz targets: every request and response at every version, filled
// with pseudo-random values, and record batches with every codec.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "kclient/compression.h"
#include "protocol/header.h"
#include "protocol/record_batch.h"
#include "protocol/testing/message_fill.h"
#include "util/endian.h"

namespace {

namespace fs = std::filesystem;
namespace kp = kclient::protocol;

void WriteFile(const fs::path& path, std::span<const uint8_t> bytes) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <typename M>
void Seed(const fs::path& dir) {
  kp::TestRng rng(42);
  for (int16_t v = M::kMinVersion; v <= M::kMaxVersion; ++v) {
    M m;
    kp::FillForTest(m, v, rng);
    kclient::util::ByteBuffer buf;
    std::string name = std::string(M::kName) + "-v" + std::to_string(v);
    if constexpr (M::kName.ends_with("Request")) {
      if (!kp::EncodeRequestFrame(m, v, 1, std::string("seed"), &buf).ok()) continue;
      WriteFile(dir / "request" / name, buf.span().subspan(4));
    } else {
      uint8_t prefix[4];
      kclient::util::StoreBE16(prefix, static_cast<uint16_t>(M::kApiKey));
      kclient::util::StoreBE16(prefix + 2, static_cast<uint16_t>(v));
      buf.Append(prefix, 4);
      if (!m.Encode(&buf, v).ok()) continue;
      WriteFile(dir / "response" / name, buf.span());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const fs::path dir = argv[1];
  for (const char* sub : {"request", "response", "record_batch"}) fs::create_directories(dir / sub);
#define KCLIENT_SEED(M) Seed<kp::M>(dir);
  KCLIENT_FOR_EACH_MESSAGE(KCLIENT_SEED)
#undef KCLIENT_SEED
  for (int c = 0; c <= 4; ++c) {
    kp::RecordBatchBuilder b;
    const uint8_t key[] = {'k', '1'};
    const uint8_t value[] = {'v', 'a', 'l', 'u', 'e'};
    const kp::RecordHeader headers[] = {{"h", kp::ByteSpan(value, 2)}};
    for (int i = 0; i < 3; ++i) b.Append(1000 + i, kp::ByteSpan(key), kp::ByteSpan(value), headers);
    kp::RecordBatchBuilder::Options o;
    o.compression = static_cast<kclient::CompressionType>(c);
    kp::ByteSpan batch;
    if (b.Finish(o, &batch).ok()) WriteFile(dir / "record_batch" / ("codec-" + std::to_string(c)), batch);
  }
  return 0;
}
