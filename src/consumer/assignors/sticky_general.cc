// AssignGeneral: the sticky assignment when members subscribe to different topics.
//
// 1. Every member keeps the partitions it owns and is still subscribed to.
// 2. The other partitions, those of topics with the fewest subscribers first (they have the
//    fewest places to go), each go to the least loaded member subscribed to their topic.
// 3. While some member L could end up with one more partition and some member H with one fewer,
//    where H holds at least two more than L, one partition moves from H towards L, possibly along a
//    chain H -> M1 -> ... -> L in which each member passes on a partition of a topic the next one
//    subscribes to (the chain members' loads do not change). Chains are found breadth first, so
//    each improvement moves as few partitions as possible. When no such chain exists for any L the
//    assignment is an optimal semi-matching: as balanced as the subscriptions allow.
// A partition that has to move is, by preference, one its holder did not own before this
// rebalance, and goes back to a member that owned it in an older generation if that helps.
#include <algorithm>
#include <numeric>

#include "consumer/assignors/sticky_assignment.h"

namespace kclient::consumer {
namespace {

class GeneralAssignment {
 public:
  explicit GeneralAssignment(const StickyGroup& group)
      : group_(group),
        load_(static_cast<size_t>(group.member_count()), 0),
        holder_(static_cast<size_t>(group.partition_count()), StickyGroup::kNobody),
        held_(static_cast<size_t>(group.topic_count()), std::vector<int>(static_cast<size_t>(group.member_count()), 0)) {}

  MemberPartitions Run() {
    KeepOwned();
    AssignUnowned();
    Balance();
    MemberPartitions out(static_cast<size_t>(group_.member_count()));
    for (int p = 0; p < group_.partition_count(); ++p) {
      if (holder_[p] != StickyGroup::kNobody) out[holder_[p]].push_back(p);
    }
    return out;
  }

 private:
  void Give(int p, int m) {
    holder_[p] = m;
    ++load_[m];
    ++held_[group_.topic_of(p)][m];
  }
  void Move(int p, int to) {
    const int from = holder_[p];
    --load_[from];
    --held_[group_.topic_of(p)][from];
    Give(p, to);
  }

  void KeepOwned() {
    for (int p = 0; p < group_.partition_count(); ++p) {
      if (group_.keeper(p) != StickyGroup::kNobody) Give(p, group_.keeper(p));
    }
  }

  void AssignUnowned() {
    std::vector<int> unowned;
    for (int p = 0; p < group_.partition_count(); ++p) {
      if (holder_[p] == StickyGroup::kNobody) unowned.push_back(p);
    }
    std::stable_sort(unowned.begin(), unowned.end(), [&](int a, int b) {
      return group_.subscribers(group_.topic_of(a)).size() < group_.subscribers(group_.topic_of(b)).size();
    });
    for (int p : unowned) {
      int best = StickyGroup::kNobody;
      for (int m : group_.subscribers(group_.topic_of(p))) {
        if (best == StickyGroup::kNobody || load_[m] < load_[best] ||
            (load_[m] == load_[best] && m == group_.previous_owner(p))) {
          best = m;
        }
      }
      // StickyGroup only has topics someone subscribes to.
      Give(p, best);
    }
  }

  // Shifts partitions along improving chains until there is none.
  //
  // A member whose search found nothing is usually still stuck after the next shift (its
  // subscriptions reach no member holding two more), so it is skipped until a pass finds nothing;
  // only a pass that skips nobody proves there is nothing left to do. Without that, groups with
  // many members that already have all they can get spent most of their time searching from them.
  void Balance() {
    std::vector<bool> stuck(static_cast<size_t>(group_.member_count()), false);
    for (;;) {
      bool skipped = false;
      if (ImproveOnce(stuck, &skipped)) continue;
      if (!skipped) return;
      std::fill(stuck.begin(), stuck.end(), false);
    }
  }

  // Finds and applies one improving chain ending at a member not known to be stuck, trying the
  // least loaded first; false when there is none. Marks members it found stuck.
  bool ImproveOnce(std::vector<bool>& stuck, bool* skipped) {
    if (group_.member_count() < 2) return false;
    const int highest = *std::max_element(load_.begin(), load_.end());
    std::vector<int> by_load(static_cast<size_t>(group_.member_count()));
    std::iota(by_load.begin(), by_load.end(), 0);
    std::stable_sort(by_load.begin(), by_load.end(), [&](int a, int b) { return load_[a] < load_[b]; });
    for (int receiver : by_load) {
      if (load_[receiver] + 2 > highest) break;  // nobody holds two more than it or anyone after it
      if (stuck[receiver]) {
        *skipped = true;
        continue;
      }
      if (ShiftTowards(receiver)) return true;
      stuck[receiver] = true;
    }
    return false;
  }

  // Breadth-first search backwards from `receiver` over "could hand a partition to" edges for the
  // nearest member holding at least two more; if found, shifts one partition along the chain.
  bool ShiftTowards(int receiver) {
    const int members = group_.member_count();
    std::vector<int> next_in_chain(static_cast<size_t>(members), StickyGroup::kNobody);
    std::vector<int> via_topic(static_cast<size_t>(members), -1);
    std::vector<bool> seen(static_cast<size_t>(members), false);
    seen[receiver] = true;
    std::vector<int> frontier{receiver};
    while (!frontier.empty()) {
      std::vector<int> next_frontier;
      int giver = StickyGroup::kNobody;
      for (int taker : frontier) {
        for (int t : group_.topics_of(taker)) {
          // Only subscribers ever hold a topic's partitions.
          for (int m : group_.subscribers(t)) {
            if (seen[m] || held_[t][m] == 0) continue;
            seen[m] = true;
            next_in_chain[m] = taker;
            via_topic[m] = t;
            next_frontier.push_back(m);
            if (load_[m] >= load_[receiver] + 2 && (giver == StickyGroup::kNobody || load_[m] > load_[giver])) {
              giver = m;
            }
          }
        }
      }
      if (giver != StickyGroup::kNobody) {
        for (int from = giver; from != receiver; from = next_in_chain[from]) {
          Move(PartitionToHandOver(from, next_in_chain[from], via_topic[from]), next_in_chain[from]);
        }
        return true;
      }
      frontier = std::move(next_frontier);
    }
    return false;
  }

  // Which of `from`'s partitions of `topic` goes to `to`: one `from` did not own before this
  // rebalance if any (moving it costs nothing), preferring one `to` owned in an older generation;
  // then the lowest numbered.
  int PartitionToHandOver(int from, int to, int topic) const {
    int best = StickyGroup::kNobody;
    auto rank = [&](int p) {
      return 2 * (group_.keeper(p) == from ? 1 : 0) + (group_.previous_owner(p) == to ? 0 : 1);
    };
    for (int p = group_.first_partition(topic); p < group_.end_partition(topic); ++p) {
      if (holder_[p] != from) continue;
      if (best == StickyGroup::kNobody || rank(p) < rank(best)) best = p;
    }
    return best;
  }

  const StickyGroup& group_;
  std::vector<int> load_;
  std::vector<int> holder_;
  std::vector<std::vector<int>> held_;  // [topic][member]: how many of the topic's partitions it holds
};

}  // namespace

MemberPartitions AssignGeneral(const StickyGroup& group) { return GeneralAssignment(group).Run(); }

}  // namespace kclient::consumer
