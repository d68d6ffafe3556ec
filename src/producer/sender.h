// Sender: the producer's background thread. It owns the connections (NetworkClient), the
// cluster's metadata and the idempotence state, and moves batches from the RecordAccumulator to
// partition leaders:
//   - on every wake-up (a new or full batch, a linger or backoff timer, a response) it asks the
//     accumulator which partitions are ready, takes at most one batch per partition per request,
//     stamps it with the producer id and the partition's next sequence, and sends one
//     ProduceRequest per leader, keeping at most max.in.flight requests per broker;
//   - a response completes each batch (callbacks run here, in order per partition) or puts it
//     back for a retry after a backoff, refreshing metadata when the leader may have moved;
//   - batches past delivery.timeout.ms fail.
//
// Idempotence (the Java client's rules, simplified where noted in docs/design/client.md): up to
// 5 batches of a partition in flight; a batch coming back for a retry waits until nothing else
// of its partition is in flight, then goes first, so sequence numbers reach the broker in order.
// A batch that fails for good while holding a sequence leaves a gap the broker would refuse
// forever, so the producer id is reset and sequences start again at 0.
//
// Thread-safety: lives on the sender's LoopThread and is only touched there; other threads call
// it through LoopThread::Post.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "client/metadata.h"
#include "kclient/producer_options.h"
#include "net/network_client.h"
#include "producer/cluster_view.h"
#include "producer/record_accumulator.h"
#include "util/backoff.h"

namespace kclient::protocol {
struct ProduceResponse;
}  // namespace kclient::protocol

namespace kclient::producer {

class Sender {
 public:
  Sender(net::EventLoop* loop, const ProducerOptions& options, std::vector<net::BrokerAddress> bootstrap,
         RecordAccumulator* accumulator, ClusterView* view);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  // Something changed (a batch was started or filled, a flush began): look at the queues soon.
  void Wake();
  // Keeps metadata for `topic` (Send found it unknown).
  void AddTopic(const std::string& topic);
  // Close, first phase: stop lingering so everything queued goes out now.
  void BeginClose();
  // Close, second phase: fail every batch still queued or in flight with `why`, and close the
  // connections. Nothing is retried afterwards.
  void Abort(const Status& why);

 private:
  struct InFlightProduce;

  void RunOnce();
  void ArmTimer(SteadyClock::time_point when);
  void OnMetadataUpdate();
  void PublishTopic(const std::string& topic);

  // Idempotence.
  void EnsureProducerId();
  void ResetProducerId();
  bool CanTake(const PartitionQueue& queue, const ProducerBatch& batch) const;
  Status Stamp(ProducerBatch* batch);

  // Sending and outcomes.
  std::vector<std::unique_ptr<ProducerBatch>> Drain(int32_t node, const std::vector<PartitionQueue*>& queues);
  void SendProduce(int32_t node, std::vector<std::unique_ptr<ProducerBatch>> batches);
  void OnProduceResponse(InFlightProduce& request, const Status& status, protocol::ProduceResponse& response,
                         int16_t version);
  void OnBatchResult(std::unique_ptr<ProducerBatch> batch, ErrorCode code, const std::string& message,
                     int64_t base_offset, int64_t log_append_time_ms);
  void Retry(std::unique_ptr<ProducerBatch> batch, const Status& error);
  void FailBatch(std::unique_ptr<ProducerBatch> batch, const Status& error);
  void FailExpired(SteadyClock::time_point now);

  net::EventLoop* loop_;
  const ProducerOptions options_;
  const bool idempotent_;
  RecordAccumulator* accumulator_;
  ClusterView* view_;
  net::NetworkClient network_;
  client::Metadata metadata_;
  util::ExponentialBackoff retry_backoff_;
  std::mt19937 rng_{std::random_device{}()};

  std::map<int32_t, int> node_in_flight_;      // produce requests in flight per broker
  std::map<int32_t, size_t> drain_start_;      // round-robin start per broker, so none starves
  std::map<std::string, std::pair<int32_t, std::vector<int32_t>>> published_;  // last view per topic

  // Producer id: valid when producer_id_ >= 0. generation_ counts resets.
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  uint64_t generation_ = 1;
  bool producer_id_in_flight_ = false;
  int producer_id_failures_ = 0;
  Status fatal_;  // a non-retriable InitProducerId error: every batch fails with it

  bool closing_ = false;
  bool aborted_ = false;
  bool run_scheduled_ = false;
  net::EventLoop::TimerId timer_ = 0;
  SteadyClock::time_point timer_at_ = SteadyClock::time_point::max();
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kclient::producer
