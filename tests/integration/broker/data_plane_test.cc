// The broker's data plane driven by a client we did not write: librdkafka produces into an
// EmbeddedCluster (every acks level, every codec, idempotence) and consumes back by assignment
// (no consumer group), and the records, offsets and order must survive broker failures, injected
// errors, lost acknowledgements and deleted records.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "blocking_client.h"
#include "kclient/embedded_cluster.h"
#include "protocol/messages/metadata.h"
#include "rdkafka_support.h"

namespace kclient {
namespace {

using testing::Consumed;
using testing::Consumer;
using testing::Header;
using testing::Message;
using testing::Millis;
using testing::Producer;
using testing::RdConfig;
using testing::SteadyClock;

constexpr Millis kDeadline{60000};

std::unique_ptr<EmbeddedCluster> StartCluster(int brokers, int32_t min_insync = 1) {
  EmbeddedClusterOptions options;
  options.brokers = brokers;
  options.min_insync_replicas = min_insync;
  auto started = EmbeddedCluster::Start(options);
  EXPECT_TRUE(started.ok()) << started.status().ToString();
  return started.ok() ? std::move(started.value()) : nullptr;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A message whose value carries its index, so order and duplicates can be checked.
Message Numbered(const std::string& tag, size_t i, int64_t timestamp = 0) {
  Message m;
  m.key = "key-" + std::to_string(i % 7);
  m.value = tag + "#" + std::to_string(i) + "#" + std::string(64 + i % 50, static_cast<char>('a' + i % 26));
  m.headers = {{"index", std::to_string(i)}, {"tag", tag}, {"null", std::nullopt}};
  m.timestamp = timestamp;
  return m;
}

size_t IndexOf(const std::string& value) {
  const size_t a = value.find('#');
  const size_t b = value.find('#', a + 1);
  return static_cast<size_t>(std::stoul(value.substr(a + 1, b - a - 1)));
}

// ---- Produce with every acks level and codec, consume back ----------------------------------

TEST(DataPlaneTest, EveryAcksLevelAndCodecRoundTrips) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  const std::string bootstrap = cluster->bootstrap_servers();
  const char* codecs[] = {"none", "gzip", "snappy", "lz4", "zstd"};
  struct Mode {
    const char* name;
    RdConfig conf;
  };
  const Mode modes[] = {
      {"acks0", {{"acks", "0"}}},
      {"acks1", {{"acks", "1"}}},
      {"idempotent", {{"enable.idempotence", "true"}}},  // implies acks=all
  };
  constexpr size_t kCount = 120;
  const int64_t base_ts = NowMs() - 10000;
  for (const char* codec : codecs) {
    for (const Mode& mode : modes) {
      const std::string topic = std::string("roundtrip-") + codec + "-" + mode.name;
      SCOPED_TRACE(topic);
      ASSERT_TRUE(cluster->CreateTopic(topic, 1, 3).ok());
      RdConfig conf = mode.conf;
      conf["compression.codec"] = codec;
      conf["linger.ms"] = "5";
      conf["batch.num.messages"] = "25";  // several batches per partition
      auto producer = Producer::Create(bootstrap, conf);
      ASSERT_NE(producer, nullptr);
      std::vector<Message> sent;
      for (size_t i = 0; i < kCount; ++i) {
        sent.push_back(Numbered(topic, i, base_ts + static_cast<int64_t>(i)));
        producer->Send(topic, 0, sent.back());
      }
      ASSERT_TRUE(producer->Flush(kDeadline));
      std::map<size_t, int64_t> offsets;
      for (const auto& r : producer->reports()) {
        EXPECT_EQ(r.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(r.err);
        offsets[r.index] = r.offset;
      }
      ASSERT_EQ(offsets.size(), kCount);
      if (std::string(mode.name) != "acks0") {
        for (size_t i = 0; i < kCount; ++i) EXPECT_EQ(offsets[i], static_cast<int64_t>(i)) << "message " << i;
      }

      auto consumer = Consumer::Create(bootstrap, topic, 0, RD_KAFKA_OFFSET_BEGINNING);
      ASSERT_NE(consumer, nullptr);
      std::vector<Consumed> got = consumer->Read(kCount, kDeadline);
      ASSERT_EQ(got.size(), kCount);
      for (size_t i = 0; i < kCount; ++i) {
        EXPECT_EQ(got[i].offset, static_cast<int64_t>(i));
        EXPECT_EQ(got[i].key, sent[i].key);
        EXPECT_EQ(got[i].value, sent[i].value);
        EXPECT_EQ(got[i].headers, sent[i].headers);
        EXPECT_EQ(got[i].timestamp, sent[i].timestamp);
        EXPECT_EQ(got[i].timestamp_type, RD_KAFKA_TIMESTAMP_CREATE_TIME);
      }
      EXPECT_TRUE(consumer->errors().empty());
    }
  }
}

TEST(DataPlaneTest, LogAppendTimeTopicStampsRecordsWithAValidCrc) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "log-append-time";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 1, {{"message.timestamp.type", "LogAppendTime"}}).ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(), {{"compression.codec", "lz4"}});
  ASSERT_NE(producer, nullptr);
  const int64_t before = NowMs();
  for (size_t i = 0; i < 10; ++i) producer->Send(topic, 0, Numbered(topic, i, /*timestamp=*/1000 + static_cast<int64_t>(i)));
  ASSERT_TRUE(producer->Flush(kDeadline));
  const int64_t after = NowMs();
  // check.crcs is on: a batch whose timestamp was rewritten without a new CRC would be rejected.
  auto consumer = Consumer::Create(cluster->bootstrap_servers(), topic, 0, RD_KAFKA_OFFSET_BEGINNING);
  ASSERT_NE(consumer, nullptr);
  std::vector<Consumed> got = consumer->Read(10, kDeadline);
  ASSERT_EQ(got.size(), 10u);
  for (const Consumed& c : got) {
    EXPECT_EQ(c.timestamp_type, RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME);
    EXPECT_GE(c.timestamp, before);
    EXPECT_LE(c.timestamp, after);
  }
  EXPECT_TRUE(consumer->errors().empty());
}

