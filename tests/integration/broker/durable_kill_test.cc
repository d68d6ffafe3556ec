// kill -9: a batch that write(2) accepted is in the page cache, which outlives the process. A
// process appending to a durable PartitionLog, and a kclient-broker process taking acks=all
// produce requests from librdkafka, are killed with SIGKILL mid-stream; everything they had
// acknowledged must be there after recovery (a torn tail, if the kill cut a write short, is cut).
//
// The first test forks, so it must run while this process has one thread: it comes first, and
// no test here leaves a thread behind.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"

#include "broker/log/partition_log.h"
#include "protocol/record_batch.h"
#include "rdkafka_support.h"

extern char** environ;

namespace kclient {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using SteadyClock = std::chrono::steady_clock;
using testing::Millis;

constexpr Millis kDeadline{30000};

using TempDir = kclient::testing::TempDir;

// Reads exactly `n` bytes from `fd` unless the deadline passes or the writer is gone first.
bool ReadFull(int fd, void* out, size_t n, SteadyClock::time_point deadline) {
  auto* p = static_cast<uint8_t*>(out);
  while (n > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t r = ::read(fd, p, n);
    if (r == 0) return false;
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return false;
    }
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

// Batch `i` of the appending child: 1-3 records of up to ~100 KB, so that some writes take long
// enough for the kill to land inside one.
Bytes ChildBatch(int64_t i) {
  protocol::RecordBatchBuilder builder;
  const int records = 1 + static_cast<int>(i % 3);
  const std::string value = "batch-" + std::to_string(i) + std::string(static_cast<size_t>((i * 7919) % 100000), 'p');
  for (int r = 0; r < records; ++r) {
    builder.Append(1000 + i, std::nullopt, protocol::ByteSpan(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  }
  protocol::ByteSpan out;
  if (!builder.Finish({}, &out).ok()) return {};
  return Bytes(out.begin(), out.end());
}

TEST(DurableKillTest, AProcessKilledWhileAppendingKeepsEveryAcknowledgedBatch) {
  TempDir dir;
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: append forever, acknowledging each batch (index, base offset) once Append returns.
    ::close(acks[0]);
    broker::PartitionLog log(1 << 20);
    if (!log.OpenDurable(dir.path(), [](const std::string&) {}).ok()) ::_exit(3);
    for (int64_t i = 0;; ++i) {
      const Bytes batch = ChildBatch(i);
      const int64_t base = log.Append(batch, 5);
      if (base < 0) ::_exit(4);
      const int64_t ack[2] = {i, base};
      if (::write(acks[1], ack, sizeof ack) != static_cast<ssize_t>(sizeof ack)) ::_exit(5);
    }
  }
  ::close(acks[1]);
  std::map<int64_t, int64_t> acked;  // batch index -> base offset
  const auto deadline = SteadyClock::now() + kDeadline;
  int64_t ack[2];
  while (acked.size() < 200 && ReadFull(acks[0], ack, sizeof ack, deadline)) acked[ack[0]] = ack[1];
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child exited with " << status;
  // Acknowledgements already in the pipe count too: the child had them back from Append.
  while (ReadFull(acks[0], ack, sizeof ack, SteadyClock::now() + Millis(1000))) acked[ack[0]] = ack[1];
  ::close(acks[0]);
  ASSERT_GE(acked.size(), 200u);

  std::vector<std::string> repairs;
  broker::PartitionLog log(1 << 20);
  ASSERT_TRUE(log.OpenDurable(dir.path(), [&](const std::string& l) { repairs.push_back(l); }).ok());
  for (const std::string& r : repairs) std::fprintf(stderr, "recovery: %s\n", r.c_str());
  ASSERT_GE(log.batches().size(), acked.size());
  for (const auto& [index, base] : acked) {
    const auto& e = log.batches()[static_cast<size_t>(index)];
    ASSERT_EQ(e.base_offset, base) << "batch " << index;
    Bytes expected = ChildBatch(index);
    protocol::AssignBatchOffsets(expected, base, 5);
    std::span<const uint8_t> got = log.Read(base, 0, true, std::numeric_limits<int64_t>::max());
    ASSERT_EQ(Bytes(got.begin(), got.end()), expected) << "batch " << index;
  }
  // Nothing beyond the acknowledged batches but whole batches the child had written: the log
  // ends at a batch boundary and takes appends again.
  const int64_t end = log.log_end_offset();
  EXPECT_EQ(log.batches().back().last_offset + 1, end);
  EXPECT_EQ(log.Append(ChildBatch(0), 6), end);
}

// ---- kclient-broker, killed under a librdkafka producer ------------------------------------------

// A kclient-broker child process; SIGKILLed by the destructor if still running.
class BrokerProcess {
 public:
  static std::unique_ptr<BrokerProcess> Start(const std::string& data_dir) {
    auto b = std::unique_ptr<BrokerProcess>(new BrokerProcess());
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    std::vector<std::string> args = {KCLIENT_BROKER_BIN, "--port", "0", "--data-dir", data_dir, "--partitions", "2"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&b->pid_, KCLIENT_BROKER_BIN, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      ::close(out[0]);
      ADD_FAILURE() << "posix_spawn " << KCLIENT_BROKER_BIN << ": " << std::strerror(rc);
      return nullptr;
    }
    b->stdout_ = out[0];
    // The broker prints "bootstrap.servers=..." once it accepts connections.
    std::string line;
    const auto deadline = SteadyClock::now() + kDeadline;
    char c;
    while (ReadFull(b->stdout_, &c, 1, deadline) && c != '\n') line += c;
    const std::string prefix = "bootstrap.servers=";
    if (line.rfind(prefix, 0) != 0) {
      ADD_FAILURE() << "kclient-broker printed \"" << line << "\"";
      return nullptr;
    }
    b->bootstrap_ = line.substr(prefix.size());
    return b;
  }

  ~BrokerProcess() {
    if (pid_ > 0) Kill(SIGKILL);
    if (stdout_ >= 0) ::close(stdout_);
  }

  const std::string& bootstrap() const { return bootstrap_; }

  // Sends `signal` and reaps the process; returns its wait status.
  int Kill(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  BrokerProcess() = default;
  pid_t pid_ = -1;
  int stdout_ = -1;
  std::string bootstrap_;
};

TEST(DurableKillTest, ABrokerKilledWithSigkillKeepsEveryAcknowledgedRecord) {
  TempDir dir;
  const std::string topic = "killed";
  constexpr size_t kCount = 4000;
  std::map<std::pair<int32_t, int64_t>, std::string> acked;  // (partition, offset) -> value
  {
    auto broker = BrokerProcess::Start(dir.path());
    ASSERT_NE(broker, nullptr);
    auto producer = testing::Producer::Create(broker->bootstrap(), {{"acks", "all"},
                                                                    {"linger.ms", "1"},
                                                                    {"batch.num.messages", "50"},
                                                                    {"retries", "0"},
                                                                    {"message.timeout.ms", "20000"}});
    ASSERT_NE(producer, nullptr);
    // Keep producing until a good share is acknowledged, then kill the broker with the rest
    // queued or in flight.
    std::vector<std::string> values;
    const auto deadline = SteadyClock::now() + kDeadline;
    while (producer->reports().size() < kCount / 4) {
      ASSERT_LT(SteadyClock::now(), deadline) << producer->reports().size() << " acknowledged";
      if (values.size() < kCount && values.size() < producer->reports().size() + 400) {  // at most 400 in flight
        const size_t i = values.size();
        testing::Message m;
        m.key = "k" + std::to_string(i);
        m.value = "record-" + std::to_string(i) + std::string(i % 300, '#');
        values.push_back(m.value);
        producer->Send(topic, static_cast<int32_t>(i % 2), m);
      }
      producer->Poll(values.size() < producer->reports().size() + 400 ? 0 : 10);
    }
    const int status = broker->Kill(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    rd_kafka_purge(producer->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    ASSERT_TRUE(producer->Flush(kDeadline));
    for (const auto& r : producer->reports()) {
      if (r.err == RD_KAFKA_RESP_ERR_NO_ERROR) acked[{r.partition, r.offset}] = values[r.index];
    }
    std::fprintf(stderr, "%zu of the %zu records sent were acknowledged before the kill\n", acked.size(),
                 values.size());
  }
  ASSERT_GE(acked.size(), kCount / 4);

  auto broker = BrokerProcess::Start(dir.path());
  ASSERT_NE(broker, nullptr);
  for (int32_t partition : {0, 1}) {
    SCOPED_TRACE(partition);
    int64_t last = -1;
    for (const auto& [key, value] : acked) {
      if (key.first == partition) last = std::max(last, key.second);
    }
    if (last < 0) continue;
    auto consumer = testing::Consumer::Create(broker->bootstrap(), topic, partition, RD_KAFKA_OFFSET_BEGINNING);
    ASSERT_NE(consumer, nullptr);
    std::vector<testing::Consumed> got = consumer->Read(static_cast<size_t>(last + 1), kDeadline);
    ASSERT_GE(got.size(), static_cast<size_t>(last + 1));
    std::map<int64_t, std::string> by_offset;
    for (const auto& c : got) by_offset[c.offset] = c.value;
    for (const auto& [key, value] : acked) {
      if (key.first != partition) continue;
      ASSERT_EQ(by_offset.count(key.second), 1u) << "acknowledged offset " << key.second << " is missing";
      EXPECT_EQ(by_offset[key.second], value) << "offset " << key.second;
    }
  }
  const int status = broker->Kill(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace kclient
