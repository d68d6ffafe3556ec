// kclient topics: create, delete, list and describe topics with the Admin client.
//
//   kclient topics create   -b B NAME... [--partitions N] [--replication-factor R] [--config k=v]...
//   kclient topics delete   -b B NAME...
//   kclient topics list     -b B [--internal]
//   kclient topics describe -b B NAME...
//
// Each topic's outcome is printed; the exit status is 1 if any topic failed.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "kclient/admin.h"

namespace kclient::tool {
namespace {

struct TopicsOptions {
  CommonOptions common;
  std::vector<std::string> names;
  int32_t partitions = -1;
  int16_t replication_factor = -1;
  std::vector<std::string> configs;
  bool internal = false;
};

std::unique_ptr<Admin> Connect(const TopicsOptions& o) {
  Properties props;
  std::string error;
  if (!o.common.ToProperties(&props, &error)) {
    std::fprintf(stderr, "kclient topics: %s\n", error.c_str());
    return nullptr;
  }
  auto admin = Admin::Create(props);
  if (!admin.ok()) {
    std::fprintf(stderr, "kclient topics: %s\n", admin.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*admin);
}

// Prints one line per topic; returns the exit status.
int Report(const char* verb, const std::map<std::string, Status>& results) {
  int code = 0;
  for (const auto& [name, status] : results) {
    if (status.ok()) {
      std::printf("%s %s\n", verb, name.c_str());
    } else {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), status.ToString().c_str());
      code = 1;
    }
  }
  return code;
}

std::string Join(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

int RunCreate(const TopicsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  std::vector<NewTopic> topics;
  for (const std::string& name : o.names) {
    NewTopic t(name, o.partitions, o.replication_factor);
    for (const std::string& c : o.configs) {
      const auto eq = c.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "kclient topics create: --config wants key=value, got '%s'\n", c.c_str());
        return 2;
      }
      t.configs[c.substr(0, eq)] = c.substr(eq + 1);
    }
    topics.push_back(std::move(t));
  }
  return Report("created", admin->CreateTopics(topics));
}

int RunDelete(const TopicsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  return Report("deleted", admin->DeleteTopics(o.names));
}

int RunList(const TopicsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  auto names = admin->ListTopics(o.internal);
  if (!names.ok()) {
    std::fprintf(stderr, "kclient topics list: %s\n", names.status().ToString().c_str());
    return 1;
  }
  for (const std::string& n : *names) std::printf("%s\n", n.c_str());
  return 0;
}

int RunDescribe(const TopicsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  int code = 0;
  for (const auto& [name, description] : admin->DescribeTopics(o.names)) {
    if (!description.ok()) {
      std::fprintf(stderr, "%s: %s\n", name.c_str(), description.status().ToString().c_str());
      code = 1;
      continue;
    }
    const TopicDescription& d = *description;
    std::printf("Topic: %s\tTopicId: %s\tPartitionCount: %zu%s\n", d.name.c_str(), d.topic_id.ToString().c_str(),
                d.partitions.size(), d.internal ? "\tInternal: true" : "");
    for (const PartitionDescription& p : d.partitions) {
      std::printf("\tPartition: %d\tLeader: %d\tLeaderEpoch: %d\tReplicas: %s\tIsr: %s\n", p.partition, p.leader,
                  p.leader_epoch, Join(p.replicas).c_str(), Join(p.isr).c_str());
    }
  }
  return code;
}

}  // namespace

void AddTopicsCommand(CLI::App& app, int* exit_code) {
  CLI::App* topics = app.add_subcommand("topics", "create, delete, list and describe topics");
  topics->require_subcommand(1);
  auto add = [&](const char* name, const char* help, int (*run)(const TopicsOptions&), bool takes_names) {
    auto options = std::make_shared<TopicsOptions>();
    CLI::App* cmd = topics->add_subcommand(name, help);
    AddCommonOptions(cmd, &options->common);
    if (takes_names) cmd->add_option("names", options->names, "topic names")->required();
    cmd->callback([options, run, exit_code] { *exit_code = run(*options); });
    return std::make_pair(cmd, options);
  };
  auto [create, create_options] = add("create", "create topics", RunCreate, true);
  create->add_option("--partitions", create_options->partitions, "partitions (default: the broker's)");
  create->add_option("--replication-factor", create_options->replication_factor, "replicas (default: the broker's)");
  create->add_option("--config", create_options->configs, "topic config key=value (repeatable)");
  add("delete", "delete topics and their data", RunDelete, true);
  auto [list, list_options] = add("list", "list topic names", RunList, false);
  list->add_flag("--internal", list_options->internal, "include Kafka's internal topics");
  add("describe", "partitions, leaders, replicas and in-sync replicas of topics", RunDescribe, true);
}

}  // namespace kclient::tool
