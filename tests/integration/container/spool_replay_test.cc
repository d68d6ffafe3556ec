// The producer-side spool end to end, against a one-broker embedded cluster: the broker stops,
// records sent through a KafkaTemplate spool after delivery.timeout.ms, the broker comes back,
// and SpoolReplayer delivers every one of them, in per-key order, once; also when the process's
// objects are destroyed between spooling and replaying, and when the spooling process is
// killed with SIGKILL (a child process, spool_writer_child). Stored records are read back with
// partition_reader.h, not with the code under test.
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/container/kafka_template.h"
#include "kclient/container/spool.h"
#include "kclient/container/spool_replayer.h"
#include "kclient/embedded_cluster.h"
#include "partition_reader.h"
#include "temp_dir.h"

extern char** environ;

namespace kclient::container {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;
using BytesTemplate = KafkaTemplate<std::string, std::string, StringSerializer, StringSerializer>;

constexpr int32_t kPartitions = 3;

std::unique_ptr<EmbeddedCluster> StartCluster(const std::string& topic) {
  auto c = EmbeddedCluster::Start();
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  if (!c.ok()) return nullptr;
  EXPECT_TRUE((*c)->CreateTopic(topic, kPartitions, 1).ok());
  return std::move(*c);
}

// A producer that gives up quickly: records spool about 1.5 s into an outage.
// `bootstrap` is taken while the broker runs: bootstrap_servers() lists running brokers only.
ProducerOptions ImpatientOptions(const std::string& bootstrap) {
  ProducerOptions o;
  o.client.bootstrap_servers = bootstrap;
  o.client.request_timeout_ms = 1000;
  o.client.reconnect_backoff_ms = 20;
  o.client.reconnect_backoff_max_ms = 200;
  o.max_block_ms = 1000;
  o.delivery_timeout_ms = 1500;
  return o;
}

// The replaying producer is patient: the broker has just come back.
std::unique_ptr<Producer> PatientProducer(const EmbeddedCluster& cluster) {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.client.reconnect_backoff_ms = 20;
  o.client.reconnect_backoff_max_ms = 200;
  o.max_block_ms = 60000;
  o.delivery_timeout_ms = 60000;
  auto p = Producer::Create(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

std::shared_ptr<Spool> OpenSpool(const std::string& dir) {
  SpoolOptions o;
  o.directory = dir;
  auto spool = Spool::Open(o);
  EXPECT_TRUE(spool.ok()) << spool.status().ToString();
  return spool.ok() ? std::shared_ptr<Spool>(std::move(*spool)) : nullptr;
}

size_t SegmentFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& f : fs::directory_iterator(dir)) n += f.path().extension() == ".spool";
  return n;
}

// Values (record numbers) of every key in `topic`, in offset order per partition. Each key lives
// in one partition, so this is each key's order as consumers see it.
std::map<std::string, std::vector<long>> ReadKeys(const EmbeddedCluster& cluster, const std::string& topic) {
  std::map<std::string, std::vector<long>> out;
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto stored = testing::ReadPartition(cluster.bootstrap_servers(), topic, p);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (!stored.ok()) continue;
    for (const auto& r : *stored) {
      if (r.key == "warmup") continue;
      out[r.key.value_or("")].push_back(std::stol(r.value.value_or("-1")));
    }
  }
  return out;
}

// Every key's values are strictly increasing (spool order kept per key); no value appears twice;
// every value in `required` is there. Returns how many records there are.
size_t ExpectOrderedOnceAndComplete(const std::map<std::string, std::vector<long>>& keys,
                                    const std::set<long>& required) {
  std::set<long> seen;
  size_t total = 0;
  for (const auto& [key, values] : keys) {
    for (size_t i = 0; i < values.size(); ++i) {
      EXPECT_TRUE(seen.insert(values[i]).second) << "record " << values[i] << " of " << key << " delivered twice";
      if (i > 0) {
        EXPECT_LT(values[i - 1], values[i]) << key << " out of order";
      }
    }
    total += values.size();
  }
  for (long v : required) {
    EXPECT_TRUE(seen.count(v)) << "record " << v << " was lost";
  }
  return total;
}

