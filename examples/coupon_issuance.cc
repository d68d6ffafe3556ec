// Coupon issuance: a limited stock of coupons handed out, one per "issue coupon" request, by a
// listener container with non-blocking retries.
//
//   coupon-requests --fail--> coupon-requests-retry-200 --fail--> coupon-requests-retry-400 --> coupon-requests-dlt
//
// - The desk is idempotent: a request whose id was answered before (issued, or refused as sold
//   out) is rejected as a duplicate and never gets a second coupon. Clients re-send requests
//   (after a timeout, say), and at-least-once delivery redelivers them too.
// - Requests beyond the stock are a business failure, which no retry can fix: non-retriable,
//   straight to the dead-letter topic. A second wave of requests, after the first is answered,
//   asks for more coupons than are left.
// - The wallet service the coupon is delivered to is flaky: some requests meet one or two failures
//   before it answers (retried through the retry topics, each no earlier than its delay, while the
//   other requests flow), and for two customers it is down for good (dead-lettered after the
//   last retry).
//
// At the end the program reads the dead-letter topic back and checks: never more coupons than
// stock, and none left over while requests were refused as sold out; no request id issued
// twice; every request record accounted for exactly once (issued, rejected as a duplicate, or
// dead-lettered); and the group committed everything it consumed. It exits non-zero if not.
//
//   kclient-example-coupon-issuance [--bootstrap host:port]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "example_cluster.h"
#include "kclient/admin.h"
#include "kclient/consumer.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/listener_container.h"
#include "kclient/producer.h"

namespace kc = kclient::container;

namespace {

constexpr int kStock = 100;
// Two waves of requests: req-0 .. req-94 (and req-10 .. req-24 re-sent), then, once those are
// answered, req-95 .. req-106, more than the coupons left.
constexpr int kRequests = 107;
constexpr int kFirstWave = 95;
constexpr int kResentFrom = 10, kResentTo = 25;
constexpr int32_t kPartitions = 3;
const std::set<std::string> kWalletDown = {"req-7", "req-77"};  // the wallet never answers these

// The coupon desk: stock, issued coupons and answered requests. In a real service this is the
// database, and the duplicate check and the issuance are one transaction.
class CouponDesk {
 public:
  enum class Outcome { kIssued, kDuplicate, kSoldOut, kNotDelivered };

  // Answers `request_id`: a duplicate if answered before; sold out if no coupon is left (an
  // answer too: a re-sent request gets no coupon later); otherwise a coupon, if `deliver` (the
  // wallet) takes it. A request the wallet did not take has no answer yet and may come back.
  template <typename Deliver>
  Outcome Issue(const std::string& request_id, Deliver deliver) {
    std::lock_guard lock(mu_);
    if (answered_.count(request_id) > 0) return Outcome::kDuplicate;
    if (issued_.size() == static_cast<size_t>(kStock)) {
      answered_.insert(request_id);
      return Outcome::kSoldOut;
    }
    if (!deliver()) return Outcome::kNotDelivered;
    answered_.insert(request_id);
    issued_.emplace_back(request_id, static_cast<int>(issued_.size()) + 1);
    return Outcome::kIssued;
  }

  // (request id, coupon number), in the order they were issued.
  std::vector<std::pair<std::string, int>> Issued() const {
    std::lock_guard lock(mu_);
    return issued_;
  }

