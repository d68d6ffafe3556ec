// ListenerContainer: prepares the topics, starts one ConsumerWorker per unit of concurrency, and
// stops them.
#include "kclient/container/listener_container.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "container/consumer_worker.h"
#include "container/container_context.h"
#include "kclient/admin.h"

namespace kclient::container {

struct ListenerContainer::Impl {
  enum class State { kCreated, kRunning, kStopped };

  Impl(ContainerOptions options, ListenerInvoker invoker) : context(std::move(options), std::move(invoker)) {}

  Status PrepareTopics(Admin& admin, int32_t* concurrency);

  ContainerContext context;
  std::mutex mu;  // serialises Start and Stop
  std::atomic<State> state{State::kCreated};
  std::atomic<int32_t> concurrency{0};
  std::vector<std::unique_ptr<ConsumerWorker>> workers;
};

namespace {

Result<std::unique_ptr<ListenerContainer>> Fail(const Status& s) { return s; }

}  // namespace

Result<std::unique_ptr<ListenerContainer>> ListenerContainer::Create(ContainerOptions options,
                                                                     RecordListener listener) {
  if (!listener) return Fail(Status(ErrorCode::kLocalInvalidConfig, "no listener"));
  if (Status s = options.Validate(); !s.ok()) return Fail(s);
  const int64_t deadline = options.listener_deadline_ms;
  auto impl = std::make_unique<Impl>(std::move(options), ListenerInvoker(std::move(listener), {}, deadline));
  return std::unique_ptr<ListenerContainer>(new ListenerContainer(std::move(impl)));
}

Result<std::unique_ptr<ListenerContainer>> ListenerContainer::Create(ContainerOptions options, BatchListener listener) {
  if (!listener) return Fail(Status(ErrorCode::kLocalInvalidConfig, "no listener"));
  if (Status s = options.Validate(); !s.ok()) return Fail(s);
  const int64_t deadline = options.listener_deadline_ms;
  auto impl = std::make_unique<Impl>(std::move(options), ListenerInvoker({}, std::move(listener), deadline));
  return std::unique_ptr<ListenerContainer>(new ListenerContainer(std::move(impl)));
}

ListenerContainer::ListenerContainer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

ListenerContainer::~ListenerContainer() {
  (void)Stop();
  for (auto& w : impl_->workers) w->Join();
}

// Counts the source topics' partitions (to cap the concurrency) and creates the retry and
// dead-letter topics with the same partition counts.
Status ListenerContainer::Impl::PrepareTopics(Admin& admin, int32_t* concurrency) {
  const ContainerOptions& o = context.options();
  int32_t total = 0;
  bool all_known = true;
  auto described = admin.DescribeTopics(o.topics);
  for (const std::string& topic : o.topics) {
    auto it = described.find(topic);
    if (it == described.end() || !it->second.ok()) {
      all_known = false;
      if (o.retry_topics.enabled && o.retry_topics.create_topics) {
        return Status(ErrorCode::kUnknownTopicOrPartition,
                      "retry topics of " + topic + " need its partition count, but it cannot be described: " +
                          (it == described.end() ? std::string("no answer") : it->second.status().ToString()));
      }
      continue;
    }
    const auto partitions = static_cast<int32_t>(it->second->partitions.size());
    total += partitions;
    if (!o.retry_topics.enabled || !o.retry_topics.create_topics) continue;
    std::vector<NewTopic> wanted;
    for (const std::string& name : o.retry_topics.RetryTopics(topic)) {
      wanted.emplace_back(name, partitions, o.retry_topics.replication_factor);
    }
    ConsumerRecord source;
    source.topic = topic;
    wanted.emplace_back(o.dead_letter_topic(source), partitions, o.retry_topics.replication_factor);
    for (const auto& [name, s] : admin.CreateTopics(wanted)) {
      if (!s.ok() && s.code() != ErrorCode::kTopicAlreadyExists) return s.WithContext("creating " + name);
    }
  }
  // Retry topics add partitions of their own, as many per source topic as it has.
  if (o.retry_topics.enabled) total *= 1 + static_cast<int32_t>(o.retry_topics.RetryTopics(o.topics[0]).size());
  *concurrency = o.concurrency;
  if (all_known && total > 0 && o.concurrency > total) {
    context.Log(LogLevel::kWarning, "concurrency " + std::to_string(o.concurrency) + " exceeds the " +
                                        std::to_string(total) + " partitions to consume; using " +
                                        std::to_string(total));
    *concurrency = total;
  } else if (!all_known) {
    context.Log(LogLevel::kInfo, "some topics could not be described; concurrency not capped");
  }
  return Status();
}

Status ListenerContainer::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kCreated) {
    return Status(ErrorCode::kLocalIllegalState, "the container was started before");
  }
  const ContainerOptions& o = impl_->context.options();
  AdminOptions admin_options;
  admin_options.client = o.consumer.client;
  auto admin = Admin::Create(admin_options);
  if (!admin.ok()) return admin.status();
  int32_t concurrency = o.concurrency;
  Status prepared = impl_->PrepareTopics(**admin, &concurrency);
  (*admin)->Close();
  if (!prepared.ok()) return prepared;

  if (o.dead_letter_enabled || o.retry_topics.enabled) {
    ProducerOptions p = o.producer;
    if (p.client.bootstrap_servers.empty()) p.client = o.consumer.client;
    auto producer = Producer::Create(p);
    if (!producer.ok()) return producer.status().WithContext("dead-letter producer");
    impl_->context.SetProducer(std::move(*producer));
  }
  for (int32_t i = 0; i < concurrency; ++i) {
    auto worker = std::make_unique<ConsumerWorker>(impl_->context, i);
    if (Status s = worker->Start(); !s.ok()) {
      for (auto& w : impl_->workers) w->RequestStop();
      impl_->workers.clear();  // joins
      impl_->state = Impl::State::kStopped;
      return s;
    }
    impl_->workers.push_back(std::move(worker));
  }
  impl_->concurrency = concurrency;
  impl_->state = Impl::State::kRunning;
  return Status();
}

