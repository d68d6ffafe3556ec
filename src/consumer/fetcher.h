// Fetcher: keeps one fetch in flight per broker for the assigned partitions it leads, from each
// partition's position, and hands what comes back to the FetchBuffer. A partition whose data
// is still buffered is not fetched again, so memory stays bounded by the fetch sizes whatever
// the backlog. Errors that mean the leader moved ask Metadata for a refresh; an offset out of
// range asks for the position to be reset (auto.offset.reset) unless the policy is none, in
// which case the error reaches Poll.
//
// Versions: Fetch v4..12 (topics by name, no fetch sessions: every fetch is a full one).
//
// Thread-safety: the I/O thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>

#include "client/metadata.h"
#include "consumer/fetch_buffer.h"
#include "consumer/subscription_state.h"
#include "kclient/consumer_options.h"
#include "net/network_client.h"

namespace kclient::consumer {

class Fetcher {
 public:
  Fetcher(net::NetworkClient* network, client::Metadata* metadata, SubscriptionState* subscriptions,
          FetchBuffer* buffer, const ConsumerOptions& options);
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Sends fetches to every broker that has none in flight and leads a fetchable partition.
  // `drained`: data of some partition was just handed out in full, so brokers that were left
  // alone until then may be fetched from again.
  void SendFetches(bool drained = false);

 private:
  net::NetworkClient* network_;
  client::Metadata* metadata_;
  SubscriptionState* subscriptions_;
  FetchBuffer* buffer_;
  const ConsumerOptions& options_;
  std::set<int32_t> in_flight_;          // brokers with a fetch outstanding
  std::set<int32_t> waiting_for_drain_;  // brokers whose last quick fetch brought nothing
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace kclient::consumer
