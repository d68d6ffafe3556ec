// Consumer-group administration in the Admin client, against the embedded broker: ListGroups
// (every broker asked), DescribeGroups (members, their decoded assignments, the assignor, the
// coordinator; a group that does not exist is "Dead"), ListConsumerGroupOffsets and
// ConsumerGroupLag, on one broker and on three (groups coordinated by different brokers); the
// retries of coordinator errors and the errors that are answers. Real groups come from
// librdkafka's high-level consumer (the kclient consumer is not written yet): it joins, gets
// partitions assigned by its "range" assignor and commits.
//
// Nothing sleeps: every wait polls a condition until a generous deadline.
#include <librdkafka/rdkafka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "consumer/consumer_protocol.h"
#include "kclient/admin.h"
#include "kclient/embedded_cluster.h"

namespace kclient {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr auto kDeadline = seconds(45);
using Settings = std::map<std::string, std::string>;

// ---- librdkafka: a producer and group members -----------------------------------------------

// Produces `counts[p]` records to partition p of `topic` and waits for every delivery.
void Produce(const std::string& bootstrap, const std::string& topic, const std::vector<int>& counts) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  ASSERT_EQ(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err), RD_KAFKA_CONF_OK);
  ASSERT_EQ(rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err), RD_KAFKA_CONF_OK);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  for (size_t p = 0; p < counts.size(); ++p) {
    for (int i = 0; i < counts[p]; ++i) {
      const std::string value = "p" + std::to_string(p) + "-" + std::to_string(i);
      EXPECT_EQ(rd_kafka_produce(rkt, static_cast<int32_t>(p), RD_KAFKA_MSG_F_COPY, const_cast<char*>(value.data()),
                                 value.size(), nullptr, 0, nullptr),
                0);
    }
  }
  EXPECT_EQ(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(rd_kafka_outq_len(rk), 0);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
}

// One member of a consumer group, subscribed to `topic`. Rebalance callbacks run inside Poll on
// the test thread and keep the member's own view of its assignment.
class GroupMember {
 public:
  GroupMember(const std::string& bootstrap, const std::string& group, const std::string& topic,
              const std::string& client_id) {
    const Settings settings = {
        {"bootstrap.servers", bootstrap},
        {"group.id", group},
        {"client.id", client_id},
        {"partition.assignment.strategy", "range"},
        {"enable.auto.commit", "false"},
        {"auto.offset.reset", "earliest"},
        {"session.timeout.ms", "6000"},
        {"heartbeat.interval.ms", "200"},
        {"topic.metadata.refresh.interval.ms", "1000"},
        {"log_level", "3"},
    };
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [k, v] : settings) {
      EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &GroupMember::OnRebalance);
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (rk_ == nullptr) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return;
    }
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
    EXPECT_EQ(rd_kafka_subscribe(rk_, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);
  }
  ~GroupMember() { Close(); }
  GroupMember(const GroupMember&) = delete;
  GroupMember& operator=(const GroupMember&) = delete;

  void Poll(int ms) {
    if (rk_ == nullptr) return;
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, ms)) rd_kafka_message_destroy(m);
  }

  // Commits `offsets` (partition -> offset) of `topic` with metadata "md-<partition>", and waits.
  void Commit(const std::string& topic, const std::map<int32_t, int64_t>& offsets) {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size()));
    for (const auto& [partition, offset] : offsets) {
      rd_kafka_topic_partition_t* tp = rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
      tp->offset = offset;
      const std::string md = "md-" + std::to_string(partition);
      tp->metadata = ::strdup(md.c_str());  // the list frees it
      tp->metadata_size = md.size();
    }
    const rd_kafka_resp_err_t err = rd_kafka_commit(rk_, list, /*async=*/0);
    EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
    for (int i = 0; i < list->cnt; ++i) EXPECT_EQ(list->elems[i].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(list);
  }

  // Leaves the group (LeaveGroup) and destroys the handle.
  void Close() {
    if (rk_ == nullptr) return;
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

  const std::set<int32_t>& assignment() const { return assignment_; }
  std::string member_id() const {
    char* id = rd_kafka_memberid(rk_);
    std::string out = id != nullptr ? id : "";
    if (id != nullptr) rd_kafka_mem_free(rk_, id);
    return out;
  }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                          void* opaque) {
    auto* self = static_cast<GroupMember*>(opaque);
    self->assignment_.clear();
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {  // "range" is eager: the whole new set
      rd_kafka_assign(rk, parts);
      for (int i = 0; i < parts->cnt; ++i) self->assignment_.insert(parts->elems[i].partition);
    } else {
      rd_kafka_assign(rk, nullptr);
    }
  }

  rd_kafka_t* rk_ = nullptr;
  std::set<int32_t> assignment_;
};

