// A listener container that bills orders: three consumers in one group, retries with an
// exponential backoff for a flaky dependency, and a dead-letter topic for orders no retry can fix.
//
// Orders are "amount=<cents>". A negative amount is invalid (non-retriable: straight to
// orders-dlt); every tenth order meets a "payment service" that fails twice before it answers
// (retried in place, the partition paused between attempts, the other partitions flowing). At the
// end the program checks that every valid order was billed exactly once, that the invalid ones are
// dead letters, and that the group committed the whole topic.
//
//   kclient-example-listener-container [--bootstrap host:port]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "example_cluster.h"
#include "kclient/admin.h"
#include "kclient/container/dead_letter_replay.h"
#include "kclient/container/listener_container.h"
#include "kclient/producer.h"

namespace kc = kclient::container;

namespace {

constexpr char kTopic[] = "orders";
constexpr int kOrders = 60;

// The "payment service": order ids whose first two calls fail.
class PaymentService {
 public:
  bool Charge(const std::string& order_id, bool flaky) {
    std::lock_guard lock(mu_);
    if (flaky && ++calls_[order_id] <= 2) return false;
    return billed_.insert(order_id).second;
  }
  size_t billed() const {
    std::lock_guard lock(mu_);
    return billed_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, int> calls_;
  std::set<std::string> billed_;
};

bool WaitFor(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 3}, {"orders-dlt", 3}}, &code);
  if (!cluster) return code;

  kclient::ProducerOptions po;
  po.client.bootstrap_servers = cluster->bootstrap();
  auto producer = kclient::Producer::Create(po);
  if (!producer.ok()) return 1;
  int invalid = 0;
  for (int i = 0; i < kOrders; ++i) {
    const bool bad = i % 15 == 7;
    invalid += bad ? 1 : 0;
    (void)(*producer)->Send({kTopic, std::nullopt, "order-" + std::to_string(i),
                             "amount=" + std::to_string(bad ? -100 : 100 + i), {}, std::nullopt});
  }
  (void)(*producer)->Flush();

  kc::ContainerOptions o;
  o.consumer.client.bootstrap_servers = cluster->bootstrap();
  o.consumer.group_id = "billing";
  o.consumer.auto_offset_reset = kclient::OffsetReset::kEarliest;
  o.topics = {kTopic};
  o.concurrency = 3;
  o.backoff = kc::BackoffPolicy::Exponential(200, 2.0, 2000, 4);  // 200 ms, 400 ms, 800 ms
  PaymentService payments;
  auto container = kc::ListenerContainer::Create(o, [&payments](const kclient::ConsumerRecord& r, kc::Acknowledgment) {
    const std::string order(r.key.value_or(""));
    const long long cents = std::stoll(std::string(r.value.value_or("amount=0").substr(7)));
    if (cents < 0) return kc::ListenerResult::NonRetriable("negative amount", "InvalidOrder");
    const bool flaky = std::stoi(order.substr(6)) % 10 == 0;
    if (!payments.Charge(order, flaky)) return kc::ListenerResult::Retriable("payment service unavailable");
    return kc::ListenerResult::Ok();
  });
  if (!container.ok() || !(*container)->Start().ok()) {
    std::fprintf(stderr, "cannot start the container\n");
    return 1;
  }
  std::printf("billing with %d consumers\n", (*container)->concurrency());

  kclient::AdminOptions ao;
  ao.client.bootstrap_servers = cluster->bootstrap();
  auto admin = kclient::Admin::Create(ao);
  if (!admin.ok()) return 1;
  const bool settled = WaitFor([&] {
    auto lag = (*admin)->ConsumerGroupLag("billing");
    if (!lag.ok() || lag->size() < 3) return false;
    for (const auto& [tp, l] : *lag) {
      if (!l.lag || *l.lag != 0) return false;
    }
    return payments.billed() == static_cast<size_t>(kOrders - invalid);
  });
  (void)(*container)->Stop();

  kc::ReplayOptions count_dead;
  count_dead.properties["bootstrap.servers"] = cluster->bootstrap();
  count_dead.dead_letter_topic = "orders-dlt";
  count_dead.dry_run = true;  // only count them
  auto dead = kc::ReplayDeadLetters(count_dead);

  std::printf("billed %zu orders, %lld dead letters, committed everything: %s\n", payments.billed(),
              dead.ok() ? static_cast<long long>(dead->replayed) : -1LL, settled ? "yes" : "no");
  const bool ok = settled && dead.ok() && dead->replayed == invalid;
  if (!ok) std::fprintf(stderr, "unexpected outcome\n");
  return ok ? 0 : 1;
}
