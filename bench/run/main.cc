// kclient-bench-run: one benchmark run of one client, printed as one JSON line.
//
//   kclient-bench-run --client kclient|librdkafka --mode produce|consume|latency
//                     --bootstrap HOST:PORT --topic T [--records N] [--warmup N] [--value-size B]
//                     [--keyed] [--acks all|1] [--compression none|gzip|snappy|lz4|zstd]
//                     [--partitions P] [--rate R]
//   kclient-bench-run --mode create|fill|delete ...   (setup, with kclient, outside any measurement)
//
// A run is a process of its own so that CPU time, peak RSS and allocation counts are one
// client's; bench/compare.py interleaves these processes across clients and takes medians.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "run/alloc_counter.h"
#include "run/runs.h"
#include "run/window.h"

namespace {

using kclient::bench::Measurement;
using kclient::bench::Workload;

// Percentile q (0..1) of latencies in nanoseconds, in milliseconds; null when there are none.
nlohmann::json PercentileMs(std::vector<int64_t>& ns, double q) {
  if (ns.empty()) return nullptr;
  const auto at = std::min(ns.size() - 1, static_cast<size_t>(q * static_cast<double>(ns.size())));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(at), ns.end());
  return static_cast<double>(ns[at]) / 1e6;
}

nlohmann::json Report(const std::string& client, const std::string& mode, const Workload& w, Measurement& m) {
  const bool ok = m.records > 0 && m.seconds > 0;
  const double records = static_cast<double>(m.records);
  nlohmann::json out = {
      {"client", client},
      {"mode", mode},
      {"ok", ok && m.failures == 0},
      {"records", m.records},
      {"failures", m.failures},
      {"seconds", m.seconds},
      {"records_per_s", ok ? records / m.seconds : 0},
      {"mb_per_s", ok ? records * w.value_size / 1e6 / m.seconds : 0},
      {"cpu_us_per_record", ok ? m.cpu_seconds * 1e6 / records : 0},
      {"allocs_per_record", nullptr},
      {"peak_rss_mib", static_cast<double>(kclient::bench::PeakRssKib()) / 1024.0},
  };
  if (ok && kclient::bench::AllocationsCounted()) out["allocs_per_record"] = static_cast<double>(m.allocations) / records;
  if (mode == "latency") {
    out["latency_samples"] = m.ack_latency_ns.size();
    out["ack_p50_ms"] = PercentileMs(m.ack_latency_ns, 0.50);
    out["ack_p99_ms"] = PercentileMs(m.ack_latency_ns, 0.99);
    out["ack_p999_ms"] = PercentileMs(m.ack_latency_ns, 0.999);
    out["e2e_p50_ms"] = PercentileMs(m.e2e_latency_ns, 0.50);
    out["e2e_p99_ms"] = PercentileMs(m.e2e_latency_ns, 0.99);
    out["e2e_p999_ms"] = PercentileMs(m.e2e_latency_ns, 0.999);
    // Every measured record must have been acknowledged and consumed for the run to count.
    const auto expected = static_cast<size_t>(m.records);
    if (m.ack_latency_ns.size() != expected || m.e2e_latency_ns.size() != expected) out["ok"] = false;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"one benchmark run of one Kafka client"};
  Workload w;
  std::string client = "kclient";
  std::string mode = "produce";
  app.add_option("--client", client, "kclient or librdkafka")->check(CLI::IsMember({"kclient", "librdkafka"}));
  app.add_option("--mode", mode, "create, fill, delete, produce, consume or latency")
      ->check(CLI::IsMember({"create", "fill", "delete", "produce", "consume", "latency"}));
  app.add_option("--bootstrap", w.bootstrap, "the cluster")->required();
  app.add_option("--topic", w.topic, "the run's topic")->required();
  app.add_option("--partitions", w.partitions, "partitions of the topic");
  app.add_option("--records", w.records, "measured records");
  app.add_option("--warmup", w.warmup, "records before the measured window");
  app.add_option("--value-size", w.value_size, "value bytes");
  app.add_flag("--keyed", w.keyed, "keys from 1000 distinct values (else null keys)");
  app.add_option("--acks", w.acks, "all or 1")->check(CLI::IsMember({"all", "1"}));
  app.add_option("--compression", w.compression, "none, gzip, snappy, lz4, zstd");
  app.add_option("--linger-ms", w.linger_ms, "linger.ms");
  app.add_option("--batch-size", w.batch_size, "batch.size");
  app.add_option("--rate", w.rate, "records/s of a latency run");
  CLI11_PARSE(app, argc, argv);

  if (mode == "create") return kclient::bench::CreateTopic(w) ? 0 : 1;
  if (mode == "fill") return kclient::bench::FillTopic(w) ? 0 : 1;
  if (mode == "delete") return kclient::bench::DeleteTopic(w) ? 0 : 1;
  const bool kc = client == "kclient";
  Measurement m;
  if (mode == "produce") {
    m = kc ? kclient::bench::KclientProduce(w) : kclient::bench::LibrdkafkaProduce(w);
  } else if (mode == "consume") {
    m = kc ? kclient::bench::KclientConsume(w) : kclient::bench::LibrdkafkaConsume(w);
  } else {
    m = kc ? kclient::bench::KclientLatency(w) : kclient::bench::LibrdkafkaLatency(w);
  }
  const nlohmann::json report = Report(client, mode, w, m);
  std::printf("%s\n", report.dump().c_str());
  return report["ok"].get<bool>() ? 0 : 1;
}
