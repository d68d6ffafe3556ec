// The Admin facade: checks arguments, turns each method into an AdminCall, hands it to the
// AdminRuntime's I/O thread and waits for its outcome (ConsumerGroupLag: three calls in turn —
// DescribeGroups, OffsetFetch, ListOffsets — against one deadline). Runs on the application
// threads that call it; the calls themselves run on the I/O thread.
#include "kclient/admin.h"

#include <algorithm>
#include <set>
#include <utility>

#include "admin/admin_runtime.h"
#include "admin/completion.h"
#include "admin/create_partitions_call.h"
#include "admin/create_topics_call.h"
#include "admin/delete_topics_call.h"
#include "admin/describe_cluster_call.h"
#include "admin/describe_configs_call.h"
#include "admin/describe_groups_call.h"
#include "admin/end_offsets_call.h"
#include "admin/list_group_offsets_call.h"
#include "admin/list_groups_call.h"
#include "admin/metadata_calls.h"

namespace kclient {

namespace {

using admin::Completion;
using Clock = std::chrono::steady_clock;
using Timeout = std::optional<std::chrono::milliseconds>;
using PerTopic = std::map<std::string, Status>;

// How long a waiting caller gives the I/O thread, past the deadline, to report the call's own
// timeout error (which names the last failure) before reporting a plain one itself.
constexpr std::chrono::milliseconds kGrace(250);
// Longer timeouts are taken as this (the requests' own timeout fields are int32 milliseconds).
constexpr std::chrono::milliseconds kMaxTimeout(INT32_MAX);

Status EmptyTopicName() { return Status(ErrorCode::kInvalidTopicException, "a topic name must not be empty"); }

class AdminImpl final : public Admin {
 public:
  explicit AdminImpl(std::unique_ptr<admin::AdminRuntime> runtime) : runtime_(std::move(runtime)) {}
  ~AdminImpl() override { runtime_->Close(); }

  PerTopic CreateTopics(const std::vector<NewTopic>& topics, const CreateTopicsOptions& options) override {
    PerTopic out;
    std::vector<NewTopic> valid;
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const NewTopic& t : topics) {
      if (!seen.insert(t.name).second) continue;  // the first spec of a name wins, as in Java
      if (t.name.empty()) {
        out.emplace(t.name, EmptyTopicName());
        continue;
      }
      valid.push_back(t);
      names.push_back(t.name);
    }
    if (valid.empty()) return out;
    auto deadline = Deadline(options.timeout);
    if (!deadline.ok()) return Merge(std::move(out), AllFailed(names, deadline.status()));
    auto completion = std::make_shared<Completion<PerTopic>>();
    auto call =
        std::make_shared<admin::CreateTopicsCall>(*deadline, std::move(valid), options.validate_only, completion);
    return Merge(std::move(out), Await(std::move(call), *completion, *deadline,
                                       [&names](const Status& s) { return AllFailed(names, s); }));
  }

  PerTopic DeleteTopics(const std::vector<std::string>& names, Timeout timeout) override {
    const Distinct distinct = DistinctNames(names);
    const std::vector<std::string>& valid = distinct.valid;
    PerTopic out;
    if (distinct.has_empty) out.emplace("", EmptyTopicName());
    if (valid.empty()) return out;
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return Merge(std::move(out), AllFailed(valid, deadline.status()));
    auto completion = std::make_shared<Completion<PerTopic>>();
    auto call = std::make_shared<admin::DeleteTopicsCall>(*deadline, valid, completion);
    return Merge(std::move(out), Await(std::move(call), *completion, *deadline,
                                       [&valid](const Status& s) { return AllFailed(valid, s); }));
  }

  PerTopic CreatePartitions(const std::map<std::string, int32_t>& new_partition_counts,
                            const CreatePartitionsOptions& options) override {
    PerTopic out;
    std::map<std::string, int32_t> counts;
    std::vector<std::string> names;
    for (const auto& [name, count] : new_partition_counts) {
      if (name.empty()) {
        out.emplace(name, EmptyTopicName());
        continue;
      }
      counts.emplace(name, count);
      names.push_back(name);
    }
    if (counts.empty()) return out;
    auto deadline = Deadline(options.timeout);
    if (!deadline.ok()) return Merge(std::move(out), AllFailed(names, deadline.status()));
    auto completion = std::make_shared<Completion<PerTopic>>();
    auto call =
        std::make_shared<admin::CreatePartitionsCall>(*deadline, std::move(counts), options.validate_only, completion);
    return Merge(std::move(out), Await(std::move(call), *completion, *deadline,
                                       [&names](const Status& s) { return AllFailed(names, s); }));
  }

  Result<std::vector<std::string>> ListTopics(bool include_internal, Timeout timeout) override {
    using Outcome = admin::ListTopicsCall::Outcome;
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::ListTopicsCall>(*deadline, include_internal, completion);
    return Await(std::move(call), *completion, *deadline, [](const Status& s) { return Outcome(s); });
  }

