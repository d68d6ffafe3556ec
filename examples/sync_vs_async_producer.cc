// Three ways to send the same records with kclient::Producer, and what each costs:
//
//   SendSync            waits for the broker's answer before returning. Simplest, but every record
//                       pays a full round trip and travels alone: use it when the caller cannot go
//                       on without knowing (a command that must be recorded before replying).
//   Send -> future      returns at once; the future gets the outcome. Records sent while earlier
//                       ones are in flight share batches. Use it to send many, then check each.
//   Produce + callback  returns at once; the callback gets the outcome. No future to allocate or
//                       wait on: the throughput path.
//
// It also shows error handling: one record too large for max.request.size fails through its
// callback with kMessageTooLarge while the records around it are written; then Flush and
// Close(timeout).
//
//   kclient-example-sync-async                         # starts a broker in this process
//   kclient-example-sync-async --bootstrap host:port   # uses yours
//
// The timings are informational (they depend on the machine and the cluster). The program exits
// non-zero if any record other than the oversized one fails, or that one does not.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"
#include "example_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr char kTopic[] = "sensor-readings";
constexpr int kRecords = 10000;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The same records for every mode: one key per sensor, so each sensor's readings stay in order.
std::vector<kclient::ProducerRecord> Readings() {
  std::vector<kclient::ProducerRecord> records(kRecords);
  for (int i = 0; i < kRecords; ++i) {
    records[i].topic = kTopic;
    records[i].key = "sensor-" + std::to_string(i % 16);
    records[i].value = R"({"seq":)" + std::to_string(i) + R"(,"celsius":)" + std::to_string(18 + i % 7) + "}";
  }
  return records;
}

void Report(std::string_view mode, int delivered, Clock::duration elapsed) {
  std::printf("%-20s %5d/%d records in %8.1f ms = %9.0f records/s\n", std::string(mode).c_str(), delivered,
              kRecords, Millis(elapsed), delivered / std::chrono::duration<double>(elapsed).count());
}

}  // namespace

int main(int argc, char** argv) {
  // Without --bootstrap, a one-broker cluster in this process, kept alive until main returns.
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 3}}, &exit_code);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();

  // linger.ms=5 (the default) lets a batch wait up to 5 ms for more records: the async modes fill
  // batches, while SendSync sends each record at once since nothing else would join it.
  auto created = kclient::Producer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"client.id", "sync-vs-async-example"},
      {"linger.ms", "5"},
  });
  if (!created.ok()) {
    std::fprintf(stderr, "invalid producer configuration: %s\n", created.status().ToString().c_str());
    return 1;
  }
  kclient::Producer& producer = **created;
  // Fetch the topic's metadata now, so that the first timed record does not wait for it.
  if (auto partitions = producer.PartitionsFor(kTopic); !partitions.ok()) {
    std::fprintf(stderr, "topic %s is not available: %s\n", kTopic, partitions.status().ToString().c_str());
    return 1;
  }

  const std::vector<kclient::ProducerRecord> records = Readings();
  int unexpected_failures = 0;

  // --- 1. SendSync: one record at a time --------------------------------------------------------
  {
    std::vector<Clock::duration> latencies;
    int delivered = 0;
    const Clock::time_point start = Clock::now();
    for (const kclient::ProducerRecord& record : records) {
      const Clock::time_point sent = Clock::now();
      kclient::Result<kclient::RecordMetadata> result = producer.SendSync(record);
      latencies.push_back(Clock::now() - sent);
      if (result.ok()) {
        ++delivered;
      } else {
        std::printf("SendSync failed: %s\n", result.status().ToString().c_str());
        ++unexpected_failures;
      }
    }
    Report("SendSync", delivered, Clock::now() - start);
    std::sort(latencies.begin(), latencies.end());
    std::printf("%20s latency per record: median %.2f ms, p99 %.2f ms, max %.2f ms\n", "",
                Millis(latencies[latencies.size() / 2]), Millis(latencies[latencies.size() * 99 / 100]),
                Millis(latencies.back()));
  }

  // --- 2. Send: a future per record -------------------------------------------------------------
  {
    std::vector<std::future<kclient::Result<kclient::RecordMetadata>>> futures;
    futures.reserve(records.size());
    const Clock::time_point start = Clock::now();
    for (const kclient::ProducerRecord& record : records) futures.push_back(producer.Send(record));
    // Only now wait: by the time the first future is ready, most records are already on their way.
    int delivered = 0;
    for (auto& future : futures) {
      kclient::Result<kclient::RecordMetadata> result = future.get();
      if (result.ok()) {
        ++delivered;
      } else {
        std::printf("Send failed: %s\n", result.status().ToString().c_str());
        ++unexpected_failures;
      }
    }
    Report("Send + futures", delivered, Clock::now() - start);
  }

  // --- 3. Produce: a callback per record, and one record that must fail -------------------------
  {
    std::atomic<int> delivered{0};
    std::atomic<int> failed{0};
    std::atomic<kclient::ErrorCode> last_error{kclient::ErrorCode::kNone};
    // Callbacks run on the producer's sender thread, one at a time: keep them short, and never call
    // Flush, SendSync or Close from one. A record rejected before it is queued (too large, a
    // closed producer, ...) has its callback run inside Produce, on this thread: hence atomics.
    auto on_delivery = [&](const kclient::Result<kclient::RecordMetadata>& result) {
      if (result.ok()) {
        ++delivered;
        return;
      }
      ++failed;
      last_error = result.status().code();
      std::printf("a record failed: %s\n", result.status().ToString().c_str());
    };

    // 2 MiB: more than max.request.size (1 MiB by default), so the producer refuses it.
    kclient::ProducerRecord oversized;
    oversized.topic = kTopic;
    oversized.key = "sensor-dump";
    oversized.value = std::string(2 << 20, 'x');

    const Clock::time_point start = Clock::now();
    for (int i = 0; i < kRecords; ++i) {
      producer.Produce(records[i], on_delivery);
      if (i == kRecords / 2) producer.Produce(oversized, on_delivery);
    }
    // Flush sends what is still lingering and waits until every record above has its outcome.
    if (kclient::Status s = producer.Flush(std::chrono::seconds(30)); !s.ok()) {
      std::printf("flush: %s\n", s.ToString().c_str());
      ++unexpected_failures;
    }
    Report("Produce + callbacks", delivered, Clock::now() - start);

    // The oversized record fails, and it alone: a bad record does not stop the others.
    if (delivered != kRecords || failed != 1 || last_error != kclient::ErrorCode::kMessageTooLarge) {
      std::printf("expected every record but the oversized one, which fails with MESSAGE_TOO_LARGE\n");
      ++unexpected_failures;
    }
  }

  // Close sends anything still queued and waits at most 5 s for it. Records without an outcome by
  // then fail with kLocalClosed (their callbacks run), so Close never hangs on an unreachable
  // cluster; it returns kLocalTimedOut in that case.
  if (kclient::Status s = producer.Close(std::chrono::seconds(5)); !s.ok()) {
    std::printf("close: %s\n", s.ToString().c_str());
    ++unexpected_failures;
  }
  std::printf("%s\n", unexpected_failures == 0 ? "OK" : "FAILED");
  return unexpected_failures == 0 ? 0 : 1;
}