TEST(SpoolReplayTest, BrokerOutageSpoolsAndReplayDeliversEverythingInPerKeyOrder) {
  const std::string topic = "payments";
  auto cluster = StartCluster(topic);
  TempDir dir("spool");
  auto producer = Producer::Create(ImpatientOptions(cluster->bootstrap_servers()));
  ASSERT_TRUE(producer.ok());
  TemplateOptions options;
  options.spool = OpenSpool(dir.path());
  BytesTemplate payments(**producer, options);
  ASSERT_TRUE(payments.Send(topic, "warmup", "w").get().delivered()) << "metadata known before the outage";

  ASSERT_TRUE(cluster->StopBroker(1).ok());
  constexpr int kRecords = 60;
  std::vector<std::future<SendResult>> sent;
  std::set<long> all;
  for (int i = 0; i < kRecords; ++i) {
    sent.push_back(payments.Send(topic, "k" + std::to_string(i % 6), std::to_string(i)));
    all.insert(i);
  }
  for (auto& f : sent) {
    SendResult r = f.get();
    EXPECT_EQ(r.state, DeliveryState::kSpooled) << r.error.ToString();
    EXPECT_TRUE(r.error.retriable()) << r.error.ToString();
  }
  ASSERT_EQ(options.spool->pending(), static_cast<size_t>(kRecords));

  ASSERT_TRUE(cluster->StartBroker(1).ok());
  auto replay_producer = PatientProducer(*cluster);
  ReplayReport report = SpoolReplayer(*options.spool, *replay_producer).Replay();
  EXPECT_TRUE(report.stopped_by.ok()) << report.stopped_by.ToString();
  EXPECT_EQ(report.replayed, static_cast<size_t>(kRecords));
  EXPECT_TRUE(report.rejections.empty());
  EXPECT_EQ(report.remaining, 0u);
  EXPECT_EQ(SegmentFiles(dir.path()), 0u) << "replayed segments are deleted";

  EXPECT_EQ(ExpectOrderedOnceAndComplete(ReadKeys(*cluster, topic), all), static_cast<size_t>(kRecords));
}

TEST(SpoolReplayTest, ARestartBetweenSpoolingAndReplayLosesNothingAndReplaysNothingTwice) {
  const std::string topic = "ledger";
  auto cluster = StartCluster(topic);
  const std::string bootstrap = cluster->bootstrap_servers();
  ASSERT_TRUE(cluster->StopBroker(1).ok());  // down from the start: not even metadata
  TempDir dir("spool");
  constexpr int kRecords = 20;
  std::set<long> all;
  {
    ProducerOptions o = ImpatientOptions(bootstrap);
    o.max_block_ms = 100;
    auto producer = Producer::Create(o);
    ASSERT_TRUE(producer.ok());
    TemplateOptions options;
    options.spool = OpenSpool(dir.path());
    options.default_headers = {{"source", "ledger-service"}};
    BytesTemplate ledger(**producer, options);
    for (int i = 0; i < kRecords; ++i) {
      const std::string n = std::to_string(i);
      SendResult r = ledger.Send(topic, "acct-" + std::to_string(i % 3), n, {{"trace-id", "t-" + n}}).get();
      ASSERT_TRUE(r.spooled()) << r.error.ToString();
      all.insert(i);
    }
  }  // the template, the producer and the spool are gone: as after a restart

  ASSERT_TRUE(cluster->StartBroker(1).ok());
  auto replay_producer = PatientProducer(*cluster);
  std::map<std::string, int64_t> spooled_timestamps;  // by value
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->recovery().pending, static_cast<size_t>(kRecords));
    auto entries = spool->ReadPending(kRecords);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : *entries) {
      ASSERT_TRUE(e.spooled.record.timestamp_ms.has_value()) << "stamped at send time, so a replay keeps it";
      EXPECT_EQ(e.spooled.error, ErrorCode::kLocalTimedOut);
      spooled_timestamps[*e.spooled.record.value] = *e.spooled.record.timestamp_ms;
    }
    ReplayReport report = SpoolReplayer(*spool, *replay_producer).Replay();
    EXPECT_TRUE(report.stopped_by.ok()) << report.stopped_by.ToString();
    EXPECT_EQ(report.replayed, static_cast<size_t>(kRecords));
  }
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->recovery().pending, 0u) << "what was confirmed is not replayed after another restart";
    EXPECT_EQ(SpoolReplayer(*spool, *replay_producer).Replay().replayed, 0u);
  }
  EXPECT_EQ(ExpectOrderedOnceAndComplete(ReadKeys(*cluster, topic), all), static_cast<size_t>(kRecords));
  // Headers and timestamps are the original send's, not the replay's.
  for (int32_t p = 0; p < kPartitions; ++p) {
    auto stored = testing::ReadPartition(cluster->bootstrap_servers(), topic, p);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    for (const auto& r : *stored) {
      const std::string& value = *r.value;
      EXPECT_EQ(r.headers, (std::vector<Header>{{"source", "ledger-service"}, {"trace-id", "t-" + value}}));
      EXPECT_EQ(r.timestamp_ms, spooled_timestamps[value]) << "record " << value;
    }
  }
}

