// The demo behind `make demo`, until kclient's producer and consumer exist: starts the bundled
// broker in-process, sends keyed order events to it with kclient's own network client (records
// placed by the Java client's key partitioning, one batch per partition, every codec, acks=all),
// then fetches every partition back and prints what it reads.
#include <cstdio>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "kclient/embedded_cluster.h"
#include "net/loop_thread.h"
#include "net/network_client.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "protocol/record_batch.h"
#include "util/murmur2.h"

namespace {

using kclient::CompressionType;
using kclient::Status;
namespace kp = kclient::protocol;
namespace net = kclient::net;

constexpr int32_t kPartitions = 5;

kp::ByteSpan AsBytes(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }
std::string AsString(kp::ByteSpan b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Sends on the loop thread and waits for the answer. Versions stop at 12: from 13 Produce and
// Fetch address topics by id only, which this demo does not look up.
template <typename Request, typename Response>
std::pair<Status, Response> Call(net::LoopThread& io, net::NetworkClient& client, int32_t node, Request request) {
  std::promise<std::pair<Status, Response>> done;
  io.Post([&] {
    net::SendOptions options;
    options.max_version = 12;
    client.Send<Request, Response>(node, std::move(request),
                                   std::function<void(const Status&, Response&)>(
                                       [&done](const Status& s, Response& r) { done.set_value({s, std::move(r)}); }),
                                   options);
  });
  return done.get_future().get();
}

}  // namespace

int main() {
  auto started = kclient::EmbeddedCluster::Start();
  if (!started.ok()) {
    std::fprintf(stderr, "cannot start the broker: %s\n", started.status().ToString().c_str());
    return 1;
  }
  auto& cluster = *started;
  cluster->CreateTopic("orders", kPartitions);
  std::printf("kclient-broker running at %s; topic orders with %d partitions\n", cluster->bootstrap_servers().c_str(),
              kPartitions);

  net::LoopThread io;
  std::unique_ptr<net::NetworkClient> client;
  io.Call([&] {
    client = std::make_unique<net::NetworkClient>(&io.loop(), net::NetworkOptions{},
                                                  *net::ParseBootstrapServers(cluster->bootstrap_servers()));
    return 0;
  });

  // Orders of twelve customers; the key decides the partition, as in the Java client.
  std::map<int32_t, std::vector<std::pair<std::string, std::string>>> by_partition;
  int total = 0;
  for (int order = 1; order <= 20; ++order) {
    const std::string key = "customer-" + std::to_string(order % 12);
    const std::string value = R"({"order":)" + std::to_string(order) + R"(,"status":")" +
                              (order % 3 == 0 ? "PAID" : "CREATED") + R"("})";
    const int32_t partition = kclient::util::ToPositive(kclient::util::Murmur2(key.data(), key.size())) % kPartitions;
    by_partition[partition].push_back({key, value});
    ++total;
  }

  // One produce request (acks=all) per partition, each partition with another codec.
  const CompressionType codecs[] = {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                    CompressionType::kLz4, CompressionType::kZstd};
  int produced = 0;
  for (auto [partition, records] : by_partition) {
    const CompressionType codec = codecs[static_cast<size_t>(partition) % std::size(codecs)];
    kp::RecordBatchBuilder builder;
    int64_t ts = 1'700'000'000'000;
    for (const auto& [k, v] : records) builder.Append(ts++, AsBytes(k), AsBytes(v));
    kp::RecordBatchBuilder::Options options;
    options.compression = codec;
    kp::ByteSpan batch;
    if (!builder.Finish(options, &batch).ok()) return 1;
    kp::ProduceRequest request;
    request.acks = -1;
    request.timeout_ms = 10000;
    auto& t = request.topic_data.emplace_back();
    t.name = "orders";
    auto& p = t.partition_data.emplace_back();
    p.index = partition;
    p.records = kp::RecordsView(batch);
    auto [s, response] = Call<kp::ProduceRequest, kp::ProduceResponse>(io, *client, net::NetworkClient::kAnyBroker, request);
    const auto& pr = response.responses.at(0).partition_responses.at(0);
    if (!s.ok() || pr.error_code != 0) {
      std::printf("produce to orders-%d failed: %s / error %d\n", partition, s.ToString().c_str(), pr.error_code);
      return 1;
    }
    std::printf("produced %zu records to orders-%d (%s) at offset %lld\n", records.size(), partition,
                std::string(kclient::CompressionName(codec)).c_str(), static_cast<long long>(pr.base_offset));
    produced += static_cast<int>(records.size());
  }

  // Read everything back.
  kp::FetchRequest fetch;
  fetch.max_wait_ms = 100;
  fetch.max_bytes = 1 << 20;
  auto& ft = fetch.topics.emplace_back();
  ft.topic = "orders";
  for (int32_t partition = 0; partition < kPartitions; ++partition) {
    auto& fp = ft.partitions.emplace_back();
    fp.partition = partition;
    fp.partition_max_bytes = 1 << 20;
  }
  std::promise<int> consumed;
  io.Post([&] {
    net::SendOptions options;
    options.max_version = 12;  // topics by name, as above
    client->Send<kp::FetchRequest, kp::FetchResponse>(
        net::NetworkClient::kAnyBroker, fetch,
        std::function<void(const Status&, kp::FetchResponse&, int16_t, net::ResponseFrame&)>(
            [&consumed](const Status& s, kp::FetchResponse& r, int16_t, net::ResponseFrame&) {
              int n = 0;
              if (!s.ok()) {
                std::printf("fetch failed: %s\n", s.ToString().c_str());
                consumed.set_value(-1);
                return;
              }
              kclient::util::ByteBuffer scratch;
              for (const auto& p : r.responses.at(0).partitions) {
                kp::BatchIterator batches(p.records.value_or(kp::RecordsView()).span());
                kp::RecordBatchHeader h;
                kp::ByteSpan batch;
                while (batches.Next(&h, &batch)) {
                  kp::RecordIterator records(h, batch, &scratch, 1 << 20);
                  kp::Record rec;
                  while (records.Next(&rec)) {
                    std::printf("consumed orders-%d@%lld %s = %s\n", p.partition_index, static_cast<long long>(rec.offset),
                                AsString(*rec.key).c_str(), AsString(*rec.value).c_str());
                    ++n;
                  }
                }
              }
              consumed.set_value(n);
            }),
        options);
  });
  const int read = consumed.get_future().get();
  io.Call([&] {
    client.reset();
    return 0;
  });
  std::printf("%d produced, %d consumed: %s\n", produced, read, produced == total && read == total ? "OK" : "MISMATCH");
  return produced == total && read == total ? 0 : 1;
}