Status ListenerContainer::Stop(std::chrono::milliseconds timeout) {
  // Every thread sees this at its next record or loop turn. From a listener (one of the threads
  // to stop) that is all Stop can do.
  impl_->context.RequestStop();
  if (ConsumerWorker::OnWorkerThreadOf(impl_->context)) return Status();
  std::lock_guard lock(impl_->mu);
  if (impl_->state == Impl::State::kStopped) return Status();
  if (impl_->state == Impl::State::kCreated) {
    impl_->state = Impl::State::kStopped;
    return Status();
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (auto& w : impl_->workers) w->RequestStop();
  for (auto& w : impl_->workers) {
    if (!w->WaitFinished(deadline)) {
      return Status(ErrorCode::kLocalTimedOut, "container threads still stopping after " +
                                                   std::to_string(timeout.count()) + " ms");
    }
  }
  for (auto& w : impl_->workers) w->Join();
  if (Producer* p = impl_->context.producer()) (void)p->Close(std::chrono::seconds(5));
  impl_->state = Impl::State::kStopped;
  return Status();
}

bool ListenerContainer::running() const { return impl_->state == Impl::State::kRunning; }

bool ListenerContainer::stopping() const { return impl_->context.stop_requested(); }

int32_t ListenerContainer::concurrency() const { return impl_->concurrency; }

std::vector<TopicPartition> ListenerContainer::Assignment() const {
  std::vector<TopicPartition> all;
  std::lock_guard lock(impl_->mu);
  for (const auto& w : impl_->workers) {
    auto mine = w->Assignment();
    all.insert(all.end(), mine.begin(), mine.end());
  }
  std::sort(all.begin(), all.end());
  return all;
}

std::vector<HaltedPartition> ListenerContainer::HaltedPartitions() const { return impl_->context.Halted(); }

void ListenerContainer::ResumeHaltedPartitions() {
  impl_->context.RequestResumeHalted();
  std::lock_guard lock(impl_->mu);
  for (auto& w : impl_->workers) w->Wake();
}

}  // namespace kclient::container
