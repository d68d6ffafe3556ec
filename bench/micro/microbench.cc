// kclient-microbench: Google Benchmark micro-benchmarks of the hot paths a record crosses:
// appending into the accumulator, encoding a batch (with its CRC32C), varints, each codec, and
// decoding a fetched batch. Run by scripts/bench.sh; any google-benchmark flag works, e.g.
//   kclient-microbench --benchmark_filter=Codec --benchmark_min_time=0.5
#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "producer/record_accumulator.h"
#include "protocol/compression.h"
#include "protocol/record_batch.h"
#include "util/byte_buffer.h"
#include "util/crc32c.h"
#include "util/varint.h"

namespace {

using kclient::CompressionType;
using kclient::protocol::ByteSpan;

ByteSpan Bytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

// Values like real payloads: JSON-ish text with some repetition, so codecs have work to do
// without it being trivial.
std::string Payload(size_t size, uint32_t seed) {
  static const char* words[] = {"\"order\":", "\"id\":", "\"amount\":", "\"EUR\"", "\"status\":", "\"paid\"", ",", "{"};
  std::mt19937 rng(seed);
  std::string out;
  while (out.size() < size) {
    out += words[rng() % 8];
    out += std::to_string(rng() % 100000);
  }
  out.resize(size);
  return out;
}

// A sealed batch of `count` records of `value_size` bytes with 10 distinct keys.
std::vector<uint8_t> SealedBatch(CompressionType codec, int count, size_t value_size) {
  kclient::protocol::RecordBatchBuilder builder;
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back(Payload(value_size, static_cast<uint32_t>(i)));
  for (int i = 0; i < count; ++i) {
    const std::string key = "key-" + std::to_string(i % 10);
    builder.Append(1700000000000 + i, Bytes(key), Bytes(values[static_cast<size_t>(i)]));
  }
  kclient::protocol::RecordBatchBuilder::Options options;
  options.compression = codec;
  ByteSpan sealed;
  if (!builder.Finish(options, &sealed).ok()) return {};
  return {sealed.begin(), sealed.end()};
}

// Steady-state append: 100-byte records into 16 KiB batches of one partition; the oldest full
// batch is completed and recycled as a sender would, so the pool never runs dry.
void BM_AccumulatorAppend(benchmark::State& state) {
  namespace producer = kclient::producer;
  producer::RecordAccumulator accumulator({16384, 32 << 20, std::chrono::milliseconds(5)});
  producer::PartitionQueue* queue = accumulator.Queue("bench", 0);
  const std::string value = Payload(100, 1);
  const std::string key = "key-1";
  const size_t size = kclient::protocol::RecordBatchBuilder::RecordSize(0, 0, Bytes(key), Bytes(value), {});
  size_t queued_batches = 1;
  for (auto _ : state) {
    producer::RecordThunk thunk;
    auto result = accumulator.Append(queue, 1700000000000, Bytes(key), Bytes(value), {}, size, thunk, std::nullopt);
    if (result.new_batch && ++queued_batches > 4) {
      auto batch = accumulator.TakeFront(queue, [](const producer::ProducerBatch&) { return true; });
      if (batch) accumulator.Complete(std::move(batch), 0, -1);
      --queued_batches;
    }
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AccumulatorAppend);

// Building and sealing a batch of 100 x 100-byte records: record encoding, the codec, the CRC.
void BM_BatchEncode(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  std::vector<std::string> values;
  for (int i = 0; i < 100; ++i) values.push_back(Payload(100, static_cast<uint32_t>(i)));
  const std::string key = "key-1";
  kclient::protocol::RecordBatchBuilder builder;
  kclient::protocol::RecordBatchBuilder::Options options;
  options.compression = codec;
  for (auto _ : state) {
    builder.Reset();
    for (int i = 0; i < 100; ++i) builder.Append(1700000000000 + i, Bytes(key), Bytes(values[static_cast<size_t>(i)]));
    ByteSpan sealed;
    if (!builder.Finish(options, &sealed).ok()) state.SkipWithError("Finish failed");
    benchmark::DoNotOptimize(sealed.data());
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetLabel(std::string(kclient::CompressionName(codec)));
}
BENCHMARK(BM_BatchEncode)->DenseRange(0, 4);

void BM_Crc32c(benchmark::State& state) {
  const std::string data = Payload(static_cast<size_t>(state.range(0)), 7);
  for (auto _ : state) benchmark::DoNotOptimize(kclient::util::Crc32c(data.data(), data.size()));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Crc32c)->Arg(1024)->Arg(16384);

// Zig-zag varints as record fields use them: small deltas and lengths, some large timestamps.
std::vector<int64_t> VarintValues() {
  std::mt19937_64 rng(3);
  std::vector<int64_t> v(4096);
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = i % 8 == 0 ? static_cast<int64_t>(rng() >> 20) : static_cast<int64_t>(rng() % 300) - 150;
  }
  return v;
}

void BM_VarintEncode(benchmark::State& state) {
  const std::vector<int64_t> values = VarintValues();
  std::vector<uint8_t> out(values.size() * kclient::util::kMaxVarint64Bytes);
  for (auto _ : state) {
    uint8_t* p = out.data();
    for (int64_t v : values) p = kclient::util::PutVarint64(p, v);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_VarintEncode);

void BM_VarintDecode(benchmark::State& state) {
  const std::vector<int64_t> values = VarintValues();
  std::vector<uint8_t> encoded(values.size() * kclient::util::kMaxVarint64Bytes);
  uint8_t* end = encoded.data();
  for (int64_t v : values) end = kclient::util::PutVarint64(end, v);
  for (auto _ : state) {
    const uint8_t* p = encoded.data();
    int64_t sum = 0;
    while (p != nullptr && p != end) {
      int64_t v = 0;
      p = kclient::util::GetVarint64(p, end, &v);
      sum += v;
    }
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(values.size()));
}
BENCHMARK(BM_VarintDecode);

// Each codec on a 16 KiB records section (one full default batch).
void BM_Compress(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const std::string input = Payload(16384, 11);
  kclient::util::ByteBuffer out;
  for (auto _ : state) {
    out.clear();
    if (!kclient::protocol::Compress(codec, kclient::protocol::kDefaultCompressionLevel, Bytes(input), &out).ok()) {
      state.SkipWithError("Compress failed");
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
  state.SetLabel(std::string(kclient::CompressionName(codec)) + " ratio " +
                 std::to_string(static_cast<double>(input.size()) / static_cast<double>(out.size())).substr(0, 4));
}
BENCHMARK(BM_Compress)->DenseRange(1, 4);

void BM_Decompress(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const std::string input = Payload(16384, 11);
  kclient::util::ByteBuffer compressed;
  (void)kclient::protocol::Compress(codec, kclient::protocol::kDefaultCompressionLevel, Bytes(input), &compressed);
  kclient::util::ByteBuffer out;
  for (auto _ : state) {
    out.clear();
    if (!kclient::protocol::Decompress(codec, compressed.span(), SIZE_MAX, &out).ok()) {
      state.SkipWithError("Decompress failed");
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(input.size()));
  state.SetLabel(std::string(kclient::CompressionName(codec)));
}
BENCHMARK(BM_Decompress)->DenseRange(1, 4);

// Decoding a fetched batch of 100 x 100-byte records: header, CRC check, decompression, records.
void BM_BatchDecode(benchmark::State& state) {
  const auto codec = static_cast<CompressionType>(state.range(0));
  const std::vector<uint8_t> batch = SealedBatch(codec, 100, 100);
  kclient::util::ByteBuffer scratch;
  kclient::protocol::Record record;
  for (auto _ : state) {
    kclient::protocol::BatchIterator batches(ByteSpan(batch.data(), batch.size()));
    kclient::protocol::RecordBatchHeader header;
    ByteSpan bytes;
    int64_t records = 0;
    while (batches.Next(&header, &bytes)) {
      scratch.clear();
      kclient::protocol::RecordIterator it(header, bytes, &scratch, SIZE_MAX);
      while (it.Next(&record)) ++records;
    }
    if (records != 100) state.SkipWithError("wrong record count");
    benchmark::DoNotOptimize(records);
  }
  state.SetItemsProcessed(state.iterations() * 100);
  state.SetLabel(std::string(kclient::CompressionName(codec)));
}
BENCHMARK(BM_BatchDecode)->DenseRange(0, 4);

}  // namespace

BENCHMARK_MAIN();