 private:
  mutable std::mutex mu_;
  std::set<std::string> answered_;                  // GUARDED_BY(mu_)
  std::vector<std::pair<std::string, int>> issued_;  // GUARDED_BY(mu_)
};

// The flaky downstream: every 12th request fails its first delivery, every 24th its first two,
// and the customers of kWalletDown never get through.
class Wallet {
 public:
  bool Deliver(const std::string& request_id) {
    std::lock_guard lock(mu_);
    const int attempt = ++attempts_[request_id];
    if (kWalletDown.count(request_id) > 0) return false;
    const int n = std::stoi(request_id.substr(4));
    const int failures = n % 24 == 0 ? 2 : n % 12 == 0 ? 1 : 0;
    return attempt > failures;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> attempts_;  // GUARDED_BY(mu_)
};

// Where a request record was first written: retried copies carry it in their headers.
using Position = std::pair<int32_t, int64_t>;

std::optional<std::string> Header(const kclient::ConsumerRecord& r, std::string_view key) {
  for (const kclient::HeaderView& h : r.headers) {
    if (h.key == key) return std::string(h.value.value_or(""));
  }
  return std::nullopt;
}

Position SourcePosition(const kclient::ConsumerRecord& r) {
  auto partition = Header(r, kc::kDltOriginalPartition);
  auto offset = Header(r, kc::kDltOriginalOffset);
  if (partition && offset) return {std::stoi(*partition), std::stoll(*offset)};
  return {r.partition, r.offset};
}

// What became of each request record, by its source position; the first answer counts (a
// record redelivered after a rebalance is answered again, as a duplicate).
class Answers {
 public:
  void Add(Position at, CouponDesk::Outcome outcome) {
    std::lock_guard lock(mu_);
    answers_.emplace(at, outcome);
  }
  std::map<Position, CouponDesk::Outcome> All() const {
    std::lock_guard lock(mu_);
    return answers_;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return answers_.size();
  }

