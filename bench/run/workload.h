// What one benchmark run does and what it measured. kclient-bench-run performs exactly one run
// of one client in its own process, so that the process's CPU time, peak RSS and allocation
// count belong to that client alone; bench/compare.py runs the processes and compares them.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace kclient::bench {

struct Workload {
  std::string bootstrap;
  std::string topic;
  int partitions = 3;
  long records = 1000000;  // measured records
  long warmup = 20000;     // records before the measured window (connections, metadata, pools)
  int value_size = 100;
  bool keyed = false;      // keys from 1000 distinct values, else null keys
  std::string acks = "all";
  std::string compression = "none";
  int linger_ms = 5;
  int batch_size = 16384;
  int rate = 10000;        // records/s of a latency run
};

// The measured window of a run: from after the warm-up to the last acknowledgement (or the
// last record consumed).
struct Measurement {
  long records = 0;
  long failures = 0;
  double seconds = 0;
  double cpu_seconds = 0;        // user + system, every thread of the process
  uint64_t allocations = 0;      // malloc/calloc/realloc calls, every thread
  std::vector<int64_t> ack_latency_ns;  // latency runs: intended send time -> acknowledgement
  std::vector<int64_t> e2e_latency_ns;  // latency runs: intended send time -> consumed
};

// The values a run sends, made before it starts: record i sends values[i % 1024]. Random capital
// letters from a fixed seed, as Kafka's ProducerPerformance fills its payload, so codecs see
// data about as compressible as text (lz4 ~1.6x) rather than one repeated byte.
inline std::vector<std::string> MakeValues(int value_size) {
  std::mt19937 rng(42);
  std::vector<std::string> values(1024, std::string(static_cast<size_t>(value_size), 'A'));
  for (std::string& v : values) {
    for (char& c : v) c = static_cast<char>('A' + rng() % 26);
  }
  return values;
}
inline const std::string& ValueFor(const std::vector<std::string>& values, long i) {
  return values[static_cast<size_t>(i % static_cast<long>(values.size()))];
}

// The first 16 bytes of a latency run's values: the intended send time, in steady-clock
// nanoseconds of the (single) process that produces and consumes, then the record's index.
inline void StampValue(std::string* value, int64_t ns, int64_t index) {
  for (int i = 0; i < 8; ++i) {
    (*value)[static_cast<size_t>(i)] = static_cast<char>(ns >> (8 * i));
    (*value)[static_cast<size_t>(8 + i)] = static_cast<char>(index >> (8 * i));
  }
}
// Reads 8 bytes written by StampValue.
inline int64_t ValueStamp(const char* value) {
  uint64_t ns = 0;
  for (int i = 0; i < 8; ++i) ns |= static_cast<uint64_t>(static_cast<unsigned char>(value[i])) << (8 * i);
  return static_cast<int64_t>(ns);
}

}  // namespace kclient::bench
