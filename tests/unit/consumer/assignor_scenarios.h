// Test helpers for the assignors: the one-line scenarios that golden/AssignorGolden.java also
// reads, the text form of an assignment both sides print, and what members send for a scenario.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "consumer/assignors/partition_assignor.h"

namespace kclient::consumer::testing {

struct ScenarioMember {
  std::string id;
  std::optional<std::string> instance;
  std::vector<std::string> topics;
  std::vector<TopicPartition> owned;
  int32_t generation = -1;
};

struct Scenario {
  std::map<std::string, int32_t> partitions_per_topic;
  std::vector<ScenarioMember> members;
};

inline TopicPartition ParseTopicPartition(std::string_view s) {
  const size_t dash = s.rfind('-');
  return TopicPartition{std::string(s.substr(0, dash)), std::stoi(std::string(s.substr(dash + 1)))};
}

// "t0:5 t1:3 | c1: t0 t1 | c2/inst: t0 owns t0-1 t0-2 @4 | ..." (see AssignorGolden.java).
inline Scenario ParseScenario(const std::string& spec) {
  Scenario s;
  std::vector<std::string> sections;
  std::stringstream all(spec);
  for (std::string section; std::getline(all, section, '|');) sections.push_back(section);
  std::stringstream topics(sections.at(0));
  for (std::string t; topics >> t;) {
    const size_t colon = t.find(':');
    s.partitions_per_topic[t.substr(0, colon)] = std::stoi(t.substr(colon + 1));
  }
  for (size_t i = 1; i < sections.size(); ++i) {
    const size_t colon = sections[i].find(':');
    ScenarioMember m;
    std::stringstream head(sections[i].substr(0, colon));
    std::string ids;
    head >> ids;
    const size_t slash = ids.find('/');
    m.id = ids.substr(0, slash);
    if (slash != std::string::npos) m.instance = ids.substr(slash + 1);
    std::stringstream words(sections[i].substr(colon + 1));
    bool owning = false;
    for (std::string w; words >> w;) {
      if (w == "owns") {
        owning = true;
      } else if (w[0] == '@') {
        m.generation = std::stoi(w.substr(1));
      } else if (owning) {
        m.owned.push_back(ParseTopicPartition(w));
      } else {
        m.topics.push_back(w);
      }
    }
    s.members.push_back(std::move(m));
  }
  return s;
}

// What each member sends to a leader running `assignor`, as Java's ConsumerCoordinator builds it:
// the assignor's user data from the member's previous assignment, and owned partitions only in
// cooperative groups (eager members revoke everything before they join).
inline std::vector<MemberSubscription> SubscriptionsFor(const PartitionAssignor& assignor, const Scenario& s) {
  std::vector<MemberSubscription> out;
  for (const ScenarioMember& m : s.members) {
    MemberSubscription sub;
    sub.member_id = m.id;
    sub.group_instance_id = m.instance;
    sub.topics = m.topics;
    sub.generation = m.generation;
    if (assignor.cooperative()) sub.owned_partitions = m.owned;
    std::optional<PreviousAssignment> previous;
    if (m.generation >= 0 || !m.owned.empty()) previous = PreviousAssignment{m.owned, m.generation};
    sub.user_data = assignor.SubscriptionUserData(previous).value_or("");
    out.push_back(std::move(sub));
  }
  return out;
}

// "c1=[t0-0 t1-2] c2=[]": members and partitions in order.
inline std::string Format(const GroupAssignment& assignment) {
  std::string out;
  for (const auto& [member, partitions] : assignment) {
    if (!out.empty()) out += ' ';
    out += member + "=[";
    for (size_t i = 0; i < partitions.size(); ++i) {
      if (i > 0) out += ' ';
      out += partitions[i].ToString();
    }
    out += ']';
  }
  return out;
}

inline GroupAssignment ParseFormatted(const std::string& text) {
  GroupAssignment out;
  std::stringstream in(text);
  std::string member;
  for (std::string w; in >> w;) {
    const size_t eq = w.find("=[");
    if (eq != std::string::npos) {
      member = w.substr(0, eq);
      out[member];
      w = w.substr(eq + 2);
    }
    if (!w.empty() && w.back() == ']') w.pop_back();
    if (!w.empty()) out[member].push_back(ParseTopicPartition(w));
  }
  return out;
}

}  // namespace kclient::consumer::testing