 private:
  mutable std::mutex mu_;
  std::map<Position, CouponDesk::Outcome> answers_;  // GUARDED_BY(mu_)
};

struct DeadLetter {
  std::string request_id;
  std::string error_class;
  std::string attempts;
};

bool Check(bool holds, const char* invariant) {
  if (!holds) std::fprintf(stderr, "VIOLATED: %s\n", invariant);
  return holds;
}

}  // namespace

int main(int argc, char** argv) {
  int code = 0;
  auto cluster = examples::ExampleCluster::Start(argc, argv, {}, &code);
  if (!cluster) return code;
  // A cluster of yours may have run this before: this run's names are its own.
  const std::string run =
      cluster->embedded() ? "" : "-" + std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string topic = "coupon-requests" + run, dlt = topic + "-dlt", group = "coupon-desk" + run;

  kclient::AdminOptions ao;
  ao.client.bootstrap_servers = cluster->bootstrap();
  auto admin = kclient::Admin::Create(ao);
  if (!admin.ok()) return 1;
  if (kclient::Status s = (*admin)->CreateTopic({topic, kPartitions}); !s.ok()) {
    std::fprintf(stderr, "cannot create %s: %s\n", topic.c_str(), s.ToString().c_str());
    return 1;
  }

  // The requests, keyed by request id (a re-sent one lands behind the original), and where each
  // was written.
  kclient::ProducerOptions po;
  po.client.bootstrap_servers = cluster->bootstrap();
  auto producer = kclient::Producer::Create(po);
  if (!producer.ok()) return 1;
  std::mutex sent_mu;
  std::set<Position> sent;
  std::atomic<int> unsent{0};
  auto send = [&](int n) {
    const std::string id = "req-" + std::to_string(n);
    (*producer)->Produce({topic, std::nullopt, id, "customer-" + std::to_string(n % 40), {}, std::nullopt},
                         [&](const kclient::Result<kclient::RecordMetadata>& m) {
                           if (!m.ok()) {
                             ++unsent;
                             return;
                           }
                           std::lock_guard lock(sent_mu);
                           sent.emplace(m->partition, m->offset);
                         });
  };
  auto flush = [&] {
    if ((*producer)->Flush().ok() && unsent == 0) return true;
    std::fprintf(stderr, "could not write the requests\n");
    return false;
  };
  for (int n = 0; n < kFirstWave; ++n) send(n);
  for (int n = kResentFrom; n < kResentTo; ++n) send(n);
  if (!flush()) return 1;

  kc::ContainerOptions o;
  o.consumer.client.bootstrap_servers = cluster->bootstrap();
  o.consumer.group_id = group;
  o.consumer.auto_offset_reset = kclient::OffsetReset::kEarliest;
  o.consumer.fetch_max_wait_ms = 100;
  o.topics = {topic};
  o.concurrency = 3;
  o.poll_timeout_ms = 200;
  o.retry_topics.enabled = true;  // topics created at Start, with the source's partition count
  o.retry_topics.backoff = kc::BackoffPolicy::Exponential(200, 2.0, 1000, 3);  // retry-200, retry-400
  CouponDesk desk;
  Wallet wallet;
  Answers answers;
  std::atomic<int> retried{0};
  auto container = kc::ListenerContainer::Create(o, [&](const kclient::ConsumerRecord& r, kc::Acknowledgment) {
    const std::string id(r.key.value_or(""));
    if (r.topic != topic) ++retried;  // a call from a retry topic
    const CouponDesk::Outcome outcome = desk.Issue(id, [&] { return wallet.Deliver(id); });
    switch (outcome) {
      case CouponDesk::Outcome::kIssued:
      case CouponDesk::Outcome::kDuplicate:
        answers.Add(SourcePosition(r), outcome);
        return kc::ListenerResult::Ok();
      case CouponDesk::Outcome::kSoldOut:
        return kc::ListenerResult::NonRetriable("no coupons left for " + id, "SoldOut");
      case CouponDesk::Outcome::kNotDelivered:
        break;
    }
    return kc::ListenerResult::Retriable("wallet service unavailable for " + id, "WalletUnavailable");
  });
  if (!container.ok() || !(*container)->Start().ok()) {
    std::fprintf(stderr, "cannot start the container\n");
    return 1;
  }
  std::printf("issuing %d coupons with %d consumers\n", kStock, (*container)->concurrency());

  // Read the dead letters as they come, until every request record is accounted for and the
  // group committed everything (the source and the retry topics).
  kclient::ConsumerOptions co;
  co.client.bootstrap_servers = cluster->bootstrap();
  co.auto_offset_reset = kclient::OffsetReset::kEarliest;
  co.fetch_max_wait_ms = 100;
  auto reader = kclient::Consumer::Create(co);
  if (!reader.ok()) return 1;
  std::vector<kclient::TopicPartition> dlt_partitions, consumed;
  for (int32_t p = 0; p < kPartitions; ++p) {
    dlt_partitions.push_back({dlt, p});
    for (const std::string& t : o.retry_topics.RetryTopics(topic)) consumed.push_back({t, p});
    consumed.push_back({topic, p});
  }
  if (!(*reader)->Assign(dlt_partitions).ok()) return 1;
  std::map<Position, DeadLetter> dead;
  auto all_committed = [&] {
    auto ends = (*reader)->EndOffsets(consumed);
    auto committed = (*admin)->ListConsumerGroupOffsets(group);
    if (!ends.ok() || !committed.ok()) return false;
    for (const auto& [tp, end] : *ends) {
      auto it = committed->find(tp);
      if (end > 0 && (it == committed->end() || it->second.offset != end)) return false;
    }
    return true;
  };
  auto settle = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      auto records = (*reader)->Poll(std::chrono::milliseconds(200));
      if (records.ok()) {
        for (const kclient::ConsumerRecord& r : *records) {
          dead.emplace(SourcePosition(r), DeadLetter{std::string(r.key.value_or("")),
                                                     Header(r, kc::kDltErrorClass).value_or(""),
                                                     Header(r, kc::kAttempts).value_or("")});
        }
      }
      if (answers.size() + dead.size() >= sent.size() && all_committed()) return true;
    }
    return false;
  };
  bool settled = settle();
  std::printf("first wave answered: %zu coupons issued\n", desk.Issued().size());
  for (int n = kFirstWave; n < kRequests; ++n) send(n);
  if (!flush()) return 1;
  settled = settled && settle();
  (void)(*container)->Stop();

  // The summary.
  const auto answered = answers.All();
  const auto issued = desk.Issued();
  int duplicates = 0, sold_out = 0, undeliverable = 0;
  for (const auto& [at, outcome] : answered) duplicates += outcome == CouponDesk::Outcome::kDuplicate ? 1 : 0;
  for (const auto& [at, letter] : dead) {
    sold_out += letter.error_class == "SoldOut" ? 1 : 0;
    undeliverable += letter.error_class == "WalletUnavailable" ? 1 : 0;
  }
  std::printf("requests: %zu records (%d request ids, %d re-sent)\n", sent.size(), kRequests, kResentTo - kResentFrom);
  std::printf("issued: %zu of %d coupons\n", issued.size(), kStock);
  std::printf("duplicates rejected: %d\n", duplicates);
  std::printf("retried: %d calls from retry topics\n", retried.load());
  std::printf("dead-lettered: %zu (sold out %d, wallet unavailable %d)\n", dead.size(), sold_out, undeliverable);

  // The invariants.
  bool ok = Check(settled, "every request record is answered or dead-lettered, and the group committed everything");
  ok &= Check(issued.size() <= static_cast<size_t>(kStock), "never more coupons than stock");
  const size_t eligible = static_cast<size_t>(kRequests) - kWalletDown.size();
  ok &= Check(issued.size() == std::min(eligible, static_cast<size_t>(kStock)),
              "no coupon left over while requests that could be served were refused");
  std::set<std::string> holders;
  std::set<int> numbers;
  for (const auto& [id, number] : issued) {
    ok &= Check(holders.insert(id).second, "no request id gets two coupons");
    ok &= Check(numbers.insert(number).second && number >= 1 && number <= kStock, "coupon numbers are unique");
    ok &= Check(kWalletDown.count(id) == 0, "no coupon for a request the wallet never took");
  }
  std::set<Position> accounted;
  for (const auto& [at, outcome] : answered) accounted.insert(at);
  for (const auto& [at, letter] : dead) {
    // A sold-out record delivered again (a rebalance before its commit) is answered as a
    // duplicate: refused both times, which is consistent.
    auto again = answered.find(at);
    const bool refused_twice = again != answered.end() && letter.error_class == "SoldOut" &&
                               again->second == CouponDesk::Outcome::kDuplicate;
    ok &= Check(accounted.insert(at).second || refused_twice, "no request record both answered and dead-lettered");
    ok &= Check(letter.error_class == "SoldOut" || (letter.error_class == "WalletUnavailable" && letter.attempts == "3"),
                "dead letters are sold out, or undeliverable after 3 attempts");
  }
  ok &= Check(accounted == sent, "every request record accounted for exactly once");
  // This run's story, which the waves make certain: the wallet's two lost causes are dead letters,
  // and the second wave's requests beyond the coupons left are sold out.
  std::set<std::string> undelivered;
  for (const auto& [at, letter] : dead) {
    if (letter.error_class == "WalletUnavailable") undelivered.insert(letter.request_id);
  }
  ok &= Check(undelivered == kWalletDown, "the requests the wallet never takes are dead-lettered as undeliverable");
  ok &= Check(sold_out == kRequests - static_cast<int>(kWalletDown.size()) - kStock,
              "the second wave's requests beyond the stock are sold out");
  int issued_answers = 0;
  for (const auto& [at, outcome] : answered) issued_answers += outcome == CouponDesk::Outcome::kIssued ? 1 : 0;
  ok &= Check(static_cast<size_t>(issued_answers) == issued.size(), "one issued answer per coupon");
  std::printf("%s\n", ok ? "all invariants hold" : "INVARIANTS VIOLATED");
  return ok ? 0 : 1;
}
