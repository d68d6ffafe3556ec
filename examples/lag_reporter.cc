// A consumer that reports how far behind it is: after each batch it asks for the partitions'
// end offsets and prints end - position per partition. The same numbers an operator gets from
// `kclient groups describe` (Admin::ConsumerGroupLag), but seen from inside the consumer.
//
//   kclient-example-lag-reporter [--bootstrap host:port]
//
// Exits non-zero unless the lag reaches zero once everything is read.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "kclient/consumer.h"
#include "example_cluster.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

namespace {
constexpr char kTopic[] = "clickstream";
constexpr int kClicks = 2000;
}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 3}}, &exit_code);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();
  auto producer = kclient::Producer::Create(kclient::Properties{{"bootstrap.servers", bootstrap}});
  if (!producer.ok()) return 1;
  for (int i = 0; i < kClicks; ++i) {
    kclient::ProducerRecord r;
    r.topic = kTopic;
    r.key = "user-" + std::to_string(i % 50);
    r.value = "click-" + std::to_string(i);
    (*producer)->Produce(r, {});
  }
  if (!(*producer)->Flush().ok()) return 1;

  const std::string group = "lag-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  auto consumer = kclient::Consumer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"auto.offset.reset", "earliest"},
      {"max.poll.records", "250"},  // small batches, so the lag shrinks step by step
  });
  if (!consumer.ok()) return 1;
  kclient::Consumer& c = **consumer;
  (void)c.Subscribe({kTopic});
  int64_t lag = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (lag != 0 && std::chrono::steady_clock::now() < deadline) {
    auto records = c.Poll(std::chrono::milliseconds(200));
    if (!records.ok() || c.Assignment().empty()) continue;
    auto ends = c.EndOffsets(c.Assignment());
    if (!ends.ok()) continue;
    lag = 0;
    std::string line;
    for (const auto& [tp, end] : *ends) {
      auto position = c.Position(tp);
      if (!position.ok()) continue;
      lag += end - *position;
      line += "  " + tp.ToString() + "=" + std::to_string(end - *position);
    }
    std::printf("read %3zu, lag %5lld:%s\n", records->size(), static_cast<long long>(lag), line.c_str());
  }
  (void)c.Close();
  std::printf("%s\n", lag == 0 ? "caught up: OK" : "FAILED to catch up");
  return lag == 0 ? 0 : 1;
}