// ---- Long poll --------------------------------------------------------------------------------

TEST(DataPlaneTest, ConsumerWaitingAtTheEndGetsNewDataLongBeforeItsMaxWait) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "long-poll";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 1).ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(), {{"linger.ms", "0"}});
  ASSERT_NE(producer, nullptr);
  producer->Send(topic, 0, Numbered(topic, 0));
  ASSERT_TRUE(producer->Flush(kDeadline));
  // The consumer parks fetches for up to 10 s; a broker that did not wake them on append would
  // deliver the next record only when the wait ran out. Once the consumer has read record 0, its
  // fetches wait at the log end. (Starting at an explicit offset rather than "end" leaves no race
  // between resolving the end and the produce.)
  auto consumer = Consumer::Create(cluster->bootstrap_servers(), topic, 0, 0,
                                   {{"fetch.wait.max.ms", "10000"}, {"socket.timeout.ms", "30000"}});
  ASSERT_NE(consumer, nullptr);
  ASSERT_EQ(consumer->Read(1, kDeadline).size(), 1u);
  EXPECT_TRUE(consumer->Read(1, Millis(500)).empty());  // its next fetch is now waiting
  producer->Send(topic, 0, Numbered(topic, 1));
  ASSERT_TRUE(producer->Flush(kDeadline));
  const auto produced = SteadyClock::now();
  std::vector<Consumed> got = consumer->Read(1, kDeadline);
  const auto latency = std::chrono::duration_cast<Millis>(SteadyClock::now() - produced);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].offset, 1);
  EXPECT_LT(latency.count(), 5000) << "the parked fetch was not woken by the append";
}

// ---- Offsets out of range ---------------------------------------------------------------------

