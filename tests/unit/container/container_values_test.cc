// The container's small parts, without a broker: backoff delays, retry topic names, the headers
// of parked records, listener results from statuses, the commit schedule of each ack mode, the
// listener invoker's exception and deadline handling, and option validation.
#include <chrono>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "container/commit_policy.h"
#include "container/listener_invoker.h"
#include "container/record_headers.h"
#include "kclient/container/container_options.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/typed_listener.h"

namespace kclient::container {
namespace {

TEST(BackoffPolicyTest, FixedWaitsTheSameEachTime) {
  const BackoffPolicy p = BackoffPolicy::Fixed(250, 4);
  EXPECT_EQ(p.Delays(), (std::vector<int64_t>{250, 250, 250}));
  EXPECT_TRUE(p.Validate().ok());
}

TEST(BackoffPolicyTest, ExponentialGrowsByTheMultiplierUpToTheMax) {
  const BackoffPolicy p = BackoffPolicy::Exponential(100, 3.0, 1000, 5);
  EXPECT_EQ(p.Delays(), (std::vector<int64_t>{100, 300, 900, 1000}));
}

TEST(BackoffPolicyTest, JitterStaysWithinItsBand) {
  BackoffPolicy p = BackoffPolicy::Fixed(1000, 3);
  p.jitter = 0.2;
  EXPECT_EQ(p.DelayMs(0, 0.0), 800);
  EXPECT_EQ(p.DelayMs(0, 0.5), 1000);
  EXPECT_LE(p.DelayMs(0, 0.999), 1200);
  p = BackoffPolicy::Exponential(100, 2.0, 10000, 5);
  p.jitter = 0.5;
  EXPECT_EQ(p.DelayMs(2, 0.0), 200);  // 400 * 0.5
}

TEST(BackoffPolicyTest, ValidateNamesTheBadField) {
  BackoffPolicy p;
  p.max_attempts = 0;
  EXPECT_NE(p.Validate().message().find("max_attempts"), std::string_view::npos);
  p = BackoffPolicy{};
  p.multiplier = 0.5;
  EXPECT_NE(p.Validate().message().find("multiplier"), std::string_view::npos);
  p = BackoffPolicy{};
  p.jitter = 1.5;
  EXPECT_NE(p.Validate().message().find("jitter"), std::string_view::npos);
}

TEST(RetryTopicOptionsTest, OneTopicPerDistinctDelay) {
  RetryTopicOptions o;
  o.enabled = true;
  o.backoff = BackoffPolicy::Exponential(1000, 2.0, 60000, 4);
  EXPECT_EQ(o.RetryTopics("orders"),
            (std::vector<std::string>{"orders-retry-1000", "orders-retry-2000", "orders-retry-4000"}));
  EXPECT_EQ(o.RetryTopic("orders", 1), "orders-retry-2000");
  o.backoff = BackoffPolicy::Fixed(500, 4);  // the same delay thrice: one topic
  EXPECT_EQ(o.RetryTopics("orders"), (std::vector<std::string>{"orders-retry-500"}));
  EXPECT_EQ(o.RetryTopic("orders", 2), "orders-retry-500");
}

ConsumerRecord SourceRecord() {
  ConsumerRecord r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = 41;
  r.timestamp_ms = 1700000000000;
  r.key = "k";
  r.value = "v";
  r.headers = {{"trace", "abc"}, {"nullable", std::nullopt}};
  return r;
}

std::map<std::string, std::optional<std::string>> HeaderMap(const ProducerRecord& r) {
  std::map<std::string, std::optional<std::string>> m;
  for (const Header& h : r.headers) m[h.key] = h.value;
  return m;
}

TEST(RecordHeadersTest, ParkedCopyKeepsTheRecordAndSaysWhereItCameFrom) {
  const ConsumerRecord r = SourceRecord();
  ProducerRecord parked = ParkedCopy(r, "orders-dlt", std::nullopt, Failure{"billing", "Boom", "it broke", 3}, std::nullopt);
  EXPECT_EQ(parked.topic, "orders-dlt");
  EXPECT_EQ(parked.key, "k");
  EXPECT_EQ(parked.value, "v");
  auto h = HeaderMap(parked);
  EXPECT_EQ(h["trace"], "abc");
  EXPECT_TRUE(h.count("nullable") && !h["nullable"]);
  EXPECT_EQ(h[std::string(kDltOriginalTopic)], "orders");
  EXPECT_EQ(h[std::string(kDltOriginalPartition)], "2");
  EXPECT_EQ(h[std::string(kDltOriginalOffset)], "41");
  EXPECT_EQ(h[std::string(kDltOriginalTimestamp)], "1700000000000");
  EXPECT_EQ(h[std::string(kDltConsumerGroup)], "billing");
  EXPECT_EQ(h[std::string(kDltErrorClass)], "Boom");
  EXPECT_EQ(h[std::string(kDltErrorMessage)], "it broke");
  EXPECT_EQ(h[std::string(kAttempts)], "3");
  EXPECT_EQ(h.count(std::string(kRetryDueMs)), 0u);
}

TEST(RecordHeadersTest, ARetryTopicRecordKeepsItsFirstOriginAndGetsFreshFailureHeaders) {
  const ConsumerRecord source = SourceRecord();
  ProducerRecord retry = ParkedCopy(source, "orders-retry-1000", 2, Failure{"g", "A", "first", 1}, 12345);
  EXPECT_EQ(HeaderMap(retry)[std::string(kRetryDueMs)], "12345");
  // Read back from the retry topic, at another offset, then parked again.
  ConsumerRecord from_retry;
  from_retry.topic = "orders-retry-1000";
  from_retry.partition = 2;
  from_retry.offset = 7;
  for (const Header& h : retry.headers) from_retry.headers.push_back({h.key, h.value});
  EXPECT_EQ(OriginalTopic(from_retry), "orders");
  EXPECT_EQ(FindIntHeader(from_retry, kAttempts), 1);
  ProducerRecord dlt = ParkedCopy(from_retry, "orders-dlt", std::nullopt, Failure{"g", "B", "second", 2}, std::nullopt);
  auto h = HeaderMap(dlt);
  EXPECT_EQ(h[std::string(kDltOriginalTopic)], "orders");
  EXPECT_EQ(h[std::string(kDltOriginalOffset)], "41");
  EXPECT_EQ(h[std::string(kDltErrorMessage)], "second");
  EXPECT_EQ(h[std::string(kAttempts)], "2");
  EXPECT_EQ(h.count(std::string(kRetryDueMs)), 0u);
  size_t attempts_headers = 0;
  for (const Header& x : dlt.headers) attempts_headers += x.key == kAttempts ? 1 : 0;
  EXPECT_EQ(attempts_headers, 1u) << "old container headers are replaced, not stacked";
}

TEST(ListenerResultTest, FromStatusFollowsTheErrorTable) {
  EXPECT_TRUE(ListenerResult(Status()).ok());
  ListenerResult timed_out(Status(ErrorCode::kLocalTimedOut, "slow"));
  EXPECT_FALSE(timed_out.ok());
  EXPECT_TRUE(timed_out.retriable());
  EXPECT_EQ(timed_out.error_class(), "LOCAL_TIMED_OUT");
  ListenerResult bad(Status(ErrorCode::kLocalSerialization, "garbage"));
  EXPECT_FALSE(bad.retriable());
  EXPECT_EQ(bad.message(), "garbage");
  EXPECT_EQ(ListenerResult::NonRetriable("x").AtIndex(3).failed_index(), 3u);
}

TEST(CommitPolicyTest, EachModeCommitsWhereItSays) {
  const auto now = CommitPolicy::Clock::now();
  CommitPolicy record(AckMode::kRecord, 0, 0);
  EXPECT_FALSE(record.AfterRecord());
  record.Done();
  EXPECT_TRUE(record.AfterRecord());
  EXPECT_FALSE(record.AfterPoll());

  CommitPolicy count(AckMode::kCount, 3, 0);
  count.Done(2);
  EXPECT_FALSE(count.AfterRecord());
  count.Done();
  EXPECT_TRUE(count.AfterRecord());
  count.Committed(now);
  EXPECT_FALSE(count.AfterRecord());

  CommitPolicy batch(AckMode::kBatch, 0, 0);
  batch.Done(100);
  EXPECT_FALSE(batch.AfterRecord());
  EXPECT_TRUE(batch.AfterPoll());

  CommitPolicy time(AckMode::kTime, 0, 1000);
  time.Committed(now);
  EXPECT_FALSE(time.AtTurn(now + std::chrono::milliseconds(999)));
  EXPECT_TRUE(time.AtTurn(now + std::chrono::milliseconds(1000)));
  EXPECT_EQ(time.NextCommit(), now + std::chrono::milliseconds(1000));

  CommitPolicy manual(AckMode::kManual, 0, 0);
  EXPECT_TRUE(manual.AtTurn(now));
  EXPECT_FALSE(manual.AfterRecord());
}

TEST(ListenerInvokerTest, AThrowingListenerFailsRetriablyAndTheExceptionStaysInside) {
  ListenerInvoker invoker([](const ConsumerRecord&, Acknowledgment) -> ListenerResult {
    throw std::runtime_error("database unreachable");
  }, {}, 0);
  ListenerResult r = invoker.Call(ConsumerRecord{}, Acknowledgment());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.retriable());
  EXPECT_EQ(r.error_class(), "ListenerException");
  EXPECT_EQ(r.message(), "database unreachable");
}

TEST(ListenerInvokerTest, ACallPastTheDeadlineFailsRetriablyEvenIfItSucceeded) {
  ListenerInvoker invoker([](const ConsumerRecord&, Acknowledgment) {
    std::this_thread::sleep_for(std::chrono::milliseconds(80));  // the slow listener under test
    return ListenerResult::Ok();
  }, {}, 20);
  ListenerResult r = invoker.Call(ConsumerRecord{}, Acknowledgment());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.retriable());
  EXPECT_EQ(r.error_class(), "ListenerDeadlineExceeded");
  ListenerInvoker quick([](const ConsumerRecord&, Acknowledgment) { return ListenerResult::Ok(); }, {}, 1000);
  EXPECT_TRUE(quick.Call(ConsumerRecord{}, Acknowledgment()).ok());
}