// Polls every member until `done()` holds; false at the deadline.
bool PollUntil(const std::vector<GroupMember*>& members, const std::function<bool()>& done) {
  const auto deadline = Clock::now() + kDeadline;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    for (GroupMember* m : members) m->Poll(20);
  }
  return true;
}

// True when the members' assignments are non-empty, disjoint and together 0..n-1.
bool SplitsPartitions(const std::vector<GroupMember*>& members, int32_t n) {
  std::multiset<int32_t> all;
  for (GroupMember* m : members) {
    if (m->assignment().empty()) return false;
    all.insert(m->assignment().begin(), m->assignment().end());
  }
  if (all.size() != static_cast<size_t>(n)) return false;
  for (int32_t p = 0; p < n; ++p) {
    if (all.count(p) != 1) return false;
  }
  return true;
}

// ---- The admin side ------------------------------------------------------------------------------

std::unique_ptr<Admin> ConnectAdmin(const std::string& bootstrap_servers) {
  AdminOptions options;
  options.client.bootstrap_servers = bootstrap_servers;
  options.client.client_id = "admin-groups-test";
  options.client.retry_backoff_ms = 20;
  options.client.reconnect_backoff_ms = 20;
  auto admin = Admin::Create(options);
  EXPECT_TRUE(admin.ok()) << admin.status().ToString();
  return admin.ok() ? std::move(admin.value()) : nullptr;
}

std::unique_ptr<EmbeddedCluster> StartCluster(int brokers) {
  EmbeddedClusterOptions options;
  options.brokers = brokers;
  options.group_min_session_timeout_ms = 500;
  auto cluster = EmbeddedCluster::Start(options);
  EXPECT_TRUE(cluster.ok()) << cluster.status().ToString();
  return cluster.ok() ? std::move(cluster.value()) : nullptr;
}

const GroupListing* Find(const std::vector<GroupListing>& groups, const std::string& id) {
  for (const GroupListing& g : groups) {
    if (g.group_id == id) return &g;
  }
  return nullptr;
}

// Describes `group` while polling `members` until it is Stable with `n` members that all have an
// assignment (the coordinator has handed out the SyncGroup result); the last description.
Result<GroupDescription> DescribeWhenStable(Admin& admin, const std::string& group, size_t n,
                                            const std::vector<GroupMember*>& members) {
  Result<GroupDescription> last = Status(ErrorCode::kLocalTimedOut, "not described yet");
  PollUntil(members, [&] {
    last = admin.DescribeGroup(group);
    if (!last.ok() || last->state != "Stable" || last->members.size() != n) return false;
    return std::all_of(last->members.begin(), last->members.end(),
                       [](const MemberDescription& m) { return !m.assignment.empty(); });
  });
  return last;
}

// Describes `group` until `wanted` holds for the description (or the deadline passes); the last
// description.
Result<GroupDescription> DescribeUntil(Admin& admin, const std::string& group,
                                       const std::function<bool(const GroupDescription&)>& wanted) {
  const auto deadline = Clock::now() + kDeadline;
  Result<GroupDescription> last = admin.DescribeGroup(group);
  while (!(last.ok() && wanted(*last)) && Clock::now() < deadline) last = admin.DescribeGroup(group);
  return last;
}

std::vector<TopicPartition> Partitions(const std::string& topic, const std::set<int32_t>& partitions) {
  std::vector<TopicPartition> out;
  for (int32_t p : partitions) out.push_back({topic, p});
  return out;
}

// ---- The assignment decoder ----------------------------------------------------------------------