TEST(SpoolReplayTest, AReplayThatMeetsTheOutageAgainStopsAndKeepsWhatItDidNotDeliver) {
  const std::string topic = "refunds";
  auto cluster = StartCluster(topic);
  const std::string bootstrap = cluster->bootstrap_servers();
  TempDir dir("spool");
  auto spool = OpenSpool(dir.path());
  constexpr int kRecords = 30;
  std::set<long> all;
  for (int i = 0; i < kRecords; ++i) {
    SpooledRecord r;
    r.record.topic = topic;
    r.record.key = "r" + std::to_string(i % 5);
    r.record.value = std::to_string(i);
    r.error = ErrorCode::kLocalTimedOut;
    ASSERT_TRUE(spool->Append(r).ok());
    all.insert(i);
  }
  ASSERT_TRUE(cluster->StopBroker(1).ok());
  {
    auto impatient = Producer::Create(ImpatientOptions(bootstrap));
    ASSERT_TRUE(impatient.ok());
    ReplayReport report = SpoolReplayer(*spool, **impatient).Replay();
    EXPECT_FALSE(report.stopped_by.ok());
    EXPECT_TRUE(report.stopped_by.retriable()) << report.stopped_by.ToString();
    EXPECT_EQ(report.replayed, 0u);
    EXPECT_EQ(report.remaining, static_cast<size_t>(kRecords)) << "nothing unconfirmed is dropped";
  }
  ASSERT_TRUE(cluster->StartBroker(1).ok());
  auto producer = PatientProducer(*cluster);
  ReplayReport report = SpoolReplayer(*spool, *producer).Replay();
  EXPECT_TRUE(report.stopped_by.ok()) << report.stopped_by.ToString();
  EXPECT_EQ(report.replayed, static_cast<size_t>(kRecords));
  EXPECT_EQ(ExpectOrderedOnceAndComplete(ReadKeys(*cluster, topic), all), static_cast<size_t>(kRecords));
}

// A child process with a pipe on its stdout, killed with SIGKILL when the test is done with it.
class Child {
 public:
  explicit Child(std::vector<std::string> args) {
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    fd_ = out[0];
  }
  ~Child() {
    Kill();
    if (fd_ >= 0) ::close(fd_);
  }
  bool started() const { return pid_ > 0; }

  // The next line the child printed, or nullopt when it closed its stdout or the deadline passed.
  std::optional<std::string> ReadLine(std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      const ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

TEST(SpoolReplayTest, AProcessKilledWhileSpoolingLosesNothingItReportedSpooled) {
  const std::string topic = "invoices";
  auto cluster = StartCluster(topic);
  const std::string bootstrap = cluster->bootstrap_servers();
  ASSERT_TRUE(cluster->StopBroker(1).ok());
  TempDir dir("spool");
  constexpr long kReadyAfter = 12;
  std::set<long> acknowledged;
  {
    Child child({KCLIENT_SPOOL_WRITER_CHILD, bootstrap, dir.path(), topic,
                 std::to_string(kReadyAfter)});
    ASSERT_TRUE(child.started());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    bool ready = false;
    while (!ready) {
      auto line = child.ReadLine(deadline);
      ASSERT_TRUE(line.has_value()) << "the child stopped before it was ready";
      if (line->rfind("spooled ", 0) == 0) {
        acknowledged.insert(std::stol(line->substr(8)));
      } else {
        ready = *line == "ready";
        ASSERT_TRUE(ready) << *line;
      }
    }
    // Let it go on a little, so the kill lands mid-stream, not at a quiet point.
    for (int i = 0; i < 3; ++i) {
      if (auto line = child.ReadLine(deadline); line && line->rfind("spooled ", 0) == 0) {
        acknowledged.insert(std::stol(line->substr(8)));
      }
    }
    child.Kill();
  }
  ASSERT_GE(acknowledged.size(), static_cast<size_t>(kReadyAfter));

  ASSERT_TRUE(cluster->StartBroker(1).ok());
  auto spool = OpenSpool(dir.path());
  const size_t recovered = spool->recovery().pending;
  EXPECT_GE(recovered, acknowledged.size()) << "every record reported spooled survives the kill";
  auto replay_producer = PatientProducer(*cluster);
  ReplayReport report = SpoolReplayer(*spool, *replay_producer).Replay();
  EXPECT_TRUE(report.stopped_by.ok()) << report.stopped_by.ToString();
  EXPECT_EQ(report.replayed, recovered);
  EXPECT_EQ(report.remaining, 0u);
  EXPECT_EQ(ExpectOrderedOnceAndComplete(ReadKeys(*cluster, topic), acknowledged), recovered);
}

}  // namespace
}  // namespace kclient::container
