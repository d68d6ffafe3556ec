// Eventually: waits for a condition on a system that changes by itself (a Kafka cluster
// propagating metadata, electing a leader) and offers nothing to block on. The condition is
// looked at again every `interval` until it holds or `timeout` passes.
#pragma once

#include <chrono>
#include <thread>

namespace kclient::testing {

template <typename Condition>
bool Eventually(Condition holds, std::chrono::steady_clock::duration timeout = std::chrono::seconds(60),
                std::chrono::steady_clock::duration interval = std::chrono::milliseconds(100)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!holds()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);  // between two looks at the condition
  }
  return true;
}

}  // namespace kclient::testing
