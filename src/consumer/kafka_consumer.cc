#include "consumer/kafka_consumer.h"

#include <algorithm>
#include <regex>
#include <thread>
#include <utility>

#include "client/client_setup.h"
#include "client/metadata.h"
#include "consumer/fetcher.h"
#include "consumer/offset_lookup.h"
#include "net/network_client.h"
#include "protocol/messages/metadata.h"

namespace kclient {

Result<std::unique_ptr<Consumer>> Consumer::Create(const ConsumerOptions& options) {
  Status valid = options.Validate();
  if (!valid.ok()) return valid;
  auto bootstrap = net::ParseBootstrapServers(options.client.bootstrap_servers);
  if (!bootstrap.ok()) return bootstrap.status();
  return std::unique_ptr<Consumer>(new consumer::KafkaConsumer(options, std::move(bootstrap.value())));
}

Result<std::unique_ptr<Consumer>> Consumer::Create(const Properties& properties) {
  auto options = ConsumerOptions::FromProperties(properties);
  if (!options.ok()) return options.status();
  return Create(options.value());
}

namespace consumer {
namespace {

bool AllCooperative(const std::vector<AssignmentStrategy>& strategies) {
  return !strategies.empty() && std::all_of(strategies.begin(), strategies.end(), [](AssignmentStrategy s) {
    return s == AssignmentStrategy::kCooperativeSticky;
  });
}

std::vector<TopicPartition> Minus(const std::vector<TopicPartition>& a, const std::vector<TopicPartition>& b) {
  std::set<TopicPartition> drop(b.begin(), b.end());
  std::vector<TopicPartition> out;
  for (const auto& tp : a) {
    if (drop.count(tp) == 0) out.push_back(tp);
  }
  return out;
}

Status NotAGroupMember() {
  return Status(ErrorCode::kLocalInvalidArgument, "group.id is not set: subscriptions and commits need a group");
}

}  // namespace

// The I/O thread's objects. Created and destroyed on the I/O thread.
struct KafkaConsumer::Io {
  Io(net::EventLoop* loop, const ConsumerOptions& options, std::vector<net::BrokerAddress> bootstrap,
     SubscriptionState* subscriptions, FetchBuffer* buffer, std::function<void()> on_event)
      : network(loop, client::ToNetworkOptions(options.client), bootstrap),
        metadata(&network, client::ToMetadataOptions(options.client)),
        fetcher(&network, &metadata, subscriptions, buffer, options),
        lookup(&network, &metadata, static_cast<int8_t>(options.isolation_level),
               util::ExponentialBackoff(std::min(options.client.retry_backoff_ms, options.client.retry_backoff_max_ms),
                                        options.client.retry_backoff_max_ms)),
        loop(loop),
        tick_ms(std::max(10, std::min(options.client.retry_backoff_ms, 100))) {
    if (!options.group_id.empty()) {
      group = std::make_unique<GroupCoordinator>(loop, options, std::move(bootstrap), &network, &metadata,
                                                 subscriptions, std::move(on_event));
    }
    metadata.AddListener([this] { fetcher.SendFetches(); });
    Tick();
  }
  ~Io() {
    if (timer != 0) loop->CancelTimer(timer);
  }
  // Fetches are re-sent on responses and on data being drained; the tick covers what has no
  // event of its own (a connection that came back, a position set by another thread).
  void Tick() {
    fetcher.SendFetches();
    timer = loop->AddTimer(std::chrono::milliseconds(tick_ms), [this] { Tick(); });
  }

