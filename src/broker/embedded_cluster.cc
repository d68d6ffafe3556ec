#include "kclient/embedded_cluster.h"

#include "broker/cluster.h"
#include "net/loop_thread.h"

namespace kclient {

struct EmbeddedCluster::Impl {
  net::LoopThread thread;
  std::unique_ptr<broker::Cluster> cluster;

  template <typename Fn>
  auto Call(Fn fn) -> decltype(fn()) {
    return thread.Call(std::move(fn));
  }

  ~Impl() {
    if (cluster) {
      thread.Call([this] {
        cluster->Shutdown();
        cluster.reset();
        return 0;
      });
    }
    thread.Stop();
  }
};

EmbeddedCluster::EmbeddedCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EmbeddedCluster::~EmbeddedCluster() = default;

Result<std::unique_ptr<EmbeddedCluster>> EmbeddedCluster::Start(EmbeddedClusterOptions options) {
  if (Status s = options.Validate(); !s.ok()) return s;
  auto impl = std::make_unique<Impl>();
  Impl* raw = impl.get();
  raw->Call([raw, &options] {
    raw->cluster = std::make_unique<broker::Cluster>(&raw->thread.loop(), std::move(options));
    return 0;
  });
  Status started = raw->Call([raw] { return raw->cluster->Start(); });
  if (!started.ok()) return started;  // ~Impl shuts down what did start
  return std::unique_ptr<EmbeddedCluster>(new EmbeddedCluster(std::move(impl)));
}

std::string EmbeddedCluster::bootstrap_servers() const {
  return impl_->Call([this] { return impl_->cluster->bootstrap_servers(); });
}

std::vector<int32_t> EmbeddedCluster::broker_ids() const {
  return impl_->Call([this] {
    std::vector<int32_t> ids;
    for (const auto& [id, b] : impl_->cluster->brokers()) ids.push_back(id);
    return ids;
  });
}

Status EmbeddedCluster::CreateTopic(const std::string& name, int32_t partitions, int16_t replication_factor,
                                    const std::map<std::string, std::string>& configs) {
  return impl_->Call([&] { return impl_->cluster->CreateTopic(name, partitions, replication_factor, configs).status(); });
}

Status EmbeddedCluster::StopBroker(int32_t id) {
  return impl_->Call([&] { return impl_->cluster->StopBroker(id); });
}

Status EmbeddedCluster::StartBroker(int32_t id) {
  return impl_->Call([&] { return impl_->cluster->StartBroker(id); });
}

Status EmbeddedCluster::MoveLeader(const std::string& topic, int32_t partition, int32_t broker_id) {
  return impl_->Call([&] { return impl_->cluster->MoveLeader(topic, partition, broker_id); });
}

Result<int32_t> EmbeddedCluster::LeaderOf(const std::string& topic, int32_t partition) const {
  return impl_->Call([&]() -> Result<int32_t> {
    broker::TopicState* t = impl_->cluster->topics().Find(topic);
    broker::PartitionState* p = t != nullptr ? t->partition(partition) : nullptr;
    if (p == nullptr) return Status(ErrorCode::kUnknownTopicOrPartition, topic + "-" + std::to_string(partition));
    return p->leader;
  });
}

int FaultHandle::times_fired() const { return fired_ ? fired_->load() : 0; }

Result<FaultHandle> EmbeddedCluster::InjectFault(const Fault& fault) {
  auto added = impl_->Call([&] { return impl_->cluster->faults().Add(fault); });
  if (!added.ok()) return added.status();
  FaultHandle h;
  h.id_ = added->first;
  h.fired_ = added->second;
  return h;
}

void EmbeddedCluster::RemoveFault(const FaultHandle& handle) {
  impl_->Call([&] {
    impl_->cluster->faults().Remove(handle.id());
    return 0;
  });
}

}  // namespace kclient
