// kclient::Consumer in one group with a member we did not write: kcat's high-level consumer
// (librdkafka), as a child process, against the bundled broker running in-process.
//   - A mixed group: a kcat member and a kclient member split the partitions (eager range, which
//     both offer) and together read every record exactly once.
//   - A member killed without leaving: the kcat member is SIGKILLed; after its session times out
//     the kclient member takes its partitions and reads on from kcat's committed offsets, so every
//     record is read, by one member or the other, exactly once.
// Child processes are started with posix_spawn and always killed and reaped (ChildProcess's
// destructor). Every wait is on a condition with a deadline.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "kclient/consumer.h"
#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"

extern char** environ;

namespace kclient {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(60);
constexpr const char* kKcat = "/usr/bin/kcat";
constexpr int32_t kSessionTimeoutMs = 6000;

// A child process whose stdout and stderr go to files; killed (SIGKILL) and reaped when it goes
// out of scope, whatever happened to the test.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& out_path, const std::string& err_path)
      : out_path_(out_path), err_path_(err_path) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
      ADD_FAILURE() << "posix_spawn " << argv[0] << ": " << std::strerror(rc);
      pid_ = -1;
    }
  }
  ~ChildProcess() { Kill(SIGKILL); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool running() const { return pid_ > 0; }

  // Sends `signal` and reaps the process.
  void Kill(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
  }

  std::string out() const { return ReadFile(out_path_); }
  std::string err() const { return ReadFile(err_path_); }

 private:
  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  pid_t pid_ = -1;
  std::string out_path_, err_path_;
};

// A temporary directory for the children's output, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "kclient-peers-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// A `kcat -G` member of `group` reading `topic`; each record is printed as "<partition> <offset>
// <value>" as soon as it is consumed (-u), and rebalances are reported on stderr.
std::unique_ptr<ChildProcess> StartKcatMember(const TempDir& dir, const std::string& name, const std::string& bootstrap,
                                              const std::string& group, const std::string& topic) {
  std::vector<std::string> argv = {kKcat,
                                   "-b", bootstrap,
                                   "-G", group,
                                   "-X", "partition.assignment.strategy=range",
                                   "-X", "auto.offset.reset=earliest",
                                   "-X", "session.timeout.ms=" + std::to_string(kSessionTimeoutMs),
                                   "-X", "heartbeat.interval.ms=500",
                                   "-X", "auto.commit.interval.ms=200",
                                   "-f", "%p %o %s\n",
                                   "-u",
                                   topic};
  return std::make_unique<ChildProcess>(argv, dir.file(name + ".out"), dir.file(name + ".err"));
}

// kcat reports each assignment on stderr as "% Group G rebalanced (memberid M): assigned: T [0],
// T [2]". The partitions of the latest one (empty if none yet, or the latest was a revocation).
std::set<int32_t> KcatAssignment(const ChildProcess& kcat, int* assignments = nullptr) {
  std::istringstream err(kcat.err());
  std::string line;
  std::set<int32_t> latest;
  int count = 0;
  while (std::getline(err, line)) {
    if (line.find("rebalanced") == std::string::npos) continue;
    latest.clear();
    const size_t assigned = line.find("assigned:");
    if (assigned == std::string::npos) continue;
    ++count;
    for (size_t open = line.find('[', assigned); open != std::string::npos; open = line.find('[', open + 1)) {
      latest.insert(std::atoi(line.c_str() + open + 1));
    }
  }
  if (assignments != nullptr) *assignments = count;
  return latest;
}

struct KcatRecord {
  int32_t partition;
  int64_t offset;
  std::string value;
};

// The complete lines kcat has printed so far.
std::vector<KcatRecord> KcatRecords(const ChildProcess& kcat) {
  const std::string out = kcat.out();
  std::vector<KcatRecord> records;
  size_t start = 0;
  for (size_t nl = out.find('\n'); nl != std::string::npos; start = nl + 1, nl = out.find('\n', start)) {
    std::istringstream line(out.substr(start, nl - start));
    KcatRecord r;
    if (line >> r.partition >> r.offset >> r.value) records.push_back(r);
  }
  return records;
}

std::unique_ptr<EmbeddedCluster> StartCluster() {
  EmbeddedClusterOptions o;
  o.default_partitions = 4;
  o.group_min_session_timeout_ms = 1000;
  auto c = EmbeddedCluster::Start(o);
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(*c) : nullptr;
}