  net::NetworkClient network;
  client::Metadata metadata;
  Fetcher fetcher;
  OffsetLookup lookup;
  std::unique_ptr<GroupCoordinator> group;
  net::EventLoop* loop;
  int tick_ms;
  net::EventLoop::TimerId timer = 0;
};

KafkaConsumer::KafkaConsumer(const ConsumerOptions& options, std::vector<net::BrokerAddress> bootstrap)
    : options_(options),
      cooperative_(AllCooperative(options.assignment_strategies)),
      buffer_([this] { WakeFetcher(); }),
      collector_(&subscriptions_, &buffer_, options_) {
  next_auto_commit_ = Clock::now() + std::chrono::milliseconds(options_.auto_commit_interval_ms);
  thread_.Call([&] {
    io_ = std::make_unique<Io>(&thread_.loop(), options_, std::move(bootstrap), &subscriptions_, &buffer_,
                               [this] { buffer_.Interrupt(); });
    group_ = io_->group.get();
  });
}

KafkaConsumer::~KafkaConsumer() { Close(Duration(30000)); }

template <typename T>
std::optional<T> KafkaConsumer::OnIo(std::function<void(Io&, std::function<void(T)>)> start,
                                     Clock::time_point deadline) {
  if (closed_) return std::nullopt;  // the I/O thread is gone
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  thread_.Post([this, start = std::move(start), promise] {
    if (!io_) return;  // closing: the future is abandoned and the caller times out
    start(*io_, [promise](T value) { promise->set_value(std::move(value)); });
  });
  if (future.wait_until(deadline) != std::future_status::ready) return std::nullopt;
  return future.get();
}

void KafkaConsumer::WakeFetcher() {
  thread_.Post([this] {
    if (io_) io_->fetcher.SendFetches(/*drained=*/true);
  });
}

void KafkaConsumer::AddTopics(const std::set<std::string>& topics) {
  thread_.Post([this, topics] {
    if (!io_) return;
    for (const auto& t : topics) io_->metadata.AddTopic(t);
  });
}

Status KafkaConsumer::NoAnswer(const char* what) const {
  if (closed_) return Status(ErrorCode::kLocalClosed, std::string(what) + ": the consumer is closed");
  return Status(ErrorCode::kLocalTimedOut, std::string(what) + " timed out");
}

Status KafkaConsumer::CheckGroup() const { return options_.group_id.empty() ? NotAGroupMember() : Status(); }

// --- Subscription ----------------------------------------------------------------------------

Status KafkaConsumer::Subscribe(const std::vector<std::string>& topics, std::shared_ptr<RebalanceListener> listener) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  if (Status s = CheckGroup(); !s.ok()) return s;
  if (subscriptions_.mode() == SubscriptionState::Mode::kManual) {
    return Status(ErrorCode::kLocalIllegalState, "Subscribe after Assign: call Unsubscribe first");
  }
  for (const auto& t : topics) {
    if (t.empty()) return Status(ErrorCode::kLocalInvalidArgument, "an empty topic name in the subscription");
  }
  if (topics.empty()) return Unsubscribe();
  subscriptions_.SubscribeTopics(topics, std::move(listener));
  AddTopics(std::set<std::string>(topics.begin(), topics.end()));
  subscription_changed_ = true;
  return Status();
}

Status KafkaConsumer::SubscribePattern(const std::string& pattern, std::shared_ptr<RebalanceListener> listener) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  if (Status s = CheckGroup(); !s.ok()) return s;
  if (subscriptions_.mode() == SubscriptionState::Mode::kManual) {
    return Status(ErrorCode::kLocalIllegalState, "Subscribe after Assign: call Unsubscribe first");
  }
  // std::regex reports a bad pattern by throwing; it stays inside this call.
  try {
    std::regex check(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return Status(ErrorCode::kLocalInvalidArgument, "invalid topic pattern '" + pattern + "': " + e.what());
  }
  subscriptions_.SubscribePattern(pattern, std::move(listener));
  next_pattern_refresh_ = Clock::time_point::min();  // match it at the next Poll
  subscription_changed_ = true;
  return Status();
}

Status KafkaConsumer::RefreshPatternTopics(Clock::time_point deadline) {
  if (Clock::now() < next_pattern_refresh_) return Status();
  using Topics = Result<std::vector<std::pair<std::string, bool>>>;  // name, internal
  auto listed = OnIo<Topics>(
      [](Io& io, std::function<void(Topics)> done) {
        protocol::MetadataRequest request;
        request.topics = std::nullopt;  // every topic
        request.allow_auto_topic_creation = false;
        net::SendOptions send;
        send.min_version = 4;
        send.max_version = 12;
        io.network.Send<protocol::MetadataRequest, protocol::MetadataResponse>(
            net::NetworkClient::kAnyBroker, std::move(request),
            std::function<void(const Status&, protocol::MetadataResponse&)>(
                [done](const Status& s, protocol::MetadataResponse& r) {
                  if (!s.ok()) return done(s);
                  std::vector<std::pair<std::string, bool>> topics;
                  for (const auto& t : r.topics) {
                    if (t.name && t.error_code == 0) topics.emplace_back(*t.name, t.is_internal);
                  }
                  done(std::move(topics));
                }),
            send);
      },
      deadline);
  if (!listed || !listed->ok()) return Status();  // try again at the next Poll
  next_pattern_refresh_ = Clock::now() + std::chrono::milliseconds(options_.client.metadata_max_age_ms);
  std::vector<std::string> names;
  std::set<std::string> internal;
  for (const auto& [name, is_internal] : **listed) {
    names.push_back(name);
    if (is_internal) internal.insert(name);
  }
  if (subscriptions_.MatchPattern(names, options_.exclude_internal_topics, internal)) {
    AddTopics(subscriptions_.subscribed_topics());
    subscription_changed_ = true;
  }
  return Status();
}

Status KafkaConsumer::Unsubscribe() {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  const auto mode = subscriptions_.mode();
  if (mode == SubscriptionState::Mode::kTopics || mode == SubscriptionState::Mode::kPattern) {
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.client.request_timeout_ms);
    const auto owned = subscriptions_.assignment();
    if (auto listener = subscriptions_.listener(); listener && !owned.empty()) listener->OnPartitionsRevoked(owned);
    OnIo<bool>([](Io& io, std::function<void(bool)> done) {
      if (!io.group) return done(true);
      io.group->Leave([done] { done(true); });
    }, deadline);
  }
  subscriptions_.Unsubscribe();
  collector_.Reset();
  pending_join_ = {};
  return Status();
}