  std::map<std::string, Result<TopicDescription>> DescribeTopics(const std::vector<std::string>& names,
                                                                 Timeout timeout) override {
    using Outcome = admin::DescribeTopicsCall::Outcome;
    const Distinct distinct = DistinctNames(names);
    const std::vector<std::string>& valid = distinct.valid;
    Outcome out;
    if (distinct.has_empty) out.emplace("", EmptyTopicName());
    if (valid.empty()) return out;
    auto all_failed = [&valid](const Status& s) {
      Outcome o;
      for (const std::string& name : valid) o.emplace(name, s);
      return o;
    };
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) {
      out.merge(all_failed(deadline.status()));
      return out;
    }
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::DescribeTopicsCall>(*deadline, valid, completion);
    Outcome described = Await(std::move(call), *completion, *deadline, all_failed);
    out.merge(described);
    return out;
  }

  Result<ClusterDescription> DescribeCluster(Timeout timeout) override {
    using Outcome = admin::DescribeClusterCall::Outcome;
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::DescribeClusterCall>(*deadline, completion);
    return Await(std::move(call), *completion, *deadline, [](const Status& s) { return Outcome(s); });
  }

  Result<std::map<std::string, std::string>> DescribeTopicConfigs(const std::string& topic, Timeout timeout) override {
    using Outcome = admin::DescribeConfigsCall::Outcome;
    if (topic.empty()) return EmptyTopicName();
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::DescribeConfigsCall>(*deadline, topic, completion);
    return Await(std::move(call), *completion, *deadline, [](const Status& s) { return Outcome(s); });
  }

  Result<std::vector<GroupListing>> ListGroups(Timeout timeout) override {
    using Outcome = admin::ListGroupsCall::Outcome;
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::ListGroupsCall>(*deadline, completion);
    return Await(std::move(call), *completion, *deadline, [](const Status& s) { return Outcome(s); });
  }