TEST(DataPlaneTest, OutOfRangeOffsetsResetToTheEarliestAfterDeleteRecords) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "out-of-range";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 1).ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(), {{"linger.ms", "0"}});
  ASSERT_NE(producer, nullptr);
  for (size_t i = 0; i < 10; ++i) {
    producer->Send(topic, 0, Numbered(topic, i));
    ASSERT_TRUE(producer->Flush(kDeadline));  // one batch per record, so deletion can split them
  }

  // DeleteRecords moves the log start to 4.
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, topic.c_str(), 0)->offset = 4;
  rd_kafka_DeleteRecords_t* del = rd_kafka_DeleteRecords_new(offsets);
  rd_kafka_topic_partition_list_destroy(offsets);
  rd_kafka_queue_t* queue = rd_kafka_queue_new(producer->handle());
  rd_kafka_DeleteRecords(producer->handle(), &del, 1, nullptr, queue);
  rd_kafka_DeleteRecords_destroy(del);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, static_cast<int>(kDeadline.count()));
  ASSERT_NE(ev, nullptr);
  ASSERT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_event_error_string(ev);
  const rd_kafka_topic_partition_list_t* result =
      rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
  ASSERT_EQ(result->cnt, 1);
  EXPECT_EQ(result->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(result->elems[0].offset, 4);  // the new low watermark
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(queue);

  // Below the log start and beyond the log end: OFFSET_OUT_OF_RANGE, reset to the earliest.
  for (int64_t start : {int64_t{1}, int64_t{50}}) {
    SCOPED_TRACE("start offset " + std::to_string(start));
    auto consumer = Consumer::Create(cluster->bootstrap_servers(), topic, 0, start);
    ASSERT_NE(consumer, nullptr);
    std::vector<Consumed> got = consumer->Read(6, kDeadline);
    ASSERT_EQ(got.size(), 6u);
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].offset, static_cast<int64_t>(i + 4));
      EXPECT_EQ(IndexOf(got[i].value), i + 4);
    }
  }
}

// ---- min.insync.replicas ----------------------------------------------------------------------

