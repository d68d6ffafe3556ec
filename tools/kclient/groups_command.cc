// kclient groups: consumer groups and how far behind they are.
//
//   kclient groups list     -b B
//   kclient groups describe -b B GROUP...   state, assignor, members and their partitions, and per
//                                           partition the committed offset, log end and lag
//
// Exit status 1 if any group could not be described.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "kclient/admin.h"

namespace kclient::tool {
namespace {

struct GroupsOptions {
  CommonOptions common;
  std::vector<std::string> groups;
};

std::unique_ptr<Admin> Connect(const GroupsOptions& o) {
  Properties props;
  std::string error;
  if (!o.common.ToProperties(&props, &error)) {
    std::fprintf(stderr, "kclient groups: %s\n", error.c_str());
    return nullptr;
  }
  auto admin = Admin::Create(props);
  if (!admin.ok()) {
    std::fprintf(stderr, "kclient groups: %s\n", admin.status().ToString().c_str());
    return nullptr;
  }
  return std::move(*admin);
}

std::string OrDash(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : "-"; }

int RunList(const GroupsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  auto groups = admin->ListGroups();
  if (!groups.ok()) {
    std::fprintf(stderr, "kclient groups list: %s\n", groups.status().ToString().c_str());
    return 1;
  }
  for (const GroupListing& g : *groups) {
    std::printf("%s\t%s\t%s\n", g.group_id.c_str(), g.protocol_type.empty() ? "-" : g.protocol_type.c_str(),
                g.state.value_or("-").c_str());
  }
  return 0;
}

int RunDescribe(const GroupsOptions& o) {
  auto admin = Connect(o);
  if (!admin) return 1;
  int code = 0;
  for (const auto& [id, description] : admin->DescribeGroups(o.groups)) {
    if (!description.ok()) {
      std::fprintf(stderr, "%s: %s\n", id.c_str(), description.status().ToString().c_str());
      code = 1;
      continue;
    }
    const GroupDescription& g = *description;
    std::printf("Group: %s\tState: %s\tAssignor: %s\tCoordinator: %d\tMembers: %zu\n", g.group_id.c_str(),
                g.state.c_str(), g.protocol.empty() ? "-" : g.protocol.c_str(), g.coordinator, g.members.size());
    std::map<TopicPartition, std::string> owner;
    for (const MemberDescription& m : g.members) {
      std::printf("\tMember: %s\tClient: %s\tHost: %s%s\tPartitions: %zu\n", m.member_id.c_str(), m.client_id.c_str(),
                  m.client_host.c_str(), m.group_instance_id ? ("\tInstance: " + *m.group_instance_id).c_str() : "",
                  m.assignment.size());
      for (const TopicPartition& tp : m.assignment) owner[tp] = m.member_id;
    }
    if (g.state == "Dead") continue;
    auto lag = admin->ConsumerGroupLag(g.group_id);
    if (!lag.ok()) {
      std::fprintf(stderr, "%s: lag: %s\n", g.group_id.c_str(), lag.status().ToString().c_str());
      code = 1;
      continue;
    }
    std::printf("\t%-30s %10s %10s %10s  %s\n", "TOPIC-PARTITION", "COMMITTED", "LOG-END", "LAG", "MEMBER");
    for (const auto& [tp, l] : *lag) {
      auto it = owner.find(tp);
      std::printf("\t%-30s %10s %10s %10s  %s\n", tp.ToString().c_str(), OrDash(l.committed_offset).c_str(),
                  OrDash(l.log_end_offset).c_str(), OrDash(l.lag).c_str(),
                  it == owner.end() ? "-" : it->second.c_str());
    }
  }
  return code;
}

}  // namespace

void AddGroupsCommand(CLI::App& app, int* exit_code) {
  CLI::App* groups = app.add_subcommand("groups", "list consumer groups, describe members, offsets and lag");
  groups->require_subcommand(1);
  auto list_options = std::make_shared<GroupsOptions>();
  CLI::App* list = groups->add_subcommand("list", "every group of the cluster: id, protocol type, state");
  AddCommonOptions(list, &list_options->common);
  list->callback([list_options, exit_code] { *exit_code = RunList(*list_options); });
  auto describe_options = std::make_shared<GroupsOptions>();
  CLI::App* describe = groups->add_subcommand("describe", "members, assignment, committed offsets and lag");
  AddCommonOptions(describe, &describe_options->common);
  describe->add_option("groups", describe_options->groups, "group ids")->required();
  describe->callback([describe_options, exit_code] { *exit_code = RunDescribe(*describe_options); });
}

}  // namespace kclient::tool
