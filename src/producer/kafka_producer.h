// KafkaProducer: the Producer behind Producer::Create. Application threads run the front half
// of Send here (topic metadata, partition choice, size checks, append to the accumulator); the
// Sender on its own LoopThread does the rest.
//
// Thread-safety: as Producer (include/kclient/producer.h). Members are either immutable after
// construction, thread-safe themselves, or touched only on the sender thread (sender_).
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "kclient/producer.h"
#include "net/loop_thread.h"
#include "net/network_client.h"
#include "producer/cluster_view.h"
#include "producer/record_accumulator.h"
#include "producer/sender.h"
#include "producer/sticky_partitioner.h"

namespace kclient::producer {

class KafkaProducer final : public Producer {
 public:
  KafkaProducer(const ProducerOptions& options, std::vector<net::BrokerAddress> bootstrap);
  ~KafkaProducer() override;

  std::future<Result<RecordMetadata>> Send(const ProducerRecord& record, DeliveryCallback callback) override;
  void Produce(const ProducerRecord& record, DeliveryCallback callback) override;
  Status TrySend(const ProducerRecord& record, DeliveryCallback callback) override;
  Result<RecordMetadata> SendSync(const ProducerRecord& record) override;
  Status Flush(std::chrono::milliseconds timeout) override;
  Result<std::vector<int32_t>> PartitionsFor(const std::string& topic) override;
  Status Close(std::chrono::milliseconds timeout) override;

 private:
  // Queues the record; on failure the thunk is left untouched for the caller to fail.
  Status Enqueue(const ProducerRecord& record, RecordThunk& thunk, bool may_block);
  // The topic's view with partitions, asking the sender for its metadata and waiting until
  // `deadline` if need be (not at all without `may_block`).
  Result<std::shared_ptr<const TopicView>> TopicFor(const std::string& topic, SteadyClock::time_point deadline,
                                                    bool may_block);
  Result<int32_t> ChoosePartition(const ProducerRecord& record, const TopicView& view, bool* sticky);
  void WakeSender();
  // Flush and Close cannot wait on the sender thread from the sender thread.
  bool OnSenderThread() const { return thread_.on_loop_thread(); }

  const ProducerOptions options_;
  RecordAccumulator accumulator_;
  ClusterView view_;
  StickyPartitioner sticky_;
  std::shared_ptr<Partitioner> partitioner_;  // round-robin or custom; null for the built-ins
  std::atomic<bool> closed_{false};
  std::mutex close_mu_;
  bool close_done_ = false;  // guarded by close_mu_
  Status close_status_;      // guarded by close_mu_

  // Declared last: the thread stops (and the sender goes) before the state above is destroyed.
  std::unique_ptr<Sender> sender_;  // created, used and destroyed on thread_
  net::LoopThread thread_;
};

}  // namespace kclient::producer
