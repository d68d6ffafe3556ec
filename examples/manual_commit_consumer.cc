// Manual commits after processing, with an idempotent handler: the at-least-once pattern.
//
// The consumer commits an offset only after the records before it were processed, so a crash
// never loses a record: the next consumer of the group starts from the last commit and gets
// again whatever was processed but not yet committed. The handler makes that harmless by
// remembering which events it applied (here: account credits keyed by event id).
//
// The program runs it twice: the first consumer processes part of the stream and "crashes"
// (stops without committing its last batch); the second resumes from the last commit. The final
// balances must equal the sum of all credits, each counted once.
//
//   kclient-example-manual-commit [--bootstrap host:port]
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "kclient/consumer.h"
#include "example_cluster.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

namespace {

constexpr char kTopic[] = "account.credits";
constexpr int kCredits = 300;

// Applies each credit once, whatever is redelivered.
class IdempotentLedger {
 public:
  void Apply(std::string_view event_id, std::string_view account, int64_t cents) {
    if (!applied_.insert(std::string(event_id)).second) {
      ++redelivered_;
      return;
    }
    balances_[std::string(account)] += cents;
  }
  int64_t total() const {
    int64_t t = 0;
    for (const auto& [account, cents] : balances_) t += cents;
    return t;
  }
  size_t redelivered() const { return redelivered_; }
  size_t applied() const { return applied_.size(); }

 private:
  std::set<std::string> applied_;
  std::map<std::string, int64_t> balances_;
  size_t redelivered_ = 0;
};

std::unique_ptr<kclient::Consumer> NewConsumer(const std::string& bootstrap, const std::string& group) {
  auto c = kclient::Consumer::Create(kclient::Properties{
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"enable.auto.commit", "false"},  // we commit after processing
      {"auto.offset.reset", "earliest"},
      {"max.poll.records", "40"},
  });
  if (!c.ok()) {
    std::fprintf(stderr, "%s\n", c.status().ToString().c_str());
    return nullptr;
  }
  (void)(*c)->Subscribe({kTopic});
  return std::move(*c);
}

// Processes records until `stop_after` were handled; commits after each batch unless `crash`
// says the last batch is lost before its commit.
size_t Consume(kclient::Consumer& consumer, IdempotentLedger& ledger, size_t stop_after, bool crash) {
  size_t handled = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (handled < stop_after && std::chrono::steady_clock::now() < deadline) {
    auto records = consumer.Poll(std::chrono::milliseconds(200));
    if (!records.ok()) {
      std::fprintf(stderr, "poll: %s\n", records.status().ToString().c_str());
      continue;
    }
    for (const kclient::ConsumerRecord& r : *records) {
      // value: "<account>:<cents>", key: the event id
      const std::string_view v = *r.value;
      const auto colon = v.find(':');
      ledger.Apply(*r.key, v.substr(0, colon), std::stoll(std::string(v.substr(colon + 1))));
      ++handled;
    }
    if (records->empty()) continue;
    if (crash && handled >= stop_after) {
      std::printf("  consumer 1 crashes after processing %zu records, before committing its last batch\n", handled);
      return handled;
    }
    if (kclient::Status s = consumer.CommitSync(); !s.ok()) {
      std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());  // redelivery covers it
    }
  }
  return handled;
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {{kTopic, 2}}, &exit_code);
  if (!cluster) return exit_code;
  const std::string& bootstrap = cluster->bootstrap();
  const std::string run = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  auto producer = kclient::Producer::Create(kclient::Properties{{"bootstrap.servers", bootstrap}});
  if (!producer.ok()) return 1;
  int64_t expected = 0;
  for (int i = 0; i < kCredits; ++i) {
    kclient::ProducerRecord r;
    r.topic = kTopic;
    r.key = "credit-" + run + "-" + std::to_string(i);
    r.value = "account-" + std::to_string(i % 7) + ":" + std::to_string(100 + i);
    expected += 100 + i;
    (*producer)->Produce(r, {});
  }
  if (!(*producer)->Flush().ok()) return 1;

  const std::string group = "ledger-" + run;  // a fresh group per run
  IdempotentLedger ledger;
  {
    auto first = NewConsumer(bootstrap, group);
    if (!first) return 1;
    Consume(*first, ledger, kCredits / 2, /*crash=*/true);
    // A crash: no commit for the last batch. (Close would commit nothing here either, since
    // auto commit is off.)
    (void)first->Close();
  }
  auto second = NewConsumer(bootstrap, group);
  if (!second) return 1;
  while (ledger.applied() < static_cast<size_t>(kCredits)) {
    if (Consume(*second, ledger, 1, false) == 0) break;
  }
  (void)second->Close();
  std::printf("  applied %zu credits, ignored %zu redelivered ones; total %lld cents (expected %lld)\n",
              ledger.applied(), ledger.redelivered(), static_cast<long long>(ledger.total()),
              static_cast<long long>(expected));
  const bool ok = ledger.total() == expected && ledger.applied() == static_cast<size_t>(kCredits);
  std::printf("%s\n", ok ? "every credit applied exactly once: OK" : "FAILED");
  return ok ? 0 : 1;
}
