// Faults: the injected failures a cluster applies to incoming requests (see kclient::Fault).
// Request-level faults (latency, dropped connection, no answer) are applied by Cluster::Dispatch
// before a handler runs; error faults are asked for by the handlers themselves, per partition
// where the API addresses partitions, so an injected error lands exactly where Kafka would put a
// real one and nothing is written for a partition that "failed".
//
// Thread-safety: loop thread only, except the fired counters, which handles read atomically.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "kclient/embedded_cluster.h"

namespace kclient::broker {

class Faults {
 public:
  struct Armed {
    uint64_t id;
    Fault fault;
    std::shared_ptr<std::atomic<int>> fired;
  };

  Result<std::pair<uint64_t, std::shared_ptr<std::atomic<int>>>> Add(const Fault& fault);
  void Remove(uint64_t id);

  // The first armed latency / drop / no-response fault matching this request, consumed by one.
  std::optional<Fault> TakeRequestFault(int16_t api_key, int32_t broker_id);
  // The error to answer for this request (topic empty) or this partition, consumed by one.
  std::optional<ErrorCode> TakeError(int16_t api_key, int32_t broker_id, std::string_view topic = {},
                                     int32_t partition = -1);

  bool empty() const { return armed_.empty(); }

 private:
  std::optional<Fault> Take(int16_t api_key, int32_t broker_id, std::string_view topic, int32_t partition,
                            bool want_error);

  std::vector<Armed> armed_;
  uint64_t next_id_ = 1;
};

}  // namespace kclient::broker
