#include "consumer/assignors/sticky_group.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace kclient::consumer {

StickyGroup::StickyGroup(const std::map<std::string, int32_t>& partitions_per_topic,
                         const std::vector<StickyMember>& members) {
  std::vector<int> by_id(members.size());
  std::iota(by_id.begin(), by_id.end(), 0);
  std::sort(by_id.begin(), by_id.end(),
            [&](int a, int b) { return members[a].member_id < members[b].member_id; });
  std::vector<int> member_of_input(members.size());
  for (size_t i = 0; i < by_id.size(); ++i) {
    member_ids_.push_back(members[by_id[i]].member_id);
    member_of_input[by_id[i]] = static_cast<int>(i);
  }

  // Topics nobody subscribes to are left out, so their partitions are neither assigned nor count
  // against anyone's balance.
  std::set<std::string_view> subscribed;
  for (const StickyMember& m : members) subscribed.insert(m.topics.begin(), m.topics.end());
  std::unordered_map<std::string_view, int> topic_index;
  topic_first_.push_back(0);
  for (const auto& [topic, count] : partitions_per_topic) {
    if (count <= 0 || !subscribed.contains(topic)) continue;
    const int t = static_cast<int>(topic_names_.size());
    topic_index.emplace(topic, t);
    topic_names_.push_back(topic);
    for (int32_t p = 0; p < count; ++p) {
      partitions_.push_back(TopicPartition{topic, p});
      topic_of_.push_back(t);
    }
    topic_first_.push_back(static_cast<int>(partitions_.size()));
  }

  subscribes_.assign(members.size(), std::vector<bool>(topic_names_.size(), false));
  for (size_t i = 0; i < members.size(); ++i) {
    const int m = member_of_input[i];
    for (const std::string& topic : members[i].topics) {
      auto it = topic_index.find(topic);
      if (it != topic_index.end()) subscribes_[m][it->second] = true;
    }
  }
  topics_of_.resize(members.size());
  subscribers_.resize(topic_names_.size());
  for (int m = 0; m < member_count(); ++m) {
    for (int t = 0; t < topic_count(); ++t) {
      if (!subscribes_[m][t]) continue;
      topics_of_[m].push_back(t);
      subscribers_[t].push_back(m);
    }
  }
  for (const std::vector<int>& who : subscribers_) {
    if (static_cast<int>(who.size()) != member_count()) identical_subscriptions_ = false;
  }

  // Claims per partition, as (generation, member), in Java-independent order.
  std::vector<std::vector<std::pair<int32_t, int>>> claims(partitions_.size());
  for (size_t i = 0; i < members.size(); ++i) {
    for (const TopicPartition& tp : members[i].claimed) {
      auto it = topic_index.find(tp.topic);
      if (it == topic_index.end()) continue;
      const int t = it->second;
      if (tp.partition < 0 || tp.partition >= end_partition(t) - first_partition(t)) continue;
      claims[first_partition(t) + tp.partition].emplace_back(members[i].generation, member_of_input[i]);
    }
  }
  owner_.assign(partitions_.size(), kNobody);
  previous_owner_.assign(partitions_.size(), kNobody);
  disputed_.assign(partitions_.size(), false);
  for (size_t p = 0; p < claims.size(); ++p) {
    auto& c = claims[p];
    if (c.empty()) continue;
    // Highest generation first, then lowest member number; a member listing a partition twice
    // claims it once.
    std::sort(c.begin(), c.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    c.erase(std::unique(c.begin(), c.end()), c.end());
    if (c.size() >= 2 && c[1].first == c[0].first) {
      disputed_[p] = true;
      continue;
    }
    owner_[p] = c[0].second;
    if (c.size() >= 2) previous_owner_[p] = c[1].second;
  }
}

}  // namespace kclient::consumer