TEST(DataPlaneTest, AcksAllFailsWithNotEnoughReplicasWhenTheIsrIsTooSmall) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "min-isr";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 3, {{"min.insync.replicas", "2"}}).ok());
  const std::string bootstrap = cluster->bootstrap_servers();
  auto leader = cluster->LeaderOf(topic, 0);
  ASSERT_TRUE(leader.ok());
  for (int32_t id : cluster->broker_ids()) {
    if (id != *leader) {
      ASSERT_TRUE(cluster->StopBroker(id).ok());
    }
  }

  auto strict = Producer::Create(bootstrap, {{"acks", "all"}, {"message.send.max.retries", "0"}, {"linger.ms", "0"}});
  ASSERT_NE(strict, nullptr);
  strict->Send(topic, 0, Numbered(topic, 0));
  ASSERT_TRUE(strict->Flush(kDeadline));
  ASSERT_EQ(strict->reports().size(), 1u);
  EXPECT_EQ(strict->reports()[0].err, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
      << rd_kafka_err2str(strict->reports()[0].err);

  // acks=1 does not care about the ISR.
  auto relaxed = Producer::Create(bootstrap, {{"acks", "1"}, {"linger.ms", "0"}});
  ASSERT_NE(relaxed, nullptr);
  relaxed->Send(topic, 0, Numbered(topic, 1));
  ASSERT_TRUE(relaxed->Flush(kDeadline));
  EXPECT_EQ(relaxed->reports()[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(relaxed->reports()[0].offset, 0);  // the rejected acks=all batch was not written

  // Once the followers are back in sync, acks=all succeeds again.
  for (int32_t id : cluster->broker_ids()) ASSERT_TRUE(cluster->StartBroker(id).ok());
  strict->Send(topic, 0, Numbered(topic, 2));
  ASSERT_TRUE(strict->Flush(kDeadline));
  ASSERT_EQ(strict->reports().size(), 2u);
  EXPECT_EQ(strict->reports()[1].err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(strict->reports()[1].err);
  EXPECT_EQ(strict->reports()[1].offset, 1);
}

// ---- Exactly once through failures (idempotence) ----------------------------------------------

// Reads the whole partition and checks that every acknowledged message is there exactly once and
// that the log holds no duplicates and keeps the producer's order.
void ExpectExactlyOnceInOrder(EmbeddedCluster& cluster, const std::string& topic, const Producer& producer) {
  std::set<size_t> acked;
  std::map<size_t, int64_t> acked_offsets;
  for (const auto& r : producer.reports()) {
    if (r.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      acked.insert(r.index);
      acked_offsets[r.index] = r.offset;
    }
  }
  auto consumer = Consumer::Create(cluster.bootstrap_servers(), topic, 0, RD_KAFKA_OFFSET_BEGINNING);
  ASSERT_NE(consumer, nullptr);
  // Read everything there is: at least the acknowledged messages, then drain what else arrives.
  std::vector<Consumed> got = consumer->Read(acked.size(), kDeadline);
  for (std::vector<Consumed> more; !(more = consumer->Read(1, Millis(1000))).empty();) got.push_back(more[0]);
  std::map<size_t, int> seen;
  int64_t previous_index = -1;
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].offset, static_cast<int64_t>(i));
    const size_t index = IndexOf(got[i].value);
    ++seen[index];
    EXPECT_GT(static_cast<int64_t>(index), previous_index) << "message " << index << " out of order at offset " << i;
    previous_index = static_cast<int64_t>(index);
  }
  for (const auto& [index, times] : seen) {
    EXPECT_EQ(times, 1) << "message " << index << " is in the log " << times << " times";
  }
  for (size_t index : acked) {
    ASSERT_EQ(seen.count(index), 1u) << "acknowledged message " << index << " is missing";
    const int64_t offset = acked_offsets[index];
    ASSERT_GE(offset, 0);
    ASSERT_LT(static_cast<size_t>(offset), got.size());
    EXPECT_EQ(IndexOf(got[static_cast<size_t>(offset)].value), index) << "acknowledged at offset " << offset;
  }
}

TEST(DataPlaneTest, IdempotentProducerSurvivesLeaderFailoverWithoutLossOrDuplicates) {
  auto cluster = StartCluster(3);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "failover";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 3).ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(),
                                   {{"enable.idempotence", "true"}, {"linger.ms", "2"}, {"batch.num.messages", "20"},
                                    {"retry.backoff.ms", "50"}});
  ASSERT_NE(producer, nullptr);
  constexpr size_t kCount = 3000;
  for (size_t i = 0; i < kCount / 2; ++i) producer->Send(topic, 0, Numbered(topic, i));
  // Stop the leader mid-stream: some batches acknowledged, others in flight or queued.
  ASSERT_TRUE(producer->PollUntil([&] { return producer->reports().size() >= kCount / 6; }, kDeadline));
  auto leader = cluster->LeaderOf(topic, 0);
  ASSERT_TRUE(leader.ok());
  ASSERT_TRUE(cluster->StopBroker(*leader).ok());
  for (size_t i = kCount / 2; i < kCount; ++i) producer->Send(topic, 0, Numbered(topic, i));
  ASSERT_TRUE(producer->Flush(kDeadline));
  auto new_leader = cluster->LeaderOf(topic, 0);
  ASSERT_TRUE(new_leader.ok());
  EXPECT_NE(*new_leader, *leader);
  size_t failed = 0;
  for (const auto& r : producer->reports()) failed += r.err != RD_KAFKA_RESP_ERR_NO_ERROR ? 1 : 0;
  EXPECT_EQ(failed, 0u) << "an idempotent producer should retry through a leader change";
  ExpectExactlyOnceInOrder(*cluster, topic, *producer);
}