// Writes values "<prefix><i>" for i < count, spread over the partitions by key.
void Produce(const EmbeddedCluster& cluster, const std::string& topic, int count, const std::string& prefix) {
  ProducerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  auto p = Producer::Create(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  std::atomic<int> failed{0};
  for (int i = 0; i < count; ++i) {
    ProducerRecord r;
    r.topic = topic;
    r.key = "key-" + std::to_string(i);
    r.value = prefix + std::to_string(i);
    (*p)->Produce(r, [&](const Result<RecordMetadata>& m) {
      if (!m.ok()) ++failed;
    });
  }
  ASSERT_TRUE((*p)->Flush().ok());
  ASSERT_EQ(failed.load(), 0);
}

ConsumerOptions KclientMemberOptions(const EmbeddedCluster& cluster, const std::string& group) {
  ConsumerOptions o;
  o.client.bootstrap_servers = cluster.bootstrap_servers();
  o.client.retry_backoff_ms = 20;
  o.client.reconnect_backoff_ms = 20;
  o.group_id = group;
  o.auto_offset_reset = OffsetReset::kEarliest;
  o.assignment_strategies = {AssignmentStrategy::kRange};
  o.session_timeout_ms = kSessionTimeoutMs;
  o.heartbeat_interval_ms = 500;
  o.auto_commit_interval_ms = 200;
  o.fetch_max_wait_ms = 100;
  return o;
}

class LostListener : public RebalanceListener {
 public:
  void OnPartitionsRevoked(const std::vector<TopicPartition>&) override {}
  void OnPartitionsAssigned(const std::vector<TopicPartition>&) override {}
  void OnPartitionsLost(const std::vector<TopicPartition>& p) override { lost += static_cast<int>(p.size()); }
  int lost = 0;
};

std::set<int32_t> Partitions(const Consumer& c) {
  std::set<int32_t> out;
  for (const auto& tp : c.Assignment()) out.insert(tp.partition);
  return out;
}

// Polls `consumer` (collecting into `values`) until `done` or the deadline.
template <typename Done>
bool PollUntil(Consumer& consumer, std::multiset<std::string>& values, Done done,
               std::chrono::seconds deadline_in = kDeadline) {
  const auto deadline = Clock::now() + deadline_in;
  while (!done() && Clock::now() < deadline) {
    auto records = consumer.Poll(milliseconds(50));
    if (!records.ok()) continue;
    for (const ConsumerRecord& r : *records) values.emplace(r.value.value_or(""));
  }
  return done();
}

// Waits until the kclient member and the kcat member hold two partitions each, disjoint.
bool AwaitSplit(Consumer& consumer, const ChildProcess& kcat, std::multiset<std::string>& values) {
  return PollUntil(consumer, values, [&] {
    const std::set<int32_t> mine = Partitions(consumer);
    const std::set<int32_t> theirs = KcatAssignment(kcat);
    if (mine.size() != 2 || theirs.size() != 2) return false;
    for (int32_t p : mine) {
      if (theirs.count(p) != 0) return false;
    }
    return true;
  });
}

class ConsumerPeers : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kKcat, X_OK) != 0) GTEST_SKIP() << kKcat << " is not installed";
  }
};

TEST_F(ConsumerPeers, KcatAndKclientShareAGroupAndReadEachRecordOnce) {
  auto cluster = StartCluster();
  ASSERT_TRUE(cluster);
  ASSERT_TRUE(cluster->CreateTopic("mixed", 4).ok());
  TempDir dir;
  auto kcat = StartKcatMember(dir, "kcat", cluster->bootstrap_servers(), "mixed-group", "mixed");
  ASSERT_TRUE(kcat->running());
  // kcat joins alone first (all four partitions), then the kclient member joins.
  const auto deadline = Clock::now() + kDeadline;
  while (KcatAssignment(*kcat).size() != 4 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(KcatAssignment(*kcat).size(), 4u) << kcat->err();

  auto consumer = Consumer::Create(KclientMemberOptions(*cluster, "mixed-group"));
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  ASSERT_TRUE((*consumer)->Subscribe({"mixed"}).ok());
  std::multiset<std::string> mine;
  ASSERT_TRUE(AwaitSplit(**consumer, *kcat, mine)) << "kclient " << Partitions(**consumer).size() << ", kcat:\n"
                                                   << kcat->err();

  // Written once the group is stable, so no rebalance can hand a record to both.
  Produce(*cluster, "mixed", 400, "m");
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] { return mine.size() + KcatRecords(*kcat).size() >= 400; }))
      << mine.size() << " + " << KcatRecords(*kcat).size();
  const std::vector<KcatRecord> theirs = KcatRecords(*kcat);
  EXPECT_EQ(mine.size() + theirs.size(), 400u);
  std::multiset<std::string> all = mine;
  const std::set<int32_t> kcat_partitions = KcatAssignment(*kcat);
  for (const KcatRecord& r : theirs) {
    all.insert(r.value);
    EXPECT_EQ(kcat_partitions.count(r.partition), 1u) << "kcat read partition " << r.partition;
  }
  for (int i = 0; i < 400; ++i) EXPECT_EQ(all.count("m" + std::to_string(i)), 1u) << "m" << i;
  EXPECT_FALSE(mine.empty());
  EXPECT_FALSE(theirs.empty());

  // kcat leaves (SIGTERM: it closes its consumer); the kclient member takes everything.
  kcat->Kill(SIGTERM);
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] { return (*consumer)->Assignment().size() == 4; }));
  EXPECT_TRUE((*consumer)->Close().ok());
}