TEST(TypedListenerTest, UndeserializableValuesAreNonRetriableAndNeverReachTheListener) {
  int calls = 0;
  RecordListener listener = TypedListener<std::string, int32_t>(
      [&calls](const TypedConsumerRecord<std::string, int32_t>& r, Acknowledgment) {
        ++calls;
        EXPECT_EQ(*r.value, 258);
        return ListenerResult::Ok();
      });
  ConsumerRecord r;
  r.value = std::string_view("\x00\x00\x01\x02", 4);
  EXPECT_TRUE(listener(r, Acknowledgment()).ok());
  r.value = "abc";
  ListenerResult bad = listener(r, Acknowledgment());
  EXPECT_FALSE(bad.ok());
  EXPECT_FALSE(bad.retriable());
  EXPECT_EQ(bad.error_class(), "DeserializationError");
  EXPECT_EQ(calls, 1);
}

TEST(ContainerOptionsTest, ValidateNamesTheFieldAtFault) {
  ContainerOptions o;
  o.consumer.client.bootstrap_servers = "127.0.0.1:9092";
  EXPECT_NE(o.Validate().message().find("group_id"), std::string_view::npos);
  o.consumer.group_id = "g";
  EXPECT_NE(o.Validate().message().find("topics"), std::string_view::npos);
  o.topics = {"t"};
  EXPECT_TRUE(o.Validate().ok()) << o.Validate().ToString();
  o.concurrency = 0;
  EXPECT_NE(o.Validate().message().find("concurrency"), std::string_view::npos);
  o.concurrency = 1;
  o.listener_deadline_ms = o.consumer.max_poll_interval_ms;
  EXPECT_NE(o.Validate().message().find("listener_deadline_ms"), std::string_view::npos);
  o.listener_deadline_ms = 0;
  o.retry_topics.enabled = true;
  o.dead_letter_enabled = false;
  EXPECT_NE(o.Validate().message().find("dead_letter_enabled"), std::string_view::npos);
}

TEST(ContainerOptionsTest, FromConsumerProperties) {
  auto o = ContainerOptions::FromProperties(
      {{"bootstrap.servers", "127.0.0.1:9092"}, {"group.id", "billing"}, {"max.poll.records", "50"}}, {"orders"});
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->consumer.group_id, "billing");
  EXPECT_EQ(o->consumer.max_poll_records, 50);
  EXPECT_EQ(o->topics, (std::vector<std::string>{"orders"}));
  auto bad = ContainerOptions::FromProperties({{"bootstrap.servers", "x:1"}, {"no.such", "1"}}, {"orders"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no.such"), std::string_view::npos);
  auto no_group = ContainerOptions::FromProperties({{"bootstrap.servers", "x:1"}}, {"orders"});
  EXPECT_FALSE(no_group.ok());
}

}  // namespace
}  // namespace kclient::container
