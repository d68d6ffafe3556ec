#include "consumer/subscription_state.h"

namespace kclient::consumer {

void SubscriptionState::SubscribeTopics(const std::vector<std::string>& topics,
                                        std::shared_ptr<RebalanceListener> listener) {
  std::lock_guard lock(mu_);
  mode_ = Mode::kTopics;
  topics_ = std::set<std::string>(topics.begin(), topics.end());
  pattern_.reset();
  listener_ = std::move(listener);
}

void SubscriptionState::SubscribePattern(const std::string& pattern, std::shared_ptr<RebalanceListener> listener) {
  std::lock_guard lock(mu_);
  mode_ = Mode::kPattern;
  topics_.clear();
  pattern_.emplace(pattern, std::regex::ECMAScript);
  listener_ = std::move(listener);
}

void SubscriptionState::AssignManually(const std::vector<TopicPartition>& partitions) {
  {
    std::lock_guard lock(mu_);
    mode_ = Mode::kManual;
    topics_.clear();
    pattern_.reset();
    listener_.reset();
  }
  SetAssignment(partitions);
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) topics_.insert(tp.topic);
}

void SubscriptionState::Unsubscribe() {
  std::lock_guard lock(mu_);
  mode_ = Mode::kNone;
  topics_.clear();
  pattern_.reset();
  listener_.reset();
  assigned_.clear();
  ++assignment_epoch_;
}

SubscriptionState::Mode SubscriptionState::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}

std::shared_ptr<RebalanceListener> SubscriptionState::listener() const {
  std::lock_guard lock(mu_);
  return listener_;
}

bool SubscriptionState::MatchPattern(const std::vector<std::string>& all_topics, bool exclude_internal,
                                     const std::set<std::string>& internal_topics) {
  std::lock_guard lock(mu_);
  if (mode_ != Mode::kPattern || !pattern_) return false;
  std::set<std::string> matched;
  for (const std::string& t : all_topics) {
    if (exclude_internal && internal_topics.count(t) > 0) continue;
    if (std::regex_match(t, *pattern_)) matched.insert(t);
  }
  if (matched == topics_) return false;
  topics_ = std::move(matched);
  return true;
}

std::set<std::string> SubscriptionState::subscribed_topics() const {
  std::lock_guard lock(mu_);
  return topics_;
}

void SubscriptionState::SetAssignment(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  std::map<TopicPartition, PartitionState> next;
  for (const TopicPartition& tp : partitions) {
    auto it = assigned_.find(tp);
    next[tp] = it == assigned_.end() ? PartitionState{} : it->second;
  }
  assigned_ = std::move(next);
  ++assignment_epoch_;
}

std::vector<TopicPartition> SubscriptionState::assignment() const {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : assigned_) out.push_back(tp);
  return out;
}

bool SubscriptionState::IsAssigned(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  return assigned_.count(tp) > 0;
}

uint64_t SubscriptionState::assignment_epoch() const {
  std::lock_guard lock(mu_);
  return assignment_epoch_;
}

std::optional<SubscriptionState::Position> SubscriptionState::position(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = assigned_.find(tp);
  if (it == assigned_.end()) return std::nullopt;
  return it->second.position;
}

bool SubscriptionState::SetPosition(const TopicPartition& tp, Position position) {
  std::lock_guard lock(mu_);
  auto it = assigned_.find(tp);
  if (it == assigned_.end()) return false;
  it->second.position = position;
  it->second.reset.reset();
  return true;
}

void SubscriptionState::RequestReset(const TopicPartition& tp, OffsetReset reset) {
  std::lock_guard lock(mu_);
  auto it = assigned_.find(tp);
  if (it == assigned_.end()) return;
  it->second.position.reset();
  it->second.reset = reset;
}

std::map<TopicPartition, std::optional<OffsetReset>> SubscriptionState::MissingPositions() const {
  std::lock_guard lock(mu_);
  std::map<TopicPartition, std::optional<OffsetReset>> out;
  for (const auto& [tp, state] : assigned_) {
    if (!state.position) out[tp] = state.reset;
  }
  return out;
}

std::map<TopicPartition, SubscriptionState::Position> SubscriptionState::FetchablePositions() const {
  std::lock_guard lock(mu_);
  std::map<TopicPartition, Position> out;
  for (const auto& [tp, state] : assigned_) {
    if (state.position && !state.paused) out[tp] = *state.position;
  }
  return out;
}

std::map<TopicPartition, SubscriptionState::Position> SubscriptionState::AllPositions() const {
  std::lock_guard lock(mu_);
  std::map<TopicPartition, Position> out;
  for (const auto& [tp, state] : assigned_) {
    if (state.position) out[tp] = *state.position;
  }
  return out;
}

void SubscriptionState::Pause(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) {
    if (auto it = assigned_.find(tp); it != assigned_.end()) it->second.paused = true;
  }
}

void SubscriptionState::Resume(const std::vector<TopicPartition>& partitions) {
  std::lock_guard lock(mu_);
  for (const auto& tp : partitions) {
    if (auto it = assigned_.find(tp); it != assigned_.end()) it->second.paused = false;
  }
}

std::vector<TopicPartition> SubscriptionState::paused() const {
  std::lock_guard lock(mu_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : assigned_) {
    if (state.paused) out.push_back(tp);
  }
  return out;
}

bool SubscriptionState::IsPaused(const TopicPartition& tp) const {
  std::lock_guard lock(mu_);
  auto it = assigned_.find(tp);
  return it != assigned_.end() && it->second.paused;
}

}  // namespace kclient::consumer