TEST_F(ConsumerPeers, KilledKcatMemberIsReplacedAfterItsSessionAndNoRecordIsLost) {
  auto cluster = StartCluster();
  ASSERT_TRUE(cluster);
  ASSERT_TRUE(cluster->CreateTopic("jobs", 4).ok());
  TempDir dir;
  auto kcat = StartKcatMember(dir, "kcat", cluster->bootstrap_servers(), "jobs-group", "jobs");
  ASSERT_TRUE(kcat->running());
  const auto deadline = Clock::now() + kDeadline;
  while (KcatAssignment(*kcat).size() != 4 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(50));
  ASSERT_EQ(KcatAssignment(*kcat).size(), 4u) << kcat->err();

  auto consumer = Consumer::Create(KclientMemberOptions(*cluster, "jobs-group"));
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();
  auto listener = std::make_shared<LostListener>();
  ASSERT_TRUE((*consumer)->Subscribe({"jobs"}, listener).ok());
  std::multiset<std::string> mine;
  ASSERT_TRUE(AwaitSplit(**consumer, *kcat, mine)) << kcat->err();
  const std::set<int32_t> kcat_partitions = KcatAssignment(*kcat);

  // Phase 1: both members read and commit.
  Produce(*cluster, "jobs", 400, "a");
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] { return mine.size() + KcatRecords(*kcat).size() >= 400; }))
      << mine.size() << " + " << KcatRecords(*kcat).size();
  // kcat commits what it read every 200 ms (auto commit); wait until its committed offsets reach
  // the ends of its partitions, as the kclient member sees them.
  std::vector<TopicPartition> theirs;
  for (int32_t p : kcat_partitions) theirs.push_back({"jobs", p});
  auto ends = (*consumer)->EndOffsets(theirs);
  ASSERT_TRUE(ends.ok()) << ends.status().ToString();
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] {
    auto committed = (*consumer)->Committed(theirs, milliseconds(5000));
    if (!committed.ok()) return false;
    for (const auto& tp : theirs) {
      const auto& om = committed->at(tp);
      if (!om || om->offset != ends->at(tp)) return false;
    }
    return true;
  })) << "kcat never committed its partitions";

  // Phase 2: kcat is killed without leaving; more records arrive on its partitions too.
  kcat->Kill(SIGKILL);
  const auto killed = Clock::now();
  Produce(*cluster, "jobs", 400, "b");
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] { return (*consumer)->Assignment().size() == 4; }))
      << "kcat's partitions were never reassigned";
  const auto waited = std::chrono::duration_cast<milliseconds>(Clock::now() - killed);
  // The group only learns of a dead member from its missing heartbeats.
  EXPECT_GE(waited.count(), kSessionTimeoutMs / 2) << "reassigned before the session could have expired";
  EXPECT_EQ(listener->lost, 0) << "the surviving member was itself evicted";

  const std::vector<KcatRecord> kcat_read = KcatRecords(*kcat);
  ASSERT_TRUE(PollUntil(**consumer, mine, [&] { return mine.size() + kcat_read.size() >= 800; }))
      << mine.size() << " + " << kcat_read.size();
  std::multiset<std::string> all = mine;
  for (const KcatRecord& r : kcat_read) all.insert(r.value);
  for (const std::string prefix : {"a", "b"}) {
    for (int i = 0; i < 400; ++i) {
      const std::string v = prefix + std::to_string(i);
      EXPECT_EQ(all.count(v), 1u) << v << (all.count(v) == 0 ? " lost" : " read twice");
    }
  }
  // Nothing of phase 2 was read by kcat: it was dead before it was written.
  for (const KcatRecord& r : kcat_read) EXPECT_EQ(r.value[0], 'a') << r.value;
  EXPECT_TRUE((*consumer)->Close().ok());
}

}  // namespace
}  // namespace kclient