Status KafkaConsumer::Assign(const std::vector<TopicPartition>& partitions) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  const auto mode = subscriptions_.mode();
  if (mode == SubscriptionState::Mode::kTopics || mode == SubscriptionState::Mode::kPattern) {
    return Status(ErrorCode::kLocalIllegalState, "Assign while subscribed: call Unsubscribe first");
  }
  subscriptions_.AssignManually(partitions);
  collector_.Reset();
  std::set<std::string> topics;
  for (const auto& tp : partitions) topics.insert(tp.topic);
  AddTopics(topics);
  return Status();
}

std::vector<TopicPartition> KafkaConsumer::Assignment() const { return subscriptions_.assignment(); }

std::vector<std::string> KafkaConsumer::Subscription() const {
  const auto mode = subscriptions_.mode();
  if (mode != SubscriptionState::Mode::kTopics && mode != SubscriptionState::Mode::kPattern) return {};
  const auto topics = subscriptions_.subscribed_topics();
  return {topics.begin(), topics.end()};
}

Result<std::vector<int32_t>> KafkaConsumer::PartitionsFor(const std::string& topic, Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  // Looks at the metadata cache; an error only counts once a refresh made after the first look
  // confirms it (a topic just auto-created reports LEADER_NOT_AVAILABLE for a moment).
  struct Look {
    std::optional<Result<std::vector<int32_t>>> answer;
    uint64_t version = 0;
  };
  std::optional<uint64_t> first_version;
  for (;;) {
    auto look = OnIo<Look>(
        [topic, first_version](Io& io, std::function<void(Look)> done) {
          io.metadata.AddTopic(topic);
          Look l;
          l.version = io.metadata.version();
          const client::TopicMetadata* t = io.metadata.topic(topic);
          if (t != nullptr && t->error == ErrorCode::kNone && !t->partitions.empty()) {
            std::vector<int32_t> ids;
            for (const auto& p : t->partitions) ids.push_back(p.partition);
            l.answer = std::move(ids);
          } else if (t != nullptr && t->error != ErrorCode::kNone && first_version && l.version > *first_version) {
            l.answer = Result<std::vector<int32_t>>(Status(t->error, "topic '" + topic + "'"));
          } else {
            io.metadata.RequestUpdate();
          }
          done(std::move(l));
        },
        deadline);
    if (!look) break;
    if (look->answer) return std::move(*look->answer);
    if (!first_version) first_version = look->version;
    if (Clock::now() >= deadline) break;
    // Metadata refreshes at most every retry.backoff.ms; look again about as often.
    std::this_thread::sleep_for(std::min<Clock::duration>(
        std::chrono::milliseconds(std::max(options_.client.retry_backoff_ms / 2, 5)), deadline - Clock::now()));
  }
  return Status(ErrorCode::kLocalTimedOut, "no metadata for topic '" + topic + "' within the timeout");
}

// --- The group -------------------------------------------------------------------------------