void PutInt16(std::vector<uint8_t>* out, int16_t v) {
  out->push_back(static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8));
  out->push_back(static_cast<uint8_t>(v));
}
void PutInt32(std::vector<uint8_t>* out, int32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(static_cast<uint32_t>(v) >> shift));
}
void PutString(std::vector<uint8_t>* out, const std::string& s) {
  PutInt16(out, static_cast<int16_t>(s.size()));
  out->insert(out->end(), s.begin(), s.end());
}

// ConsumerProtocolAssignment bytes for `topics` (topic -> partitions) with user data.
using TopicsAndPartitions = std::vector<std::pair<std::string, std::vector<int32_t>>>;
std::vector<uint8_t> Assignment(int16_t version, const TopicsAndPartitions& topics) {
  std::vector<uint8_t> out;
  PutInt16(&out, version);
  PutInt32(&out, static_cast<int32_t>(topics.size()));
  for (const auto& [topic, partitions] : topics) {
    PutString(&out, topic);
    PutInt32(&out, static_cast<int32_t>(partitions.size()));
    for (int32_t p : partitions) PutInt32(&out, p);
  }
  PutInt32(&out, 3);  // user data: 3 bytes
  out.insert(out.end(), {'u', 'd', '!'});
  return out;
}

// The assignment bytes DescribeGroups hands back, read by the consumer's own decoder.
Result<std::vector<TopicPartition>> DecodeAssignedPartitions(const std::vector<uint8_t>& bytes) {
  auto decoded = consumer::DecodeAssignment(bytes);
  if (!decoded.ok()) return decoded.status();
  return decoded->partitions;
}