TEST(DataPlaneTest, InjectedRetriableProduceErrorsAreRetriedWithoutDuplicates) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "injected";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 1).ok());
  // Three produce requests fail with NOT_LEADER_OR_FOLLOWER, then three with REQUEST_TIMED_OUT;
  // nothing of them is written. The producer retries each batch with its sequence numbers and
  // every record must end up in the log once, in order. (librdkafka keeps one produce request
  // per partition in flight, so sequence gaps are covered by data_plane_protocol_test.)
  Fault not_leader;
  not_leader.api_key = 0;
  not_leader.topic = topic;
  not_leader.error = ErrorCode::kNotLeaderOrFollower;
  not_leader.count = 3;
  Fault timed_out = not_leader;
  timed_out.error = ErrorCode::kRequestTimedOut;
  auto h1 = cluster->InjectFault(not_leader);
  auto h2 = cluster->InjectFault(timed_out);
  ASSERT_TRUE(h1.ok() && h2.ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(), {{"enable.idempotence", "true"},
                                                                  {"linger.ms", "1"},
                                                                  {"batch.num.messages", "10"},
                                                                  {"retry.backoff.ms", "20"}});
  ASSERT_NE(producer, nullptr);
  constexpr size_t kCount = 400;
  for (size_t i = 0; i < kCount; ++i) producer->Send(topic, 0, Numbered(topic, i));
  ASSERT_TRUE(producer->Flush(kDeadline));
  EXPECT_EQ(h1->times_fired(), 3);
  EXPECT_EQ(h2->times_fired(), 3);
  for (const auto& r : producer->reports()) EXPECT_EQ(r.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(r.err);
  ExpectExactlyOnceInOrder(*cluster, topic, *producer);
}

TEST(DataPlaneTest, ProduceRetriedAfterALostAcknowledgementIsNotWrittenTwice) {
  auto cluster = StartCluster(1);
  ASSERT_NE(cluster, nullptr);
  const std::string topic = "lost-ack";
  ASSERT_TRUE(cluster->CreateTopic(topic, 1, 1).ok());
  auto producer = Producer::Create(cluster->bootstrap_servers(),
                                   {{"enable.idempotence", "true"}, {"linger.ms", "0"}, {"socket.timeout.ms", "1000"},
                                    {"request.timeout.ms", "1000"}, {"retry.backoff.ms", "20"}});
  ASSERT_NE(producer, nullptr);
  producer->Send(topic, 0, Numbered(topic, 0));
  ASSERT_TRUE(producer->Flush(kDeadline));  // the producer id is in place
  // The next produce request is handled 2.5 s late, after the client gave up on it and resent
  // the same batch: one of the two copies arrives as a duplicate and must not be written.
  Fault slow;
  slow.kind = Fault::Kind::kLatency;
  slow.api_key = 0;
  slow.latency_ms = 2500;
  auto handle = cluster->InjectFault(slow);
  ASSERT_TRUE(handle.ok());
  for (size_t i = 1; i < 4; ++i) producer->Send(topic, 0, Numbered(topic, i));
  ASSERT_TRUE(producer->Flush(kDeadline));
  EXPECT_EQ(handle->times_fired(), 1);
  for (const auto& r : producer->reports()) EXPECT_EQ(r.err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(r.err);
  // Wait until the late original has been handled: a Metadata request delayed by the same
  // latency, sent after it, is answered only after the loop ran the original's (earlier) timer.
  Fault slow_metadata = slow;
  slow_metadata.api_key = 3;
  ASSERT_TRUE(cluster->InjectFault(slow_metadata).ok());
  testing::BlockingClient client;
  const std::string bootstrap = cluster->bootstrap_servers();
  ASSERT_TRUE(client.Connect(bootstrap.substr(0, bootstrap.find(','))).ok());
  protocol::MetadataRequest metadata;
  protocol::MetadataResponse metadata_response;
  ASSERT_TRUE(client.RoundTrip(metadata, 1, &metadata_response).ok());
  ExpectExactlyOnceInOrder(*cluster, topic, *producer);
  EXPECT_EQ(producer->reports().size(), 4u);
}

}  // namespace
}  // namespace kclient