  std::map<std::string, Result<GroupDescription>> DescribeGroups(const std::vector<std::string>& group_ids,
                                                                 Timeout timeout) override {
    const std::set<std::string> distinct(group_ids.begin(), group_ids.end());
    const std::vector<std::string> ids(distinct.begin(), distinct.end());
    if (ids.empty()) return {};
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) {
      std::map<std::string, Result<GroupDescription>> out;
      for (const std::string& id : ids) out.emplace(id, deadline.status());
      return out;
    }
    return DescribeGroupsUntil(ids, *deadline);
  }

  Result<std::map<TopicPartition, OffsetAndMetadata>> ListConsumerGroupOffsets(
      const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions,
      Timeout timeout) override {
    if (partitions && partitions->empty()) return std::map<TopicPartition, OffsetAndMetadata>();
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    return GroupOffsetsUntil(group_id, partitions, *deadline);
  }

  Result<std::map<TopicPartition, PartitionLag>> ConsumerGroupLag(const std::string& group_id,
                                                                  Timeout timeout) override {
    auto deadline = Deadline(timeout);
    if (!deadline.ok()) return deadline.status();
    // The members' assignments (partitions consumed but maybe never committed) ...
    auto described = DescribeGroupsUntil({group_id}, *deadline);
    Result<GroupDescription>& description = described.at(group_id);
    if (!description.ok()) return description.status();
    if (description->state == "Dead") {
      return Status(ErrorCode::kGroupIdNotFound, "group '" + group_id + "' does not exist");
    }
    // ... then the commits, then the ends: read last, so that a lag is never understated.
    auto committed = GroupOffsetsUntil(group_id, std::nullopt, *deadline);
    if (!committed.ok()) return committed.status();
    std::set<TopicPartition> partitions;
    for (const auto& [tp, offset] : *committed) partitions.insert(tp);
    for (const MemberDescription& m : description->members) partitions.insert(m.assignment.begin(), m.assignment.end());
    std::map<TopicPartition, PartitionLag> out;
    if (partitions.empty()) return out;

    auto ends = EndOffsetsUntil(partitions, *deadline);
    if (!ends.ok()) return ends.status();
    for (const TopicPartition& tp : partitions) {
      PartitionLag& lag = out[tp];
      if (auto it = committed->find(tp); it != committed->end()) lag.committed_offset = it->second.offset;
      if (auto it = ends->find(tp); it != ends->end()) lag.log_end_offset = it->second;
      if (lag.committed_offset && lag.log_end_offset) lag.lag = *lag.log_end_offset - *lag.committed_offset;
    }
    return out;
  }

  void Close() override { runtime_->Close(); }

 private:
  std::map<std::string, Result<GroupDescription>> DescribeGroupsUntil(const std::vector<std::string>& ids,
                                                                      Clock::time_point deadline) {
    using Outcome = admin::DescribeGroupsCall::Outcome;
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::DescribeGroupsCall>(deadline, ids, completion);
    return Await(std::move(call), *completion, deadline, [&ids](const Status& s) {
      Outcome o;
      for (const std::string& id : ids) o.emplace(id, s);
      return o;
    });
  }

  Result<std::map<TopicPartition, OffsetAndMetadata>> GroupOffsetsUntil(
      const std::string& group_id, const std::optional<std::vector<TopicPartition>>& partitions,
      Clock::time_point deadline) {
    using Outcome = admin::ListGroupOffsetsCall::Outcome;
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::ListGroupOffsetsCall>(deadline, group_id, partitions, completion);
    return Await(std::move(call), *completion, deadline, [](const Status& s) { return Outcome(s); });
  }

  admin::EndOffsetsCall::Outcome EndOffsetsUntil(const std::set<TopicPartition>& partitions,
                                                 Clock::time_point deadline) {
    using Outcome = admin::EndOffsetsCall::Outcome;
    auto completion = std::make_shared<Completion<Outcome>>();
    auto call = std::make_shared<admin::EndOffsetsCall>(deadline, partitions, completion);
    return Await(std::move(call), *completion, deadline, [](const Status& s) { return Outcome(s); });
  }

  // When a call started now must end: its own timeout, else default.api.timeout.ms.
  Result<Clock::time_point> Deadline(Timeout timeout) const {
    auto t = timeout.value_or(std::chrono::milliseconds(runtime_->options().default_api_timeout_ms));
    if (t.count() <= 0) {
      return Status(ErrorCode::kLocalInvalidArgument,
                    "timeout must be positive, not " + std::to_string(t.count()) + " ms");
    }
    return Clock::now() + std::min(t, kMaxTimeout);
  }

  // Starts `call` on the I/O thread and waits for what it publishes to `completion`. The I/O
  // thread ends every call by its deadline; `fallback(status)` makes the outcome when the client
  // is closed, or, as a backstop, when the I/O thread is late.
  template <typename T, typename Fallback>
  T Await(std::shared_ptr<admin::AdminCall> call, Completion<T>& completion, Clock::time_point deadline,
          Fallback fallback) {
    if (!runtime_->Submit(std::move(call))) {
      return fallback(Status(ErrorCode::kLocalClosed, "the admin client is closed"));
    }
    if (std::optional<T> outcome = completion.WaitUntil(deadline + kGrace)) return std::move(*outcome);
    return fallback(Status(ErrorCode::kLocalTimedOut, "the call did not complete within its timeout"));
  }

  // The distinct non-empty names of a call, in order, and whether the empty name was among them.
  struct Distinct {
    std::vector<std::string> valid;
    bool has_empty = false;
  };
  static Distinct DistinctNames(const std::vector<std::string>& names) {
    Distinct d;
    std::set<std::string> seen;
    for (const std::string& name : names) {
      if (name.empty()) {
        d.has_empty = true;
      } else if (seen.insert(name).second) {
        d.valid.push_back(name);
      }
    }
    return d;
  }

  static PerTopic AllFailed(const std::vector<std::string>& names, const Status& why) {
    PerTopic out;
    for (const std::string& name : names) out.emplace(name, why);
    return out;
  }

  static PerTopic Merge(PerTopic a, PerTopic b) {
    a.merge(b);
    return a;
  }

  std::unique_ptr<admin::AdminRuntime> runtime_;
};

}  // namespace

Result<std::unique_ptr<Admin>> Admin::Create(const AdminOptions& options) {
  if (Status s = options.Validate(); !s.ok()) return s;
  auto runtime = admin::AdminRuntime::Start(options);
  if (!runtime.ok()) return runtime.status();
  return std::unique_ptr<Admin>(std::make_unique<AdminImpl>(std::move(runtime.value())));
}

Result<std::unique_ptr<Admin>> Admin::Create(const Properties& properties) {
  auto options = AdminOptions::FromProperties(properties);
  if (!options.ok()) return options.status();
  return Create(*options);
}

Status Admin::CreateTopic(const NewTopic& topic, const CreateTopicsOptions& options) {
  PerTopic results = CreateTopics({topic}, options);
  auto it = results.find(topic.name);
  return it != results.end() ? it->second : Status(ErrorCode::kUnknownServerError, "no result for the topic");
}

Result<GroupDescription> Admin::DescribeGroup(const std::string& group_id, Timeout timeout) {
  auto results = DescribeGroups({group_id}, timeout);
  auto it = results.find(group_id);
  if (it == results.end()) return Status(ErrorCode::kUnknownServerError, "no result for the group");
  return std::move(it->second);
}

Result<TopicDescription> Admin::DescribeTopic(const std::string& name, Timeout timeout) {
  auto results = DescribeTopics({name}, timeout);
  auto it = results.find(name);
  if (it == results.end()) return Status(ErrorCode::kUnknownServerError, "no result for the topic");
  return std::move(it->second);
}

}  // namespace kclient
