// AckSink: where the Acknowledgment handles of one container thread put acknowledgements, and
// where that thread takes them from at its next poll-loop turn. It outlives the thread (a listener
// may keep a handle), so the thread detaches itself when it ends; later acknowledgements are
// dropped.
//
// Thread-safety: Add from any thread; Drain, Attach and Detach from the owning container thread.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "kclient/topic_partition.h"

namespace kclient::container {

struct PendingAck {
  TopicPartition partition;
  int64_t offset = 0;
  uint64_t epoch = 0;  // the partition's assignment when the record was delivered
};

class AckSink {
 public:
  /// `wake` (may be empty) is called after an acknowledgement made on another thread: the
  /// kManualImmediate container wakes its consumer from Poll with it.
  void Attach(std::function<void()> wake);
  void Detach();

  void Add(PendingAck ack);
  std::vector<PendingAck> Drain();

 private:
  std::mutex mu_;
  bool attached_ = false;                 // GUARDED_BY(mu_)
  std::thread::id owner_;                 // GUARDED_BY(mu_)
  std::function<void()> wake_;            // GUARDED_BY(mu_)
  std::vector<PendingAck> pending_;       // GUARDED_BY(mu_)
};

}  // namespace kclient::container