Status KafkaConsumer::RevokeForEagerJoin(Clock::time_point deadline) {
  const auto owned = subscriptions_.assignment();
  if (owned.empty()) return Status();
  if (options_.enable_auto_commit) {
    // Commit what was consumed while the partitions are still ours (Java does the same).
    (void)CommitSync(ConsumedOffsets(owned), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
  }
  if (auto listener = subscriptions_.listener()) listener->OnPartitionsRevoked(owned);
  subscriptions_.SetAssignment({});
  collector_.Reset();
  return Status();
}

Status KafkaConsumer::EnsureGroup(Clock::time_point deadline, bool* joined) {
  *joined = false;
  if (group_->TakePollTimeout()) {
    const auto lost = subscriptions_.assignment();
    subscriptions_.SetAssignment({});
    collector_.Reset();
    (void)group_->TakePartitionsLost();
    if (auto listener = subscriptions_.listener(); listener && !lost.empty()) listener->OnPartitionsLost(lost);
    return Status(ErrorCode::kLocalIllegalState,
                  "Poll was not called within max.poll.interval.ms (" + std::to_string(options_.max_poll_interval_ms) +
                      " ms): the member left the group and its partitions went to others; the next Poll rejoins");
  }
  if (group_->TakePartitionsLost()) {
    const auto lost = subscriptions_.assignment();
    subscriptions_.SetAssignment({});
    collector_.Reset();
    if (auto listener = subscriptions_.listener(); listener && !lost.empty()) listener->OnPartitionsLost(lost);
  }
  if (!pending_join_.valid() && (subscription_changed_ || group_->rejoin_needed())) {
    subscription_changed_ = false;
    if (!cooperative_) {
      if (Status s = RevokeForEagerJoin(deadline); !s.ok()) return s;
    }
    auto promise = std::make_shared<std::promise<GroupCoordinator::JoinResult>>();
    pending_join_ = promise->get_future().share();
    const auto owned = cooperative_ ? subscriptions_.assignment() : std::vector<TopicPartition>{};
    thread_.Post([this, promise, owned] {
      if (!io_) return;
      io_->group->Join(owned, [promise](GroupCoordinator::JoinResult r) { promise->set_value(std::move(r)); });
    });
  }
  if (!pending_join_.valid()) return Status();
  if (pending_join_.wait_until(deadline) != std::future_status::ready) return Status();  // still joining
  GroupCoordinator::JoinResult result = pending_join_.get();
  pending_join_ = {};
  if (!result.status.ok()) {
    if (result.status.code() == ErrorCode::kLocalCancelled) return Status();
    return result.status;
  }
  ApplyJoin(result, deadline);
  *joined = true;
  return Status();
}

void KafkaConsumer::ApplyJoin(const GroupCoordinator::JoinResult& result, Clock::time_point deadline) {
  const auto old = subscriptions_.assignment();
  const auto& now = result.assignment;
  auto listener = subscriptions_.listener();
  std::set<std::string> topics;
  for (const auto& tp : now) topics.insert(tp.topic);
  AddTopics(topics);
  if (cooperative_) {
    const auto revoked = Minus(old, now);
    const auto added = Minus(now, old);
    if (!revoked.empty()) {
      if (options_.enable_auto_commit) {
        (void)CommitSync(ConsumedOffsets(revoked), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
      }
      if (listener) listener->OnPartitionsRevoked(revoked);
      // A second round hands what this member gave up to its new owners (KIP-429).
      group_->RequestRejoin();
    }
    subscriptions_.SetAssignment(now);
    if (listener) listener->OnPartitionsAssigned(added);
  } else {
    subscriptions_.SetAssignment(now);
    if (listener) listener->OnPartitionsAssigned(now);
  }
  collector_.Reset();
  WakeFetcher();
}

// --- Poll ------------------------------------------------------------------------------------

Result<ConsumerRecords> KafkaConsumer::Poll(Duration timeout) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  const Clock::time_point deadline = Clock::now() + timeout;
  if (wakeup_.exchange(false)) return Status(ErrorCode::kLocalWakeup, "woken up");
  const auto mode = subscriptions_.mode();
  if (mode == SubscriptionState::Mode::kNone) {
    return Status(ErrorCode::kLocalIllegalState, "the consumer is neither subscribed nor assigned partitions");
  }
  if (group_ != nullptr) group_->NotePoll();
  RunCommitCallbacks();
  if (!deferred_error_.ok()) return std::exchange(deferred_error_, Status());

  for (;;) {
    if (mode == SubscriptionState::Mode::kPattern) (void)RefreshPatternTopics(deadline);
    if (mode == SubscriptionState::Mode::kTopics || mode == SubscriptionState::Mode::kPattern) {
      bool joined = false;
      if (Status s = EnsureGroup(deadline, &joined); !s.ok()) return s;
    }
    MaybeAutoCommit();
    if (Status s = UpdatePositions(deadline); !s.ok()) return s;

    ConsumerRecords records;
    Status error = collector_.Collect(static_cast<size_t>(options_.max_poll_records), &records);
    if (!records.empty()) {
      deferred_error_ = error;
      return records;
    }
    if (!error.ok()) return error;
    if (Clock::now() >= deadline) return records;
    buffer_.Wait(deadline);
    if (wakeup_.exchange(false)) return Status(ErrorCode::kLocalWakeup, "woken up");
    if (Clock::now() >= deadline) {
      // One last look: data may have arrived just now.
      Status late = collector_.Collect(static_cast<size_t>(options_.max_poll_records), &records);
      if (!records.empty()) deferred_error_ = late;
      return records;
    }
  }
}

void KafkaConsumer::Wakeup() {
  wakeup_ = true;
  buffer_.Interrupt();
}

Status KafkaConsumer::UpdatePositions(Clock::time_point deadline) {
  auto missing = subscriptions_.MissingPositions();
  if (missing.empty()) return Status();
  // Never positioned: the group's committed offset, if there is one.
  std::vector<TopicPartition> unpositioned;
  for (const auto& [tp, reset] : missing) {
    if (!reset) unpositioned.push_back(tp);
  }
  if (!unpositioned.empty() && !options_.group_id.empty()) {
    auto committed = OnIo<Result<GroupCoordinator::CommittedOffsets>>(
        [unpositioned, deadline](Io& io, std::function<void(Result<GroupCoordinator::CommittedOffsets>)> done) {
          io.group->FetchCommitted(unpositioned, deadline, std::move(done));
        },
        deadline);
    if (!committed) return Status();  // not yet; the next Poll goes on
    if (!committed->ok()) return committed->status();
    for (const auto& [tp, om] : **committed) {
      if (!om) continue;
      subscriptions_.SetPosition(tp, {om->offset, om->leader_epoch});
      missing.erase(tp);
    }
  }
  std::map<TopicPartition, int64_t> timestamps;
  for (const auto& [tp, reset] : missing) {
    const OffsetReset strategy = reset.value_or(options_.auto_offset_reset);
    if (strategy == OffsetReset::kNone) {
      return Status(ErrorCode::kOffsetOutOfRange, "no committed offset for " + tp.ToString() +
                                                      " and auto.offset.reset is none: Seek to a position first");
    }
    timestamps[tp] = strategy == OffsetReset::kEarliest ? kEarliestTimestamp : kLatestTimestamp;
  }
  if (timestamps.empty()) {
    WakeFetcher();
    return Status();
  }
  auto found = OnIo<Result<OffsetLookup::Offsets>>(
      [timestamps, deadline](Io& io, std::function<void(Result<OffsetLookup::Offsets>)> done) {
        io.lookup.Lookup(timestamps, deadline, std::move(done));
      },
      deadline);
  if (!found) return Status();
  if (!found->ok()) {
    // Partitions of topics that do not exist: reported, not fatal.
    return found->status().code() == ErrorCode::kLocalTimedOut ? Status() : found->status();
  }
  for (const auto& [tp, offset] : **found) {
    // Only where nobody set a position meanwhile (a Seek from a rebalance listener).
    if (offset && !subscriptions_.position(tp)) subscriptions_.SetPosition(tp, {offset->offset, -1});
  }
  WakeFetcher();
  return Status();
}

// --- Positions -------------------------------------------------------------------------------

Result<int64_t> KafkaConsumer::Position(const TopicPartition& partition, Duration timeout) {
  if (!subscriptions_.IsAssigned(partition)) {
    return Status(ErrorCode::kLocalIllegalState, partition.ToString() + " is not assigned to this consumer");
  }
  const auto deadline = Clock::now() + timeout;
  while (!subscriptions_.position(partition)) {
    if (Status s = UpdatePositions(deadline); !s.ok()) return s;
    if (Clock::now() >= deadline) return Status(ErrorCode::kLocalTimedOut, "no position for " + partition.ToString());
  }
  return subscriptions_.position(partition)->offset;
}

Status KafkaConsumer::Seek(const TopicPartition& partition, int64_t offset) {
  if (offset < 0) return Status(ErrorCode::kLocalInvalidArgument, "seek to a negative offset");
  if (!subscriptions_.SetPosition(partition, {offset, -1})) {
    return Status(ErrorCode::kLocalIllegalState, partition.ToString() + " is not assigned to this consumer");
  }
  collector_.Reset();
  WakeFetcher();
  return Status();
}

Status KafkaConsumer::SeekToBeginning(const std::vector<TopicPartition>& partitions) {
  for (const auto& tp : partitions) subscriptions_.RequestReset(tp, OffsetReset::kEarliest);
  collector_.Reset();
  return Status();
}

Status KafkaConsumer::SeekToEnd(const std::vector<TopicPartition>& partitions) {
  for (const auto& tp : partitions) subscriptions_.RequestReset(tp, OffsetReset::kLatest);
  collector_.Reset();
  return Status();
}

Result<OffsetLookup::Offsets> KafkaConsumer::Lookup(const std::map<TopicPartition, int64_t>& timestamps,
                                                    Duration timeout) {
  const auto deadline = Clock::now() + timeout;
  auto found = OnIo<Result<OffsetLookup::Offsets>>(
      [timestamps, deadline](Io& io, std::function<void(Result<OffsetLookup::Offsets>)> done) {
        io.lookup.Lookup(timestamps, deadline, std::move(done));
      },
      deadline);
  if (!found) return NoAnswer("offset lookup");
  return std::move(*found);
}

Result<std::map<TopicPartition, std::optional<OffsetAndTimestamp>>> KafkaConsumer::OffsetsForTimes(
    const std::map<TopicPartition, int64_t>& timestamps, Duration timeout) {
  for (const auto& [tp, ts] : timestamps) {
    if (ts < 0) return Status(ErrorCode::kLocalInvalidArgument, "negative timestamp for " + tp.ToString());
  }
  return Lookup(timestamps, timeout);
}

Result<std::map<TopicPartition, int64_t>> KafkaConsumer::BeginningOffsets(const std::vector<TopicPartition>& partitions,
                                                                          Duration timeout) {
  std::map<TopicPartition, int64_t> timestamps;
  for (const auto& tp : partitions) timestamps[tp] = kEarliestTimestamp;
  auto found = Lookup(timestamps, timeout);
  if (!found.ok()) return found.status();
  std::map<TopicPartition, int64_t> out;
  for (const auto& [tp, o] : *found) out[tp] = o ? o->offset : -1;
  return out;
}

Result<std::map<TopicPartition, int64_t>> KafkaConsumer::EndOffsets(const std::vector<TopicPartition>& partitions,
                                                                    Duration timeout) {
  std::map<TopicPartition, int64_t> timestamps;
  for (const auto& tp : partitions) timestamps[tp] = kLatestTimestamp;
  auto found = Lookup(timestamps, timeout);
  if (!found.ok()) return found.status();
  std::map<TopicPartition, int64_t> out;
  for (const auto& [tp, o] : *found) out[tp] = o ? o->offset : -1;
  return out;
}

Status KafkaConsumer::Pause(const std::vector<TopicPartition>& partitions) {
  for (const auto& tp : partitions) {
    if (!subscriptions_.IsAssigned(tp)) {
      return Status(ErrorCode::kLocalIllegalState, tp.ToString() + " is not assigned to this consumer");
    }
  }
  subscriptions_.Pause(partitions);
  return Status();
}

Status KafkaConsumer::Resume(const std::vector<TopicPartition>& partitions) {
  subscriptions_.Resume(partitions);
  WakeFetcher();
  return Status();
}

std::vector<TopicPartition> KafkaConsumer::Paused() const { return subscriptions_.paused(); }

// --- Commits ---------------------------------------------------------------------------------

OffsetMap KafkaConsumer::ConsumedOffsets(const std::vector<TopicPartition>& partitions) const {
  OffsetMap out;
  const auto positions = subscriptions_.AllPositions();
  for (const auto& tp : partitions) {
    if (auto it = positions.find(tp); it != positions.end()) {
      out[tp] = OffsetAndMetadata{it->second.offset, "", it->second.leader_epoch};
    }
  }
  return out;
}

Status KafkaConsumer::CommitSync(Duration timeout) { return CommitSync(ConsumedOffsets(Assignment()), timeout); }

Status KafkaConsumer::CommitSync(const OffsetMap& offsets, Duration timeout) {
  if (closed_) return Status(ErrorCode::kLocalClosed, "the consumer is closed");
  if (Status s = CheckGroup(); !s.ok()) return s;
  RunCommitCallbacks();
  if (offsets.empty()) return Status();
  const auto deadline = Clock::now() + std::max(timeout, Duration(0));
  auto status = OnIo<Status>(
      [offsets, deadline](Io& io, std::function<void(Status)> done) {
        io.group->Commit(offsets, deadline, std::move(done));
      },
      deadline);
  if (!status) return NoAnswer("commit");
  return *status;
}

void KafkaConsumer::CommitAsync(CommitCallback callback) { CommitAsync(ConsumedOffsets(Assignment()), std::move(callback)); }

void KafkaConsumer::CommitAsync(const OffsetMap& offsets, CommitCallback callback) {
  Status refused = closed_ ? Status(ErrorCode::kLocalClosed, "the consumer is closed") : CheckGroup();
  if (Status s = refused; !s.ok()) {
    if (callback) callback(offsets, s);
    return;
  }
  if (offsets.empty()) {
    if (callback) callback(offsets, Status());
    return;
  }
  const auto deadline = Clock::now() + std::chrono::milliseconds(options_.client.request_timeout_ms);
  thread_.Post([this, offsets, callback = std::move(callback), deadline] {
    if (!io_) return;
    // Async commits are not retried (a later commit supersedes them), as in Java.
    io_->group->Commit(offsets, std::min(deadline, Clock::now()), [this, offsets, callback](Status s) {
      std::lock_guard lock(commits_mu_);
      done_commits_.push_back({offsets, std::move(s), callback});
    });
  });
}

void KafkaConsumer::RunCommitCallbacks() {
  std::deque<DoneCommit> done;
  {
    std::lock_guard lock(commits_mu_);
    done.swap(done_commits_);
  }
  for (auto& d : done) {
    if (d.callback) d.callback(d.offsets, d.status);
  }
}

void KafkaConsumer::MaybeAutoCommit() {
  if (!options_.enable_auto_commit || options_.group_id.empty()) return;
  const auto now = Clock::now();
  if (now < next_auto_commit_) return;
  next_auto_commit_ = now + std::chrono::milliseconds(options_.auto_commit_interval_ms);
  CommitAsync(ConsumedOffsets(Assignment()), {});
}

Result<std::map<TopicPartition, std::optional<OffsetAndMetadata>>> KafkaConsumer::Committed(
    const std::vector<TopicPartition>& partitions, Duration timeout) {
  if (Status s = CheckGroup(); !s.ok()) return s;
  const auto deadline = Clock::now() + timeout;
  auto committed = OnIo<Result<GroupCoordinator::CommittedOffsets>>(
      [partitions, deadline](Io& io, std::function<void(Result<GroupCoordinator::CommittedOffsets>)> done) {
        io.group->FetchCommitted(partitions, deadline, std::move(done));
      },
      deadline);
  if (!committed) return NoAnswer("fetching committed offsets");
  return std::move(*committed);
}

// --- Close -----------------------------------------------------------------------------------

Status KafkaConsumer::Close(Duration timeout) {
  if (closed_) return Status();
  const auto deadline = Clock::now() + timeout;
  Status status;
  const auto mode = subscriptions_.mode();
  if (group_ != nullptr) {
    const auto owned = subscriptions_.assignment();
    if (options_.enable_auto_commit && !owned.empty()) {
      status = CommitSync(ConsumedOffsets(owned), std::chrono::duration_cast<Duration>(deadline - Clock::now()));
    }
    RunCommitCallbacks();
    if (mode == SubscriptionState::Mode::kTopics || mode == SubscriptionState::Mode::kPattern) {
      if (auto listener = subscriptions_.listener(); listener && !owned.empty()) listener->OnPartitionsRevoked(owned);
      OnIo<bool>([](Io& io, std::function<void(bool)> done) { io.group->Leave([done] { done(true); }); }, deadline);
    }
  }
  closed_ = true;
  thread_.Call([this] {
    group_ = nullptr;
    io_.reset();
  });
  thread_.Stop();
  buffer_.Retain([](const CompletedFetch&) { return false; });
  return status;
}

}  // namespace consumer
}  // namespace kclient