TEST(ConsumerAssignmentDecoder, ReadsTheTopicPartitionsOfEveryVersion) {
  for (int16_t version : {0, 1, 2, 3, 7}) {
    const auto bytes = Assignment(version, {{"orders", {0, 2}}, {"payments", {5}}, {"empty", {}}});
    auto decoded = DecodeAssignedPartitions(bytes);
    ASSERT_TRUE(decoded.ok()) << version << ": " << decoded.status().ToString();
    const std::vector<TopicPartition> expected = {{"orders", 0}, {"orders", 2}, {"payments", 5}};
    EXPECT_EQ(*decoded, expected) << version;
  }
  // Fields a later version might append after the user data are not read.
  auto longer = Assignment(4, {{"t", {1}}});
  longer.insert(longer.end(), {0, 0, 0, 9});
  ASSERT_TRUE(DecodeAssignedPartitions(longer).ok());

  // No partitions at all: an empty assignment (a member with nothing to do).
  auto none = DecodeAssignedPartitions(Assignment(1, {}));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(ConsumerAssignmentDecoder, RejectsWhatIsNotAnAssignment) {
  const auto good = Assignment(1, {{"orders", {0, 1, 2}}});
  for (size_t cut : {size_t{0}, size_t{1}, size_t{5}, size_t{9}, size_t{16}, size_t{21}}) {
    const std::vector<uint8_t> truncated(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    auto decoded = DecodeAssignedPartitions(truncated);
    ASSERT_FALSE(decoded.ok()) << cut;
    EXPECT_EQ(decoded.status().code(), ErrorCode::kLocalMalformed) << cut;
  }
  EXPECT_FALSE(DecodeAssignedPartitions(Assignment(-1, {{"orders", {0}}})).ok());
  std::vector<uint8_t> null_topics;
  PutInt16(&null_topics, 1);
  PutInt32(&null_topics, -1);
  EXPECT_FALSE(DecodeAssignedPartitions(null_topics).ok());
  std::vector<uint8_t> huge;  // a count no input could hold
  PutInt16(&huge, 1);
  PutInt32(&huge, 1 << 30);
  EXPECT_FALSE(DecodeAssignedPartitions(huge).ok());
}

// ---- One broker ------------------------------------------------------------------------------------

class AdminGroupsTest : public ::testing::Test {
 protected:
  void Start(int brokers) {
    cluster_ = StartCluster(brokers);
    ASSERT_NE(cluster_, nullptr);
    admin_ = ConnectAdmin(cluster_->bootstrap_servers());
    ASSERT_NE(admin_, nullptr);
  }
  void TearDown() override {
    admin_.reset();  // before the cluster, so the admin never sees its brokers go
    cluster_.reset();
  }

  std::unique_ptr<EmbeddedCluster> cluster_;
  std::unique_ptr<Admin> admin_;
};

TEST_F(AdminGroupsTest, ListsDescribesAndMeasuresTheLagOfAGroupWithTwoMembers) {
  Start(1);
  const std::string topic = "orders";
  ASSERT_TRUE(cluster_->CreateTopic(topic, 4, 1).ok());
  ASSERT_TRUE(cluster_->CreateTopic("unrelated", 1, 1).ok());
  Produce(cluster_->bootstrap_servers(), topic, {10, 20, 30, 40});

  GroupMember m1(cluster_->bootstrap_servers(), "billing", topic, "billing-1");
  GroupMember m2(cluster_->bootstrap_servers(), "billing", topic, "billing-2");
  const std::vector<GroupMember*> members = {&m1, &m2};
  ASSERT_TRUE(PollUntil(members, [&] { return SplitsPartitions(members, 4); }));
  // Partitions 0-2 committed at half their records; partition 3 never.
  m1.Commit(topic, {{0, 5}, {1, 10}, {2, 15}});

  // ListGroups: the group, its protocol type and state.
  auto description = DescribeWhenStable(*admin_, "billing", 2, members);
  ASSERT_TRUE(description.ok()) << description.status().ToString();
  auto listed = admin_->ListGroups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  const GroupListing& listing = listed->front();
  EXPECT_EQ(listing.group_id, "billing");
  EXPECT_EQ(listing.protocol_type, "consumer");
  EXPECT_EQ(listing.state, "Stable");
  EXPECT_EQ(listing.type, "classic");

  // DescribeGroup: the members, each with the partitions librdkafka says it has.
  const GroupDescription& d = *description;
  EXPECT_EQ(d.group_id, "billing");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol, "range");
  EXPECT_EQ(d.coordinator, 1);
  ASSERT_EQ(d.members.size(), 2u);
  EXPECT_LT(d.members[0].member_id, d.members[1].member_id);
  std::set<std::string> client_ids;
  std::set<TopicPartition> covered;
  for (const MemberDescription& m : d.members) {
    client_ids.insert(m.client_id);
    EXPECT_EQ(m.group_instance_id, std::nullopt);
    EXPECT_EQ(m.client_host, "/127.0.0.1");
    EXPECT_TRUE(std::is_sorted(m.assignment.begin(), m.assignment.end()));
    for (const TopicPartition& tp : m.assignment) EXPECT_TRUE(covered.insert(tp).second) << tp.ToString();
    for (GroupMember* member : members) {
      if (member->member_id() == m.member_id) {
        EXPECT_EQ(m.assignment, Partitions(topic, member->assignment()));
      }
    }
  }
  EXPECT_EQ(client_ids, (std::set<std::string>{"billing-1", "billing-2"}));
  EXPECT_EQ(covered, (std::set<TopicPartition>{{topic, 0}, {topic, 1}, {topic, 2}, {topic, 3}}));

  // Committed offsets: every committed partition, or the asked ones that have a commit.
  auto offsets = admin_->ListConsumerGroupOffsets("billing");
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  const std::map<TopicPartition, OffsetAndMetadata> committed = {
      {{topic, 0}, {5, "md-0", -1}}, {{topic, 1}, {10, "md-1", -1}}, {{topic, 2}, {15, "md-2", -1}}};
  ASSERT_EQ(offsets->size(), committed.size());
  for (const auto& [tp, expected] : committed) {
    ASSERT_TRUE(offsets->contains(tp)) << tp.ToString();
    EXPECT_EQ(offsets->at(tp).offset, expected.offset) << tp.ToString();
    EXPECT_EQ(offsets->at(tp).metadata, expected.metadata) << tp.ToString();
  }
  auto some = admin_->ListConsumerGroupOffsets(
      "billing", std::vector<TopicPartition>{{topic, 1}, {topic, 3}, {"unrelated", 0}, {topic, 1}});
  ASSERT_TRUE(some.ok()) << some.status().ToString();
  ASSERT_EQ(some->size(), 1u);
  EXPECT_EQ(some->begin()->first, (TopicPartition{topic, 1}));
  EXPECT_EQ(some->begin()->second.offset, 10);
  auto nothing_asked = admin_->ListConsumerGroupOffsets("billing", std::vector<TopicPartition>{});
  ASSERT_TRUE(nothing_asked.ok());
  EXPECT_TRUE(nothing_asked->empty());

  // Lag: end - committed; partition 3 is assigned but was never committed.
  auto lag = admin_->ConsumerGroupLag("billing");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  ASSERT_EQ(lag->size(), 4u);
  for (int32_t p = 0; p < 3; ++p) {
    const PartitionLag& l = lag->at({topic, p});
    EXPECT_EQ(l.committed_offset, 5 * (p + 1)) << p;
    EXPECT_EQ(l.log_end_offset, 10 * (p + 1)) << p;
    EXPECT_EQ(l.lag, 5 * (p + 1)) << p;
  }
  const PartitionLag& uncommitted = lag->at({topic, 3});
  EXPECT_EQ(uncommitted.committed_offset, std::nullopt);
  EXPECT_EQ(uncommitted.log_end_offset, 40);
  EXPECT_EQ(uncommitted.lag, std::nullopt);

  // More records raise the lag; a commit at the end brings it to zero.
  Produce(cluster_->bootstrap_servers(), topic, {5, 0, 0, 0});
  m2.Commit(topic, {{1, 20}});
  lag = admin_->ConsumerGroupLag("billing");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  EXPECT_EQ(lag->at({topic, 0}).lag, 10);
  EXPECT_EQ(lag->at({topic, 1}).lag, 0);

  // The members leave: the group is Empty, its commits stay and still have a lag.
  m1.Close();
  m2.Close();
  description = DescribeUntil(*admin_, "billing", [](const GroupDescription& g) { return g.state == "Empty"; });
  ASSERT_TRUE(description.ok()) << description.status().ToString();
  EXPECT_EQ(description->state, "Empty");
  EXPECT_TRUE(description->members.empty());
  EXPECT_EQ(description->protocol_type, "consumer");
  lag = admin_->ConsumerGroupLag("billing");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  EXPECT_EQ(lag->size(), 3u) << "partition 3 has neither a commit nor a member any more";
  EXPECT_EQ(lag->at({topic, 2}).lag, 15);
  listed = admin_->ListGroups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_NE(Find(*listed, "billing"), nullptr);
  EXPECT_EQ(Find(*listed, "billing")->state, "Empty");
}

TEST_F(AdminGroupsTest, AGroupThatDoesNotExistIsDeadAndHasNoOffsetsOrLag) {
  Start(1);
  auto described = admin_->DescribeGroups({"nobody", "nobody", "no-one-either"});
  ASSERT_EQ(described.size(), 2u);
  for (const auto& [id, d] : described) {
    ASSERT_TRUE(d.ok()) << id << ": " << d.status().ToString();
    EXPECT_EQ(d->group_id, id);
    EXPECT_EQ(d->state, "Dead");
    EXPECT_TRUE(d->members.empty());
    EXPECT_EQ(d->coordinator, 1);
  }
  auto offsets = admin_->ListConsumerGroupOffsets("nobody");
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_TRUE(offsets->empty());
  auto lag = admin_->ConsumerGroupLag("nobody");
  ASSERT_FALSE(lag.ok());
  EXPECT_EQ(lag.status().code(), ErrorCode::kGroupIdNotFound) << lag.status().ToString();
  auto listed = admin_->ListGroups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(listed->empty());
  EXPECT_TRUE(admin_->DescribeGroups({}).empty());
}

TEST_F(AdminGroupsTest, GroupWithOnlyCommitsHasLagForItsCommittedPartitions) {
  Start(1);
  ASSERT_TRUE(cluster_->CreateTopic("ledger", 2, 1).ok());
  Produce(cluster_->bootstrap_servers(), "ledger", {7, 3});
  {
    // A member commits once and leaves: the group keeps only its commits (state Empty).
    GroupMember m(cluster_->bootstrap_servers(), "auditors", "ledger", "auditor");
    ASSERT_TRUE(PollUntil({&m}, [&] { return m.assignment().size() == 2; }));
    m.Commit("ledger", {{0, 7}});
  }
  ASSERT_TRUE(DescribeUntil(*admin_, "auditors", [](const GroupDescription& g) { return g.members.empty(); }).ok());
  auto lag = admin_->ConsumerGroupLag("auditors");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  ASSERT_EQ(lag->size(), 1u);
  EXPECT_EQ(lag->at({"ledger", 0}).committed_offset, 7);
  EXPECT_EQ(lag->at({"ledger", 0}).log_end_offset, 7);
  EXPECT_EQ(lag->at({"ledger", 0}).lag, 0);
}

TEST_F(AdminGroupsTest, ACommittedPartitionWhoseTopicIsGoneHasNoEnd) {
  Start(1);
  ASSERT_TRUE(cluster_->CreateTopic("kept", 1, 1).ok());
  ASSERT_TRUE(cluster_->CreateTopic("doomed", 1, 1).ok());
  Produce(cluster_->bootstrap_servers(), "kept", {4});
  {
    GroupMember m(cluster_->bootstrap_servers(), "archivists", "kept", "archivist");
    ASSERT_TRUE(PollUntil({&m}, [&] { return m.assignment().size() == 1; }));
    m.Commit("kept", {{0, 1}});
    m.Commit("doomed", {{0, 0}});
  }
  ASSERT_TRUE(admin_->DeleteTopics({"doomed"}).at("doomed").ok());
  auto lag = admin_->ConsumerGroupLag("archivists");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  EXPECT_EQ(lag->at({"kept", 0}).lag, 3);
  // Kafka drops a deleted topic's commits; a broker that keeps them (ours, for now) leaves a
  // partition with a committed offset and nothing to measure it against.
  if (auto it = lag->find({"doomed", 0}); it != lag->end()) {
    EXPECT_EQ(it->second.committed_offset, 0);
    EXPECT_EQ(it->second.log_end_offset, std::nullopt);
    EXPECT_EQ(it->second.lag, std::nullopt);
  }
}

// ---- Coordinator errors ----------------------------------------------------------------------------

TEST_F(AdminGroupsTest, CoordinatorErrorsAreRetriedAndGroupErrorsReturned) {
  Start(1);
  ASSERT_TRUE(cluster_->CreateTopic("jobs", 2, 1).ok());
  Produce(cluster_->bootstrap_servers(), "jobs", {4, 6});
  {
    // The member commits and leaves, so that no other client sends group requests (librdkafka
    // looks its coordinator up every second) and takes the faults meant for the admin client.
    GroupMember m(cluster_->bootstrap_servers(), "workers", "jobs", "worker");
    ASSERT_TRUE(PollUntil({&m}, [&] { return m.assignment().size() == 2; }));
    m.Commit("jobs", {{0, 1}, {1, 2}});
  }
  ASSERT_TRUE(DescribeUntil(*admin_, "workers", [](const GroupDescription& g) { return g.state == "Empty"; }).ok());

  auto inject = [&](int16_t api_key, ErrorCode error, int count) {
    Fault f;
    f.api_key = api_key;
    f.error = error;
    f.count = count;
    auto handle = cluster_->InjectFault(f);
    EXPECT_TRUE(handle.ok()) << handle.status().ToString();
    return handle.ok() ? *handle : FaultHandle();
  };
  constexpr int16_t kOffsetFetch = 9, kFindCoordinator = 10, kDescribeGroups = 15, kListGroups = 16;

  // The group moved, its coordinator is loading, none is available: asked again until it answers.
  FaultHandle moved = inject(kDescribeGroups, ErrorCode::kNotCoordinator, 2);
  auto d = admin_->DescribeGroup("workers");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->state, "Empty");
  EXPECT_EQ(moved.times_fired(), 2);

  FaultHandle loading = inject(kOffsetFetch, ErrorCode::kCoordinatorLoadInProgress, 2);
  FaultHandle unavailable = inject(kFindCoordinator, ErrorCode::kCoordinatorNotAvailable, 2);
  auto offsets = admin_->ListConsumerGroupOffsets("workers");
  ASSERT_TRUE(offsets.ok()) << offsets.status().ToString();
  EXPECT_EQ(offsets->size(), 2u);
  EXPECT_EQ(loading.times_fired(), 2);
  EXPECT_EQ(unavailable.times_fired(), 2);

  FaultHandle list_loading = inject(kListGroups, ErrorCode::kCoordinatorLoadInProgress, 1);
  auto listed = admin_->ListGroups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_NE(Find(*listed, "workers"), nullptr);
  EXPECT_EQ(list_loading.times_fired(), 1);

  FaultHandle lag_moved = inject(kOffsetFetch, ErrorCode::kNotCoordinator, 1);
  auto lag = admin_->ConsumerGroupLag("workers");
  ASSERT_TRUE(lag.ok()) << lag.status().ToString();
  EXPECT_EQ(lag->at({"jobs", 1}).lag, 4);
  EXPECT_EQ(lag_moved.times_fired(), 1);

  // Errors that are answers come back at once, for their group only.
  inject(kDescribeGroups, ErrorCode::kGroupAuthorizationFailed, 1);
  auto both = admin_->DescribeGroups({"workers", "strangers"});
  ASSERT_EQ(both.size(), 2u);
  const bool workers_refused = !both.at("workers").ok();
  const Result<GroupDescription>& refused = workers_refused ? both.at("workers") : both.at("strangers");
  const Result<GroupDescription>& other = workers_refused ? both.at("strangers") : both.at("workers");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kGroupAuthorizationFailed);
  EXPECT_TRUE(other.ok()) << other.status().ToString();

  inject(kOffsetFetch, ErrorCode::kGroupAuthorizationFailed, 1);
  offsets = admin_->ListConsumerGroupOffsets("workers");
  ASSERT_FALSE(offsets.ok());
  EXPECT_EQ(offsets.status().code(), ErrorCode::kGroupAuthorizationFailed);

  inject(kFindCoordinator, ErrorCode::kGroupAuthorizationFailed, 1);
  lag = admin_->ConsumerGroupLag("workers");
  ASSERT_FALSE(lag.ok());
  EXPECT_EQ(lag.status().code(), ErrorCode::kGroupAuthorizationFailed);

  // A coordinator that never becomes available: the call's own timeout names the last error.
  inject(kFindCoordinator, ErrorCode::kCoordinatorNotAvailable, -1);
  const auto started = Clock::now();
  d = admin_->DescribeGroup("workers", milliseconds(400));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), ErrorCode::kLocalTimedOut);
  EXPECT_NE(d.status().message().find("COORDINATOR_NOT_AVAILABLE"), std::string::npos) << d.status().ToString();
  EXPECT_LT(Clock::now() - started, seconds(10));
}

uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(AdminGroupsTimeout, CallsTimeOutWhenNoBrokerAnswers) {
  auto admin = ConnectAdmin("127.0.0.1:" + std::to_string(ClosedPort()));
  ASSERT_NE(admin, nullptr);
  const auto timeout = milliseconds(300);
  auto listed = admin->ListGroups(timeout);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), ErrorCode::kLocalTimedOut);
  auto described = admin->DescribeGroup("g", timeout);
  ASSERT_FALSE(described.ok());
  EXPECT_EQ(described.status().code(), ErrorCode::kLocalTimedOut);
  auto offsets = admin->ListConsumerGroupOffsets("g", std::nullopt, timeout);
  ASSERT_FALSE(offsets.ok());
  EXPECT_EQ(offsets.status().code(), ErrorCode::kLocalTimedOut);
  auto lag = admin->ConsumerGroupLag("g", timeout);
  ASSERT_FALSE(lag.ok());
  EXPECT_EQ(lag.status().code(), ErrorCode::kLocalTimedOut);
  admin->Close();
  listed = admin->ListGroups();
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), ErrorCode::kLocalClosed);
}

// ---- Three brokers -----------------------------------------------------------------------------------

TEST_F(AdminGroupsTest, GroupsCoordinatedByDifferentBrokersAreAllListedAndDescribed) {
  Start(3);
  const std::string topic = "events";
  ASSERT_TRUE(cluster_->CreateTopic(topic, 3, 1).ok());
  std::set<int32_t> leaders;
  for (int32_t p = 0; p < 3; ++p) {
    auto leader = cluster_->LeaderOf(topic, p);
    ASSERT_TRUE(leader.ok());
    leaders.insert(*leader);
  }
  Produce(cluster_->bootstrap_servers(), topic, {3, 5, 8});

  // One group per broker: a group that does not exist yet is described Dead, with its coordinator.
  std::map<int32_t, std::string> group_of;  // coordinator -> group
  std::vector<std::string> candidates;
  for (int i = 0; i < 30; ++i) candidates.push_back("analytics-" + std::to_string(i));
  for (const auto& [id, d] : admin_->DescribeGroups(candidates)) {
    ASSERT_TRUE(d.ok()) << id << ": " << d.status().ToString();
    EXPECT_EQ(d->state, "Dead");
    group_of.emplace(d->coordinator, id);
  }
  ASSERT_EQ(group_of.size(), 3u) << "30 groups should hash onto every broker";

  std::vector<std::unique_ptr<GroupMember>> members;
  std::vector<GroupMember*> all;
  for (const auto& [coordinator, group] : group_of) {
    members.push_back(std::make_unique<GroupMember>(cluster_->bootstrap_servers(), group, topic, group + "-client"));
    all.push_back(members.back().get());
  }
  ASSERT_TRUE(PollUntil(all, [&] {
    return std::all_of(all.begin(), all.end(), [](GroupMember* m) { return m->assignment().size() == 3; });
  }));
  // Group i (in coordinator order) commits i+1, i+2, i+3 for partitions 0, 1, 2.
  for (size_t i = 0; i < all.size(); ++i) {
    const auto base = static_cast<int64_t>(i) + 1;
    all[i]->Commit(topic, {{0, base}, {1, base + 1}, {2, base + 2}});
  }

  for (const auto& [coordinator, group] : group_of) ASSERT_TRUE(DescribeWhenStable(*admin_, group, 1, all).ok());
  auto listed = admin_->ListGroups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(listed->size(), 3u);
  for (const auto& [coordinator, group] : group_of) {
    const GroupListing* g = Find(*listed, group);
    ASSERT_NE(g, nullptr) << group;
    EXPECT_EQ(g->state, "Stable");
    EXPECT_EQ(g->protocol_type, "consumer");
  }
  EXPECT_TRUE(std::is_sorted(listed->begin(), listed->end(),
                             [](const GroupListing& a, const GroupListing& b) { return a.group_id < b.group_id; }));

  std::vector<std::string> ids = {"never-seen"};
  for (const auto& [coordinator, group] : group_of) ids.push_back(group);
  auto described = admin_->DescribeGroups(ids);
  ASSERT_EQ(described.size(), 4u);
  EXPECT_EQ(described.at("never-seen")->state, "Dead");
  for (const auto& [coordinator, group] : group_of) {
    const Result<GroupDescription>& d = described.at(group);
    ASSERT_TRUE(d.ok()) << group << ": " << d.status().ToString();
    EXPECT_EQ(d->coordinator, coordinator);
    ASSERT_EQ(d->members.size(), 1u);
    EXPECT_EQ(d->members[0].client_id, group + "-client");
    EXPECT_EQ(d->members[0].assignment, Partitions(topic, {0, 1, 2}));
  }

  // Offsets from each coordinator; ends from each partition's leader.
  const std::vector<int64_t> ends = {3, 5, 8};
  int64_t base = 1;
  for (const auto& [coordinator, group] : group_of) {
    auto offsets = admin_->ListConsumerGroupOffsets(group);
    ASSERT_TRUE(offsets.ok()) << group << ": " << offsets.status().ToString();
    ASSERT_EQ(offsets->size(), 3u);
    auto lag = admin_->ConsumerGroupLag(group);
    ASSERT_TRUE(lag.ok()) << group << ": " << lag.status().ToString();
    ASSERT_EQ(lag->size(), 3u);
    for (int32_t p = 0; p < 3; ++p) {
      const int64_t expected = base + p;
      EXPECT_EQ(offsets->at({topic, p}).offset, expected) << group << " " << p;
      EXPECT_EQ(lag->at({topic, p}).committed_offset, expected) << group << " " << p;
      EXPECT_EQ(lag->at({topic, p}).log_end_offset, ends[static_cast<size_t>(p)]) << group << " " << p;
      EXPECT_EQ(lag->at({topic, p}).lag, ends[static_cast<size_t>(p)] - expected) << group << " " << p;
    }
    ++base;
  }
  EXPECT_GE(leaders.size(), 2u) << "the partitions' leaders should be spread over the brokers";
}

}  // namespace
}  // namespace kclient
